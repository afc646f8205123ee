//! End-to-end checks of the built `policy.wasm` through the waPC wire format only: what any
//! Kubewarden host (kwctl, policy-server) sees. Build the module first (`make policy.wasm`, or
//! `make e2e-tests` which does it); `$POLICY_WASM` points at another module.

use psp_host::{example_settings, request, PolicyHost, ValidationResponse};
use serde_json::{json, Value};

fn host() -> &'static PolicyHost {
    PolicyHost::shared().unwrap_or_else(|e| panic!("{e:#}"))
}

fn ai_data_security() -> Value {
    example_settings("ai-data-security.yml").expect("examples/settings/ai-data-security.yml")
}

fn validate(request: &Value, settings: &Value) -> ValidationResponse {
    host()
        .validate(request, settings)
        .unwrap_or_else(|e| panic!("validate must answer, not fail: {e:#}"))
}

fn compliant_pod() -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "compliant", "namespace": "default"},
        "spec": {
            "securityContext": {"runAsNonRoot": true},
            "containers": [{
                "name": "app",
                "image": "registry.example.com/app:1.0",
                "securityContext": {
                    "runAsNonRoot": true,
                    "readOnlyRootFilesystem": true,
                    "allowPrivilegeEscalation": false
                },
                "volumeMounts": [
                    {"name": "config", "mountPath": "/etc/app", "readOnly": true},
                    {"name": "scratch", "mountPath": "/tmp"}
                ]
            }],
            "volumes": [
                {"name": "config", "configMap": {"name": "app-config"}},
                {"name": "scratch", "emptyDir": {}}
            ]
        }
    })
}

#[test]
fn protocol_version_is_v1() {
    assert_eq!(host().protocol_version().unwrap(), "v1");
}

#[test]
fn the_ai_data_security_example_settings_are_valid() {
    let answer = host().validate_settings(&ai_data_security()).unwrap();
    assert!(answer.valid, "{:?}", answer.message);
}

#[test]
fn a_misspelled_settings_key_is_invalid_and_named() {
    let settings = json!({
        "privilegd": false,
        "runAsUser": {"rule": "RunAsAny"},
        "seLinux": {"rule": "RunAsAny"},
        "supplementalGroups": {"rule": "RunAsAny"},
        "fsGroup": {"rule": "RunAsAny"}
    });
    let answer = host().validate_settings(&settings).unwrap();
    assert!(!answer.valid, "a misspelled key must not be ignored");
    assert!(
        answer.message().contains("privilegd"),
        "{:?}",
        answer.message
    );
}

#[test]
fn a_privileged_pod_is_rejected_with_the_field_path() {
    let pod = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "privileged", "namespace": "default"},
        "spec": {
            "containers": [{
                "name": "app",
                "image": "registry.example.com/app:1.0",
                "securityContext": {"privileged": true}
            }]
        }
    });
    let response = validate(&request("Pod", "CREATE", pod), &ai_data_security());
    assert!(!response.accepted, "{response:?}");
    assert!(
        response
            .message()
            .contains("spec.containers[0].securityContext.privileged"),
        "{:?}",
        response.message
    );
}

#[test]
fn a_compliant_pod_is_accepted() {
    let req = request("Pod", "CREATE", compliant_pod());
    let response = validate(&req, &ai_data_security());
    assert!(response.accepted, "{:?}", response.message);
    assert_eq!(
        response.patch(&req),
        Vec::<Value>::new(),
        "nothing to default on a pod that sets everything"
    );
}

#[test]
fn a_request_whose_object_is_an_array_is_rejected_not_a_trap() {
    let req = request("Pod", "CREATE", json!([compliant_pod()]));
    assert!(req["object"].is_array());
    let response = validate(&req, &ai_data_security());
    assert!(!response.accepted, "fail closed: {response:?}");
}
