//! Defaults of every container: `runAsUser`, `runAsGroup`, `runAsNonRoot`, the AppArmor profile,
//! capabilities, `readOnlyRootFilesystem` and `allowPrivilegeEscalation`.

use super::*;
use serde_json::{json, Value};

#[test]
fn run_as_user_defaults_in_every_container() {
    assert_defaults_in_every_container(
        &settings(json!({"runAsUser": must_run_as(5000, 6000)})),
        "runAsUser",
        json!(5000),
    );
}

#[test]
fn run_as_user_is_not_defaulted_where_the_pod_sets_it() {
    let s = settings(json!({"runAsUser": must_run_as(5000, 6000)}));
    let mut spec = three_containers();
    spec["securityContext"]["runAsUser"] = json!(5500);
    assert_defaults_everywhere(&s, Value::Null, spec, |_| vec![]);
}

#[test]
fn run_as_group_defaults_in_every_container() {
    assert_defaults_in_every_container(
        &settings(json!({"runAsGroup": must_run_as(7000, 8000)})),
        "runAsGroup",
        json!(7000),
    );
}

#[test]
fn apparmor_default_profile_goes_to_every_container() {
    for settings_extra in [
        json!({"annotations": {
            "apparmor.security.beta.kubernetes.io/allowedProfileNames": "runtime/default,localhost/k8s-nginx",
            "apparmor.security.beta.kubernetes.io/defaultProfileName": "runtime/default",
        }}),
        json!({"appArmor": {"allowedProfileNames": ["runtime/default", "localhost/k8s-nginx"], "defaultProfileName": "runtime/default"}}),
    ] {
        let s = settings(settings_extra);
        assert_defaults_in_every_container(
            &s,
            "appArmorProfile",
            json!({"type": "RuntimeDefault"}),
        );
        // A container with its own profile (field or legacy annotation) keeps it.
        let mut spec = three_containers();
        spec["containers"][0]["securityContext"]["appArmorProfile"] =
            json!({"type": "Localhost", "localhostProfile": "k8s-nginx"});
        assert_defaults_everywhere(
            &s,
            json!({"container.apparmor.security.beta.kubernetes.io/init": "localhost/k8s-nginx"}),
            spec,
            |spec| {
                vec![add_op(
                    format!("{spec}/ephemeralContainers/0/securityContext/appArmorProfile"),
                    json!({"type": "RuntimeDefault"}),
                )]
            },
        );
    }
}

#[test]
fn run_as_non_root_defaults_to_true_when_neither_field_is_set() {
    let s = settings(json!({"runAsUser": {"rule": "MustRunAsNonRoot"}}));
    assert_defaults_in_every_container(&s, "runAsNonRoot", json!(true));
    // A container with a UID needs nothing; nor does a pod that sets runAsNonRoot for all.
    let mut spec = three_containers();
    spec["containers"][0]["securityContext"]["runAsUser"] = json!(1000);
    spec["initContainers"][0]["securityContext"]["runAsNonRoot"] = json!(true);
    assert_defaults_everywhere(&s, Value::Null, spec, |spec| {
        vec![add_op(
            format!("{spec}/ephemeralContainers/0/securityContext/runAsNonRoot"),
            json!(true),
        )]
    });
    let mut spec = three_containers();
    spec["securityContext"]["runAsNonRoot"] = json!(true);
    assert_defaults_everywhere(&s, Value::Null, spec, |_| vec![]);
}

#[test]
fn capabilities_default_add_and_required_drop_are_set() {
    let s = settings(
        json!({"defaultAddCapabilities": ["NET_BIND_SERVICE"], "requiredDropCapabilities": ["ALL"]}),
    );
    assert_defaults_in_every_container(
        &s,
        "capabilities",
        json!({"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}),
    );
}

#[test]
fn capabilities_defaults_are_appended_to_what_the_container_lists() {
    let s = settings(json!({
        "defaultAddCapabilities": ["NET_BIND_SERVICE", "CHOWN"],
        "requiredDropCapabilities": ["ALL"],
        "allowedCapabilities": ["SETUID"],
    }));
    let mut spec = three_containers();
    // Adds SETUID and drops NET_RAW: both defaults are appended.
    spec["containers"][0]["securityContext"]["capabilities"] =
        json!({"add": ["SETUID"], "drop": ["NET_RAW"]});
    // Drops CHOWN itself: CHOWN is not added (PSP: a default add the container drops is left out).
    spec["initContainers"][0]["securityContext"]["capabilities"] =
        json!({"drop": ["CHOWN", "ALL"]});
    // Already compliant.
    spec["ephemeralContainers"][0]["securityContext"]["capabilities"] =
        json!({"add": ["NET_BIND_SERVICE", "CHOWN"], "drop": ["ALL"]});
    assert_defaults_everywhere(&s, Value::Null, spec, |spec| {
        vec![
            add_op(
                format!("{spec}/containers/0/securityContext/capabilities/add/1"),
                json!("NET_BIND_SERVICE"),
            ),
            add_op(
                format!("{spec}/containers/0/securityContext/capabilities/add/2"),
                json!("CHOWN"),
            ),
            add_op(
                format!("{spec}/containers/0/securityContext/capabilities/drop/1"),
                json!("ALL"),
            ),
            add_op(
                format!("{spec}/initContainers/0/securityContext/capabilities/add"),
                json!(["NET_BIND_SERVICE"]),
            ),
        ]
    });
}

#[test]
fn read_only_root_filesystem_defaults_to_true() {
    assert_defaults_in_every_container(
        &settings(json!({"readOnlyRootFilesystem": true})),
        "readOnlyRootFilesystem",
        json!(true),
    );
}

#[test]
fn allow_privilege_escalation_defaults_from_default_allow_privilege_escalation() {
    for default in [false, true] {
        assert_defaults_in_every_container(
            &settings(json!({"defaultAllowPrivilegeEscalation": default})),
            "allowPrivilegeEscalation",
            json!(default),
        );
    }
}

#[test]
fn allow_privilege_escalation_defaults_to_false_when_it_is_forbidden() {
    for extra in [
        json!({"allowPrivilegeEscalation": false}),
        json!({"allowPrivilegeEscalation": false, "defaultAllowPrivilegeEscalation": false}),
    ] {
        let s = settings(extra);
        assert_defaults_in_every_container(&s, "allowPrivilegeEscalation", json!(false));
    }
}
