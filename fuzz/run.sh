#!/usr/bin/env bash
# Runs one built fuzz target for a bounded time, on one core, and reports what it did.
#
#   fuzz/run.sh TARGET SECONDS [grow|scratch|cmin]
#
# grow (default): new inputs are added to fuzz/corpus/TARGET (then `make fuzz-cmin` minimises it).
# scratch: the committed corpus is only read; new inputs go to a temporary folder (CI, `make fuzz-ci`).
# cmin: replaces fuzz/corpus/TARGET by a small subset with the same edge coverage (SECONDS is ignored).
#
# Builds nothing: `make fuzz-build` first. A crash, timeout or out-of-memory input is saved under
# fuzz/artifacts/TARGET/ and makes this script fail. Environment: FUZZ_TARGET_DIR (the cargo target folder of
# the fuzz build), FUZZ_NICE (niceness, default 10).
set -euo pipefail

usage="usage: fuzz/run.sh TARGET SECONDS [grow|scratch|cmin]"
target=${1:?$usage}
seconds=${2:?$usage}
mode=${3:-grow}
fuzz_dir=$(cd "$(dirname "$0")" && pwd)
binary=${FUZZ_TARGET_DIR:-$HOME/.cache/psp-fuzz-target}/x86_64-unknown-linux-gnu/release/$target
corpus=$fuzz_dir/corpus/$target
artifacts=$fuzz_dir/artifacts/$target
logs=$fuzz_dir/logs/$target

if [[ ! -x $binary ]]; then
    echo "fuzz/run.sh: $binary is not built: run \`make fuzz-build\`" >&2
    exit 2
fi
mkdir -p "$corpus" "$artifacts" "$logs"

case $target in
    settings_raw) args=(-max_len=8192 -dict="$fuzz_dir/json.dict") ;;
    evaluate_raw) args=(-max_len=65536 -dict="$fuzz_dir/json.dict") ;;
    *) args=(-max_len=65536) ;;
esac

if [[ $mode == cmin ]]; then
    minimised=$(mktemp -d)
    trap 'rm -rf "$minimised"' EXIT
    before=$(find "$corpus" -type f | wc -l)
    # The smallest set that covers every edge the corpus covers (hit counts are not kept: a run finds them
    # again in seconds), so that the committed corpus stays small.
    nice -n "${FUZZ_NICE:-10}" "$binary" -merge=1 -set_cover_merge=1 -use_counters=0 "$minimised" "$corpus" \
        -timeout=10 -rss_limit_mb=2048 "${args[@]}" >"$logs/cmin.log" 2>&1 \
        || { tail -20 "$logs/cmin.log" >&2; exit 1; }
    rm -rf "$corpus"
    mkdir -p "$corpus"
    cp "$minimised"/* "$corpus"/
    echo "fuzz $target: corpus minimised from $before to $(find "$corpus" -type f | wc -l) files," \
        "$(cat "$corpus"/* | wc -c) bytes"
    exit 0
fi

corpora=("$corpus")
if [[ $mode == scratch ]]; then
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    corpora=("$scratch" "$corpus")
fi

marker=$logs/.started
touch "$marker"
seeds=$(find "$corpus" -type f | wc -l)
# -jobs=1 -workers=1: one fuzzing process; its output goes to $logs/fuzz-0.log.
# -timeout=10: an input that takes 10 s (policy-server stops a policy after 2 s) is a finding.
(cd "$logs" && rm -f fuzz-0.log && nice -n "${FUZZ_NICE:-10}" "$binary" "${corpora[@]}" \
    -max_total_time="$seconds" -jobs=1 -workers=1 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 "${args[@]}") >"$logs/run.log" 2>&1 || true

log=$logs/fuzz-0.log
findings=$(find "$artifacts" -type f -newer "$marker" | sort)
execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
grown=$(find "${corpora[0]}" -type f | wc -l)
if [[ $mode == scratch ]]; then
    kept="corpus of $seeds files read, $grown new inputs not kept"
else
    kept="corpus $seeds -> $grown files"
fi
echo "fuzz $target: ${seconds}s, ${execs:-?} executions (${rate:-?}/s), $kept"
echo "  last status: ${last:-none}"
if [[ -n $findings ]]; then
    echo "fuzz $target: new finding(s), see $log:" >&2
    echo "$findings" >&2
    grep -E 'panicked|ERROR|SUMMARY|Test unit written' "$log" | head -20 >&2
    exit 1
fi
if [[ -z $execs ]]; then
    echo "fuzz $target: no statistics in $log: the fuzzer did not run" >&2
    tail -20 "$log" "$logs/run.log" >&2
    exit 1
fi
