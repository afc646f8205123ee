//! Conformance of the built `policy.wasm` with Pod Security Admission: every fixture pod of PSA's
//! `test/testdata` (copied to `<workspace>/../shared/conformance/psa`, see its README) is wrapped in a CREATE
//! AdmissionRequest and evaluated with the settings `{"podSecurityStandard": {"level": L, "version": V}}`: it
//! must be allowed (`pass/`) or denied (`fail/`), denials in PSA's wording and naming the fixture's check.
//!
//! Each evaluation runs in a fresh instance of the module, as policy-server does (the module is compiled once).
//! Where the fixtures folder is absent (a user's clone), the tests say so loudly and skip. `$PSA_FIXTURES`
//! points at another copy of the folder.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use common::*;
use psp_host::{read_document, workspace_dir};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
struct Row {
    level: String,
    version: String,
    expect: String,
    /// The check the fixture exercises; `None` for the base pods.
    check: Option<String>,
    path: String,
}

/// Environment variable naming another fixtures folder (default: `<workspace>/../shared/conformance/psa`).
const FIXTURES_ENV: &str = "PSA_FIXTURES";

fn fixtures_dir() -> PathBuf {
    match std::env::var_os(FIXTURES_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => workspace_dir().join("../shared/conformance/psa"),
    }
}

/// Writes straight to the process's stderr, past the test harness's output capture: a skip and the
/// conformance count show in every run, not only with `--nocapture`.
fn announce(text: &str) {
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// The index rows, or `None` (after a loud message) when the fixtures are absent.
fn rows(test: &str) -> Option<(PathBuf, Vec<Row>)> {
    let dir = fixtures_dir();
    let index_path = dir.join("index.json");
    let Ok(index) = std::fs::read_to_string(&index_path) else {
        let bar = "!".repeat(100);
        announce(&format!(
            "\n{bar}\n!!! PSA CONFORMANCE SKIPPED ({test}): {} not found.\n\
             !!! No Pod Security Admission fixture was checked against the built module.\n{bar}\n\n",
            index_path.display()
        ));
        return None;
    };
    let rows: Vec<Row> = serde_json::from_str(&index).expect("index.json parses");
    assert!(!rows.is_empty(), "index.json lists no fixture");
    Some((dir, rows))
}

/// The fixture pod at `path` as a CREATE AdmissionRequest.
fn fixture_request(dir: &Path, path: &str) -> Value {
    let pod = read_document(dir.join(path)).unwrap_or_else(|e| panic!("{path}: {e:#}"));
    assert_eq!(pod["kind"], json!("Pod"), "{path} is not a Pod");
    create("Pod", pod)
}

/// The `ForbiddenReason`s (PSA's `policy/check_*.go`) that may deny a fixture written for `check`: the check's
/// own, or that of the restricted check that replaces it in the restricted level.
fn reasons(check: &str) -> &'static [&'static str] {
    match check {
        "allowPrivilegeEscalation" => &["allowPrivilegeEscalation != false"],
        "appArmorProfile" => &["forbidden AppArmor profile", "forbidden AppArmor profiles"],
        "capabilities_baseline" => &["non-default capabilities", "unrestricted capabilities"],
        "capabilities_restricted" => &["unrestricted capabilities"],
        "hostNamespaces" => &["host namespaces"],
        "hostPathVolumes" => &["hostPath volumes", "restricted volume types"],
        "hostPorts" => &["hostPort"],
        "hostProbesAndHostLifecycle" => &["probe or lifecycle host"],
        "privileged" => &["privileged"],
        "procMount" | "procMount_restricted" => &["procMount"],
        "restrictedVolumes" => &["restricted volume types"],
        "runAsNonRoot" => &["runAsNonRoot != true"],
        "runAsUser" => &["runAsUser=0"],
        "seLinuxOptions" => &["seLinuxOptions"],
        "seccompProfile_baseline" | "seccompProfile_restricted" => &["seccompProfile"],
        "sysctls" => &["forbidden sysctls"],
        "windowsHostProcess" => &["hostProcess"],
        _ => &[],
    }
}

/// Why `response` is not the verdict `row` expects at `level:version`, if it is not.
fn judge(
    row: &Row,
    level: &str,
    version: &str,
    response: &ValidationResponse,
) -> Result<(), String> {
    let message = response.message();
    match row.expect.as_str() {
        "allow" => {
            if !response.accepted {
                return Err(format!("expected allow, got deny: {message}"));
            }
            if response.message.is_some()
                || response.mutated_object.is_some()
                || response.audit_annotations.is_some()
            {
                return Err(format!(
                    "allowed, but not plainly (a standard alone neither mutates nor annotates): {response:?}"
                ));
            }
            Ok(())
        }
        "deny" => {
            if response.accepted {
                return Err("expected deny, got allow".to_string());
            }
            let prefix = format!("violates PodSecurity \"{level}:{version}\": ");
            let Some(details) = message.strip_prefix(&prefix) else {
                return Err(format!("denied, but not in PSA's wording: {message}"));
            };
            let Some(check) = row.check.as_deref() else {
                return Err(format!("a base pod must be allowed: {message}"));
            };
            let expected = reasons(check);
            if expected.is_empty() {
                return Err(format!("no known PSA reason for check {check:?}"));
            }
            // Reasons are `, `-separated, each followed by ` (detail)` or nothing.
            let named = expected.iter().any(|reason| {
                let at_start = details.starts_with(reason);
                let needle = format!(", {reason}");
                let ends = |rest: &str| {
                    rest.is_empty() || rest.starts_with(" (") || rest.starts_with(", ")
                };
                (at_start && ends(&details[reason.len()..]))
                    || details
                        .match_indices(needle.as_str())
                        .any(|(at, _)| ends(&details[at + needle.len()..]))
            });
            if named {
                Ok(())
            } else {
                Err(format!(
                    "denied, but not by {check} ({expected:?}): {message}"
                ))
            }
        }
        other => Err(format!("unknown expectation {other:?}")),
    }
}

/// Every `.yaml` file under `dir`, as a path relative to `base`.
fn yaml_files(dir: &Path, base: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            yaml_files(&path, base, out);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(
                path.strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
}

#[test]
fn every_psa_fixture_gets_the_verdict_of_its_folder() {
    let Some((dir, rows)) = rows("every fixture") else {
        return;
    };
    // Every fixture file is counted: the index lists each file once, and nothing else.
    let mut files = Vec::new();
    yaml_files(&dir.join("testdata"), &dir, &mut files);
    let mut listed: Vec<String> = rows.iter().map(|r| r.path.clone()).collect();
    files.sort();
    listed.sort();
    assert_eq!(
        listed, files,
        "index.json and testdata/ must list the same fixtures"
    );

    let host = host();
    let started = Instant::now();
    let mut passed = 0usize;
    let mut failures: Vec<String> = Vec::new();
    for row in &rows {
        let req = fixture_request(&dir, &row.path);
        let outcome = host
            .validate(&req, &standard(&row.level, &row.version))
            .map_err(|e| format!("validate failed: {e:#}"))
            .and_then(|response| judge(row, &row.level, &row.version, &response));
        match outcome {
            Ok(()) => passed += 1,
            Err(why) => failures.push(format!(
                "{} [{}:{}]: {why}",
                row.path, row.level, row.version
            )),
        }
    }
    let elapsed = started.elapsed();
    let mut report = format!(
        "PSA conformance of the built module ({} fixtures, one fresh instance each, {elapsed:.1?}):\n\
         {passed} passed, {} failed\n",
        rows.len(),
        failures.len()
    );
    for failure in &failures {
        report.push_str(&format!("  FAIL {failure}\n"));
    }
    announce(&report);
    assert_eq!(passed + failures.len(), rows.len());
    assert!(
        failures.is_empty(),
        "{} of {} PSA conformance fixtures failed",
        failures.len(),
        rows.len()
    );
}

#[test]
fn latest_gives_the_verdicts_of_the_newest_folder() {
    let Some((dir, rows)) = rows("latest") else {
        return;
    };
    let newest = rows
        .iter()
        .filter_map(|r| r.version.strip_prefix("v1.")?.parse::<u32>().ok())
        .max()
        .expect("versioned folders");
    let newest = format!("v1.{newest}");
    let mut checked = 0;
    let mut failures = Vec::new();
    for row in rows.iter().filter(|r| r.version == newest) {
        let req = fixture_request(&dir, &row.path);
        let response = host()
            .validate(&req, &standard(&row.level, "latest"))
            .unwrap_or_else(|e| panic!("{}: {e:#}", row.path));
        if let Err(why) = judge(row, &row.level, "latest", &response) {
            failures.push(format!("{} [{}:latest]: {why}", row.path, row.level));
        }
        checked += 1;
    }
    announce(&format!(
        "PSA conformance at latest = {newest}: {} passed, {} failed\n",
        checked - failures.len(),
        failures.len()
    ));
    assert!(checked > 100, "only {checked} fixtures at {newest}");
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn denials_follow_psa_wording_exactly() {
    let Some((dir, _)) = rows("wording") else {
        return;
    };
    let cases = [
        (
            "restricted",
            "testdata/restricted/v1.37/fail/allowprivilegeescalation0.yaml",
            r#"violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "container1" must set securityContext.allowPrivilegeEscalation=false)"#,
        ),
        (
            "restricted",
            "testdata/restricted/v1.37/fail/seccompprofile_restricted0.yaml",
            r#"violates PodSecurity "restricted:latest": seccompProfile (pod or containers "initcontainer1", "container1" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#,
        ),
        (
            "restricted",
            "testdata/restricted/v1.37/fail/capabilities_restricted0.yaml",
            r#"violates PodSecurity "restricted:latest": unrestricted capabilities (container "container1" must set securityContext.capabilities.drop=["ALL"])"#,
        ),
        (
            "restricted",
            "testdata/restricted/v1.37/fail/runasuser0.yaml",
            r#"violates PodSecurity "restricted:latest": runAsUser=0 (pod must not set runAsUser=0)"#,
        ),
        (
            "restricted",
            "testdata/restricted/v1.37/fail/runasnonroot0.yaml",
            r#"violates PodSecurity "restricted:latest": runAsNonRoot != true (pod or containers "initcontainer1", "container1" must set securityContext.runAsNonRoot=true)"#,
        ),
        (
            "baseline",
            "testdata/baseline/v1.37/fail/hostpathvolumes0.yaml",
            r#"violates PodSecurity "baseline:latest": hostPath volumes (volume "volume-hostpath")"#,
        ),
        (
            "baseline",
            "testdata/baseline/v1.37/fail/sysctls0.yaml",
            r#"violates PodSecurity "baseline:latest": forbidden sysctls (othersysctl)"#,
        ),
    ];
    for (level, path, expected) in cases {
        let response = host()
            .validate(&fixture_request(&dir, path), &standard(level, "latest"))
            .unwrap_or_else(|e| panic!("{path}: {e:#}"));
        assert!(!response.accepted, "{path}");
        assert_eq!(response.message(), expected, "{path}");
    }
    // The same pod at a pinned version names that version.
    let response = host()
        .validate(
            &fixture_request(&dir, "testdata/baseline/v1.37/fail/hostpathvolumes0.yaml"),
            &standard("baseline", "v1.12"),
        )
        .unwrap();
    assert_eq!(
        response.message(),
        r#"violates PodSecurity "baseline:v1.12": hostPath volumes (volume "volume-hostpath")"#
    );
}
