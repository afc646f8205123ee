//! What policy-server makes of a guest's answer: the JSONPatch of a mutation and the
//! `admission.k8s.io/v1` AdmissionResponse it answers the API server with.

use anyhow::{anyhow, Context, Result};
use base64::Engine as _;
use serde_json::{json, Value};

use crate::policy_host::PolicyHost;
use crate::responses::ValidationResponse;

/// The RFC 6902 JSONPatch from `original` to `mutated`, computed as policy-server does
/// (`json_patch::diff`), as a list of operations (`{"op", "path", "value"?, "from"?}`).
pub fn json_patch(original: &Value, mutated: &Value) -> Vec<Value> {
    match serde_json::to_value(json_patch::diff(original, mutated)) {
        Ok(Value::Array(operations)) => operations,
        other => panic!("a JSONPatch serialises to an array, got {other:?}"),
    }
}

/// Applies JSONPatch `operations` to `original` (to check that a patch rebuilds the mutation).
pub fn apply_json_patch(original: &Value, operations: &[Value]) -> Result<Value> {
    let patch: json_patch::Patch =
        serde_json::from_value(Value::Array(operations.to_vec())).context("not a JSONPatch")?;
    let mut document = original.clone();
    json_patch::patch(&mut document, &patch).map_err(|e| anyhow!("cannot apply patch: {e}"))?;
    Ok(document)
}

/// The `admission.k8s.io/v1` AdmissionResponse policy-server answers the API server with, for
/// `response` to `request`: `allowed`, `status {message, code}`, `patchType`/`patch` (base64
/// JSONPatch, only when the mutation changes something), `auditAnnotations`, `warnings`. A
/// mutation of a request without `object` (DELETE) is rejected, as policy-server does.
pub fn admission_response(request: &Value, response: &ValidationResponse) -> Value {
    let uid = request.get("uid").cloned().unwrap_or(Value::Null);
    let object = request.get("object").filter(|o| !o.is_null());
    if response.mutated_object.is_some() && object.is_none() {
        return json!({
            "uid": uid,
            "allowed": false,
            "status": {"message": "Incoming object is null, which happens only with DELETE operations, but the policy is attempting a mutation. This is not allowed"},
            "auditAnnotations": null,
            "warnings": null,
        });
    }
    let mut answer = json!({
        "uid": uid,
        "allowed": response.accepted,
        "auditAnnotations": response.audit_annotations,
        "warnings": response.warnings,
    });
    let patch = response.patch(request);
    if !patch.is_empty() {
        let encoded = base64::engine::general_purpose::STANDARD
            .encode(serde_json::to_string(&patch).expect("a JSONPatch serialises"));
        answer["patchType"] = json!("JSONPatch");
        answer["patch"] = json!(encoded);
    }
    if response.message.is_some() || response.code.is_some() {
        let mut status = serde_json::Map::new();
        if let Some(message) = &response.message {
            status.insert("message".into(), json!(message));
        }
        if let Some(code) = response.code {
            status.insert("code".into(), json!(code));
        }
        answer["status"] = Value::Object(status);
    }
    answer
}

impl PolicyHost {
    /// Evaluates `request` as policy-server would and returns its AdmissionResponse (see
    /// [`admission_response`]); a failed evaluation is its `500` rejection.
    pub fn review(&self, request: &Value, settings: &Value) -> Value {
        match self.validate(request, settings) {
            Ok(response) => admission_response(request, &response),
            Err(e) => json!({
                "uid": request.get("uid").cloned().unwrap_or(Value::Null),
                "allowed": false,
                "status": {"message": format!("internal server error: {e:#}"), "code": 500},
                "auditAnnotations": null,
                "warnings": null,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::request;
    use crate::test_guest::{guest, with_replaced};

    #[test]
    fn validate_parses_the_response_and_computes_the_patch() {
        let req = request(
            "Pod",
            "CREATE",
            json!({"a": 1, "apiVersion": "v1", "kind": "Pod"}),
        );
        let response = guest().validate(&req, &json!({})).unwrap();
        assert!(response.accepted);
        assert_eq!(response.message(), "");
        assert_eq!(
            response.patch(&req),
            vec![
                json!({"op": "add", "path": "/b", "value": [2]}),
                json!({"op": "remove", "path": "/apiVersion"}),
                json!({"op": "remove", "path": "/kind"}),
            ]
        );
        let answer = admission_response(&req, &response);
        assert_eq!(answer["allowed"], json!(true));
        assert_eq!(answer["patchType"], json!("JSONPatch"));
        assert_eq!(answer["uid"], req["uid"]);
    }

    #[test]
    fn review_answers_like_policy_server() {
        let req = request("Pod", "CREATE", json!({"a": 1}));
        let answer = guest().review(&req, &json!({}));
        assert_eq!(answer["allowed"], json!(true));
        assert_eq!(answer["patchType"], json!("JSONPatch"));

        let host = with_replaced(
            "(call $guest_response (i32.const 32) (i32.const 50))",
            "unreachable",
        );
        let answer = host.review(&req, &json!({}));
        assert_eq!(answer["allowed"], json!(false));
        assert_eq!(answer["status"]["code"], json!(500));
        assert_eq!(answer["uid"], req["uid"]);
    }

    #[test]
    fn json_patch_matches_policy_server_and_applies() {
        let original = json!({"spec": {"containers": [{"name": "a"}]}});
        let mutated = json!({"spec": {"containers": [{"name": "a", "securityContext": {"readOnlyRootFilesystem": true}}]}});
        let ops = json_patch(&original, &mutated);
        assert_eq!(
            ops,
            vec![json!({
                "op": "add",
                "path": "/spec/containers/0/securityContext",
                "value": {"readOnlyRootFilesystem": true}
            })]
        );
        assert_eq!(apply_json_patch(&original, &ops).unwrap(), mutated);
        assert!(json_patch(&original, &original).is_empty());
    }

    #[test]
    fn a_mutation_of_a_delete_is_rejected_like_policy_server_does() {
        let req = request("Pod", "DELETE", json!({"metadata": {"name": "p"}}));
        let response = ValidationResponse {
            accepted: true,
            message: None,
            code: None,
            mutated_object: Some(json!({})),
            audit_annotations: None,
            warnings: None,
        };
        assert_eq!(admission_response(&req, &response)["allowed"], json!(false));
    }
}
