//! `psp-run`: evaluate the policy module locally, in the spirit of `kwctl run`.
//!
//! ```text
//! psp-run --request-path FILE [--settings-path FILE | --settings-json JSON] [--policy PATH] [--authz FILE]
//! psp-run --examples [DIR] [--settings-path FILE] [--policy PATH] [--authz FILE]
//! ```
//!
//! See `usage()` below for the details; `--examples` is in `examples.rs`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use psp_host::cli::{run_program, Args};
use psp_host::{
    admission_request_from_document, parse_document, read_document, wasm_path, workspace_dir,
    Authz, PolicyHost,
};
use serde_json::{json, Value};

mod examples;
mod notes;
mod table;

use examples::{Matrix, MATRIX_FILE};

fn usage() -> String {
    format!(
        "\
psp-run: evaluate the pod-security-policy module like `kwctl run` does

USAGE:
  psp-run --request-path FILE [--settings-path FILE | --settings-json JSON] [--policy PATH] [--authz FILE]
  psp-run --examples [DIR] [--settings-path FILE] [--policy PATH] [--authz FILE]

OPTIONS:
  --request-path FILE   JSON or YAML: an AdmissionReview, a bare AdmissionRequest, or a plain
                        Kubernetes object (evaluated as a CREATE of its kind)
  --settings-path FILE  policy settings, JSON or YAML (default: {{}})
  --settings-json JSON  policy settings inline
  --policy PATH         the module (default: $POLICY_WASM, else {wasm})
  --authz FILE          answer the module's kubernetes/can_i calls (settings with several
                        PodSecurityPolicies, `authorization: rbac`) from FILE: YAML grants of
                        `use` (see examples/several/authz.yaml), or the cluster's RBAC as `kubectl get
                        clusterroles,clusterrolebindings,roles,rolebindings -A -o yaml` prints it;
                        without it, every can_i call fails (and the module denies)
  --examples [DIR]      evaluate each request of DIR/{matrix} against each settings file of
                        it (or only --settings-path) and print a table: verdict, and the first
                        violation or the defaults applied. Without DIR/{matrix}: every
                        DIR/requests/*.{{json,yaml,yml}} against every DIR/settings/*.{{json,yaml,yml}}
                        (default DIR: {examples})
  -h, --help            this text

First the settings are validated (invalid settings: message, exit 1), then the request; the
response is printed as JSON and, for a mutation, the JSONPatch policy-server would send.
Exit code: 0 when the policy answered (accepted or rejected), 1 on invalid settings, 2 on
usage or host errors (unreadable files, traps, timeouts).
",
        wasm = wasm_path().display(),
        examples = workspace_dir().join("examples").display(),
        matrix = MATRIX_FILE,
    )
}

#[derive(Debug, Default)]
struct Options {
    request_path: Option<PathBuf>,
    settings_path: Option<PathBuf>,
    settings_json: Option<String>,
    policy: Option<PathBuf>,
    examples: Option<PathBuf>,
    authz: Option<PathBuf>,
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<Option<Options>> {
    let mut args = Args::new(args);
    let mut options = Options::default();
    let mut pending_examples = false;
    while let Some(flag) = args.next_flag() {
        let inline = args.inline_value();
        let mut value = |name: &str| match inline.clone() {
            Some(value) => Ok(value),
            None => args.value(name),
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--request-path" => options.request_path = Some(value("--request-path")?.into()),
            "--settings-path" => options.settings_path = Some(value("--settings-path")?.into()),
            "--settings-json" => options.settings_json = Some(value("--settings-json")?),
            "--policy" => options.policy = Some(value("--policy")?.into()),
            "--authz" => options.authz = Some(value("--authz")?.into()),
            "--examples" => {
                pending_examples = inline.is_none();
                options.examples = Some(match inline {
                    Some(dir) => dir.into(),
                    None => workspace_dir().join("examples"),
                });
                continue;
            }
            other if pending_examples && !other.starts_with('-') => {
                options.examples = Some(other.into());
            }
            other => bail!("unexpected argument `{other}`"),
        }
        pending_examples = false;
    }
    if options.settings_path.is_some() && options.settings_json.is_some() {
        bail!("give --settings-path or --settings-json, not both");
    }
    if options.examples.is_some() && options.settings_json.is_some() {
        bail!("--examples takes settings files (--settings-path), not --settings-json");
    }
    match (&options.request_path, &options.examples) {
        (None, None) => bail!("give --request-path FILE or --examples [DIR]"),
        (Some(_), Some(_)) => bail!("give --request-path or --examples, not both"),
        _ => {}
    }
    Ok(Some(options))
}

fn main() -> ExitCode {
    run_program(
        "psp-run",
        usage,
        parse_args(std::env::args().skip(1)),
        run,
        2,
    )
}

fn run(options: &Options) -> Result<ExitCode> {
    let policy = options.policy.clone().unwrap_or_else(wasm_path);
    let mut host = PolicyHost::load(&policy)?;
    if let Some(path) = &options.authz {
        host = host.with_authz(Authz::read(path)?);
    }
    match &options.examples {
        Some(dir) => {
            let mut matrix = Matrix::in_dir(dir)?;
            if let Some(settings) = &options.settings_path {
                matrix.settings = vec![settings.clone()];
            }
            examples::run(&host, &matrix)
        }
        None => run_one(&host, options),
    }
}

fn load_settings(options: &Options) -> Result<Value> {
    match (&options.settings_path, &options.settings_json) {
        (Some(path), _) => read_document(path),
        (None, Some(text)) => parse_document(text, false).context("cannot parse --settings-json"),
        (None, None) => Ok(json!({})),
    }
}

fn run_one(host: &PolicyHost, options: &Options) -> Result<ExitCode> {
    let settings = load_settings(options)?;
    let settings_answer = host.validate_settings(&settings)?;
    if !settings_answer.valid {
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({"settings": settings_answer}))?
        );
        eprintln!("psp-run: invalid settings: {}", settings_answer.message());
        return Ok(ExitCode::from(1));
    }

    let request_path = options
        .request_path
        .as_ref()
        .expect("checked by parse_args");
    let request = admission_request_from_document(read_document(request_path)?)
        .with_context(|| format!("{}", request_path.display()))?;
    let response = host.validate(&request, &settings)?;
    println!("{}", serde_json::to_string_pretty(&response)?);
    if response.mutated_object.is_some() {
        let patch = response.patch(&request);
        println!("JSONPatch ({} operations):", patch.len());
        println!("{}", serde_json::to_string_pretty(&patch)?);
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Option<Options>> {
        parse_args(list.iter().map(|s| s.to_string()))
    }

    #[test]
    fn parses_a_single_run() {
        let options = args(&[
            "--request-path",
            "r.json",
            "--settings-json={\"a\":1}",
            "--policy",
            "p.wasm",
            "--authz",
            "authz.yml",
        ])
        .unwrap()
        .unwrap();
        assert_eq!(options.request_path, Some("r.json".into()));
        assert_eq!(options.settings_json.as_deref(), Some("{\"a\":1}"));
        assert_eq!(options.policy, Some("p.wasm".into()));
        assert_eq!(options.authz, Some("authz.yml".into()));
    }

    #[test]
    fn parses_examples_with_and_without_a_dir() {
        let options = args(&["--examples"]).unwrap().unwrap();
        assert_eq!(options.examples, Some(workspace_dir().join("examples")));
        let options = args(&["--examples", "some/dir", "--policy", "p.wasm"])
            .unwrap()
            .unwrap();
        assert_eq!(options.examples, Some("some/dir".into()));
        let options = args(&["--examples", "--settings-path", "s.yml"])
            .unwrap()
            .unwrap();
        assert_eq!(options.examples, Some(workspace_dir().join("examples")));
        assert_eq!(options.settings_path, Some("s.yml".into()));
    }

    #[test]
    fn rejects_bad_combinations() {
        assert!(args(&[]).is_err());
        assert!(args(&["--request-path", "r", "--examples"]).is_err());
        assert!(args(&[
            "--request-path",
            "r",
            "--settings-path",
            "s",
            "--settings-json",
            "{}"
        ])
        .is_err());
        assert!(args(&["--request-path"]).is_err());
        assert!(args(&["--examples", "--settings-json", "{}"]).is_err());
        assert!(args(&["--bogus"]).is_err());
        assert!(args(&["--help"]).unwrap().is_none());
    }
}
