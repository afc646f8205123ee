//! The kinds, end to end through the built `policy.wasm`: every kind that carries a pod spec is judged
//! on its pod (template), with field paths of the submitted object; every container kind is checked;
//! Pod updates, subresources, other operations and other kinds are handled as Pod Security Admission
//! and PSP did; a malformed object of a known kind is rejected (fail closed), never a trap.

mod common;

use common::*;
use serde_json::{json, Value};

/// PSP's defaults for a hardened workload, validation only.
fn strict() -> Value {
    validating(json!({
        "runAsUser": {"rule": "MustRunAsNonRoot"},
        "allowPrivilegeEscalation": false,
        "readOnlyRootFilesystem": true,
        "volumes": ["configMap", "emptyDir"],
    }))
}

fn hardened() -> Value {
    json!({"runAsNonRoot": true, "allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true})
}

fn compliant_spec() -> Value {
    json!({
        "containers": [{
            "name": "app",
            "image": "registry.example.com/app:1.0",
            "securityContext": hardened(),
            "volumeMounts": [{"name": "config", "mountPath": "/etc/app", "readOnly": true}],
        }],
        "volumes": [{"name": "config", "configMap": {"name": "app-config"}}],
    })
}

fn privileged_spec() -> Value {
    let mut sc = hardened();
    sc["privileged"] = json!(true);
    json!({"containers": [container("app", sc)]})
}

#[test]
fn every_kind_accepts_a_compliant_template_unchanged() {
    for (kind, _) in KINDS {
        let response = validate(&create_with_spec(kind, compliant_spec()), &strict());
        assert_accepted_unchanged(&response, kind);
    }
}

#[test]
fn every_kind_rejects_a_violating_template_with_the_path_of_the_submitted_object() {
    for (kind, spec_path) in KINDS {
        let response = validate(&create_with_spec(kind, privileged_spec()), &strict());
        assert_psp_rejected(
            &response,
            &[privileged_violation(
                &format!("{spec_path}.containers[0]"),
                "app",
            )],
            kind,
        );
    }
}

#[test]
fn every_kind_reports_pod_level_fields_and_template_annotations_at_their_paths() {
    let settings = validating(json!({
        "volumes": ["configMap", "emptyDir"],
        "seccomp": {"allowedProfileNames": ["runtime/default"]},
    }));
    for (kind, spec_path) in KINDS {
        let mut spec = compliant_spec();
        spec["hostNetwork"] = json!(true);
        spec["volumes"][0] = json!({"name": "config", "hostPath": {"path": "/etc"}});
        let annotations = json!({"seccomp.security.alpha.kubernetes.io/pod": "unconfined"});
        let response = validate(&create(kind, object_of(kind, annotations, spec)), &settings);
        let metadata_path = metadata_path(spec_path);
        let expected = [
            format!("{spec_path}.hostNetwork: Forbidden: host network is not allowed; allowed: false"),
            format!("{metadata_path}.annotations[seccomp.security.alpha.kubernetes.io/pod]: Invalid value: \"unconfined\": seccomp profile is not allowed; allowed: \"runtime/default\""),
            format!("{spec_path}.volumes[0]: Invalid value: \"hostPath\": hostPath volumes are not allowed to be used; allowed: \"configMap\", \"emptyDir\""),
        ];
        assert_psp_rejected(&response, &expected, kind);
    }
}

#[test]
fn every_container_kind_is_checked_in_every_kind() {
    for (kind, spec_path) in KINDS {
        for field in CONTAINER_FIELDS {
            let mut spec = compliant_spec();
            let mut sc = hardened();
            sc["privileged"] = json!(true);
            let mut list = spec[field].as_array().cloned().unwrap_or_default();
            list.push(container("bad", sc));
            let index = list.len() - 1;
            spec[field] = Value::Array(list);
            let response = validate(&create_with_spec(kind, spec), &strict());
            assert_psp_rejected(
                &response,
                &[privileged_violation(
                    &format!("{spec_path}.{field}[{index}]"),
                    "bad",
                )],
                &format!("{kind} {field}"),
            );
        }
    }
}

#[test]
fn violations_in_all_three_container_kinds_are_all_reported() {
    let mut sc = hardened();
    sc["privileged"] = json!(true);
    let spec = json!({
        "initContainers": [container("init", sc.clone())],
        "containers": [container("ok", hardened()), container("app", sc.clone())],
        "ephemeralContainers": [container("debug", sc)],
    });
    for (kind, spec_path) in KINDS {
        let response = validate(&create_with_spec(kind, spec.clone()), &strict());
        let expected = [
            privileged_violation(&format!("{spec_path}.initContainers[0]"), "init"),
            privileged_violation(&format!("{spec_path}.containers[1]"), "app"),
            privileged_violation(&format!("{spec_path}.ephemeralContainers[0]"), "debug"),
        ];
        assert_psp_rejected(&response, &expected, kind);
    }
}

fn running_pod() -> Value {
    let mut p = pod(compliant_spec());
    p["metadata"]["uid"] = json!("6b1f1b9e-0000-4000-8000-000000000001");
    p["spec"]["nodeName"] = json!("node-1");
    p["status"] = json!({"phase": "Running"});
    p
}

/// `debug` added to the running pod through the `ephemeralcontainers` subresource (an UPDATE, as
/// `kubectl debug` sends it), evaluated under `settings`.
fn add_debug_container(debug: Value, settings: &Value) -> ValidationResponse {
    let old = running_pod();
    let mut new = old.clone();
    new["spec"]["ephemeralContainers"] = json!([debug]);
    let request = RequestBuilder::new("Pod", "UPDATE", new)
        .old_object(old)
        .sub_resource("ephemeralcontainers")
        .build();
    validate(&request, settings)
}

#[test]
fn the_ephemeralcontainers_subresource_rejects_a_privileged_debug_container() {
    let mut sc = hardened();
    sc["privileged"] = json!(true);
    let response = add_debug_container(
        json!({"name": "debug", "image": "busybox", "targetContainerName": "app", "securityContext": sc}),
        &strict(),
    );
    assert_psp_rejected(
        &response,
        &[privileged_violation("spec.ephemeralContainers[0]", "debug")],
        "ephemeralcontainers",
    );
}

#[test]
fn the_ephemeralcontainers_subresource_accepts_a_compliant_debug_container() {
    let response = add_debug_container(
        json!({"name": "debug", "image": "busybox", "securityContext": hardened()}),
        &strict(),
    );
    assert_accepted_unchanged(&response, "ephemeralcontainers");
}

#[test]
fn the_ephemeralcontainers_subresource_is_validated_not_defaulted() {
    // With defaulting on, a new pod's container would get allowPrivilegeEscalation: false; an update of a
    // running pod is not mutated (PSP), so the unset value is rejected.
    let mut settings = strict();
    settings["mutating"] = json!(true);
    let response = add_debug_container(
        json!({"name": "debug", "image": "busybox", "securityContext": {"runAsNonRoot": true, "readOnlyRootFilesystem": true}}),
        &settings,
    );
    assert_psp_rejected(&response, &["spec.ephemeralContainers[0].securityContext.allowPrivilegeEscalation (container \"debug\"): Required value: must be set to false; allowed: false"], "ephemeralcontainers with defaulting on");
}

fn violating_pod() -> Value {
    let mut p = running_pod();
    p["spec"]["containers"][0]["securityContext"]["privileged"] = json!(true);
    p
}

#[test]
fn a_pod_update_that_changes_only_labels_or_annotations_is_accepted_even_if_the_pod_violates() {
    let old = violating_pod();
    let mut relabelled = old.clone();
    relabelled["metadata"]["labels"]["tier"] = json!("gold");
    let mut annotated = old.clone();
    annotated["metadata"]["annotations"] = json!({"example.com/owner": "team-a"});
    let mut finalized = old.clone();
    finalized["metadata"]["finalizers"] = json!(["example.com/cleanup"]);
    for (name, new) in [
        ("labels", relabelled),
        ("annotations", annotated),
        ("finalizers", finalized),
    ] {
        let response = validate(&update("Pod", new, old.clone()), &strict());
        assert_accepted_unchanged(&response, name);
    }
}

#[test]
fn a_pod_update_that_changes_the_image_of_a_violating_pod_is_rejected() {
    let old = violating_pod();
    let mut new = old.clone();
    new["spec"]["containers"][0]["image"] = json!("registry.example.com/app:2.0");
    let response = validate(&update("Pod", new, old), &strict());
    assert_psp_rejected(
        &response,
        &[privileged_violation("spec.containers[0]", "app")],
        "image update",
    );
}

#[test]
fn a_pod_update_that_changes_a_profile_annotation_is_evaluated() {
    let settings = validating(json!({
        "volumes": ["configMap"],
        "runAsUser": {"rule": "MustRunAsNonRoot"},
        "allowPrivilegeEscalation": false,
        "readOnlyRootFilesystem": true,
        "appArmor": {"allowedProfileNames": ["runtime/default"]},
    }));
    let mut old = running_pod();
    old["metadata"]["annotations"] =
        json!({"container.apparmor.security.beta.kubernetes.io/app": "runtime/default"});
    let mut new = old.clone();
    new["metadata"]["annotations"]["container.apparmor.security.beta.kubernetes.io/app"] =
        json!("unconfined");
    assert_accepted_unchanged(
        &validate(&update("Pod", old.clone(), old.clone()), &settings),
        "unchanged",
    );
    let response = validate(&update("Pod", new, old), &settings);
    assert_psp_rejected(&response, &["metadata.annotations[container.apparmor.security.beta.kubernetes.io/app] (container \"app\"): Invalid value: \"unconfined\": AppArmor profile is not allowed; allowed: \"runtime/default\""], "apparmor annotation update");
}

#[test]
fn delete_and_connect_are_accepted_and_never_mutated() {
    // Defaulting on too: a DELETE must not be answered with a mutation (policy-server refuses one).
    let mut defaulting = strict();
    defaulting["mutating"] = json!(true);
    for s in [strict(), defaulting] {
        let delete = request("Pod", "DELETE", violating_pod());
        assert!(delete["object"].is_null());
        assert_accepted_unchanged(&validate(&delete, &s), "DELETE");
        assert_eq!(host().review(&delete, &s)["allowed"], json!(true));
        for (kind, _) in WORKLOADS {
            let delete = request(
                kind,
                "DELETE",
                object_of(kind, Value::Null, privileged_spec()),
            );
            assert_accepted_unchanged(&validate(&delete, &s), kind);
        }
    }
    let connect = RequestBuilder::new(
        "Pod",
        "CONNECT",
        json!({"apiVersion": "v1", "kind": "PodExecOptions", "command": ["sh"], "container": "app", "stdin": true, "tty": true}),
    )
    .sub_resource("exec")
    .build();
    assert_accepted_unchanged(&validate(&connect, &strict()), "CONNECT exec");
}

#[test]
fn the_status_subresource_is_accepted() {
    let old = violating_pod();
    let mut new = old.clone();
    new["status"]["phase"] = json!("Succeeded");
    let status = RequestBuilder::new("Pod", "UPDATE", new)
        .old_object(old)
        .sub_resource("status")
        .build();
    assert_accepted_unchanged(&validate(&status, &strict()), "pods/status");
    let scale = RequestBuilder::new(
        "Deployment",
        "UPDATE",
        json!({"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": "w"}, "spec": {"replicas": 3}}),
    )
    .sub_resource("scale")
    .build();
    assert_accepted_unchanged(&validate(&scale, &strict()), "deployments/scale");
}

#[test]
fn an_unrelated_kind_is_accepted() {
    let config_map = json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "c", "namespace": "default"},
        "data": {"spec": "privileged: true"},
    });
    assert_accepted_unchanged(
        &validate(&create("ConfigMap", config_map), &strict()),
        "ConfigMap",
    );
}

// ---------------------------------------------------------------------------------------------
// Malformed objects: rejected with a clear message, never an Err or a trap.

#[test]
fn a_null_object_is_rejected() {
    for (kind, _) in KINDS {
        let req = create(kind, Value::Null);
        assert!(req["object"].is_null());
        assert_rejected(
            &validate(&req, &strict()),
            "the request has no object to evaluate (operation \"CREATE\")",
            kind,
        );
    }
}

#[test]
fn an_array_object_is_rejected() {
    for (kind, _) in KINDS {
        let req = create(
            kind,
            json!([object_of(kind, Value::Null, compliant_spec())]),
        );
        let response = validate(&req, &strict());
        assert_rejected(
            &response,
            &format!("the {kind} object is not a JSON object"),
            kind,
        );
    }
}

#[test]
fn a_string_where_a_bool_is_expected_is_rejected_naming_the_field() {
    for (kind, spec_path) in KINDS {
        let mut sc = hardened();
        sc["privileged"] = json!("false");
        let object = object_of(
            kind,
            Value::Null,
            json!({"containers": [container("app", sc)]}),
        );
        let response = validate(&create(kind, object), &strict());
        assert_rejected_mentioning(
            &response,
            &[
                &format!("the {kind} object is malformed at {spec_path}.containers[0].securityContext.privileged"),
                "invalid type: string \"false\", expected a boolean",
            ],
            kind,
        );
    }
}

#[test]
fn a_pod_whose_kind_says_deployment_is_rejected() {
    let mut object = pod(compliant_spec());
    object["kind"] = json!("Deployment");
    object["apiVersion"] = json!("apps/v1");
    let response = validate(&create("Pod", object), &strict());
    assert_rejected(
        &response,
        "the object is of kind \"Deployment\" but the request is for kind \"Pod\"",
        "kind mismatch",
    );
}

#[test]
fn an_object_without_its_pod_spec_is_rejected() {
    for (kind, spec_path) in KINDS {
        let mut object = object_of(kind, Value::Null, compliant_spec());
        remove_path(&mut object, spec_path);
        let response = validate(&create(kind, object), &strict());
        assert_rejected(&response, &format!("{spec_path} is missing"), kind);
    }
}

#[test]
fn a_wrongly_typed_list_is_rejected_in_a_cronjob_at_its_nested_path() {
    let object = object_of(
        "CronJob",
        Value::Null,
        json!({"containers": {"name": "app"}}),
    );
    let response = validate(&create("CronJob", object), &strict());
    assert_rejected_mentioning(
        &response,
        &["the CronJob object is malformed at spec.jobTemplate.spec.template.spec.containers"],
        "CronJob",
    );
}
