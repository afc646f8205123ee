//! Reference data of the tests, carried in the repository's `testdata/` (see its README): the rule for a
//! missing folder (skip loudly, or fail under `CI=true`), and the index of Pod Security Admission's
//! conformance fixtures, `testdata/psa/cases.tsv`.
//!
//! One file serves the tests of three crates. psp-host exports it (`psp_host::reference_data`) for the
//! end-to-end tests and the tools' tests. The policy crate's own unit tests cannot depend on psp-host (that
//! would build wasmtime into them), so `src/pss/conformance_tests.rs` includes this same file with
//! `#[path]`: it uses the standard library only, and everything in it is used by each crate that includes it.

use std::path::{Path, PathBuf};

/// Reference data a test needs: `path` if it is there. If it is missing, the test skips `skipped` and says so
/// on stderr, or fails naming the missing path under `CI=true`: CI may not skip.
pub fn reference_data(path: PathBuf, skipped: &str) -> Option<PathBuf> {
    if path.exists() {
        return Some(path);
    }
    let in_ci = std::env::var("CI").is_ok_and(|ci| ci.eq_ignore_ascii_case("true"));
    assert!(
        !in_ci,
        "reference data missing: {}; under CI=true nothing may be skipped ({skipped})",
        path.display()
    );
    // Straight to stderr, past the test harness's capture: a skip shows in every run.
    let bar = "!".repeat(100);
    let notice = format!(
        "\n{bar}\n!!! SKIPPED {skipped}: reference data missing: {}\n{bar}\n\n",
        path.display()
    );
    let _ = std::io::Write::write_all(&mut std::io::stderr(), notice.as_bytes());
    None
}

/// The number of PSA conformance cases (lines of `testdata/psa/cases.tsv`): said when the data is missing,
/// checked when not.
pub const PSA_CASES: usize = 4537;

/// One upstream fixture file: a line of `cases.tsv`.
pub struct PsaCase {
    pub level: String,
    pub version: String,
    /// `allow` or `deny`.
    pub expect: String,
    /// The check the fixture exercises; `None` for the base pods.
    pub check: Option<String>,
    /// The upstream file, relative to PSA's `test/testdata`.
    pub path: String,
    /// Its content, relative to the fixtures folder (`testdata/psa`).
    pub pod: String,
}

/// The fixtures folder under `workspace` and its cases, or `None` when they are missing and `skipped` may be
/// skipped. Panics on an index that does not read, parse, or hold [`PSA_CASES`] cases.
pub fn psa_cases(workspace: &Path, skipped: &str) -> Option<(PathBuf, Vec<PsaCase>)> {
    let dir = workspace.join("testdata/psa");
    let index_path = reference_data(dir.join("cases.tsv"), skipped)?;
    let index = std::fs::read_to_string(&index_path)
        .unwrap_or_else(|e| panic!("{}: {e}", index_path.display()));
    let cases = parse_psa_cases(&index).unwrap_or_else(|e| panic!("{}: {e}", index_path.display()));
    assert_eq!(cases.len(), PSA_CASES, "{}", index_path.display());
    Some((dir, cases))
}

/// The lines of `cases.tsv`: `level version expect check index path pod`, tab-separated, `-` for none.
fn parse_psa_cases(text: &str) -> Result<Vec<PsaCase>, String> {
    text.lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let &[level, version, expect, check, _index, path, pod] = fields.as_slice() else {
                return Err(format!("not 7 tab-separated fields: {line:?}"));
            };
            Ok(PsaCase {
                level: level.to_string(),
                version: version.to_string(),
                expect: expect.to_string(),
                check: (check != "-").then(|| check.to_string()),
                path: path.to_string(),
                pod: pod.to_string(),
            })
        })
        .collect()
}
