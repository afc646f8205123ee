//! `mutating: false`: what would be defaulted is rejected instead, saying what to set.

use super::*;
use serde_json::{json, Value};

#[test]
fn with_mutating_false_what_would_be_defaulted_is_rejected_instead() {
    let s = everything_validating();
    for (kind, spec_path) in KINDS {
        let req = create_with_spec(kind, bare_three_containers());
        let response = validate(&req, &s);
        let mut expected = vec![
            format!("{spec_path}.securityContext.fsGroup must be set (allowed groups: 3000-4000)"),
            format!("{spec_path}.securityContext.supplementalGroups must be set (allowed groups: 1000-2000)"),
            format!("{spec_path}.securityContext.seLinuxOptions must be set (the seLinux rule is MustRunAs)"),
        ];
        let containers = [
            ("initContainers", "init"),
            ("containers", "app"),
            ("ephemeralContainers", "debug"),
        ];
        for (list, _) in containers {
            expected.push(format!("{spec_path}.{list}[0].securityContext.seccompProfile must be set here or in {spec_path}.securityContext.seccompProfile (allowed: \"runtime/default\")"));
        }
        for (list, _) in containers {
            expected.push(format!("{spec_path}.{list}[0].securityContext.runAsUser must be set (allowed UIDs: 5000-6000)"));
        }
        for (list, _) in containers {
            expected.push(format!("{spec_path}.{list}[0].securityContext.appArmorProfile must be set (allowed: \"runtime/default\")"));
        }
        for (list, name) in containers {
            expected.push(format!("{spec_path}.{list}[0].securityContext.capabilities.drop must be set to include \"ALL\" (container \"{name}\")"));
        }
        for (list, _) in containers {
            expected.push(format!(
                "{spec_path}.{list}[0].securityContext.readOnlyRootFilesystem must be set to true"
            ));
        }
        for (list, _) in containers {
            expected.push(format!("{spec_path}.{list}[0].securityContext.allowPrivilegeEscalation must be set to false"));
        }
        let message = response.message().to_string();
        assert!(!response.accepted, "{kind}");
        assert_eq!(response.mutated_object, None, "{kind}");
        for violation in &expected {
            assert!(
                message.contains(violation.as_str()),
                "{kind}: missing {violation:?} in {message}"
            );
        }
        // runAsGroup: each container.
        for (list, _) in containers {
            let v = format!("{spec_path}.{list}[0].securityContext.runAsGroup must be set (allowed groups: 7000-8000)");
            assert!(message.contains(&v), "{kind}: missing {v:?} in {message}");
            expected.push(v);
        }
        let expected_len = "PodSecurityPolicy: ".len()
            + expected.iter().map(String::len).sum::<usize>()
            + 2 * (expected.len() - 1);
        assert_eq!(
            message.len(),
            expected_len,
            "{kind}: nothing else is reported: {message}"
        );
    }
}

#[test]
fn with_mutating_false_the_escalation_message_says_what_to_set() {
    let s = validating(json!({"allowPrivilegeEscalation": false}));
    for (kind, spec_path) in KINDS {
        let req = create_with_spec(kind, json!({"containers": [container("app", Value::Null)]}));
        assert_psp_rejected(&validate(&req, &s), &[&format!("{spec_path}.containers[0].securityContext.allowPrivilegeEscalation must be set to false")], kind);
    }
}

#[test]
fn with_mutating_false_a_compliant_object_is_accepted_unchanged() {
    let s = everything_validating();
    for (kind, _) in KINDS {
        let req = create_with_spec(kind, fully_specified());
        assert_accepted_unchanged(&validate(&req, &s), kind);
    }
}
