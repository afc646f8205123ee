//! Every default at once: on bare objects, on objects that need nothing, over values outside the
//! rules (never changed), over `null`s, and beside violations defaulting cannot fix.

use super::*;
use serde_json::{json, Value};

#[test]
fn every_default_at_once_on_objects_without_any_security_context() {
    assert_defaults_everywhere(
        &everything(),
        Value::Null,
        bare_three_containers(),
        |spec| {
            let mut ops = vec![
                add_op(
                    format!("{spec}/securityContext"),
                    json!({
                        "supplementalGroups": [1000],
                        "fsGroup": 3000,
                        "seLinuxOptions": {"type": "container_t", "level": "s0:c1,c2"},
                        "seccompProfile": {"type": "RuntimeDefault"},
                    }),
                ),
                add_op(format!("{spec}/runtimeClassName"), json!("kata")),
                apparmor_annotations_added(spec),
            ];
            for list in CONTAINER_FIELDS {
                ops.push(add_op(
                    format!("{spec}/{list}/0/securityContext"),
                    every_container_default(5000, 7000),
                ));
            }
            ops
        },
    );
}

#[test]
fn an_object_needing_nothing_produces_no_mutated_object() {
    for (kind, _) in KINDS {
        let req = create_with_spec(kind, fully_specified());
        let response = validate(&req, &everything());
        assert_accepted_unchanged(&response, kind);
    }
}

#[test]
fn a_set_value_is_never_changed_even_when_it_is_outside_the_rules() {
    // Each set value is judged as it is: a value outside the rules is rejected, not overwritten.
    let cases: [(&str, &str, Value, String); 5] = [
        ("fsGroup", "securityContext.fsGroup", json!(1),
         "securityContext.fsGroup: Invalid value: 1: group is not in the allowed ranges; allowed: 3000-4000".into()),
        ("runAsUser", "containers[0].securityContext.runAsUser", json!(1),
         "containers[0].securityContext.runAsUser (container \"app\"): Invalid value: 1: UID is not in the allowed ranges; allowed: 5000-6000".into()),
        ("readOnlyRootFilesystem", "containers[0].securityContext.readOnlyRootFilesystem", json!(false),
         "containers[0].securityContext.readOnlyRootFilesystem (container \"app\"): Invalid value: false: the root filesystem must be read-only; allowed: true".into()),
        ("allowPrivilegeEscalation", "containers[0].securityContext.allowPrivilegeEscalation", json!(true),
         "containers[0].securityContext.allowPrivilegeEscalation (container \"app\"): Invalid value: true: privilege escalation is not allowed; allowed: false".into()),
        ("runtimeClassName", "runtimeClassName", json!("runc"),
         "runtimeClassName: Invalid value: \"runc\": RuntimeClass is not allowed; allowed: \"kata\"".into()),
    ];
    for (name, field, value, violation) in cases {
        for (kind, spec_path) in KINDS {
            let mut spec = bare_three_containers();
            set_path(&mut spec, field, value.clone());
            let req = create_with_spec(kind, spec);
            let response = validate(&req, &everything());
            assert_psp_rejected(
                &response,
                &[&format!("{spec_path}.{violation}")],
                &format!("{name} in {kind}"),
            );
        }
    }
}

#[test]
fn null_security_contexts_and_lists_are_replaced_by_the_defaults() {
    // YAML's `securityContext:` (null) is an unset value: it gets the defaults, as a `replace`.
    let s = settings(json!({
        "readOnlyRootFilesystem": true,
        "requiredDropCapabilities": ["ALL"],
        "fsGroup": must_run_as(1, 2),
        "runtimeClass": {"allowedRuntimeClassNames": ["kata"], "defaultRuntimeClassName": "kata"},
    }));
    let spec = json!({
        "securityContext": null,
        "runtimeClassName": null,
        "containers": [
            {"name": "a", "image": "i", "securityContext": null},
            {"name": "b", "image": "i", "securityContext": {"capabilities": {"drop": null, "add": null}}},
        ],
    });
    for (kind, spec_path) in KINDS {
        let p = pointer(spec_path);
        let req = create_with_spec(kind, spec.clone());
        let response = validate(&req, &s);
        assert!(response.accepted, "{kind}: {:?}", response.message);
        let replace =
            |path: String, value: Value| json!({"op": "replace", "path": path, "value": value});
        assert_eq!(
            sorted(response.patch(&req)),
            sorted(vec![
                replace(format!("{p}/securityContext"), json!({"fsGroup": 1})),
                replace(format!("{p}/runtimeClassName"), json!("kata")),
                replace(
                    format!("{p}/containers/0/securityContext"),
                    json!({"capabilities": {"drop": ["ALL"]}, "readOnlyRootFilesystem": true}),
                ),
                replace(
                    format!("{p}/containers/1/securityContext/capabilities/drop"),
                    json!(["ALL"])
                ),
                add_op(
                    format!("{p}/containers/1/securityContext/readOnlyRootFilesystem"),
                    json!(true)
                ),
            ]),
            "{kind}"
        );
        assert_idempotent(kind, &req, &response, &s);
    }
}

#[test]
fn defaults_are_validated_in_the_same_evaluation() {
    // Defaulting fills in allowPrivilegeEscalation and readOnlyRootFilesystem, but cannot fix a
    // privileged container or a root UID: the request is rejected, for those alone, with no patch.
    let s = settings(json!({
        "allowPrivilegeEscalation": false,
        "readOnlyRootFilesystem": true,
        "runAsUser": {"rule": "MustRunAsNonRoot"},
    }));
    for (kind, spec_path) in KINDS {
        let spec = json!({"containers": [
            container("ok", Value::Null),
            container("bad", json!({"privileged": true, "runAsUser": 0})),
        ]});
        let response = validate(&create_with_spec(kind, spec), &s);
        assert_psp_rejected(&response, &[
                &format!("{spec_path}.containers[1].securityContext.runAsUser (container \"bad\"): Invalid value: 0: running as root is not allowed; allowed: 1-9223372036854775807"),
                &privileged_violation(&format!("{spec_path}.containers[1]"), "bad"),
            ], kind);
    }
}
