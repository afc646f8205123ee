//! The Markdown report: the table of cases, the module sizes, the machine and the targets.

use std::path::Path;

use anyhow::Result;

use crate::machine::{command_line, cpu_model, locked_version};
use crate::memory::PAGE;
use crate::module::Module;
use crate::options::Options;
use crate::stats::Stats;
use crate::units::{micros, pass, ratio, ratio_target, size, spread, wrap_prose};

pub(crate) struct Row {
    pub(crate) name: String,
    pub(crate) answer: String,
    pub(crate) payload_bytes: Option<usize>,
    pub(crate) fresh: Stats,
    pub(crate) fresh_floor: Option<Stats>,
    pub(crate) reused: Option<Stats>,
    pub(crate) reused_floor: Option<Stats>,
    pub(crate) peak_pages: Option<usize>,
    pub(crate) floor_peak_pages: Option<usize>,
}

pub(crate) struct Report<'a> {
    pub(crate) options: &'a Options,
    /// `/proc/loadavg`'s 1-minute figure before and after the timing.
    pub(crate) load: (Option<String>, Option<String>),
    pub(crate) policy: &'a Module,
    pub(crate) floor: Option<&'a Module>,
    pub(crate) rows: &'a [Row],
    pub(crate) large_request_bytes: usize,
}

impl Report<'_> {
    fn row(&self, name: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.name.starts_with(name))
    }

    /// The floor's own row: `parse_only` on the realistic Pod's request.
    fn floor_row(&self) -> Option<String> {
        let row = self.row("Pod (")?;
        let (f, rf) = (row.fresh_floor?, row.reused_floor?);
        Some(format!(
            "| floor: `parse_only` on the Pod request | {} | accepted | {} | {} | 1.00× | {} | {} | 1.00× | {} |\n",
            row.payload_bytes.map(size).unwrap_or_default(),
            micros(f.median),
            spread(&f),
            micros(rf.median),
            spread(&rf),
            row.floor_peak_pages.map(|p| size(p * PAGE)).unwrap_or_default(),
        ))
    }

    pub(crate) fn render(&self) -> Result<String> {
        let mut out = String::new();
        let floor_note = if self.floor.is_some() {
            "`× floor`: the same figure for the `parse_only` export of the benchmark variant \
             (parse the same payload as JSON, answer `accepted`), same host, same mode. The floor \
             builds a generic `serde_json::Value` of the whole request, where the policy parses \
             into typed structs and skips what it does not read: it can come in under the floor."
        } else {
            "No floor module with a `parse_only` export was found: no ratios."
        };
        out.push_str(&format!(
            "Median and p10–p90 of one evaluation in µs (unless marked ms). **Fresh**: a new \
             instance per evaluation (instantiate, call, drop), as policy-server runs policies; \
             **reused**: one instance for every call, as `kwctl bench` measures. Peak memory: the \
             linear memory one evaluation needs in a fresh instance. {floor_note}\n\n"
        ));
        out.push_str(
            "| case (settings) | request | answer | fresh: median | p10–p90 | × floor | reused: median | p10–p90 | × floor | peak memory (× floor) |\n",
        );
        out.push_str("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        let mut floor_row = self.floor_row();
        for row in self.rows {
            if row.payload_bytes.is_none() {
                if let Some(line) = floor_row.take() {
                    out.push_str(&line);
                }
            }
            let (reused, reused_spread, reused_ratio) = match &row.reused {
                Some(s) => (
                    micros(s.median),
                    spread(s),
                    ratio(s.median, row.reused_floor.map(|f| f.median)),
                ),
                None => ("".into(), "".into(), "".into()),
            };
            let memory = match row.peak_pages {
                Some(pages) => format!(
                    "{} ({})",
                    size(pages * PAGE),
                    ratio(pages as f64, row.floor_peak_pages.map(|p| p as f64))
                ),
                None => "".into(),
            };
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                row.name,
                row.payload_bytes.map(size).unwrap_or_default(),
                row.answer,
                micros(row.fresh.median),
                spread(&row.fresh),
                ratio(row.fresh.median, row.fresh_floor.map(|f| f.median)),
                reused,
                reused_spread,
                reused_ratio,
                memory,
            ));
        }
        // Timed evaluations per figure, over the rows of cases (the others time one thing once).
        let iterations: Vec<usize> = self
            .rows
            .iter()
            .filter(|r| r.reused.is_some())
            .map(|r| r.fresh.iterations)
            .collect();
        out.push_str(&format!(
            "\nSettings: `ai-data-security+` = the `ai-data-security` profile with the \
             `runtime/default` seccomp profile and `NET_BIND_SERVICE` allowed \
             (`e2e-tests/fixtures/bench/ai-data-security-platform.json`); \
             `restricted` = `{{\"podSecurityStandard\": {{\"level\": \"restricted\"}}}}`; `full` = \
             every PodSecurityPolicy field set, and the restricted standard \
             (`e2e-tests/fixtures/bench/full-psp-restricted.json`). The Pod is \
             `e2e-tests/fixtures/bench/model-serving-pod.json`; the other requests are derived \
             from it in `psp-bench`. Timed evaluations per figure: {}–{} (compilations: {}).\n",
            iterations.iter().min().copied().unwrap_or(0),
            iterations.iter().max().copied().unwrap_or(0),
            self.policy.compile.iterations,
        ));

        // Module sizes.
        out.push_str("\nModule:\n");
        let file_name = |path: &Path| {
            path.file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string())
        };
        let policy_size = self.policy.bytes.len();
        out.push_str(&format!(
            "- `{}`: {} bytes ({})\n",
            file_name(&self.options.policy),
            policy_size,
            size(policy_size)
        ));
        if let Ok(meta) = std::fs::metadata(&self.options.annotated) {
            out.push_str(&format!(
                "- `{}`: {} bytes ({})\n",
                file_name(&self.options.annotated),
                meta.len(),
                size(meta.len() as usize)
            ));
        } else {
            out.push_str(&format!(
                "- `{}`: not built (`make annotated-policy.wasm`)\n",
                file_name(&self.options.annotated)
            ));
        }
        if let Some(floor) = self.floor {
            out.push_str(&format!(
                "- floor variant `{}`: {} bytes (benchmarks only, never shipped)\n",
                file_name(&self.options.floor),
                floor.bytes.len()
            ));
        }
        let commit = command_line("git", &["rev-parse", "--short", "HEAD"])
            .unwrap_or_else(|| "unknown".into());
        let dirty = command_line("git", &["status", "--porcelain", "--", "src", "Cargo.toml"])
            .is_some_and(|s| !s.is_empty());
        out.push_str(&format!(
            "- built from commit {commit}{}\n",
            if dirty {
                " with uncommitted changes in src/ or Cargo.toml"
            } else {
                ""
            }
        ));

        // Machine.
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0);
        out.push_str(&format!(
            "\nMachine: {} ({cores} cores available), {}, {}, wasmtime {} (wasmtime-provider {}); \
             load average (1 min) {} before the run, {} after.\n",
            cpu_model(),
            std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map(|r| format!("Linux {}", r.trim()))
                .unwrap_or_else(|_| std::env::consts::OS.to_string()),
            command_line("rustc", &["--version"]).unwrap_or_else(|| "rustc unknown".into()),
            locked_version("wasmtime").unwrap_or_else(|| "?".into()),
            locked_version("wasmtime-provider").unwrap_or_else(|| "?".into()),
            self.load.0.as_deref().unwrap_or("?"),
            self.load.1.as_deref().unwrap_or("?"),
        ));

        // Targets.
        out.push_str("\nTargets:\n");
        // Half the smallest of the single-purpose Kubewarden policies that a PSP user runs about 17 of
        // (1.2 MB each and more), for all of PSP, the standards and several PSPs at once.
        out.push_str(&format!(
            "- {} shipped module under 600 KB: {} bytes = {:.1} KB = {:.1} KiB\n",
            pass(policy_size < 600_000),
            policy_size,
            policy_size as f64 / 1000.0,
            policy_size as f64 / 1024.0
        ));
        match self.row("Pod, full PSP + restricted") {
            Some(row) => match (row.fresh_floor, row.reused_floor, row.reused) {
                (Some(ff), Some(rf), Some(r)) => {
                    out.push_str(&ratio_target(
                        "realistic Pod, every PSP field and restricted, within 1.5× the floor, \
                         fresh instance (policy-server)",
                        (row.fresh.median, ff.median),
                        1.5,
                        "×",
                    ));
                    out.push_str(&ratio_target(
                        "the same, reused instance (`kwctl bench`)",
                        (r.median, rf.median),
                        1.5,
                        "×",
                    ));
                }
                _ => out.push_str(
                    "- ---- realistic Pod within 1.5× the floor: no floor, not measured\n",
                ),
            },
            None => out.push_str("- ---- realistic Pod within 1.5× the floor: case not run\n"),
        }
        match (
            self.row("Pod, 50 containers"),
            self.row("Pod, 500 containers"),
        ) {
            (Some(small), Some(large)) => {
                out.push_str(&ratio_target(
                    "time(500 containers) / time(50 containers) ≤ 12, fresh instance",
                    (large.fresh.median, small.fresh.median),
                    12.0,
                    "",
                ));
                if let (Some(l), Some(s)) = (large.reused, small.reused) {
                    out.push_str(&ratio_target(
                        "the same, reused instance",
                        (l.median, s.median),
                        12.0,
                        "",
                    ));
                }
            }
            _ => out.push_str("- ---- time(500)/time(50): cases not run\n"),
        }
        match self.row("Pod, 5 MB request") {
            Some(row) => out.push_str(&format!(
                "- {} a {} request under 100 ms, fresh instance: median {:.1} ms, p90 {:.1} ms\n",
                pass(row.fresh.median < 100_000.0),
                size(self.large_request_bytes),
                row.fresh.median / 1000.0,
                row.fresh.p90 / 1000.0
            )),
            None => out.push_str("- ---- a 5 MB request under 100 ms: case not run\n"),
        }
        out.push_str("\nReproduce: `make bench`.");
        Ok(wrap_prose(&out, 100))
    }
}
