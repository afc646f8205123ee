//! What the fuzz targets share: the oracle that every evaluation must satisfy, and (in [`mutate`]) the
//! structure-aware mutator of `evaluate_structured`.
//!
//! A panic here is a finding: libFuzzer saves the input under `fuzz/artifacts/<target>/`.

pub mod mutate;
mod rng;

use pod_security_policy::{evaluate, validate_settings, Policy};
use serde_json::Value;

/// Evaluates `payload` and checks what must hold for any input:
/// - `evaluate` returns (it never fails; a panic, an overflow or an out-of-bounds index is a crash);
/// - a denial has a non-empty message, an acceptance none; a denial carries no mutation;
/// - the answer serialises (the `validate` function returns it as JSON);
/// - the JSON defaults never fail to apply to an object that parsed ("cannot write the default");
/// - an accepted mutation, submitted again in the same request, is accepted with no further change.
pub fn check_evaluation(payload: &[u8]) {
    let response = evaluate(payload);
    match &response.message {
        Some(message) => {
            assert!(
                !response.accepted,
                "an acceptance with a message: {message}"
            );
            assert!(!message.is_empty(), "a denial without a message");
            assert!(
                !message.starts_with("cannot write the default"),
                "the JSON defaults did not follow the typed ones: {message}"
            );
            assert!(
                response.mutated_object.is_none(),
                "a denial with a mutation"
            );
        }
        None => assert!(response.accepted, "a denial without a message"),
    }
    if let Err(e) = serde_json::to_vec(&response) {
        panic!("the answer does not serialise: {e}");
    }
    let Some(mutated) = response.mutated_object.as_ref() else {
        return;
    };
    // The payload was read as an envelope; as a `Value` it may still be unreadable (nesting deeper than
    // serde_json's limit outside the object, a number out of f64's range in an unread field): nothing to resubmit.
    let Ok(mut envelope) = serde_json::from_slice::<Value>(payload) else {
        return;
    };
    if !replace_object(&mut envelope, mutated.clone()) {
        panic!("an accepted mutation of a payload without a request object");
    }
    let resubmitted = serde_json::to_vec(&envelope).expect("a Value serialises");
    let again = evaluate(&resubmitted);
    assert!(
        again.accepted,
        "the mutated object is denied: {:?}\nmutated: {mutated}",
        again.message
    );
    assert!(
        again.mutated_object.is_none(),
        "a second mutation of the mutated object: {mutated}"
    );
}

/// Puts `object` in place of the request's object. serde reads a struct from an object or, by position, from an
/// array, so the envelope and the request may each be either.
fn replace_object(envelope: &mut Value, object: Value) -> bool {
    let request = match envelope {
        Value::Object(map) => map.get_mut("request"),
        Value::Array(items) => items.get_mut(0),
        _ => None,
    };
    match request {
        Some(Value::Object(map)) => {
            map.insert("object".to_string(), object);
            true
        }
        // uid, kind, subResource, operation, namespace, userInfo, object, oldObject
        Some(Value::Array(items)) => match items.get_mut(6) {
            Some(slot) => {
                *slot = object;
                true
            }
            None => false,
        },
        _ => false,
    }
}

/// Requests that every valid settings document judges in `settings_raw`: a bare pod, a pod with something
/// of every family set, and a CronJob.
const REQUESTS: [&str; 3] = [
    r#"{"uid": "1", "kind": {"group": "", "version": "v1", "kind": "Pod"}, "operation": "CREATE",
        "namespace": "default", "userInfo": {"username": "u"},
        "object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                   "spec": {"containers": [{"name": "app", "image": "busybox"}]}}}"#,
    r#"{"uid": "2", "kind": {"group": "", "version": "v1", "kind": "Pod"}, "operation": "CREATE",
        "namespace": "default", "userInfo": {"username": "u"},
        "object": {"apiVersion": "v1", "kind": "Pod",
          "metadata": {"name": "p", "annotations": {"seccomp.security.alpha.kubernetes.io/pod": "runtime/default",
                                                   "container.apparmor.security.beta.kubernetes.io/app": "localhost/x"}},
          "spec": {"hostNetwork": false, "runtimeClassName": "gvisor",
            "securityContext": {"runAsUser": 1000, "runAsGroup": 1000, "fsGroup": 100, "supplementalGroups": [100],
              "seLinuxOptions": {"type": "container_t", "level": "s0:c1,c2"},
              "sysctls": [{"name": "net.core.somaxconn", "value": "1"}]},
            "initContainers": [{"name": "init", "securityContext": {"capabilities": {"add": ["chown"], "drop": ["ALL"]}}}],
            "containers": [{"name": "app", "ports": [{"containerPort": 80, "hostPort": 8080}],
              "securityContext": {"privileged": false, "readOnlyRootFilesystem": true, "allowPrivilegeEscalation": false,
                "runAsNonRoot": true, "procMount": "Default", "seccompProfile": {"type": "RuntimeDefault"}},
              "volumeMounts": [{"name": "data", "mountPath": "/data", "readOnly": true}]}],
            "ephemeralContainers": [{"name": "debug", "securityContext": {"appArmorProfile": {"type": "Unconfined"}}}],
            "volumes": [{"name": "data", "hostPath": {"path": "/data/ai/models"}},
                        {"name": "csi", "csi": {"driver": "ebs.csi.aws.com"}}]}}}"#,
    r#"{"uid": "3", "kind": {"group": "batch", "version": "v1", "kind": "CronJob"}, "operation": "UPDATE",
        "namespace": "default", "userInfo": {"username": "u"},
        "object": {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"},
          "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": {"spec": {
            "containers": [{"name": "job", "securityContext": {"runAsUser": 0}}]}}}}}}}"#,
];

/// Validates `settings` both ways and checks that they agree; settings that are valid then judge
/// [`REQUESTS`] under the oracle of [`check_evaluation`].
pub fn check_settings(settings: &[u8]) {
    let answer = match validate_settings(settings) {
        Ok(answer) => answer,
        Err(e) => panic!("validate_settings failed instead of answering: {e}"),
    };
    let answer: Value = serde_json::from_slice(&answer).expect("validate_settings answers JSON");
    let valid = answer.get("valid").and_then(Value::as_bool);
    let direct = std::str::from_utf8(settings)
        .ok()
        .map(Policy::from_json)
        .map(|r| r.is_ok());
    assert_eq!(
        valid,
        Some(direct == Some(true)),
        "validate_settings and Policy::from_json disagree: {answer}"
    );
    if valid == Some(false) {
        assert!(
            answer
                .get("message")
                .and_then(Value::as_str)
                .is_some_and(|m| !m.is_empty()),
            "invalid settings without a message: {answer}"
        );
        return;
    }
    let Ok(text) = std::str::from_utf8(settings) else {
        return;
    };
    for request in REQUESTS {
        let payload = format!(r#"{{"request": {request}, "settings": {text}}}"#);
        check_evaluation(payload.as_bytes());
    }
}
