//! `psp-bench`: the benchmarks of the README's Performance section (`make bench`).
//!
//! Runs the built module through the same waPC host as the end-to-end tests (wasmtime via
//! `wasmtime-provider`, [`PolicyHost`]) and prints one Markdown table: for each case the median and
//! the p10–p90 spread of one evaluation with a fresh instance per evaluation (what policy-server
//! does), the same with one reused instance (what `kwctl bench` measures), the peak linear memory
//! of one evaluation, and every figure as a ratio to the floor: the `parse_only` export of the
//! benchmark variant of the module (feature `bench-floor`), which only parses the same payload as
//! JSON and answers. Then module compile and instantiation time, the module sizes, the machine,
//! and the performance targets with PASS/FAIL.
//!
//! A hand-rolled harness: a warm-up, then iterations until a time budget is spent (at least
//! `MIN_ITERATIONS`), each timed on its own, in rounds that take turns between the case and its
//! floor so that a change of machine load weighs on both alike. The payload is serialised once,
//! outside the timing; a fresh-instance iteration times instantiation (`wapc_init` included), the
//! call and the drop of the instance. Every answer is checked once before timing, so a case
//! measures what it says (accepted, rejected, mutated, valid settings). Peak memory is found by
//! binary search on the instance's memory limit (`ResourceLimits::max_memory_size`).
//!
//! One file per concern: the command line (`options`), the cases and the requests they send
//! (`cases`, `pods`), the timing harness and its statistics (`measure`, `stats`), the memory probe
//! (`memory`), the loaded modules (`module`), and the report (`report`, `units`, `machine`).

mod cases;
mod machine;
mod measure;
mod memory;
mod module;
mod options;
mod pods;
mod report;
mod stats;
mod units;

use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use psp_host::cli::run_program;
use psp_host::{HostCalls, PolicyHost, ValidationResponse};

use crate::cases::{cases, check_answer, write_requests, Case};
use crate::machine::load_average;
use crate::measure::{fresh_call, measure_against};
use crate::module::load_module;
use crate::options::{parse_args, usage, Options};
use crate::report::{Report, Row};
use crate::units::size;

fn main() -> ExitCode {
    let options = parse_args(std::env::args().skip(1));
    let run = |options: &Options| run(options).map(|()| ExitCode::SUCCESS);
    run_program("psp-bench", usage, options, run, 1)
}

fn run(options: &Options) -> Result<()> {
    let started = Instant::now();
    let load_before = load_average();
    let fixtures = cases()?;
    let cases: Vec<&Case> = fixtures
        .cases
        .iter()
        .filter(|c| options.only.as_ref().is_none_or(|s| c.name.contains(s)))
        .collect();

    if let Some(dir) = &options.write_requests {
        return write_requests(dir, &cases);
    }
    if options.check_only {
        let host = PolicyHost::load(&options.policy)?;
        for case in &cases {
            let answer =
                check_answer(&host, case).with_context(|| format!("case `{}`", case.name))?;
            println!(
                "{} ({}, {}): {answer}",
                case.name,
                case.settings_name,
                size(case.payload.len())
            );
        }
        return Ok(());
    }

    eprintln!(
        "psp-bench: compiling {} ({}x)",
        options.policy.display(),
        options.compilations
    );
    let policy = load_module(&options.policy, options.compilations)?;
    let floor = if options.floor.is_file() {
        eprintln!(
            "psp-bench: compiling the floor {} ({}x)",
            options.floor.display(),
            options.compilations
        );
        Some(load_module(&options.floor, options.compilations)?)
    } else {
        eprintln!(
            "psp-bench: WARNING: no floor module at {} (build it with `make bench`); no ratios",
            options.floor.display()
        );
        None
    };
    // The floor must have its export: the feature only adds the function, `wapc_init` must
    // register it.
    let floor = match floor {
        Some(floor) => match floor.host.call("parse_only", b"{}") {
            Ok(answer)
                if serde_json::from_slice::<ValidationResponse>(&answer)
                    .is_ok_and(|r| r.accepted) =>
            {
                Some(floor)
            }
            Ok(answer) => bail!(
                "the floor's `parse_only` answered {}",
                String::from_utf8_lossy(&answer)
            ),
            Err(e) => {
                eprintln!(
                    "psp-bench: WARNING: {} has no working `parse_only` export ({e:#}); is it \
                     registered in `wapc_init` under `#[cfg(feature = \"bench-floor\")]`? No ratios.",
                    options.floor.display()
                );
                None
            }
        },
        None => None,
    };

    let mut rows = Vec::new();
    for case in &cases {
        let answer =
            check_answer(&policy.host, case).with_context(|| format!("case `{}`", case.name))?;
        eprintln!("psp-bench: {} ({answer})", case.name);
        let payload = case.payload.as_slice();
        let operation = case.operation;
        let host = policy.host.answering(case.host_calls().unrecorded());
        let (fresh, fresh_floor) = measure_against(
            options.budget,
            || fresh_call(&host, operation, payload),
            floor
                .as_ref()
                .map(|f| move || fresh_call(&f.host, "parse_only", payload)),
        )?;
        let instance = host.fresh_instance()?;
        let floor_instance = floor
            .as_ref()
            .map(|f| f.host.fresh_instance())
            .transpose()?;
        let (reused, reused_floor) = measure_against(
            options.budget,
            || {
                std::hint::black_box(instance.call(operation, payload)?);
                Ok(())
            },
            floor_instance.as_ref().map(|i| {
                move || {
                    std::hint::black_box(i.call("parse_only", payload)?);
                    Ok(())
                }
            }),
        )?;
        drop((instance, floor_instance));
        let peak_pages =
            policy
                .probe
                .peak_pages(case.operation, payload, case.host_calls().unrecorded())?;
        let floor_peak_pages = floor
            .as_ref()
            .map(|f| f.probe.peak_pages("parse_only", payload, HostCalls::new()))
            .transpose()?;
        rows.push(Row {
            name: format!("{} ({})", case.name, case.settings_name),
            answer,
            payload_bytes: Some(payload.len()),
            fresh,
            fresh_floor,
            reused: Some(reused),
            reused_floor,
            peak_pages: Some(peak_pages),
            floor_peak_pages,
        });
    }

    // Instantiation alone (a fresh instance, `wapc_init` included, and its drop).
    eprintln!("psp-bench: instantiation");
    let instantiate = |host: &PolicyHost| -> Result<()> {
        std::hint::black_box(host.fresh_instance()?);
        Ok(())
    };
    let (instantiation, floor_instantiation) = measure_against(
        options.budget,
        || instantiate(&policy.host),
        floor.as_ref().map(|f| move || instantiate(&f.host)),
    )?;
    rows.push(Row {
        name: "instantiate (fresh instance, `wapc_init`)".into(),
        answer: String::new(),
        payload_bytes: None,
        fresh: instantiation,
        fresh_floor: floor_instantiation,
        reused: None,
        reused_floor: None,
        peak_pages: None,
        floor_peak_pages: None,
    });
    rows.push(Row {
        name: "compile the module (wasmtime, once per policy-server start)".into(),
        answer: String::new(),
        payload_bytes: None,
        fresh: policy.compile,
        fresh_floor: floor.as_ref().map(|f| f.compile),
        reused: None,
        reused_floor: None,
        peak_pages: None,
        floor_peak_pages: None,
    });

    let report = Report {
        options,
        load: (load_before, load_average()),
        policy: &policy,
        floor: floor.as_ref(),
        rows: &rows,
        large_request_bytes: fixtures.large_request_bytes,
    };
    println!("{}", report.render()?);
    eprintln!(
        "psp-bench: done in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
