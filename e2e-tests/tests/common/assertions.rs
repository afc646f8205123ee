//! Assertions on the policy's answers.

use psp_host::{apply_json_patch, SettingsResponse, ValidationResponse};
use serde_json::Value;

use super::objects::{one_container, pod};
use super::requests::{create, host, validate};

/// `"PodSecurityPolicy: a; b"`: the message of a PSP rejection listing `violations`.
pub fn psp_message<S: AsRef<str>>(violations: &[S]) -> String {
    let violations: Vec<&str> = violations.iter().map(AsRef::as_ref).collect();
    format!("PodSecurityPolicy: {}", violations.join("; "))
}

/// The violation of the privileged container `name` at `container_path` (`spec.containers[0]`).
pub fn privileged_violation(container_path: &str, name: &str) -> String {
    format!(
        "{container_path}.securityContext.privileged (container {}): Invalid value: true: privileged containers \
         are not allowed; allowed: false",
        quoted(name)
    )
}

/// A JSON string literal for `s`, as messages quote values.
pub fn quoted(s: &str) -> String {
    Value::from(s).to_string()
}

/// Asserts that `response` accepts as it is: no message, no mutation, no audit annotation.
#[track_caller]
pub fn assert_accepted_unchanged(response: &ValidationResponse, context: &str) {
    assert!(
        response.accepted,
        "{context}: expected acceptance, got {:?}",
        response.message
    );
    assert_eq!(
        response.message, None,
        "{context}: an acceptance has no message"
    );
    assert_eq!(
        response.mutated_object, None,
        "{context}: expected no mutation"
    );
    assert_eq!(
        response.audit_annotations, None,
        "{context}: expected no audit annotation"
    );
}

/// Asserts that `response` to `request` accepts with exactly the JSONPatch `patch` (empty: the
/// object as it is).
#[track_caller]
pub fn assert_accepted_with_patch(
    response: &ValidationResponse,
    request: &Value,
    patch: Vec<Value>,
    context: &str,
) {
    assert!(
        response.accepted,
        "{context}: expected acceptance, got {:?}",
        response.message
    );
    assert_eq!(response.patch(request), patch, "{context}: the JSONPatch");
}

/// Asserts that `settings` are valid, as the policy itself answers.
#[track_caller]
pub fn assert_valid_settings(settings: &Value) {
    let answer = host()
        .validate_settings_strict(settings)
        .unwrap_or_else(|e| panic!("{settings}: validate_settings must answer, not fail: {e:#}"));
    assert!(
        answer.valid,
        "{settings} must be valid: {:?}",
        answer.message
    );
}

/// Asserts that `response` rejects with exactly `message`, with neither mutation nor audit
/// annotation.
#[track_caller]
pub fn assert_rejected(response: &ValidationResponse, message: &str, context: &str) {
    assert!(
        !response.accepted,
        "{context}: expected rejection with {message:?}, got acceptance (mutated: {:?})",
        response.mutated_object
    );
    assert_eq!(response.message(), message, "{context}");
    assert_eq!(
        response.mutated_object, None,
        "{context}: a rejection carries no mutation"
    );
    assert_eq!(
        response.audit_annotations, None,
        "{context}: a rejection carries no audit annotation"
    );
}

/// Asserts that `response` rejects with exactly these PodSecurityPolicy `violations`, in order.
#[track_caller]
pub fn assert_psp_rejected<S: AsRef<str>>(
    response: &ValidationResponse,
    violations: &[S],
    context: &str,
) {
    assert_rejected(response, &psp_message(violations), context);
}

/// Asserts that `response` rejects with a message that starts with `prefix`.
#[track_caller]
pub fn assert_rejected_starting_with(response: &ValidationResponse, prefix: &str, context: &str) {
    assert!(
        !response.accepted,
        "{context}: expected rejection, got acceptance (mutated: {:?})",
        response.mutated_object
    );
    assert!(
        response.message().starts_with(prefix),
        "{context}: the message must start with {prefix:?}: {:?}",
        response.message
    );
}

/// Asserts that `response` rejects with a message containing every one of `needles`.
#[track_caller]
pub fn assert_rejected_mentioning(response: &ValidationResponse, needles: &[&str], context: &str) {
    assert!(
        !response.accepted,
        "{context}: expected rejection, got acceptance (mutated: {:?})",
        response.mutated_object
    );
    for needle in needles {
        assert!(
            response.message().contains(needle),
            "{context}: message lacks {needle:?}: {:?}",
            response.message
        );
    }
}

/// Asserts that the policy itself refuses `settings` (`validate_settings` answers, with
/// `valid: false`) with a message containing every one of `needles`, and that a request evaluated
/// under them is rejected (fail closed) with that message. Returns the answer.
#[track_caller]
pub fn assert_refused(settings: &Value, needles: &[&str]) -> SettingsResponse {
    let answer = host()
        .validate_settings_strict(settings)
        .unwrap_or_else(|e| panic!("{settings}: validate_settings must answer, not fail: {e:#}"));
    assert!(!answer.valid, "{settings} must be refused");
    for needle in needles {
        assert!(
            answer.message().contains(needle),
            "{settings}: the message must name {needle:?}: {:?}",
            answer.message
        );
    }
    let response = validate(&create("Pod", pod(one_container(Value::Null))), settings);
    assert_rejected(
        &response,
        &format!("invalid settings: {}", answer.message()),
        &format!("a request under {settings}"),
    );
    answer
}

/// Applies the patch of `response` to the request's object (as the API server would), evaluates the
/// result again as a fresh CREATE of `kind`, and asserts it is accepted with no further mutation.
/// Returns the patched object.
#[track_caller]
pub fn assert_idempotent(
    kind: &str,
    req: &Value,
    response: &ValidationResponse,
    settings: &Value,
) -> Value {
    let patch = response.patch(req);
    let patched = apply_json_patch(&req["object"], &patch)
        .unwrap_or_else(|e| panic!("the patch must apply: {e:#}: {patch:?}"));
    if let Some(mutated) = &response.mutated_object {
        assert_eq!(
            &patched, mutated,
            "the patch must rebuild the mutated object"
        );
    }
    let again = validate(&create(kind, patched.clone()), settings);
    assert!(
        again.accepted,
        "{kind}: the defaulted object must be accepted: {:?}",
        again.message
    );
    assert_eq!(
        again.mutated_object,
        None,
        "{kind}: defaulting must be idempotent, got a second patch {:?}",
        again.patch(&create(kind, patched.clone()))
    );
    patched
}
