//! Requests that are not what they claim: no object, an object of another shape or kind, no
//! settings.

use super::*;
use serde_json::{json, Value};

fn with_object(object: Option<Value>) -> Value {
    let mut request = create(
        "Pod",
        pod(json!({"containers": [{"name": "app", "securityContext": {"privileged": true}}]})),
    );
    match object {
        Some(object) => request["object"] = object,
        None => {
            request.as_object_mut().unwrap().remove("object");
        }
    }
    request
}

/// Attack: a CREATE with no object at all: nothing to check must not mean nothing to refuse.
#[test]
fn a_request_without_an_object_is_denied() {
    let response = validate(&with_object(None), &settings(json!({})));
    assert_rejected(
        &response,
        "the request has no object to evaluate (operation \"CREATE\")",
        "the attack",
    );
}

/// Attack: a CREATE whose object is `null`.
#[test]
fn a_request_with_a_null_object_is_denied() {
    let response = validate(&with_object(Some(Value::Null)), &settings(json!({})));
    assert_rejected(
        &response,
        "the request has no object to evaluate (operation \"CREATE\")",
        "the attack",
    );
}

/// Attack: the object is an array holding a privileged pod (serde would read a struct from an array by
/// position).
#[test]
fn a_request_whose_object_is_an_array_is_denied() {
    let privileged = with_object(None);
    let object =
        pod(json!({"containers": [{"name": "app", "securityContext": {"privileged": true}}]}));
    let mut request = privileged;
    request["object"] = json!([
        object["apiVersion"],
        object["kind"],
        object["metadata"],
        object["spec"]
    ]);
    let response = validate(&request, &settings(json!({})));
    assert_rejected(
        &response,
        "the Pod object is not a JSON object",
        "the attack",
    );
}

/// Attack: the object is a JSON string holding a privileged pod.
#[test]
fn a_request_whose_object_is_a_string_is_denied() {
    let object =
        pod(json!({"containers": [{"name": "app", "securityContext": {"privileged": true}}]}));
    let response = validate(
        &with_object(Some(json!(object.to_string()))),
        &settings(json!({})),
    );
    assert_rejected(
        &response,
        "the Pod object is not a JSON object",
        "the attack",
    );
}

/// Attack: a request for a Pod whose object is a Deployment (whose template is privileged), and the reverse.
#[test]
fn a_request_whose_object_is_of_another_kind_is_denied() {
    let deployment = json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {"template": {"spec": {"containers": [{"name": "app", "securityContext": {"privileged": true}}]}}},
    });
    let response = validate(&with_object(Some(deployment)), &settings(json!({})));
    assert_rejected(
        &response,
        "the object is of kind \"Deployment\" but the request is for kind \"Pod\"",
        "the attack",
    );
    let privileged_pod =
        pod(json!({"containers": [{"name": "app", "securityContext": {"privileged": true}}]}));
    let response = validate(&create("Deployment", privileged_pod), &settings(json!({})));
    assert_rejected(
        &response,
        "the object is of kind \"Pod\" but the request is for kind \"Deployment\"",
        "the attack",
    );
}

/// Attack: the request carries no settings, or `null` settings: the policy must not run unconfigured
/// (accepting everything).
#[test]
fn a_request_without_settings_is_denied() {
    let privileged = with_object(Some(pod(
        json!({"containers": [{"name": "app", "securityContext": {"privileged": true}}]}),
    )));
    let missing = format!(r#"{{"request": {privileged}}}"#);
    let null = format!(r#"{{"request": {privileged}, "settings": null}}"#);
    let required = "invalid settings: runAsUser, seLinux, supplementalGroups, fsGroup: required: a \
                    PodSecurityPolicy spec must set runAsUser, seLinux, supplementalGroups and fsGroup (e.g. \
                    `rule: RunAsAny`); or name a `profile` (ai-data-security, restricted, baseline) or a \
                    `podSecurityStandard` level";
    for payload in [missing, null] {
        assert_rejected(&validate_raw(&payload), required, "the attack");
    }
    let array = format!(r#"{{"request": {privileged}, "settings": []}}"#);
    assert_rejected(
        &validate_raw(&array),
        "invalid settings: settings must be a JSON object",
        "the attack",
    );
}
