//! The request flow of `validate` and `validate_settings`.
//!
//! One evaluation: parse the envelope, validate the settings, skip what the policy does not judge (DELETE,
//! CONNECT, other API groups and kinds, other subresources, unchanged Pod updates, exemptions), parse the pod
//! once, fill in PSP's defaults, validate the defaulted pod against the PSP fields and the Pod Security
//! Standard, and answer with every violation at once or with the defaulted object. With several named
//! PodSecurityPolicies, the one PSP's admission plugin would have chosen (`policy::selection`) decides.

use crate::authorization::{Authorizer, Identity, Rbac, Requester, SubjectsBackend};
use crate::object::{Kind, PodObject};
use crate::patch::Defaults;
use crate::pod_update::pod_update_is_insignificant;
use crate::policy::selection::{select, Context, Selection, PSP_ANNOTATION};
use crate::policy::{Form, Policy, Several};
use crate::request::{AdmissionRequest, Envelope};
use crate::settings::AuthorizationMode;
use kubewarden_policy_sdk::response::ValidationResponse;
use kubewarden_policy_sdk::settings::SettingsValidationResponse;
use kubewarden_policy_sdk::wapc_guest::CallResult;
use serde_json::value::RawValue;
use std::collections::HashMap;

/// The audit annotation that says why a request was accepted without evaluation. The API server prefixes it
/// with the webhook's name (`<webhook>/exempt`), so it may not hold a `/` itself.
const EXEMPT_ANNOTATION: &str = "exempt";

/// The audit annotation that names the PodSecurityPolicy that admitted the request (PSP's
/// `podsecuritypolicy.policy.k8s.io/admit-policy`, without the prefix the API server adds).
const ADMIT_POLICY_ANNOTATION: &str = "admit-policy";

pub fn validate(payload: &[u8]) -> CallResult {
    Ok(serde_json::to_vec(&evaluate(payload))?)
}

pub fn validate_settings(payload: &[u8]) -> CallResult {
    let result = std::str::from_utf8(payload)
        .map_err(|e| format!("settings are not UTF-8: {e}"))
        .and_then(Policy::from_json);
    let response = match result {
        Ok(_) => SettingsValidationResponse {
            valid: true,
            message: None,
        },
        Err(message) => SettingsValidationResponse {
            valid: false,
            message: Some(message),
        },
    };
    Ok(serde_json::to_vec(&response)?)
}

/// The benchmark floor: parse the whole payload as JSON, as any policy must, and accept.
#[cfg(feature = "bench-floor")]
pub fn parse_only(payload: &[u8]) -> CallResult {
    let parsed: serde_json::Value = serde_json::from_slice(payload)?;
    let response = if parsed.is_object() {
        accept()
    } else {
        reject("not an object".into())
    };
    Ok(serde_json::to_vec(&response)?)
}

fn accept() -> ValidationResponse {
    ValidationResponse {
        accepted: true,
        message: None,
        code: None,
        mutated_object: None,
        audit_annotations: None,
        warnings: None,
    }
}

fn reject(message: String) -> ValidationResponse {
    ValidationResponse {
        accepted: false,
        message: Some(message),
        ..accept()
    }
}

fn exempt(reason: String) -> ValidationResponse {
    ValidationResponse {
        audit_annotations: Some(HashMap::from([(EXEMPT_ANNOTATION.to_string(), reason)])),
        ..accept()
    }
}

/// Evaluates one `validate` payload. Never fails: every problem becomes a rejection (fail closed).
pub fn evaluate(payload: &[u8]) -> ValidationResponse {
    let envelope: Envelope = match serde_json::from_slice(payload) {
        Ok(envelope) => envelope,
        Err(e) => return reject(format!("the admission request cannot be read: {e}")),
    };
    let policy = match Policy::from_json(envelope.settings.map_or("{}", |s| s.get())) {
        Ok(policy) => policy,
        Err(e) => return reject(format!("invalid settings: {e}")),
    };
    evaluate_request(&policy, &envelope.request)
}

fn evaluate_request(policy: &Policy, request: &AdmissionRequest) -> ValidationResponse {
    if matches!(request.operation.as_str(), "DELETE" | "CONNECT") {
        return accept();
    }
    // Other kinds, including another API group's kind of the same name, are not read.
    let Some(kind) = Kind::of(&request.kind.group, &request.kind.kind) else {
        return accept();
    };
    if !kind.carries_object(&request.sub_resource) {
        return accept();
    }
    let exemptions = policy.exemptions();
    if exemptions.usernames.contains(&request.user_info.username) {
        return exempt(format!("username {:?}", request.user_info.username));
    }
    if exemptions.namespaces.contains(&request.namespace) {
        return exempt(format!("namespace {:?}", request.namespace));
    }
    let Some(object) = request.object else {
        return reject(format!(
            "the request has no object to evaluate (operation {:?})",
            request.operation
        ));
    };
    if kind == Kind::Pod && request.operation == "UPDATE" && request.sub_resource.is_empty() {
        if let Some(old) = request.old_object {
            if pod_update_is_insignificant(object.get(), old.get()) {
                return accept();
            }
        }
    }
    let mut pod = match PodObject::parse(kind, object.get()) {
        Ok(pod) => pod,
        Err(e) => return reject(e),
    };
    if let Some(class) = &pod.spec.runtime_class_name {
        if exemptions.runtime_classes.contains(class) {
            return exempt(format!("runtimeClassName {class:?}"));
        }
    }

    let may_default = kind.defaults_on(&request.operation);
    let entry = match policy.form() {
        Form::Single(entry) => entry,
        Form::Several(several) => {
            return evaluate_several(several, kind, &pod, request, object, may_default)
        }
    };
    let mut defaults = Defaults::new(kind);
    if let Err(message) = entry.admit(&mut pod, &mut defaults, may_default) {
        return reject(message);
    }
    with_defaults(object, &defaults, accept())
}

/// `accepted`, with the object and its `defaults` as the mutated object when there are any.
fn with_defaults(
    object: &RawValue,
    defaults: &Defaults,
    accepted: ValidationResponse,
) -> ValidationResponse {
    if defaults.is_empty() {
        return accepted;
    }
    let mut mutated: serde_json::Value = match serde_json::from_str(object.get()) {
        Ok(value) => value,
        Err(e) => return reject(format!("the object cannot be read: {e}")),
    };
    if let Err(e) = defaults.apply(&mut mutated) {
        return reject(e);
    }
    ValidationResponse {
        mutated_object: Some(mutated),
        ..accepted
    }
}

/// Several named PodSecurityPolicies: the one PSP's admission plugin would have chosen admits the request.
fn evaluate_several(
    several: &Several,
    kind: Kind,
    pod: &PodObject,
    request: &AdmissionRequest,
    object: &RawValue,
    may_default: bool,
) -> ValidationResponse {
    let user = Identity {
        user: request.user_info.username.clone(),
        groups: request.user_info.groups.clone().unwrap_or_default(),
    };
    let requester = Requester::new(kind, &request.namespace, user, pod.spec.service_account());
    let context = Context {
        kind,
        may_mutate: may_default && several.mutating(),
        requester: &requester,
    };
    let mut authorizer: Box<dyn Authorizer> = match several.authorization() {
        AuthorizationMode::Rbac => Box::new(Rbac),
        AuthorizationMode::Subjects => Box::new(SubjectsBackend),
    };
    let (name, mut defaults) = match select(several, pod, &context, authorizer.as_mut()) {
        Selection::Rejected(message) => return reject(message),
        Selection::Admitted { name, defaults } => (name, defaults),
    };
    // As PSP, a created pod records the PodSecurityPolicy that admitted it (and a later update tries that one
    // first). A template is not annotated: its pods are, when they are created.
    if kind == Kind::Pod
        && context.may_mutate
        && pod.annotations.get(PSP_ANNOTATION).map(String::as_str) != Some(name)
    {
        defaults.set_annotation(PSP_ANNOTATION, name);
    }
    let admitted = ValidationResponse {
        audit_annotations: Some(HashMap::from([(
            ADMIT_POLICY_ANNOTATION.to_string(),
            name.to_string(),
        )])),
        ..accept()
    };
    with_defaults(object, &defaults, admitted)
}
