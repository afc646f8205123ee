//! `psp-run --examples`: requests against settings files, one table row per pair.
//!
//! The pairs come from `DIR/matrix.yml` (which settings and requests, in which order), else from
//! every document of `DIR/settings/` and `DIR/requests/` in name order. A row gives the verdict
//! and, on one line, the first violation or the defaults applied (the JSONPatch, compact). A
//! rejection that comes from a known pitfall of a PodSecurityPolicy as written gets a note under
//! the table, which says why and what fixes it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use psp_host::{admission_request_from_document, read_document, PolicyHost, ValidationResponse};
use serde::Deserialize;
use serde_json::Value;

use crate::notes::Note;
use crate::table;

/// The file of a folder that lists which settings and requests it evaluates, and in which order.
pub const MATRIX_FILE: &str = "matrix.yml";

/// Longest detail shown on a row, in characters; longer ones end in `…`.
const DETAIL_WIDTH: usize = 130;

/// The documents to evaluate: every request against every settings file.
#[derive(Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Matrix {
    pub settings: Vec<PathBuf>,
    pub requests: Vec<PathBuf>,
}

impl Matrix {
    /// The matrix of `dir`: its `matrix.yml` (paths relative to `dir`), else every document of
    /// `dir/settings/` and `dir/requests/`, in name order.
    pub fn in_dir(dir: &Path) -> Result<Matrix> {
        let listed = dir.join(MATRIX_FILE);
        let matrix = if listed.is_file() {
            let text = std::fs::read_to_string(&listed)
                .with_context(|| format!("cannot read {}", listed.display()))?;
            let matrix: Matrix = serde_yaml::from_str(&text)
                .with_context(|| format!("cannot parse {}", listed.display()))?;
            Matrix {
                settings: matrix.settings.iter().map(|p| dir.join(p)).collect(),
                requests: matrix.requests.iter().map(|p| dir.join(p)).collect(),
            }
        } else {
            Matrix {
                settings: documents_in(&dir.join("settings"))?,
                requests: documents_in(&dir.join("requests"))?,
            }
        };
        if matrix.settings.is_empty() || matrix.requests.is_empty() {
            bail!(
                "no examples in {}: it needs settings and requests ({MATRIX_FILE}, or \
                 settings/*.{{json,yaml,yml}} and requests/*.{{json,yaml,yml}})",
                dir.display()
            );
        }
        Ok(matrix)
    }
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

/// What the policy made of one pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Accepted,
    AcceptedWithDefaults,
    Rejected,
    InvalidSettings,
    HostError,
}

impl Verdict {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Verdict::Accepted => "accepted",
            Verdict::AcceptedWithDefaults => "accepted with defaults",
            Verdict::Rejected => "rejected",
            Verdict::InvalidSettings => "invalid settings",
            Verdict::HostError => "host error",
        }
    }
}

/// One evaluated pair.
#[derive(Debug)]
pub(crate) struct Row {
    pub(crate) settings: String,
    pub(crate) request: String,
    pub(crate) settings_path: PathBuf,
    pub(crate) request_path: PathBuf,
    pub(crate) verdict: Verdict,
    /// The pitfalls of the settings that explain a rejection.
    pub(crate) notes: Vec<Note>,
    pub(crate) detail: String,
}

/// Evaluates every pair of `matrix` with `host`, prints the table, and answers psp-run's exit
/// code: 2 when an evaluation failed in the host, 1 when a settings file is invalid, else 0.
pub fn run(host: &PolicyHost, matrix: &Matrix) -> Result<ExitCode> {
    let rows = evaluate(host, matrix)?;
    print!("{}", table::render(matrix, &rows));
    let count = |verdict| rows.iter().filter(|row| row.verdict == verdict).count();
    Ok(if count(Verdict::HostError) > 0 {
        ExitCode::from(2)
    } else if count(Verdict::InvalidSettings) > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn evaluate(host: &PolicyHost, matrix: &Matrix) -> Result<Vec<Row>> {
    let requests = matrix
        .requests
        .iter()
        .map(|path| {
            read_document(path)
                .and_then(admission_request_from_document)
                .with_context(|| format!("{}", path.display()))
                .map(|request| (path, request))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut rows = Vec::new();
    for settings_path in &matrix.settings {
        let settings = read_document(settings_path)?;
        let row = |request_path: &Path, verdict, notes, detail: &str| Row {
            settings: label(settings_path),
            request: label(request_path),
            settings_path: settings_path.clone(),
            request_path: request_path.to_path_buf(),
            verdict,
            notes,
            detail: shorten(detail, DETAIL_WIDTH),
        };
        match host.validate_settings(&settings) {
            Ok(answer) if answer.valid => {}
            Ok(answer) => {
                rows.push(row(
                    Path::new("*"),
                    Verdict::InvalidSettings,
                    Vec::new(),
                    first_line(answer.message()),
                ));
                continue;
            }
            Err(e) => {
                rows.push(row(
                    Path::new("*"),
                    Verdict::HostError,
                    Vec::new(),
                    first_line(&format!("{e:#}")),
                ));
                continue;
            }
        }
        for (request_path, request) in &requests {
            rows.push(match host.validate(request, &settings) {
                Ok(response) => {
                    let (verdict, detail) = verdict_and_detail(&response, request);
                    let notes = match verdict {
                        Verdict::Rejected => Note::ALL
                            .into_iter()
                            .filter(|note| note.explains(&settings, response.message()))
                            .collect(),
                        _ => Vec::new(),
                    };
                    row(request_path, verdict, notes, &detail)
                }
                Err(e) => row(
                    request_path,
                    Verdict::HostError,
                    Vec::new(),
                    first_line(&format!("{e:#}")),
                ),
            });
        }
    }
    Ok(rows)
}

/// The verdict of `response` to `request`, and what the row says of it: the first violation of
/// a rejection, the JSONPatch of an acceptance with defaults.
fn verdict_and_detail(response: &ValidationResponse, request: &Value) -> (Verdict, String) {
    if !response.accepted {
        return (Verdict::Rejected, first_violation(response.message()));
    }
    let patch = response.patch(request);
    if patch.is_empty() {
        (
            Verdict::Accepted,
            first_line(response.message()).to_string(),
        )
    } else {
        let operations: Vec<String> = patch.iter().map(compact_operation).collect();
        (Verdict::AcceptedWithDefaults, operations.join("; "))
    }
}

/// A JSONPatch operation on one line: `add /spec/securityContext/fsGroup 100`.
fn compact_operation(operation: &Value) -> String {
    let field = |name: &str| operation.get(name).and_then(Value::as_str).unwrap_or("");
    match operation.get("value") {
        Some(value) => format!("{} {} {value}", field("op"), field("path")),
        None => format!("{} {}", field("op"), field("path")),
    }
}

pub(crate) fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

/// The first violation of a rejection message. PodSecurityPolicy's violations are separated by
/// `; ` (a violation's own `; allowed: ...` stays with it), a standard's by `, ` after its
/// `violates PodSecurity "level:version": ` prefix, and the parts of a message by ` | `. Any other
/// message is shown from its start, up to its first part.
fn first_violation(message: &str) -> String {
    let line = first_line(message);
    if let Some(violations) = line.strip_prefix("PodSecurityPolicy: ") {
        return up_to_top_level(violations, &[" | ", "; "]).to_string();
    }
    if let Some((_, violations)) = line
        .strip_prefix("violates PodSecurity \"")
        .and_then(|rest| rest.split_once("\": "))
    {
        return up_to_top_level(violations, &[" | ", ", "]).to_string();
    }
    up_to_top_level(line, &[" | "]).to_string()
}

/// `text` up to the first of `separators` outside quotes and brackets (all of it when there is
/// none). `; allowed: ` is never a separator: it belongs to the violation before it.
fn up_to_top_level<'a>(text: &'a str, separators: &[&str]) -> &'a str {
    let (mut depth, mut quoted, mut escaped) = (0usize, false, false);
    for (at, c) in text.char_indices() {
        let rest = &text[at..];
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '(' | '[' | '{' if !quoted => depth += 1,
            ')' | ']' | '}' if !quoted => depth = depth.saturating_sub(1),
            _ if !quoted
                && depth == 0
                && !rest.starts_with("; allowed: ")
                && separators.iter().any(|s| rest.starts_with(s)) =>
            {
                return &text[..at];
            }
            _ => {}
        }
    }
    text
}

/// `text` cut to `width` characters, the last one `…` when cut.
fn shorten(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let kept: String = text.chars().take(width.saturating_sub(1)).collect();
    format!("{kept}…")
}

/// A document's name in the table: its file name without the extension.
pub(crate) fn label(path: &Path) -> String {
    path.file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use psp_host::workspace_dir;
    use serde_json::json;

    #[test]
    fn the_examples_matrix_lists_existing_files_in_its_order() {
        let dir = workspace_dir().join("examples");
        let matrix = Matrix::in_dir(&dir).unwrap();
        let names = |paths: &[PathBuf]| paths.iter().map(|p| label(p)).collect::<Vec<_>>();
        assert_eq!(
            names(&matrix.settings),
            [
                "ai-data-security",
                "ai-data-security-profile",
                "restricted-standard"
            ]
        );
        assert_eq!(
            names(&matrix.requests),
            [
                "model-serving-pod",
                "notebook-pod",
                "hostpath-data-ai-pod",
                "privileged-pod",
                "deployment-hostpath-etc"
            ]
        );
        for path in matrix.settings.iter().chain(&matrix.requests) {
            assert!(path.is_file(), "{}", path.display());
        }
    }

    #[test]
    fn a_folder_without_a_matrix_file_is_evaluated_whole_in_name_order() {
        let dir = std::env::temp_dir().join(format!("psp-run-matrix-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("settings")).unwrap();
        std::fs::create_dir_all(dir.join("requests")).unwrap();
        for file in [
            "settings/b.yml",
            "settings/a.json",
            "requests/r.yaml",
            "requests/x.txt",
        ] {
            std::fs::write(dir.join(file), "{}").unwrap();
        }
        let matrix = Matrix::in_dir(&dir).unwrap();
        assert_eq!(
            matrix,
            Matrix {
                settings: vec![dir.join("settings/a.json"), dir.join("settings/b.yml")],
                requests: vec![dir.join("requests/r.yaml")],
            }
        );
        std::fs::remove_file(dir.join("requests/r.yaml")).unwrap();
        let err = Matrix::in_dir(&dir).unwrap_err();
        assert!(err.to_string().starts_with("no examples in"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_first_violation_is_cut_at_the_first_top_level_separator() {
        assert_eq!(
            first_violation(
                "PodSecurityPolicy: spec.a: Forbidden: x (y; z \"q; r\"); allowed: none; \
                 spec.b: Invalid value: 1 | violates PodSecurity \"baseline:latest\": c"
            ),
            "spec.a: Forbidden: x (y; z \"q; r\"); allowed: none"
        );
        assert_eq!(
            first_violation(
                "PodSecurityPolicy: spec.a: Forbidden: x | violates PodSecurity \"b\": c"
            ),
            "spec.a: Forbidden: x"
        );
        assert_eq!(
            first_violation(
                "violates PodSecurity \"restricted:latest\": privileged (container \"a\" must not \
                 set x), runAsNonRoot != true (pod or container \"a\" must set y)"
            ),
            "privileged (container \"a\" must not set x)"
        );
        assert_eq!(
            first_violation("something else; b | c\nsecond line"),
            "something else; b"
        );
        assert_eq!(
            up_to_top_level("a \"b\\\"; c\"; d", &["; "]),
            "a \"b\\\"; c\""
        );
    }

    #[test]
    fn a_patch_is_one_line() {
        let patch = [
            json!({"op": "add", "path": "/spec/securityContext", "value": {"fsGroup": 1}}),
            json!({"op": "remove", "path": "/metadata/x"}),
        ];
        let operations: Vec<String> = patch.iter().map(compact_operation).collect();
        assert_eq!(
            operations.join("; "),
            "add /spec/securityContext {\"fsGroup\":1}; remove /metadata/x"
        );
    }

    #[test]
    fn shorten_cuts_with_an_ellipsis() {
        assert_eq!(shorten("abcdef", 6), "abcdef");
        assert_eq!(shorten("abcdef", 4), "abc…");
    }
}
