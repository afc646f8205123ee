//! `psp-bench`: the benchmarks of issue 7 (`make bench`).
//!
//! Runs the built module through the same waPC host as the end-to-end tests (wasmtime via
//! `wasmtime-provider`, [`PolicyHost`]) and prints one Markdown table: for each case the median and
//! the p10–p90 spread of one evaluation with a fresh instance per evaluation (what policy-server
//! does), the same with one reused instance (what `kwctl bench` measures), the peak linear memory
//! of one evaluation, and every figure as a ratio to the floor: the `parse_only` export of the
//! benchmark variant of the module (feature `bench-floor`), which only parses the same payload as
//! JSON and answers. Then module compile and instantiation time, the module sizes, the machine,
//! and the targets of issue 7 with PASS/FAIL.
//!
//! A hand-rolled harness: a warm-up, then iterations until a time budget is spent (at least
//! `MIN_ITERATIONS`), each timed on its own, in rounds that take turns between the case and its
//! floor so that a change of machine load weighs on both alike. The payload is serialised once,
//! outside the timing; a fresh-instance iteration times instantiation (`wapc_init` included), the
//! call and the drop of the instance. Every answer is checked once before timing, so a case
//! measures what it says (accepted, rejected, mutated, valid settings). Peak memory is found by
//! binary search on the instance's memory limit (`ResourceLimits::max_memory_size`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use psp_host::{
    read_document, request, wasm_path, workspace_dir, PolicyHost, SettingsResponse,
    ValidationResponse,
};
use serde_json::{json, Value};
use wasmtime_provider::wasmtime;
use wasmtime_provider::{EpochDeadlines, ResourceLimits, WasmtimeEngineProviderBuilder};

/// A timed run spends at least this many iterations, whatever the budget.
const MIN_ITERATIONS: usize = 10;
/// ... and at most this many.
const MAX_ITERATIONS: usize = 5_000;
/// Size of the generated large request (the whole `validate` payload).
const LARGE_REQUEST_BYTES: usize = 5 * 1024 * 1024;
/// One WebAssembly page.
const PAGE: usize = 64 * 1024;

fn usage() -> String {
    format!(
        "\
psp-bench: benchmarks of the pod-security-policy module (issue 7)

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
struct Options {
    policy: PathBuf,
    floor: PathBuf,
    annotated: PathBuf,
    budget: Duration,
    compilations: usize,
    only: Option<String>,
    check_only: bool,
    write_requests: Option<PathBuf>,
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

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Options>> {
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
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_string(), Some(value.to_string()))
            }
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| -> Result<String> {
            match inline.clone() {
                Some(value) => Ok(value),
                None => args.next().ok_or_else(|| anyhow!("{name} needs a value")),
            }
        };
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

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => {
            print!("{}", usage());
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("psp-bench: {e:#}\n\n{}", usage());
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("psp-bench: {e:#}");
            ExitCode::from(1)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Statistics

/// Median and spread of a timed run, in microseconds.
#[derive(Debug, Clone, Copy)]
struct Stats {
    median: f64,
    p10: f64,
    p90: f64,
    iterations: usize,
}

/// The `q` quantile (0..=1) of sorted `samples`, interpolated linearly.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = q * (sorted.len() - 1) as f64;
    let (low, high) = (rank.floor() as usize, rank.ceil() as usize);
    sorted[low] + (sorted[high] - sorted[low]) * (rank - low as f64)
}

fn stats(mut samples: Vec<f64>) -> Stats {
    samples.sort_by(f64::total_cmp);
    Stats {
        median: quantile(&samples, 0.5),
        p10: quantile(&samples, 0.1),
        p90: quantile(&samples, 0.9),
        iterations: samples.len(),
    }
}

/// Rounds in which [`measure`] alternates the operations it compares.
const ROUNDS: usize = 10;

/// Times each of `operations` for `budget`: a warm-up (a tenth of the budget, at least two calls
/// each), then [`ROUNDS`] rounds that take turns between the operations, so that a change of
/// machine load weighs on all of them alike. Each gets at least [`MIN_ITERATIONS`] and at most
/// [`MAX_ITERATIONS`] timed calls.
fn measure(
    budget: Duration,
    operations: &mut [&mut dyn FnMut() -> Result<()>],
) -> Result<Vec<Stats>> {
    for operation in operations.iter_mut() {
        let warm_up = Instant::now();
        let mut calls = 0;
        while calls < 2 || warm_up.elapsed() < budget / 10 {
            operation()?;
            calls += 1;
        }
    }
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); operations.len()];
    for round in 1..=ROUNDS {
        for (operation, samples) in operations.iter_mut().zip(samples.iter_mut()) {
            let started = Instant::now();
            let floor = MIN_ITERATIONS * round / ROUNDS;
            let cap = MAX_ITERATIONS * round / ROUNDS;
            while samples.len() < floor
                || (samples.len() < cap && started.elapsed() < budget / ROUNDS as u32)
            {
                let t = Instant::now();
                operation()?;
                samples.push(t.elapsed().as_secs_f64() * 1e6);
            }
        }
    }
    Ok(samples.into_iter().map(stats).collect())
}

/// Times `operation` against `floor` (when there is one), taking turns.
fn measure_against(
    budget: Duration,
    mut operation: impl FnMut() -> Result<()>,
    floor: Option<impl FnMut() -> Result<()>>,
) -> Result<(Stats, Option<Stats>)> {
    match floor {
        Some(mut floor) => {
            let stats = measure(budget, &mut [&mut operation, &mut floor])?;
            Ok((stats[0], Some(stats[1])))
        }
        None => Ok((measure(budget, &mut [&mut operation])?[0], None)),
    }
}

/// One evaluation with a fresh instance (instantiation, call, drop), as policy-server does.
fn fresh_call(host: &PolicyHost, operation: &str, payload: &[u8]) -> Result<()> {
    let instance = host.fresh_instance()?;
    let answer = instance.call(operation, payload)?;
    std::hint::black_box(answer);
    drop(instance);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Peak linear memory, by binary search on the instance's memory limit

/// Finds the peak linear memory of one evaluation: the smallest `max_memory_size` (in pages) at
/// which a fresh instance still answers. Memory only grows, and the guest's allocations do not
/// depend on the limit until one fails (and a failed allocation aborts), so the smallest limit
/// that succeeds is the size the memory reaches in an unlimited run.
struct MemoryProbe {
    engine: wasmtime::Engine,
    module: wasmtime::Module,
}

impl MemoryProbe {
    fn new(engine: &wasmtime::Engine, module: &wasmtime::Module) -> MemoryProbe {
        MemoryProbe {
            engine: engine.clone(),
            module: module.clone(),
        }
    }

    /// Whether `operation(payload)` answers in a fresh instance whose memory may not exceed
    /// `pages` pages.
    fn fits(&self, pages: usize, operation: &str, payload: &[u8]) -> Result<bool> {
        let pre = WasmtimeEngineProviderBuilder::new()
            .engine(self.engine.clone())
            .module(self.module.clone())
            .enable_resource_limits(ResourceLimits {
                max_memory_size: Some(pages * PAGE),
                max_table_elements: None,
            })
            .build_pre()
            .context("cannot link the module for the memory probe")?;
        // The probe's engine has no epoch ticker: the deadline never comes.
        let provider = pre.rehydrate(Some(EpochDeadlines {
            wapc_init: u64::MAX / 2,
            wapc_func: u64::MAX / 2,
        }))?;
        let host = match wapc::WapcHost::new(
            Box::new(provider),
            Some(Box::new(|_id, binding, namespace, operation, _payload| {
                if (binding, namespace, operation) == ("kubewarden", "tracing", "log") {
                    Ok(Vec::new())
                } else {
                    Err(format!("no host capability {binding}/{namespace}/{operation}").into())
                }
            })),
        ) {
            Ok(host) => host,
            Err(_) => return Ok(false), // the initial memory or `wapc_init` does not fit
        };
        Ok(host.call(operation, payload).is_ok())
    }

    /// The peak linear memory of `operation(payload)`, in pages.
    fn peak_pages(&self, operation: &str, payload: &[u8]) -> Result<usize> {
        // The guest reports each failed allocation on its stderr, which is ours.
        let _quiet = SilencedStderr::new();
        let mut high = 256; // 16 MiB
        while !self.fits(high, operation, payload)? {
            high *= 4;
            if high > 65_536 {
                bail!("`{operation}` does not answer even with 4 GiB of memory");
            }
        }
        let mut low = 0; // does not fit
        while high - low > 1 {
            let middle = (low + high) / 2;
            if self.fits(middle, operation, payload)? {
                high = middle;
            } else {
                low = middle;
            }
        }
        Ok(high)
    }
}

/// Sends this process's stderr to /dev/null until dropped (the WASI guest inherits it).
struct SilencedStderr {
    #[cfg(unix)]
    saved: Option<std::os::raw::c_int>,
}

#[cfg(unix)]
mod fd {
    use std::os::raw::c_int;
    extern "C" {
        pub fn dup(fd: c_int) -> c_int;
        pub fn dup2(from: c_int, to: c_int) -> c_int;
        pub fn close(fd: c_int) -> c_int;
    }
}

impl SilencedStderr {
    #[cfg(unix)]
    fn new() -> SilencedStderr {
        use std::os::fd::AsRawFd;
        let saved = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/null")
            .ok()
            .and_then(|null| {
                // SAFETY: plain descriptor calls on descriptors this process owns; the saved
                // copy of stderr is restored and closed on drop.
                unsafe {
                    let saved = fd::dup(2);
                    (saved >= 0 && fd::dup2(null.as_raw_fd(), 2) >= 0).then_some(saved)
                }
            });
        SilencedStderr { saved }
    }

    #[cfg(not(unix))]
    fn new() -> SilencedStderr {
        SilencedStderr {}
    }
}

impl Drop for SilencedStderr {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(saved) = self.saved.take() {
            // SAFETY: see `new`.
            unsafe {
                fd::dup2(saved, 2);
                fd::close(saved);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The cases

#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    Accepted,
    Rejected,
    Mutated,
    ValidSettings,
}

struct Case {
    name: &'static str,
    settings_name: &'static str,
    operation: &'static str,
    payload: Vec<u8>,
    expect: Expect,
}

fn fixture(name: &str) -> Result<Value> {
    read_document(workspace_dir().join("e2e-tests/fixtures/bench").join(name))
}

fn validate_payload(request: &Value, settings: &Value) -> Result<Vec<u8>> {
    Ok(serde_json::to_vec(
        &json!({"request": request, "settings": settings}),
    )?)
}

/// `pod` as a Deployment (its template).
fn as_deployment(pod: &Value) -> Value {
    let metadata = &pod["metadata"];
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "llm-serving-7b",
            "namespace": metadata["namespace"],
            "labels": metadata["labels"],
        },
        "spec": {
            "replicas": 2,
            "revisionHistoryLimit": 5,
            "selector": {"matchLabels": {
                "app.kubernetes.io/name": "llm-serving",
                "app.kubernetes.io/instance": "llm-7b",
            }},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
            "template": {
                "metadata": {"labels": metadata["labels"], "annotations": metadata["annotations"]},
                "spec": pod["spec"],
            },
        },
    })
}

/// `pod` as a CronJob (a nightly batch evaluation of the model).
fn as_cron_job(pod: &Value) -> Value {
    let metadata = &pod["metadata"];
    let mut spec = pod["spec"].clone();
    spec["restartPolicy"] = json!("OnFailure");
    json!({
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {
            "name": "llm-7b-nightly-eval",
            "namespace": metadata["namespace"],
            "labels": metadata["labels"],
        },
        "spec": {
            "schedule": "0 3 * * *",
            "concurrencyPolicy": "Forbid",
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 1,
            "jobTemplate": {"spec": {
                "backoffLimit": 2,
                "activeDeadlineSeconds": 7200,
                "template": {
                    "metadata": {"labels": metadata["labels"], "annotations": metadata["annotations"]},
                    "spec": spec,
                },
            }},
        },
    })
}

/// `pod` with `count` regular containers: copies of its own, renamed, each on its own ports.
fn with_containers(pod: &Value, count: usize) -> Value {
    let templates = pod["spec"]["containers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let containers: Vec<Value> = (0..count)
        .map(|i| {
            let mut container = templates[i % templates.len()].clone();
            let name = container["name"].as_str().unwrap_or("c").to_string();
            container["name"] = json!(format!("{name}-{i}"));
            if let Some(ports) = container["ports"].as_array_mut() {
                for (j, port) in ports.iter_mut().enumerate() {
                    port["containerPort"] = json!(10_000 + 4 * i + j);
                    port["name"] = json!(format!("p{i}-{j}"));
                }
            }
            container
        })
        .collect();
    let mut pod = pod.clone();
    pod["spec"]["containers"] = json!(containers);
    pod
}

/// A pod of about `bytes` bytes of request (with `settings`): 100 model servers, each with a
/// long environment (one variable per weight shard).
fn large_pod(pod: &Value, settings: &Value, bytes: usize) -> Result<(Value, Vec<u8>)> {
    const CONTAINERS: usize = 100;
    let build = |shards: usize| -> Result<(Value, Vec<u8>)> {
        let mut big = with_containers(pod, CONTAINERS);
        for container in big["spec"]["containers"].as_array_mut().unwrap() {
            let env = container["env"].as_array_mut().unwrap();
            for shard in 0..shards {
                env.push(json!({
                    "name": format!("MODEL_SHARD_{shard:05}_URI"),
                    "value": format!("s3://models/llm-70b-instruct/v3/model-{shard:05}-of-{shards:05}.safetensors"),
                }));
            }
        }
        let payload = validate_payload(&request("Pod", "CREATE", big.clone()), settings)?;
        Ok((big, payload))
    };
    let (_, base) = build(0)?;
    let (_, one) = build(1)?;
    let per_shard = (one.len() - base.len()).max(1);
    let mut shards = bytes.saturating_sub(base.len()).div_ceil(per_shard);
    loop {
        let (big, payload) = build(shards)?;
        if payload.len() >= bytes {
            return Ok((big, payload));
        }
        shards += 1;
    }
}

/// `pod` with every field PodSecurityPolicy and the Pod Security Standards judge set wrong.
fn violate_everything(pod: &Value) -> Value {
    let mut pod = pod.clone();
    let spec = &mut pod["spec"];
    spec["hostNetwork"] = json!(true);
    spec["hostPID"] = json!(true);
    spec["hostIPC"] = json!(true);
    spec["runtimeClassName"] = json!("kata-unrestricted");
    spec["securityContext"] = json!({
        "runAsNonRoot": false,
        "runAsUser": 0,
        "runAsGroup": 0,
        "fsGroup": 0,
        "supplementalGroups": [0, 4],
        "seLinuxOptions": {"user": "system_u", "role": "system_r", "type": "spc_t", "level": "s0"},
        "seccompProfile": {"type": "Unconfined"},
        "appArmorProfile": {"type": "Unconfined"},
        "sysctls": [
            {"name": "kernel.shm_rmid_forced", "value": "1"},
            {"name": "net.core.somaxconn", "value": "4096"},
            {"name": "kernel.msgmax", "value": "65536"},
        ],
    });
    for list in ["initContainers", "containers"] {
        for container in spec[list].as_array_mut().into_iter().flatten() {
            container["securityContext"] = json!({
                "privileged": true,
                "allowPrivilegeEscalation": true,
                "readOnlyRootFilesystem": false,
                "runAsNonRoot": false,
                "runAsUser": 0,
                "runAsGroup": 0,
                "capabilities": {"add": ["SYS_ADMIN", "NET_RAW", "SYS_PTRACE"]},
                "procMount": "Unmasked",
                "seLinuxOptions": {"type": "spc_t"},
                "seccompProfile": {"type": "Unconfined"},
                "appArmorProfile": {"type": "Unconfined"},
                "windowsOptions": {"hostProcess": true},
            });
            if let Some(ports) = container["ports"].as_array_mut() {
                for port in ports {
                    port["hostPort"] = port["containerPort"].clone();
                }
            }
            if container.get("readinessProbe").is_some() {
                container["readinessProbe"] =
                    json!({"httpGet": {"host": "10.0.0.1", "path": "/health", "port": 8080}});
            }
            container["volumeMounts"]
                .as_array_mut()
                .unwrap()
                .push(json!({"name": "host-etc", "mountPath": "/host/etc"}));
        }
    }
    let volumes = spec["volumes"].as_array_mut().unwrap();
    volumes.push(json!({"name": "host-etc", "hostPath": {"path": "/etc", "type": "Directory"}}));
    volumes.push(json!({"name": "flex", "flexVolume": {"driver": "example.com/unvetted"}}));
    volumes.push(json!({"name": "inline-csi", "csi": {"driver": "unvetted.csi.example.com"}}));
    volumes.push(json!({"name": "nfs", "nfs": {"server": "10.0.0.2", "path": "/exports"}}));
    pod
}

/// `pod` with every security context gone but `runAsNonRoot` (and no runtime class): what PSP
/// fills in.
fn stripped_for_defaults(pod: &Value) -> Value {
    let mut pod = pod.clone();
    let spec = &mut pod["spec"];
    spec.as_object_mut().unwrap().remove("runtimeClassName");
    spec["securityContext"] = json!({"runAsNonRoot": true});
    for list in ["initContainers", "containers"] {
        for container in spec[list].as_array_mut().into_iter().flatten() {
            container.as_object_mut().unwrap().remove("securityContext");
        }
    }
    pod
}

struct Fixtures {
    cases: Vec<Case>,
    large_request_bytes: usize,
}

fn cases() -> Result<Fixtures> {
    let pod = fixture("model-serving-pod.json")?;
    let ai = fixture("ai-data-security-platform.json")?;
    let restricted = json!({"podSecurityStandard": {"level": "restricted"}});
    let full = fixture("full-psp-restricted.json")?;
    let (_, large_payload) = large_pod(&pod, &full, LARGE_REQUEST_BYTES)?;
    let large_request_bytes = large_payload.len();

    let validate = |name, settings_name, object: Value, kind, settings: &Value, expect| {
        Ok::<_, anyhow::Error>(Case {
            name,
            settings_name,
            operation: "validate",
            payload: validate_payload(&request(kind, "CREATE", object), settings)?,
            expect,
        })
    };
    use Expect::*;
    let cases = vec![
        validate(
            "Pod",
            "ai-data-security+",
            pod.clone(),
            "Pod",
            &ai,
            Accepted,
        )?,
        validate(
            "Deployment",
            "ai-data-security+",
            as_deployment(&pod),
            "Deployment",
            &ai,
            Accepted,
        )?,
        validate(
            "CronJob",
            "ai-data-security+",
            as_cron_job(&pod),
            "CronJob",
            &ai,
            Accepted,
        )?,
        validate(
            "Pod, restricted",
            "restricted",
            pod.clone(),
            "Pod",
            &restricted,
            Accepted,
        )?,
        validate(
            "Pod, full PSP + restricted",
            "full",
            pod.clone(),
            "Pod",
            &full,
            Accepted,
        )?,
        validate(
            "Pod, 50 containers",
            "full",
            with_containers(&pod, 50),
            "Pod",
            &full,
            Accepted,
        )?,
        validate(
            "Pod, 500 containers",
            "full",
            with_containers(&pod, 500),
            "Pod",
            &full,
            Accepted,
        )?,
        validate(
            "Pod, every field violated",
            "full",
            violate_everything(&pod),
            "Pod",
            &full,
            Rejected,
        )?,
        validate(
            "Pod, mutated (defaults)",
            "full",
            stripped_for_defaults(&pod),
            "Pod",
            &full,
            Mutated,
        )?,
        Case {
            name: "Pod, 5 MB request",
            settings_name: "full",
            operation: "validate",
            payload: large_payload,
            expect: Accepted,
        },
        Case {
            name: "validate_settings",
            settings_name: "full",
            operation: "validate_settings",
            payload: serde_json::to_vec(&full)?,
            expect: ValidSettings,
        },
    ];
    Ok(Fixtures {
        cases,
        large_request_bytes,
    })
}

/// Checks that `case` answers as it says, so that its timing measures what its name says.
fn check_answer(host: &PolicyHost, case: &Case) -> Result<String> {
    let answer = host.call(case.operation, &case.payload)?;
    let summary = if case.expect == Expect::ValidSettings {
        let response: SettingsResponse = serde_json::from_slice(&answer)?;
        if !response.valid {
            bail!("settings refused: {}", response.message());
        }
        "valid".to_string()
    } else {
        let response: ValidationResponse = serde_json::from_slice(&answer)?;
        let got = match (response.accepted, response.mutated_object.is_some()) {
            (true, false) => Expect::Accepted,
            (true, true) => Expect::Mutated,
            (false, _) => Expect::Rejected,
        };
        if got != case.expect {
            bail!(
                "expected {:?}, got {got:?}: {}",
                case.expect,
                response.message()
            );
        }
        match got {
            Expect::Rejected => format!("rejected ({} message)", size(response.message().len())),
            other => format!("{other:?}").to_lowercase(),
        }
    };
    Ok(summary)
}

/// Writes each case as `<case>.request.json` (the AdmissionRequest) and `<case>.settings.json`.
fn write_requests(dir: &Path, cases: &[&Case]) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for case in cases {
        let slug: String = case
            .name
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>()
            .split('-')
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        let payload: Value = serde_json::from_slice(&case.payload)?;
        let (request, settings) = match case.operation {
            "validate" => (Some(&payload["request"]), &payload["settings"]),
            _ => (None, &payload),
        };
        if let Some(request) = request {
            let path = dir.join(format!("{slug}.request.json"));
            std::fs::write(&path, serde_json::to_vec_pretty(request)?)?;
            println!("{}", path.display());
        }
        let path = dir.join(format!("{slug}.settings.json"));
        std::fs::write(&path, serde_json::to_vec_pretty(settings)?)?;
        println!("{}", path.display());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The run

struct Row {
    name: String,
    answer: String,
    payload_bytes: Option<usize>,
    fresh: Stats,
    fresh_floor: Option<Stats>,
    reused: Option<Stats>,
    reused_floor: Option<Stats>,
    peak_pages: Option<usize>,
    floor_peak_pages: Option<usize>,
}

/// A loaded module and what else the bench needs of it.
struct Module {
    host: PolicyHost,
    bytes: Vec<u8>,
    probe: MemoryProbe,
    compile: Stats,
}

fn load_module(path: &Path, compilations: usize) -> Result<Module> {
    let host = PolicyHost::load(path)?;
    let bytes = std::fs::read(path)?;
    // Compile time: the same engine configuration as the host (epoch interruption on).
    let mut config = wasmtime::Config::new();
    config.epoch_interruption(true);
    let engine = wasmtime::Engine::new(&config).map_err(|e| anyhow!("{e:#}"))?;
    let mut samples = Vec::new();
    let mut module = None;
    for _ in 0..compilations.max(1) {
        let t = Instant::now();
        let compiled = wasmtime::Module::new(&engine, &bytes).map_err(|e| anyhow!("{e:#}"))?;
        samples.push(t.elapsed().as_secs_f64() * 1e6);
        module = Some(compiled);
    }
    let probe = MemoryProbe::new(&engine, module.as_ref().unwrap());
    Ok(Module {
        host,
        bytes,
        probe,
        compile: stats(samples),
    })
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
        let (fresh, fresh_floor) = measure_against(
            options.budget,
            || fresh_call(&policy.host, operation, payload),
            floor
                .as_ref()
                .map(|f| move || fresh_call(&f.host, "parse_only", payload)),
        )?;
        let instance = policy.host.fresh_instance()?;
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
        let peak_pages = policy.probe.peak_pages(case.operation, payload)?;
        let floor_peak_pages = floor
            .as_ref()
            .map(|f| f.probe.peak_pages("parse_only", payload))
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

// ---------------------------------------------------------------------------------------------
// The report

struct Report<'a> {
    options: &'a Options,
    /// `/proc/loadavg`'s 1-minute figure before and after the timing.
    load: (Option<String>, Option<String>),
    policy: &'a Module,
    floor: Option<&'a Module>,
    rows: &'a [Row],
    large_request_bytes: usize,
}

/// The unit a row of times is shown in: ms from 10 ms on, else µs.
fn in_ms(median: f64) -> bool {
    median >= 10_000.0
}

/// `us` microseconds in the unit of [`in_ms`]`(median)`.
fn time_in(us: f64, median: f64) -> String {
    if in_ms(median) {
        format!("{:.1} ms", us / 1000.0)
    } else if median >= 100.0 {
        format!("{us:.0}")
    } else {
        format!("{us:.1}")
    }
}

fn micros(us: f64) -> String {
    time_in(us, us)
}

fn spread(s: &Stats) -> String {
    format!("{}–{}", time_in(s.p10, s.median), time_in(s.p90, s.median))
}

fn ratio(value: f64, floor: Option<f64>) -> String {
    match floor {
        Some(floor) if floor > 0.0 => format!("{:.2}×", value / floor),
        _ => "—".into(),
    }
}

fn size(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    }
}

fn command_line(program: &str, args: &[&str]) -> Option<String> {
    let output = std::process::Command::new(program)
        .args(args)
        .current_dir(workspace_dir())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// The 1-minute load average, from `/proc/loadavg`.
fn load_average() -> Option<String> {
    let loadavg = std::fs::read_to_string("/proc/loadavg").ok()?;
    loadavg.split_whitespace().next().map(str::to_string)
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, model)| model.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

/// The version of `package` in the workspace's Cargo.lock.
fn locked_version(package: &str) -> Option<String> {
    let lock = std::fs::read_to_string(workspace_dir().join("Cargo.lock")).ok()?;
    let needle = format!("name = \"{package}\"\nversion = \"");
    let start = lock.find(&needle)? + needle.len();
    Some(lock[start..].split('"').next()?.to_string())
}

/// Wraps every line but the table's at `width` columns (list items with a hanging indent).
fn wrap_prose(text: &str, width: usize) -> String {
    let mut out = String::new();
    for line in text.lines() {
        if line.starts_with('|') || line.chars().count() <= width {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let indent = if line.starts_with("- ") { "  " } else { "" };
        let mut current = String::new();
        for word in line.split(' ') {
            if !current.is_empty() && current.chars().count() + 1 + word.chars().count() > width {
                out.push_str(&current);
                out.push('\n');
                current = indent.to_string();
            } else if !current.is_empty() && current != indent {
                current.push(' ');
            }
            current.push_str(word);
        }
        out.push_str(&current);
        out.push('\n');
    }
    out.trim_end().to_string()
}

fn pass(ok: bool) -> &'static str {
    if ok {
        "PASS"
    } else {
        "FAIL"
    }
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

    fn render(&self) -> Result<String> {
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
        out.push_str(&format!(
            "\nSettings: `ai-data-security+` = the `ai-data-security` profile with the \
             `runtime/default` seccomp profile and `NET_BIND_SERVICE` allowed \
             (`e2e-tests/fixtures/bench/ai-data-security-platform.json`); \
             `restricted` = `{{\"podSecurityStandard\": {{\"level\": \"restricted\"}}}}`; `full` = \
             every PodSecurityPolicy field set, and the restricted standard \
             (`e2e-tests/fixtures/bench/full-psp-restricted.json`). The Pod is \
             `e2e-tests/fixtures/bench/model-serving-pod.json`; the other requests are derived \
             from it in `psp-bench`. Timed evaluations per figure: {}–{} (compilations: {}).\n",
            self.rows
                .iter()
                .filter(|r| r.reused.is_some())
                .map(|r| r.fresh.iterations)
                .min()
                .unwrap_or(0),
            self.rows
                .iter()
                .filter(|r| r.reused.is_some())
                .map(|r| r.fresh.iterations)
                .max()
                .unwrap_or(0),
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
        out.push_str("\nTargets (issue 7):\n");
        out.push_str(&format!(
            "- {} shipped module under 500 KB: {} bytes = {:.1} KB = {:.1} KiB\n",
            pass(policy_size < 500_000),
            policy_size,
            policy_size as f64 / 1000.0,
            policy_size as f64 / 1024.0
        ));
        match self.row("Pod, full PSP + restricted") {
            Some(row) => match (row.fresh_floor, row.reused_floor, row.reused) {
                (Some(ff), Some(rf), Some(r)) => {
                    let fresh = row.fresh.median / ff.median;
                    let reused = r.median / rf.median;
                    out.push_str(&format!(
                        "- {} realistic Pod, every PSP field and restricted, within 1.5× the floor, \
                         fresh instance (policy-server): {:.2}× ({} / {} µs)\n",
                        pass(fresh <= 1.5),
                        fresh,
                        micros(row.fresh.median),
                        micros(ff.median)
                    ));
                    out.push_str(&format!(
                        "- {} the same, reused instance (`kwctl bench`): {:.2}× ({} / {} µs)\n",
                        pass(reused <= 1.5),
                        reused,
                        micros(r.median),
                        micros(rf.median)
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
                let fresh = large.fresh.median / small.fresh.median;
                out.push_str(&format!(
                    "- {} time(500 containers) / time(50 containers) ≤ 12, fresh instance: {:.2} ({} / {} µs)\n",
                    pass(fresh <= 12.0),
                    fresh,
                    micros(large.fresh.median),
                    micros(small.fresh.median)
                ));
                if let (Some(l), Some(s)) = (large.reused, small.reused) {
                    let reused = l.median / s.median;
                    out.push_str(&format!(
                        "- {} the same, reused instance: {:.2} ({} / {} µs)\n",
                        pass(reused <= 12.0),
                        reused,
                        micros(l.median),
                        micros(s.median)
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
