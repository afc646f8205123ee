//! Conformance of the built `policy.wasm` with Pod Security Admission: every fixture pod of PSA's
//! `test/testdata` (carried in `<workspace>/testdata/psa`, see its README) is wrapped in a CREATE
//! AdmissionRequest and evaluated with the settings `{"podSecurityStandard": {"level": L, "version": V}}`: it
//! must be allowed (`pass/`) or denied (`fail/`), denials in PSA's wording and naming the fixture's check.
//!
//! Each evaluation runs in a fresh instance of the module, as policy-server does (the module is compiled once).
//! If the fixtures are missing, the tests say so loudly and skip, or fail under `CI=true`.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use common::*;
use psp_host::reference_data::{psa_cases, PsaCase, PSA_CASES};
use psp_host::{read_document, workspace_dir};
use serde_json::{json, Value};

/// The cases of the newest version folder, which `latest` must judge alike.
const LATEST_CASES: usize = 148;

/// Writes straight to the process's stderr, past the test harness's output capture: a skip and the
/// conformance count show in every run, not only with `--nocapture`.
fn announce(text: &str) {
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// The fixtures folder and its cases, or `None` when they are missing and `skipped` may be skipped.
fn rows(skipped: &str) -> Option<(PathBuf, Vec<PsaCase>)> {
    psa_cases(&workspace_dir(), skipped)
}

/// The fixture pod of the upstream file `path` (relative to PSA's `test/testdata`).
fn pod_of<'a>(rows: &'a [PsaCase], path: &str) -> &'a str {
    rows.iter()
        .find(|row| row.path == path)
        .map(|row| row.pod.as_str())
        .unwrap_or_else(|| panic!("cases.tsv has no {path}"))
}

/// The fixture pod `pod` (relative to the fixtures folder) as a CREATE AdmissionRequest.
fn fixture_request(dir: &Path, pod: &str) -> Value {
    let pod = read_document(dir.join(pod)).unwrap_or_else(|e| panic!("{pod}: {e:#}"));
    assert_eq!(pod["kind"], json!("Pod"), "{pod} is not a Pod");
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
    row: &PsaCase,
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

/// Evaluates the fixture pod of `row` at its level and `version`, and says why the answer is not the
/// verdict the row expects, if it is not.
fn check_row(dir: &Path, row: &PsaCase, version: &str) -> Result<(), String> {
    let request = fixture_request(dir, &row.pod);
    let response = host()
        .validate(&request, &standard(&row.level, version))
        .map_err(|e| format!("validate failed: {e:#}"))?;
    judge(row, &row.level, version, &response)
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
    let skipped = format!(
        "every_psa_fixture_gets_the_verdict_of_its_folder: {PSA_CASES} PSA conformance cases"
    );
    let Some((dir, rows)) = rows(&skipped) else {
        return;
    };
    // Every pod file is used, and no case names a pod that is not there.
    let mut files = Vec::new();
    yaml_files(&dir, &dir, &mut files);
    let mut listed: Vec<String> = rows.iter().map(|r| r.pod.clone()).collect();
    files.sort();
    listed.sort();
    listed.dedup();
    assert_eq!(
        listed, files,
        "cases.tsv and the pod files must name the same pods"
    );

    let started = Instant::now();
    let mut passed = 0usize;
    let mut failures: Vec<String> = Vec::new();
    for row in &rows {
        match check_row(&dir, row, &row.version) {
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
    let skipped = format!(
        "latest_gives_the_verdicts_of_the_newest_folder: {LATEST_CASES} PSA conformance cases at latest"
    );
    let Some((dir, rows)) = rows(&skipped) else {
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
        if let Err(why) = check_row(&dir, row, "latest") {
            failures.push(format!("{} [{}:latest]: {why}", row.path, row.level));
        }
        checked += 1;
    }
    announce(&format!(
        "PSA conformance at latest = {newest}: {} passed, {} failed\n",
        checked - failures.len(),
        failures.len()
    ));
    assert_eq!(checked, LATEST_CASES, "fixtures at {newest}");
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn denials_follow_psa_wording_exactly() {
    let cases = [
        (
            "restricted",
            "restricted/v1.37/fail/allowprivilegeescalation0.yaml",
            r#"violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "container1" must set securityContext.allowPrivilegeEscalation=false)"#,
        ),
        (
            "restricted",
            "restricted/v1.37/fail/seccompprofile_restricted0.yaml",
            r#"violates PodSecurity "restricted:latest": seccompProfile (pod or containers "initcontainer1", "container1" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#,
        ),
        (
            "restricted",
            "restricted/v1.37/fail/capabilities_restricted0.yaml",
            r#"violates PodSecurity "restricted:latest": unrestricted capabilities (container "container1" must set securityContext.capabilities.drop=["ALL"])"#,
        ),
        (
            "restricted",
            "restricted/v1.37/fail/runasuser0.yaml",
            r#"violates PodSecurity "restricted:latest": runAsUser=0 (pod must not set runAsUser=0)"#,
        ),
        (
            "restricted",
            "restricted/v1.37/fail/runasnonroot0.yaml",
            r#"violates PodSecurity "restricted:latest": runAsNonRoot != true (pod or containers "initcontainer1", "container1" must set securityContext.runAsNonRoot=true)"#,
        ),
        (
            "baseline",
            "baseline/v1.37/fail/hostpathvolumes0.yaml",
            r#"violates PodSecurity "baseline:latest": hostPath volumes (volume "volume-hostpath")"#,
        ),
        (
            "baseline",
            "baseline/v1.37/fail/sysctls0.yaml",
            r#"violates PodSecurity "baseline:latest": forbidden sysctls (othersysctl)"#,
        ),
    ];
    let skipped = format!(
        "denials_follow_psa_wording_exactly: {} PSA fixture messages",
        cases.len() + 1
    );
    let Some((dir, rows)) = rows(&skipped) else {
        return;
    };
    for (level, path, expected) in cases {
        let response = host()
            .validate(
                &fixture_request(&dir, pod_of(&rows, path)),
                &standard(level, "latest"),
            )
            .unwrap_or_else(|e| panic!("{path}: {e:#}"));
        assert!(!response.accepted, "{path}");
        assert_eq!(response.message(), expected, "{path}");
    }
    // The same pod at a pinned version names that version.
    let response = host()
        .validate(
            &fixture_request(
                &dir,
                pod_of(&rows, "baseline/v1.37/fail/hostpathvolumes0.yaml"),
            ),
            &standard("baseline", "v1.12"),
        )
        .unwrap();
    assert_eq!(
        response.message(),
        r#"violates PodSecurity "baseline:v1.12": hostPath volumes (volume "volume-hostpath")"#
    );
}
