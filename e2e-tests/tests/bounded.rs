//! Bounded evaluation: requests far larger than usual evaluate through the built `policy.wasm` without a
//! trap, an out-of-memory or a guest error, and JSON nested deeper than the API server accepts is refused
//! with a message, not a crash.
//!
//! These tests assert answers, never durations: they run on a host whose deadline is far above policy-server's
//! 2 s default, so that a loaded machine cannot fail them. Each prints how long its evaluation took (run with
//! `--nocapture` to see it); those numbers are compared with the 2 s default in the project's notes.

mod common;

use common::*;
use psp_host::{wasm_path, PolicyHost};
use serde_json::{json, Value};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The built module, with a deadline that only a hang can reach.
fn patient_host() -> &'static PolicyHost {
    static HOST: OnceLock<PolicyHost> = OnceLock::new();
    HOST.get_or_init(|| {
        PolicyHost::load(wasm_path())
            .unwrap_or_else(|e| panic!("{e:#}"))
            .with_timeout(Duration::from_secs(300))
    })
}

/// Evaluates `payload` (raw bytes) and prints how long it took under `label`.
fn timed_raw(label: &str, payload: &[u8]) -> ValidationResponse {
    let started = Instant::now();
    let answer = patient_host()
        .call("validate", payload)
        .unwrap_or_else(|e| panic!("{label}: validate must answer, not fail: {e:#}"));
    let elapsed = started.elapsed();
    let response: ValidationResponse = serde_json::from_slice(&answer)
        .unwrap_or_else(|e| panic!("{label}: not a ValidationResponse: {e}"));
    eprintln!(
        "[bounded] {label}: payload {} bytes, answer {} bytes, {:.1} ms in the module",
        payload.len(),
        answer.len(),
        elapsed.as_secs_f64() * 1000.0
    );
    response
}

/// Evaluates `request` under the example settings of an AI data platform, which default three fields
/// of every container, and prints how long it took under `label`.
fn timed(label: &str, request: &Value) -> ValidationResponse {
    let payload = json!({"request": request, "settings": ai_data_security()});
    timed_raw(label, &serde_json::to_vec(&payload).unwrap())
}

/// A container that satisfies the AI data settings without any default, with `env_vars` environment variables
/// (a field the policy never reads) of `value_len` characters each.
fn hardened_container(name: &str, env_vars: usize, value_len: usize) -> Value {
    let env: Vec<Value> = (0..env_vars)
        .map(|i| json!({"name": format!("VAR_{i}"), "value": "v".repeat(value_len)}))
        .collect();
    json!({
        "name": name,
        "image": "registry.example.com/app:1.0",
        "env": env,
        "securityContext": {"runAsNonRoot": true, "readOnlyRootFilesystem": true, "allowPrivilegeEscalation": false},
    })
}

/// A ~5 MB Pod: 1 MB of annotations (which the policy reads), 1 MB of managedFields and 3 MB of environment
/// variables over 100 containers (which it skips).
fn five_megabyte_pod() -> Value {
    let annotations: serde_json::Map<String, Value> = (0..100)
        .map(|i| (format!("example.com/note-{i}"), json!("a".repeat(10_000))))
        .collect();
    let managed_fields: Vec<Value> = (0..100)
        .map(|i| {
            json!({"manager": format!("m{i}"), "operation": "Update", "fieldsType": "FieldsV1",
                   "fieldsV1": {"f:metadata": {"f:annotations": {"f:x": {}}}, "f:blob": "b".repeat(10_000)}})
        })
        .collect();
    let containers: Vec<Value> = (0..100)
        .map(|i| hardened_container(&format!("c{i}"), 300, 80))
        .collect();
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "big", "namespace": "default", "annotations": annotations, "managedFields": managed_fields},
        "spec": {"containers": containers},
    })
}

#[test]
fn a_five_megabyte_pod_is_evaluated() {
    let pod = five_megabyte_pod();
    let size = pod.to_string().len();
    assert!(
        (5_000_000..6_000_000).contains(&size),
        "the pod is {size} bytes"
    );

    let response = timed("5 MB compliant pod", &create("Pod", pod.clone()));
    assert!(response.accepted, "{:?}", response.message);
    assert_eq!(response.mutated_object, None, "nothing to default");

    let mut privileged = pod.clone();
    privileged["spec"]["containers"][99]["securityContext"]["privileged"] = json!(true);
    let response = timed(
        "5 MB pod, last container privileged",
        &create("Pod", privileged),
    );
    assert_rejected(&response, "PodSecurityPolicy: spec.containers[99].securityContext.privileged (container \"c99\"): Invalid \
         value: true: privileged containers are not allowed; allowed: false", "the last container privileged");

    // Every container needs its three defaults: the whole 5 MB object comes back, mutated.
    let mut bare = pod;
    for container in bare["spec"]["containers"].as_array_mut().unwrap() {
        container.as_object_mut().unwrap().remove("securityContext");
    }
    let req = create("Pod", bare);
    let response = timed("5 MB pod, 100 containers to default", &req);
    assert!(response.accepted, "{:?}", response.message);
    let patch = response.patch(&req);
    assert_eq!(patch.len(), 100, "one securityContext added per container");
    assert_eq!(
        patch[99],
        add_op(
            "/spec/containers/99/securityContext",
            json!({"runAsNonRoot": true, "readOnlyRootFilesystem": true, "allowPrivilegeEscalation": false})
        )
    );
}

/// The worst shape per byte: 5 MB of minimal containers (about 165,000), every one to default.
#[test]
fn five_megabytes_of_minimal_containers_are_evaluated() {
    let containers: Vec<Value> = (0..165_000)
        .map(|i| json!({"name": format!("c{i}"), "image": "b"}))
        .collect();
    let req = create("Pod", pod_with_containers(containers));
    let size = req["object"].to_string().len();
    assert!((4_500_000..6_000_000).contains(&size), "{size} bytes");
    let response = timed("5 MB of minimal containers to default", &req);
    assert!(response.accepted, "{:?}", response.message);
    let mutated = response
        .mutated_object
        .expect("every container is defaulted");
    assert_eq!(
        mutated["spec"]["containers"][164_999]["securityContext"],
        json!({"runAsNonRoot": true, "readOnlyRootFilesystem": true, "allowPrivilegeEscalation": false})
    );
}

fn pod_with_containers(containers: Vec<Value>) -> Value {
    pod(json!({"containers": containers}))
}

#[test]
fn a_pod_of_ten_thousand_containers_is_evaluated() {
    let bare: Vec<Value> = (0..10_000)
        .map(|i| json!({"name": format!("c{i}"), "image": "registry.example.com/app:1.0"}))
        .collect();

    // Defaults for all 10,000 containers.
    let req = create("Pod", pod_with_containers(bare.clone()));
    let response = timed("10,000 containers to default", &req);
    assert!(response.accepted, "{:?}", response.message);
    let patch = response.patch(&req);
    assert_eq!(patch.len(), 10_000);
    assert_eq!(
        patch[9_999]["path"],
        json!("/spec/containers/9999/securityContext")
    );

    // One violation, in the last one.
    let mut one_bad = bare.clone();
    one_bad[9_999]["securityContext"] = json!({"privileged": true});
    let response = timed(
        "10,000 containers, the last privileged",
        &create("Pod", pod_with_containers(one_bad)),
    );
    assert_rejected(&response, "PodSecurityPolicy: spec.containers[9999].securityContext.privileged (container \"c9999\"): \
         Invalid value: true: privileged containers are not allowed; allowed: false", "the last container privileged");

    // 10,000 violations: every one is reported.
    let all_bad: Vec<Value> = bare
        .into_iter()
        .map(|mut c| {
            c["securityContext"] = json!({"privileged": true});
            c
        })
        .collect();
    let response = timed(
        "10,000 privileged containers",
        &create("Pod", pod_with_containers(all_bad)),
    );
    assert!(!response.accepted);
    let message = response.message();
    assert_eq!(
        message
            .matches("privileged containers are not allowed")
            .count(),
        10_000
    );
    assert!(message.starts_with(
        "PodSecurityPolicy: spec.containers[0].securityContext.privileged (container \"c0\"): Invalid value: true: \
         privileged containers are not allowed; allowed: false; spec.containers[1]"
    ));
    assert!(message.ends_with(
        "; spec.containers[9999].securityContext.privileged (container \"c9999\"): Invalid value: true: privileged \
         containers are not allowed; allowed: false"
    ));
}

#[test]
fn a_deployment_of_ten_thousand_containers_of_each_kind_is_evaluated() {
    let containers = |prefix: &str| -> Vec<Value> {
        (0..10_000)
            .map(|i| json!({"name": format!("{prefix}{i}"), "image": "busybox"}))
            .collect()
    };
    let deployment = json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "wide", "namespace": "default"},
        "spec": {"template": {"spec": {
            "initContainers": containers("i"),
            "containers": containers("c"),
            "ephemeralContainers": containers("e"),
        }}},
    });
    let req = create("Deployment", deployment);
    let response = timed("Deployment, 3 x 10,000 containers to default", &req);
    assert!(response.accepted, "{:?}", response.message);
    assert_eq!(response.patch(&req).len(), 30_000);
}

/// `depth` nested arrays around `inner`, as text (serde_json::Value could not be dropped that deep safely).
fn nested_arrays(depth: usize, inner: &str) -> String {
    format!("{}{inner}{}", "[".repeat(depth), "]".repeat(depth))
}

/// A CREATE of the Pod `object` (JSON text) under the example settings of an AI data platform, which
/// default three fields of every container.
fn ai_data_payload(object: &str) -> Vec<u8> {
    raw_payload("Pod", object, &ai_data_security().to_string()).into_bytes()
}

/// A compliant pod (nothing to default) with `value` in `metadata.managedFields[0].fieldsV1`, a field the
/// policy never reads.
fn pod_with_unread(value: &str) -> String {
    format!(
        r#"{{"apiVersion": "v1", "kind": "Pod",
            "metadata": {{"name": "deep", "managedFields": [{{"manager": "m", "fieldsV1": {{"f:x": {value}}}}}]}},
            "spec": {{"containers": [{{"name": "app", "securityContext":
                {{"runAsNonRoot": true, "readOnlyRootFilesystem": true, "allowPrivilegeEscalation": false}}}}]}}}}"#
    )
}

/// JSON nested deeper than the API server accepts, with what it is: 10,001 arrays, 10,001 objects.
fn too_deep() -> [(&'static str, String); 2] {
    [
        ("10,001 nested arrays", nested_arrays(10_001, "1")),
        (
            "10,001 nested objects",
            format!("{}1{}", r#"{"a":"#.repeat(10_001), "}".repeat(10_001)),
        ),
    ]
}

/// The Kubernetes API server refuses JSON nested deeper than 10,000 levels (Go's encoding/json limit); nothing
/// that deep can reach the policy from a real cluster, and when it does, it must be refused with a message.
///
/// The policy checks the depth of the object before its one typed parse (which skips unread fields at any
/// depth), so the verdict does not depend on whether defaults apply.
#[test]
fn nesting_deeper_than_the_api_server_accepts_in_an_unread_field_is_refused() {
    for (label, nested) in too_deep() {
        let response = timed_raw(
            &format!("{label} in an unread field"),
            &ai_data_payload(&pod_with_unread(&nested)),
        );
        assert_rejected(
            &response,
            "the Pod object nests deeper than 128 levels, more than any pod needs",
            label,
        );
    }
}

/// The same nesting in a pod that gets defaults is refused, naming the limit; no trap, no stack overflow.
#[test]
fn nesting_deeper_than_the_api_server_accepts_in_a_pod_to_default_is_refused_with_a_message() {
    for (label, nested) in too_deep() {
        let object = pod_with_unread(&nested).replace(
            r#"{"runAsNonRoot": true, "readOnlyRootFilesystem": true, "allowPrivilegeEscalation": false}"#,
            "{}",
        );
        let response = timed_raw(
            &format!("{label} in an unread field of a pod to default"),
            &ai_data_payload(&object),
        );
        assert_rejected(
            &response,
            "the Pod object nests deeper than 128 levels, more than any pod needs",
            label,
        );
    }
}

/// The same depth where the policy reads a field is refused by the depth check too; in the settings, at the
/// first level that has the wrong type, naming the field.
#[test]
fn nesting_in_read_fields_and_in_settings_is_refused_with_a_message() {
    let deep = nested_arrays(10_001, "true");
    let object = format!(
        r#"{{"kind": "Pod", "spec": {{"containers": [{{"name": "app", "securityContext": {{"privileged": {deep}}}}}]}}}}"#
    );
    let response = timed_raw(
        "10,001 nested arrays in a read field",
        &ai_data_payload(&object),
    );
    assert_rejected(
        &response,
        "the Pod object nests deeper than 128 levels, more than any pod needs",
        "a read field",
    );

    let settings = format!(r#"{{"profile": "restricted", "annotations": {{"x": {deep}}}}}"#);
    let payload = format!(
        r#"{{"request": {{"kind": {{"kind": "Pod"}}, "operation": "CREATE", "object": {{"kind": "Pod", "spec": {{}}}}}},
            "settings": {settings}}}"#
    );
    let response = timed_raw("10,001 nested arrays in the settings", payload.as_bytes());
    assert_rejected_starting_with(
        &response,
        "invalid settings: annotations.x: invalid type: sequence, expected a string",
        "the settings",
    );
    let answer = patient_host()
        .call("validate_settings", settings.as_bytes())
        .expect("validate_settings answers");
    let answer: Value = serde_json::from_slice(&answer).unwrap();
    assert_eq!(answer["valid"], json!(false), "{answer}");
    assert!(
        answer["message"].as_str().is_some_and(
            |m| m.starts_with("annotations.x: invalid type: sequence, expected a string")
        ),
        "{answer}"
    );
}

/// Nesting that real objects have (managedFields mirror the object, a few dozen levels) is not refused.
#[test]
fn ordinary_nesting_is_accepted() {
    let response = timed_raw(
        "64 nested arrays in an unread field",
        &ai_data_payload(&pod_with_unread(&nested_arrays(64, "1"))),
    );
    assert!(response.accepted, "{response:?}");
    assert_eq!(response.mutated_object, None);
}
