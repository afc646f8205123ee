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
        // As PSP wrote it, the annotation of every container; and the field, which says the same.
        assert_defaults_everywhere(&s, Value::Null, three_containers(), |spec| {
            let mut ops = per_container(spec, "appArmorProfile", json!({"type": "RuntimeDefault"}));
            ops.push(apparmor_annotations_added(spec));
            ops
        });
        // A container with its own profile (field or legacy annotation) keeps it and gets nothing.
        let mut spec = three_containers();
        spec["containers"][0]["securityContext"]["appArmorProfile"] =
            json!({"type": "Localhost", "localhostProfile": "k8s-nginx"});
        assert_defaults_everywhere(
            &s,
            json!({apparmor_key("init"): "localhost/k8s-nginx"}),
            spec,
            |spec| {
                vec![
                    add_op(
                        format!("{spec}/ephemeralContainers/0/securityContext/appArmorProfile"),
                        json!({"type": "RuntimeDefault"}),
                    ),
                    add_op(
                        apparmor_annotation_pointer(spec, "debug"),
                        json!("runtime/default"),
                    ),
                ]
            },
        );
        // A pod-level field covers every container: nothing is written, so no annotation can disagree with it.
        let mut spec = three_containers();
        spec["securityContext"]["appArmorProfile"] = json!({"type": "RuntimeDefault"});
        assert_defaults_everywhere(&s, Value::Null, spec, |_| vec![]);
    }
}

fn localhost_default_settings() -> Value {
    settings(json!({"appArmor": {
        "allowedProfileNames": ["runtime/default", "localhost/k8s-nginx"],
        "defaultProfileName": "localhost/k8s-nginx",
    }}))
}

/// The exact JSONPatch of a Pod: the annotation beside the others, the field in the one container
/// without a profile, nothing where the container's field or annotation already says something (even a
/// profile other than the default, so that the two never disagree).
#[test]
fn apparmor_default_patch_of_a_pod() {
    let object = pod_with(
        json!({"team": "ml", apparmor_key("sidecar"): "runtime/default", apparmor_key("empty"): ""}),
        json!({
            "initContainers": [container("setup", json!({"appArmorProfile": {"type": "RuntimeDefault"}}))],
            "containers": [
                container("app", json!({"runAsNonRoot": true})),
                container("sidecar", Value::Null),
                container("empty", Value::Null),
            ],
        }),
    );
    let req = create("Pod", object);
    let response = validate(&req, &localhost_default_settings());
    assert_accepted_with_patch(
        &response,
        &req,
        vec![
            add_op(
                "/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1app",
                json!("localhost/k8s-nginx"),
            ),
            replace_op(
                "/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1empty",
                json!("localhost/k8s-nginx"),
            ),
            add_op(
                "/spec/containers/0/securityContext/appArmorProfile",
                json!({"type": "Localhost", "localhostProfile": "k8s-nginx"}),
            ),
            add_op(
                "/spec/containers/2/securityContext",
                json!({"appArmorProfile": {"type": "Localhost", "localhostProfile": "k8s-nginx"}}),
            ),
        ],
        "Pod",
    );
    // Validation after defaulting: the defaulted pod is accepted, unchanged, by the same settings.
    assert_idempotent("Pod", &req, &response, &localhost_default_settings());
}

/// The exact JSONPatch of a Deployment: the annotations go to the pod template's metadata, not the
/// Deployment's.
#[test]
fn apparmor_default_patch_of_a_deployment() {
    let object = object_of(
        "Deployment",
        Value::Null,
        json!({"containers": [container("app", Value::Null)], "initContainers": [container("setup", Value::Null)]}),
    );
    let req = create("Deployment", object);
    let response = validate(&req, &localhost_default_settings());
    let localhost =
        json!({"appArmorProfile": {"type": "Localhost", "localhostProfile": "k8s-nginx"}});
    assert_accepted_with_patch(
        &response,
        &req,
        vec![
            add_op(
                "/spec/template/metadata/annotations",
                json!({apparmor_key("app"): "localhost/k8s-nginx", apparmor_key("setup"): "localhost/k8s-nginx"}),
            ),
            add_op(
                "/spec/template/spec/containers/0/securityContext",
                localhost.clone(),
            ),
            add_op(
                "/spec/template/spec/initContainers/0/securityContext",
                localhost,
            ),
        ],
        "Deployment",
    );
    assert_idempotent("Deployment", &req, &response, &localhost_default_settings());
}

/// Validation after defaulting sees the default: with `mutating: false` nothing is written, and the
/// container without a profile is rejected; a defaulted pod that sets another profile later is judged by it.
#[test]
fn apparmor_defaults_are_validated() {
    let mut validating = localhost_default_settings();
    validating["mutating"] = json!(false);
    let req = create(
        "Pod",
        pod(json!({"containers": [container("app", Value::Null)]})),
    );
    assert_psp_rejected(
        &validate(&req, &validating),
        &["spec.containers[0].securityContext.appArmorProfile (container \"app\"): Required value: must be set; \
           allowed: \"runtime/default\", \"localhost/k8s-nginx\""],
        "mutating: false",
    );
    // The annotation PSP wrote is judged like any: one that says `unconfined` is rejected.
    let unconfined = create(
        "Pod",
        pod_with(
            json!({apparmor_key("app"): "unconfined"}),
            json!({"containers": [container("app", Value::Null)]}),
        ),
    );
    assert_psp_rejected(
        &validate(&unconfined, &localhost_default_settings()),
        &["metadata.annotations[container.apparmor.security.beta.kubernetes.io/app] (container \"app\"): Invalid \
           value: \"unconfined\": AppArmor profile is not allowed; allowed: \"runtime/default\", \
           \"localhost/k8s-nginx\""],
        "unconfined annotation",
    );
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
