//! Conformance with Pod Security Admission: every fixture pod of PSA's `test/testdata` (carried in
//! `testdata/psa`, see its README) must be allowed (`pass/`) or denied (`fail/`) at its level and version.

use std::collections::BTreeMap;
use std::path::Path;

use super::{checks_for, evaluate_by_check, message, Annotations, Forbidden, Standard};
use crate::pod::PodSpec;

// Shared with the end-to-end and the tools' tests, which get it from psp-host; included by path because
// this crate must not depend on psp-host (see the file's header).
#[path = "../../host/src/reference_data.rs"]
mod reference_data;
use reference_data::{psa_cases, PSA_CASES};

/// The checks that may deny a fixture written for `check`: the check itself, or the restricted check that
/// replaces it at this level and version (e.g. `restrictedVolumes` for a `hostPathVolumes` fixture).
fn may_deny(standard: &Standard, check: &str) -> Vec<&'static str> {
    checks_for(standard)
        .into_iter()
        .filter(|(c, revision)| c.id == check || revision.overrides.contains(&check))
        .map(|(c, _)| c.id)
        .collect()
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
    let skipped = format!("psa_conformance_fixtures: {PSA_CASES} PSA conformance cases");
    let Some((dir, rows)) = psa_cases(Path::new(env!("CARGO_MANIFEST_DIR")), &skipped) else {
        return;
    };
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
