//! Conformance with Pod Security Admission: every fixture pod of PSA's `test/testdata` (carried in
//! `testdata/psa`, see its README) must be allowed (`pass/`) or denied (`fail/`) at its level and version.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{checks_for, evaluate_by_check, message, Annotations, Forbidden, Standard};
use crate::pod::PodSpec;

/// The number of cases (lines of `testdata/psa/cases.tsv`): said when the data is missing, checked when not.
const PSA_CASES: usize = 4537;

/// One upstream fixture file: a line of `cases.tsv`.
struct Case {
    level: String,
    version: String,
    expect: String,
    /// The check a fixture exercises (`None` for the base pods).
    check: Option<String>,
    /// The upstream file, relative to PSA's `test/testdata`.
    path: String,
    /// Its content, relative to `testdata/psa`.
    pod: String,
}

/// The lines of `cases.tsv`: `level version expect check index path pod`, tab-separated, `-` for none.
fn parse_cases(text: &str) -> Result<Vec<Case>, String> {
    text.lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let &[level, version, expect, check, _index, path, pod] = fields.as_slice() else {
                return Err(format!("not 7 tab-separated fields: {line:?}"));
            };
            Ok(Case {
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

/// Reference data a test needs, carried in the repository's `testdata/` (see its README): `path` if it is
/// there. If it is missing, the test skips `skipped` and says so on stderr, or fails naming the missing
/// path under `CI=true`: CI may not skip.
fn reference_data(path: PathBuf, skipped: &str) -> Option<PathBuf> {
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

/// The checks that may deny a fixture written for `check`: the check itself, or the restricted check that
/// replaces it at this level and version (e.g. `restrictedVolumes` for a `hostPathVolumes` fixture).
fn may_deny(standard: &Standard, check: &str) -> Vec<&'static str> {
    checks_for(standard)
        .into_iter()
        .filter(|(c, revision)| c.id == check || revision.overrides.contains(&check))
        .map(|(c, _)| c.id)
        .collect()
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/psa")
}

/// A fixture's annotations and spec, or why it could not be read.
fn load_pod(path: &Path) -> Result<(Annotations, PodSpec), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("read: {e}"))?;
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).map_err(|e| format!("yaml: {e}"))?;
    let pod = serde_json::to_value(&yaml).map_err(|e| format!("yaml to json: {e}"))?;
    let annotations: Annotations = match pod.pointer("/metadata/annotations") {
        None | Some(serde_json::Value::Null) => BTreeMap::new(),
        Some(value) => {
            serde_json::from_value(value.clone()).map_err(|e| format!("annotations: {e}"))?
        }
    };
    let spec_value = pod.get("spec").cloned().unwrap_or(serde_json::Value::Null);
    let spec: PodSpec = serde_json::from_value(spec_value).map_err(|e| format!("spec: {e}"))?;
    Ok((annotations, spec))
}

#[test]
fn psa_conformance_fixtures() {
    let dir = fixtures_dir();
    let skipped = format!("psa_conformance_fixtures: {PSA_CASES} PSA conformance cases");
    let Some(index_path) = reference_data(dir.join("cases.tsv"), &skipped) else {
        return;
    };
    let index = std::fs::read_to_string(&index_path).expect("cases.tsv is readable"); // ok: test-only module (see pss/mod.rs)
    let rows = parse_cases(&index).expect("cases.tsv parses"); // ok: test-only module (see pss/mod.rs)
    assert_eq!(rows.len(), PSA_CASES, "{}", index_path.display());
    let mut passed = 0usize;
    let mut failures: Vec<String> = Vec::new();
    for row in &rows {
        let outcome = (|| -> Result<(), String> {
            let standard = Standard::parse(&row.level, &row.version)?;
            let (annotations, spec) = load_pod(&dir.join(&row.pod))?;
            let results = evaluate_by_check(&standard, &annotations, &spec);
            let forbidden: Vec<Forbidden> = results.iter().map(|(_, f)| f.clone()).collect();
            match (row.expect.as_str(), forbidden.is_empty()) {
                ("allow", true) => Ok(()),
                ("deny", false) => {
                    // Denied, and (among others: a privileged container cannot also set
                    // allowPrivilegeEscalation=false, a HostProcess pod needs hostNetwork) by the check the
                    // fixture exercises.
                    let Some(check) = row.check.as_deref() else {
                        return Err("a base pod must be allowed".to_string());
                    };
                    let expected_ids = may_deny(&standard, check);
                    if results.iter().any(|(id, _)| expected_ids.contains(id)) {
                        Ok(())
                    } else {
                        Err(format!(
                            "not denied by {check}: {}",
                            message(&standard, &forbidden)
                        ))
                    }
                }
                ("allow", false) => Err(format!(
                    "expected allow, got: {}",
                    message(&standard, &forbidden)
                )),
                ("deny", true) => Err("expected deny, got allow".to_string()),
                (other, _) => Err(format!("unknown expectation {other:?}")),
            }
        })();
        match outcome {
            Ok(()) => passed += 1,
            Err(why) => failures.push(format!(
                "{} [{}:{}]: {why}",
                row.path, row.level, row.version
            )),
        }
    }
    println!(
        "PSA conformance: {passed} passed, {} failed",
        failures.len()
    );
    for failure in &failures {
        println!("  FAIL {failure}");
    }
    assert!(
        failures.is_empty(),
        "{} PSA conformance fixtures failed",
        failures.len()
    );
    assert_eq!(passed, rows.len());
}
