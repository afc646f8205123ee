//! `psp-run`: evaluate the policy module locally, in the spirit of `kwctl run`.
//!
//! ```text
//! psp-run --request-path FILE [--settings-path FILE | --settings-json JSON] [--policy PATH] [--authz FILE]
//! psp-run --examples [DIR] [--settings-path FILE] [--policy PATH] [--authz FILE]
//! ```
//!
//! See `usage()` below for the details.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use psp_host::cli::{run_program, Args};
use psp_host::{
    admission_request_from_document, parse_document, read_document, wasm_path, workspace_dir,
    Authz, PolicyHost,
};
use serde_json::{json, Value};

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
                        `use` (see examples/authz/), or the cluster's RBAC as `kubectl get
                        clusterroles,clusterrolebindings,roles,rolebindings -A -o yaml` prints it;
                        without it, every can_i call fails (and the module denies)
  --examples [DIR]      evaluate every DIR/requests/*.{{json,yaml,yml}} against every
                        DIR/settings/*.{{json,yaml,yml}} (or only --settings-path) and print a
                        table (default DIR: {examples})
  -h, --help            this text

First the settings are validated (invalid settings: message, exit 1), then the request; the
response is printed as JSON and, for a mutation, the JSONPatch policy-server would send.
Exit code: 0 when the policy answered (accepted or rejected), 1 on invalid settings, 2 on
usage or host errors (unreadable files, traps, timeouts).
",
        wasm = wasm_path().display(),
        examples = workspace_dir().join("examples").display(),
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
        Some(dir) => run_examples(&host, dir, options.settings_path.as_deref()),
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

/// The JSON and YAML files of `dir`, sorted by name.
fn documents_in(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            path.is_file()
                && path
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| matches!(e, "json" | "yaml" | "yml"))
        })
        .collect();
    files.sort();
    Ok(files)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn first_line(text: &str, width: usize) -> String {
    let line = text.lines().next().unwrap_or("");
    if line.chars().count() > width {
        let cut: String = line.chars().take(width.saturating_sub(1)).collect();
        format!("{cut}…")
    } else {
        line.to_string()
    }
}

/// Every request against every settings file: one table row each. Exit 1 when a settings file
/// is invalid, 2 when an evaluation failed in the host.
fn run_examples(host: &PolicyHost, dir: &Path, only_settings: Option<&Path>) -> Result<ExitCode> {
    let requests = documents_in(&dir.join("requests"))?;
    let settings_files = match only_settings {
        Some(path) => vec![path.to_path_buf()],
        None => documents_in(&dir.join("settings"))?,
    };
    if requests.is_empty() || settings_files.is_empty() {
        bail!(
            "no examples: {} needs requests/*.json|yaml and settings/*.json|yaml",
            dir.display()
        );
    }

    let mut rows: Vec<[String; 4]> = Vec::new();
    let (mut accepted, mut rejected, mut mutated, mut invalid, mut errors) = (0, 0, 0, 0, 0);
    for settings_path in &settings_files {
        let settings_name = file_name(settings_path);
        let settings = read_document(settings_path)?;
        let settings_answer = match host.validate_settings(&settings) {
            Ok(answer) => answer,
            Err(e) => {
                errors += 1;
                rows.push([
                    "*".into(),
                    settings_name,
                    "ERROR".into(),
                    first_line(&format!("{e:#}"), 100),
                ]);
                continue;
            }
        };
        if !settings_answer.valid {
            invalid += 1;
            rows.push([
                "*".into(),
                settings_name,
                "INVALID SETTINGS".into(),
                first_line(settings_answer.message(), 100),
            ]);
            continue;
        }
        for request_path in &requests {
            let request = admission_request_from_document(read_document(request_path)?)
                .with_context(|| format!("{}", request_path.display()))?;
            let (verdict, message) = match host.validate(&request, &settings) {
                Ok(response) => {
                    let patch = response.patch(&request);
                    let verdict = match (response.accepted, patch.is_empty()) {
                        (true, true) => {
                            accepted += 1;
                            "accepted".to_string()
                        }
                        (true, false) => {
                            mutated += 1;
                            format!("accepted+patch({})", patch.len())
                        }
                        (false, _) => {
                            rejected += 1;
                            "rejected".to_string()
                        }
                    };
                    (verdict, first_line(response.message(), 100))
                }
                Err(e) => {
                    errors += 1;
                    ("ERROR".to_string(), first_line(&format!("{e:#}"), 100))
                }
            };
            rows.push([
                file_name(request_path),
                settings_name.clone(),
                verdict,
                message,
            ]);
        }
    }

    let header = ["REQUEST", "SETTINGS", "VERDICT", "MESSAGE"].map(String::from);
    let widths: Vec<usize> = (0..3)
        .map(|i| {
            rows.iter()
                .chain(std::iter::once(&header))
                .map(|row| row[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in std::iter::once(&header).chain(rows.iter()) {
        println!(
            "{:w0$}  {:w1$}  {:w2$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
    }
    println!(
        "\n{} evaluations: {accepted} accepted, {mutated} accepted with a patch, {rejected} rejected, {errors} host errors; {invalid} invalid settings files",
        accepted + mutated + rejected + errors
    );
    Ok(if errors > 0 {
        ExitCode::from(2)
    } else if invalid > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
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
        assert!(args(&["--bogus"]).is_err());
        assert!(args(&["--help"]).unwrap().is_none());
    }

    #[test]
    fn first_line_cuts() {
        assert_eq!(first_line("abc\ndef", 10), "abc");
        assert_eq!(first_line("abcdef", 4), "abc…");
    }
}
