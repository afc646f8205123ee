//! `readOnlyRootFilesystem`, `allowPrivilegeEscalation`, `defaultAllowPrivilegeEscalation` and
//! `allowedProcMountTypes`.

use super::*;
use serde_json::json;

#[test]
fn read_only_root_filesystem_must_be_true_when_required() {
    let settings = json!({"readOnlyRootFilesystem": true});
    check(vec![
        case("true", settings.clone(), sc(json!({"readOnlyRootFilesystem": true})), vec![]),
        case("explicit false", settings.clone(), sc(json!({"readOnlyRootFilesystem": false})), vec![
            "spec.containers[0].securityContext.readOnlyRootFilesystem (container \"app\"): Invalid value: false: the root filesystem must be read-only; allowed: true",
        ]),
        case("unset (no defaulting)", settings, no_sc(), vec![
            "spec.containers[0].securityContext.readOnlyRootFilesystem (container \"app\"): Required value: must be set to true; allowed: true",
        ]),
        case("not required", json!({"readOnlyRootFilesystem": false}), sc(json!({"readOnlyRootFilesystem": false})), vec![]),
    ]);
}

#[test]
fn allow_privilege_escalation_false_requires_false() {
    let settings = json!({"allowPrivilegeEscalation": false});
    check(vec![
        case("false", settings.clone(), sc(json!({"allowPrivilegeEscalation": false})), vec![]),
        case("true", settings.clone(), sc(json!({"allowPrivilegeEscalation": true})), vec![
            "spec.containers[0].securityContext.allowPrivilegeEscalation (container \"app\"): Invalid value: true: privilege escalation is not allowed; allowed: false",
        ]),
        case("unset (no defaulting)", settings, no_sc(), vec![
            "spec.containers[0].securityContext.allowPrivilegeEscalation (container \"app\"): Required value: must be set to false; allowed: false",
        ]),
        case("PSP's default is true: anything", json!({}), sc(json!({"allowPrivilegeEscalation": true})), vec![]),
    ]);
}

#[test]
fn default_allow_privilege_escalation_is_a_default_not_a_restriction() {
    let settings = json!({"defaultAllowPrivilegeEscalation": false});
    check(vec![
        case("explicit true still allowed", settings.clone(), sc(json!({"allowPrivilegeEscalation": true})), vec![]),
        case("unset allowed", settings.clone(), no_sc(), vec![]),
        case("with allowPrivilegeEscalation: false, true is rejected",
            json!({"defaultAllowPrivilegeEscalation": false, "allowPrivilegeEscalation": false}),
            sc(json!({"allowPrivilegeEscalation": true})), vec![
            "spec.containers[0].securityContext.allowPrivilegeEscalation (container \"app\"): Invalid value: true: privilege escalation is not allowed; allowed: false",
        ]),
    ]);
    // A default that contradicts the restriction is refused, and a request evaluated with it rejected.
    let contradictory = validating(
        json!({"defaultAllowPrivilegeEscalation": true, "allowPrivilegeEscalation": false}),
    );
    let response = validate(&create("Pod", pod(no_sc())), &contradictory);
    assert_rejected(&response, "invalid settings: defaultAllowPrivilegeEscalation: cannot be true when allowPrivilegeEscalation is false", "contradictory settings");
}

#[test]
fn allowed_proc_mount_types_default_to_default_only() {
    let unmasked = sc(json!({"procMount": "Unmasked"}));
    check(vec![
        case("absent: Unmasked refused", json!({}), unmasked.clone(), vec![
            "spec.containers[0].securityContext.procMount (container \"app\"): Invalid value: \"Unmasked\": proc mount type is not allowed; allowed: \"Default\"",
        ]),
        case("empty list means [Default]", json!({"allowedProcMountTypes": []}), unmasked.clone(), vec![
            "spec.containers[0].securityContext.procMount (container \"app\"): Invalid value: \"Unmasked\": proc mount type is not allowed; allowed: \"Default\"",
        ]),
        case("explicit Default", json!({}), sc(json!({"procMount": "Default"})), vec![]),
        case("Unmasked allowed", json!({"allowedProcMountTypes": ["Default", "Unmasked"]}), unmasked, vec![]),
    ]);
}
