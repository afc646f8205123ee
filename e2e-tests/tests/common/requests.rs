//! Requests to the policy, and the host that evaluates them.

use psp_host::{request, PolicyHost, RequestBuilder, ValidationResponse};
use serde_json::{json, Value};

use super::objects::object_of;

/// The built module (`$POLICY_WASM`, else `<workspace>/policy.wasm`), loaded once.
pub fn host() -> &'static PolicyHost {
    PolicyHost::shared().unwrap_or_else(|e| panic!("{e:#}"))
}

/// `validate`, which must answer (a trap or guest error fails the test).
pub fn validate(request: &Value, settings: &Value) -> ValidationResponse {
    host()
        .validate(request, settings)
        .unwrap_or_else(|e| panic!("validate must answer, not fail: {e:#}\nrequest: {request}"))
}

/// `validate` with a raw payload: for JSON that `serde_json::Value` cannot hold (duplicate keys),
/// or envelopes with fields missing.
pub fn validate_raw(payload: &str) -> ValidationResponse {
    let answer = host()
        .call("validate", payload.as_bytes())
        .unwrap_or_else(|e| panic!("validate must answer, not fail: {e:#}\npayload: {payload}"));
    serde_json::from_slice(&answer).unwrap_or_else(|e| {
        panic!(
            "not a ValidationResponse ({e}): {}",
            String::from_utf8_lossy(&answer)
        )
    })
}

/// A CREATE of `object` (of `kind`).
pub fn create(kind: &str, object: Value) -> Value {
    request(kind, "CREATE", object)
}

/// A CREATE of an object of `kind` whose pod (template) has `spec` (see [`object_of`]).
pub fn create_with_spec(kind: &str, spec: Value) -> Value {
    create(kind, object_of(kind, Value::Null, spec))
}

/// An UPDATE of `object` from `old`.
pub fn update(kind: &str, object: Value, old: Value) -> Value {
    RequestBuilder::new(kind, "UPDATE", object)
        .old_object(old)
        .build()
}

/// One `add` operation of a JSONPatch: `value` at `path`.
pub fn add_op(path: impl AsRef<str>, value: Value) -> Value {
    json!({"op": "add", "path": path.as_ref(), "value": value})
}

/// One `replace` operation of a JSONPatch: `value` at `path`.
pub fn replace_op(path: impl AsRef<str>, value: Value) -> Value {
    json!({"op": "replace", "path": path.as_ref(), "value": value})
}

/// The payload of a CREATE of `object` (JSON text) of `kind` under `settings` (JSON text), written
/// by hand: for objects and settings that `serde_json::Value` cannot hold.
pub fn raw_payload(kind: &str, object: &str, settings: &str) -> String {
    format!(
        r#"{{"request": {{"uid": "raw-1", "kind": {{"group": "", "version": "v1", "kind": "{kind}"}},
            "resource": {{"group": "", "version": "v1", "resource": "pods"}}, "namespace": "default",
            "operation": "CREATE", "userInfo": {{"username": "mallory", "groups": ["system:authenticated"]}},
            "object": {object}, "oldObject": null, "dryRun": false}},
          "settings": {settings}}}"#
    )
}
