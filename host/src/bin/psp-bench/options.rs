//! The command line.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use psp_host::cli::Args;
use psp_host::{wasm_path, workspace_dir};

pub(crate) fn usage() -> String {
    format!(
        "\
psp-bench: benchmarks of the pod-security-policy module

USAGE:
  psp-bench [--policy PATH] [--floor PATH] [--annotated PATH] [--budget-ms N] [--quick]
            [--only SUBSTRING] [--check-only] [--write-requests DIR]

OPTIONS:
  --policy PATH     the shipped module (default: $POLICY_WASM, else {wasm})
  --floor PATH      the benchmark variant, built with `--features bench-floor`, whose
                    `parse_only` export is the floor (default: $PSP_BENCH_FLOOR, else
                    <target dir>/policy-bench.wasm)
  --annotated PATH  the annotated module, reported when present (default: {annotated})
  --budget-ms N     time spent timing each case in each mode (default 1200)
  --quick           a short run (budget 150 ms, fewer compilations) to try the harness
  --only SUBSTRING  only the cases whose name contains SUBSTRING
  --check-only      check that every case answers as it should (accepted, rejected, ...),
                    print the request sizes, and time nothing
  --write-requests DIR
                    write each case's request and settings to DIR (for `psp-run`,
                    `kwctl run` or `kwctl bench`), and time nothing
  -h, --help        this text

Hold the machine still while it runs (nothing else compiling): every figure is wall-clock.
",
        wasm = wasm_path().display(),
        annotated = workspace_dir().join("annotated-policy.wasm").display(),
    )
}

#[derive(Debug)]
pub(crate) struct Options {
    pub(crate) policy: PathBuf,
    pub(crate) floor: PathBuf,
    pub(crate) annotated: PathBuf,
    pub(crate) budget: Duration,
    pub(crate) compilations: usize,
    pub(crate) only: Option<String>,
    pub(crate) check_only: bool,
    pub(crate) write_requests: Option<PathBuf>,
}

fn default_floor_path() -> PathBuf {
    if let Some(path) = std::env::var_os("PSP_BENCH_FLOOR").filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME").unwrap_or_default();
            Path::new(&home).join(".cache/psp-target")
        });
    target_dir.join("policy-bench.wasm")
}

pub(crate) fn parse_args(args: impl Iterator<Item = String>) -> Result<Option<Options>> {
    let mut args = Args::new(args);
    let mut options = Options {
        policy: wasm_path(),
        floor: default_floor_path(),
        annotated: workspace_dir().join("annotated-policy.wasm"),
        budget: Duration::from_millis(1200),
        compilations: 5,
        only: None,
        check_only: false,
        write_requests: None,
    };
    while let Some(flag) = args.next_flag() {
        let mut value = |name: &str| args.value(name);
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--policy" => options.policy = value("--policy")?.into(),
            "--floor" => options.floor = value("--floor")?.into(),
            "--annotated" => options.annotated = value("--annotated")?.into(),
            "--budget-ms" => {
                let ms: u64 = value("--budget-ms")?
                    .parse()
                    .context("--budget-ms takes milliseconds")?;
                options.budget = Duration::from_millis(ms);
            }
            "--quick" => {
                options.budget = Duration::from_millis(150);
                options.compilations = 2;
            }
            "--only" => options.only = Some(value("--only")?),
            "--check-only" => options.check_only = true,
            "--write-requests" => options.write_requests = Some(value("--write-requests")?.into()),
            other => bail!("unexpected argument `{other}`"),
        }
    }
    Ok(Some(options))
}
