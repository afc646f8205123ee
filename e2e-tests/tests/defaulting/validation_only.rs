//! `mutating: false`: what would be defaulted is rejected instead, saying what to set.

use super::*;
use serde_json::{json, Value};

#[test]
fn with_mutating_false_what_would_be_defaulted_is_rejected_instead() {
    let s = everything_validating();
    let containers = [
        ("initContainers", "init"),
        ("containers", "app"),
        ("ephemeralContainers", "debug"),
    ];
    for (kind, spec_path) in KINDS {
        let req = create_with_spec(kind, bare_three_containers());
        let response = validate(&req, &s);
        // Family by family, as the families report; a container's violation names the container.
        let each_container = |field: &str, rest: &str| -> Vec<String> {
            containers
                .iter()
                .map(|(list, name)| {
                    format!(
                        "{spec_path}.{list}[0].securityContext.{field} (container {}): Required value: {rest}",
                        quoted(name)
                    )
                })
                .collect()
        };
        let mut expected = vec![
            format!("{spec_path}.securityContext.fsGroup: Required value: must be set; allowed: 3000-4000"),
            format!("{spec_path}.securityContext.supplementalGroups: Required value: must be set; allowed: 1000-2000"),
        ];
        expected.extend(each_container(
            "runAsGroup",
            "must be set; allowed: 7000-8000",
        ));
        expected.push(format!(
            "{spec_path}.securityContext.seLinuxOptions: Required value: must be set when the seLinux rule is \
             MustRunAs; allowed: {{\"type\":\"container_t\",\"level\":\"s0:c1,c2\"}}"
        ));
        expected.extend(each_container(
            "seccompProfile",
            &format!(
                "must be set here or in {spec_path}.securityContext.seccompProfile; allowed: \"runtime/default\""
            ),
        ));
        expected.extend(each_container(
            "runAsUser",
            "must be set; allowed: 5000-6000",
        ));
        expected.extend(each_container(
            "appArmorProfile",
            "must be set; allowed: \"runtime/default\"",
        ));
        expected.extend(each_container(
            "capabilities.drop",
            "must include \"ALL\"; allowed: \"ALL\"",
        ));
        expected.extend(each_container(
            "readOnlyRootFilesystem",
            "must be set to true; allowed: true",
        ));
        expected.extend(each_container(
            "allowPrivilegeEscalation",
            "must be set to false; allowed: false",
        ));
        assert_psp_rejected(&response, &expected, kind);
    }
}

#[test]
fn with_mutating_false_the_escalation_message_says_what_to_set() {
    let s = validating(json!({"allowPrivilegeEscalation": false}));
    for (kind, spec_path) in KINDS {
        let req = create_with_spec(kind, json!({"containers": [container("app", Value::Null)]}));
        assert_psp_rejected(&validate(&req, &s), &[&format!("{spec_path}.containers[0].securityContext.allowPrivilegeEscalation (container \"app\"): Required value: must be set to false; allowed: false")], kind);
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
