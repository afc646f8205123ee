//! Several named PodSecurityPolicies in one policy (`policies`), end to end through the built
//! `policy.wasm`: PSP's selection (`selection`), who may use which entry and what the host is asked
//! (`authorization`), the settings of the example cluster as psp-migrate writes them deciding as PSP
//! did on that cluster (`migrated_cluster`), and the example files for psp-run and kwctl
//! (`examples`).
//!
//! `kubernetes/can_i` is answered by the test host from an [`Authz`] (grants, or a cluster's RBAC
//! objects), and every call is recorded, in order.

#[path = "../common/mod.rs"]
mod common;

mod authorization;
mod examples;
mod migrated_cluster;
mod selection;

use common::*;
use psp_host::authz::Grant;
use psp_host::{Authz, HostCalls};
use serde_json::{json, Value};

/// One evaluation: the response, and the `kubernetes/can_i` questions asked, in order, each as
/// `<user> use <group>/<name> in <namespace> -> <answer>`.
pub struct Evaluation {
    pub request: Value,
    pub response: ValidationResponse,
    pub asked: Vec<String>,
}

/// Evaluates `request` under `settings`, `kubernetes/can_i` answered from `authz`.
pub fn evaluate(settings: &Value, request: Value, authz: Authz) -> Evaluation {
    let calls = HostCalls::new().with_authz(authz);
    let response = host()
        .answering(calls.clone())
        .validate(&request, settings)
        .unwrap_or_else(|e| panic!("validate must answer, not fail: {e:#}\nrequest: {request}"));
    let asked = calls
        .recorded()
        .into_iter()
        .map(|call| {
            assert_eq!(call.capability, "kubewarden/kubernetes/can_i");
            // `<user> [<groups>] use ...`: the groups are checked where they matter.
            let request = match call.request.split_once(" [") {
                Some((user, rest)) => {
                    format!("{user}{}", rest.split_once(']').map_or("", |(_, r)| r))
                }
                None => call.request.clone(),
            };
            let answer = match call.answer {
                Ok(answer) if answer.contains("true") => "allowed",
                Ok(_) => "denied",
                Err(_) => "failed",
            };
            format!("{request} -> {answer}")
        })
        .collect();
    Evaluation {
        request,
        response,
        asked,
    }
}

/// A request of `operation` on `object` of `kind` in `namespace` by `user` in `groups`.
pub fn request_by(
    kind: &str,
    operation: &str,
    object: Value,
    namespace: &str,
    user: &str,
    groups: &[&str],
) -> Value {
    let builder = RequestBuilder::new(kind, operation, object)
        .namespace(namespace)
        .user(user, groups);
    builder.build()
}

/// A pod in `namespace`, run by service account `sa` (none when empty), with `spec`'s other fields.
pub fn pod_in(namespace: &str, sa: &str, mut spec: Value) -> Value {
    if !sa.is_empty() {
        spec["serviceAccountName"] = json!(sa);
    }
    let mut pod = pod(spec);
    pod["metadata"]["namespace"] = json!(namespace);
    pod
}

/// A grant of `use` of `policies` to `who`: `user:NAME`, `group:NAME` or `sa:NS:NAME`.
pub fn grant(policies: &[&str], who: &[&str]) -> Grant {
    let mut grant = Grant {
        policies: policies.iter().map(|p| p.to_string()).collect(),
        ..Grant::default()
    };
    for subject in who {
        match subject.split_once(':') {
            Some(("user", name)) => grant.users.push(name.into()),
            Some(("group", name)) => grant.groups.push(name.into()),
            Some(("sa", name)) => grant.service_accounts.push(name.into()),
            _ => panic!("subject {subject}: user:, group: or sa:"),
        }
    }
    grant
}

/// The same grants as `subjects` of each entry (for `authorization: subjects`): what the `subjects`
/// backend must decide as `rbac` decides with those grants.
pub fn as_subjects(settings: &Value, grants: &[Grant]) -> Value {
    let mut settings = settings.clone();
    settings["authorization"] = json!("subjects");
    for entry in settings["policies"].as_array_mut().unwrap() {
        let name = entry["name"].as_str().unwrap().to_string();
        let mut everywhere = json!({"users": [], "groups": [], "serviceAccounts": []});
        let mut by_namespace = serde_json::Map::new();
        for grant in grants {
            if !grant.policies.iter().any(|p| p == "*" || *p == name) {
                continue;
            }
            assert!(
                grant.api_groups.is_none(),
                "subjects hold for both API groups"
            );
            let set = match &grant.namespace {
                None => &mut everywhere,
                Some(ns) => by_namespace
                    .entry(ns.clone())
                    .or_insert_with(|| json!({"users": [], "groups": [], "serviceAccounts": []})),
            };
            for (key, list) in [
                ("users", &grant.users),
                ("groups", &grant.groups),
                ("serviceAccounts", &grant.service_accounts),
            ] {
                set[key]
                    .as_array_mut()
                    .unwrap()
                    .extend(list.iter().map(|s| json!(s)));
            }
        }
        everywhere["byNamespace"] = Value::Object(by_namespace);
        entry["subjects"] = everywhere;
    }
    settings
}

/// The parts of a multi-PSP rejection: the message after `no authorised PodSecurityPolicy admits the
/// pod: `, split into its ` | `-separated parts.
#[track_caller]
pub fn rejection_parts(response: &ValidationResponse) -> Vec<String> {
    assert!(
        !response.accepted,
        "expected a rejection, got an acceptance admitted by {:?}",
        response.audit_annotations
    );
    let message = response.message();
    let parts = message
        .strip_prefix("no authorised PodSecurityPolicy admits the pod: ")
        .unwrap_or_else(|| panic!("not a multi-PSP rejection: {message}"));
    parts.split(" | ").map(str::to_string).collect()
}

/// Asserts that `evaluation` was admitted by `name`, with exactly the JSONPatch `patch`.
#[track_caller]
pub fn assert_admitted_by(evaluation: &Evaluation, name: &str, patch: Vec<Value>) {
    let response = &evaluation.response;
    assert!(
        response.accepted,
        "expected admission by {name:?}, got {:?}",
        response.message
    );
    let audit = response.audit_annotations.clone().unwrap_or_default();
    assert_eq!(
        audit.get("admit-policy").map(String::as_str),
        Some(name),
        "the audit annotation names the admitting PodSecurityPolicy"
    );
    assert_eq!(response.patch(&evaluation.request), patch, "the JSONPatch");
}

/// The JSONPatch operation that records `name` in a pod without annotations.
pub fn psp_annotation_op(name: &str) -> Value {
    add_op("/metadata/annotations", json!({"kubernetes.io/psp": name}))
}
