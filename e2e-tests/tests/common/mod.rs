//! Helpers shared by the end-to-end test files: the shared host, settings and object builders, and
//! assertions on the policy's answers. Everything goes through the built `policy.wasm`.

#![allow(dead_code)]

use psp_host::{apply_json_patch, request, PolicyHost, RequestBuilder, ValidationResponse};
use serde_json::{json, Map, Value};

/// The workload kinds, with the JSON path (dotted) of their pod template's spec.
pub const WORKLOADS: [(&str, &str); 7] = [
    ("Deployment", "spec.template.spec"),
    ("ReplicaSet", "spec.template.spec"),
    ("StatefulSet", "spec.template.spec"),
    ("DaemonSet", "spec.template.spec"),
    ("ReplicationController", "spec.template.spec"),
    ("Job", "spec.template.spec"),
    ("CronJob", "spec.jobTemplate.spec.template.spec"),
];

/// Every kind the policy judges, with the dotted path of its pod spec.
pub const KINDS: [(&str, &str); 8] = [
    ("Pod", "spec"),
    ("Deployment", "spec.template.spec"),
    ("ReplicaSet", "spec.template.spec"),
    ("StatefulSet", "spec.template.spec"),
    ("DaemonSet", "spec.template.spec"),
    ("ReplicationController", "spec.template.spec"),
    ("Job", "spec.template.spec"),
    ("CronJob", "spec.jobTemplate.spec.template.spec"),
];

/// The three container lists of a pod spec.
pub const CONTAINER_FIELDS: [&str; 3] = ["containers", "initContainers", "ephemeralContainers"];

pub fn host() -> &'static PolicyHost {
    PolicyHost::shared().unwrap_or_else(|e| panic!("{e:#}"))
}

/// `validate`, which must answer (a trap or guest error fails the test).
pub fn validate(request: &Value, settings: &Value) -> ValidationResponse {
    host()
        .validate(request, settings)
        .unwrap_or_else(|e| panic!("validate must answer, not fail: {e:#}\nrequest: {request}"))
}

/// The four rules a PSP spec requires, all `RunAsAny`, every volume type allowed, and `extra` on top
/// (its keys replace the base's).
pub fn settings(extra: Value) -> Value {
    let mut base = json!({
        "runAsUser": {"rule": "RunAsAny"},
        "seLinux": {"rule": "RunAsAny"},
        "supplementalGroups": {"rule": "RunAsAny"},
        "fsGroup": {"rule": "RunAsAny"},
        "volumes": ["*"],
    });
    merge(&mut base, extra);
    base
}

/// [`settings`] with defaulting off: pure validation.
pub fn validating(extra: Value) -> Value {
    let mut s = settings(extra);
    s["mutating"] = json!(false);
    s
}

fn merge(base: &mut Value, extra: Value) {
    match extra {
        Value::Object(extra) => {
            let base = base.as_object_mut().expect("an object");
            for (k, v) in extra {
                base.insert(k, v);
            }
        }
        Value::Null => {}
        other => panic!("settings extras must be an object, got {other}"),
    }
}

/// A container named `name` with `securityContext` `sc` (omitted when null).
pub fn container(name: &str, sc: Value) -> Value {
    let mut c = json!({"name": name, "image": format!("registry.example.com/{name}:1.0")});
    if !sc.is_null() {
        c["securityContext"] = sc;
    }
    c
}

/// A pod spec with one container `app` whose securityContext is `sc`.
pub fn one_container(sc: Value) -> Value {
    json!({"containers": [container("app", sc)]})
}

/// A Pod named `p` in `default` with `spec` and pod annotations `annotations` (none when null).
pub fn pod_with(annotations: Value, spec: Value) -> Value {
    let mut metadata = json!({"name": "p", "namespace": "default", "labels": {"app": "p"}});
    if !annotations.is_null() {
        metadata["annotations"] = annotations;
    }
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec})
}

pub fn pod(spec: Value) -> Value {
    pod_with(Value::Null, spec)
}

/// An object of `kind` whose pod (template) has `spec` and annotations `annotations`.
pub fn object_of(kind: &str, annotations: Value, spec: Value) -> Value {
    if kind == "Pod" {
        return pod_with(annotations, spec);
    }
    let mut template_metadata = json!({"labels": {"app": "w"}});
    if !annotations.is_null() {
        template_metadata["annotations"] = annotations;
    }
    let template = json!({"metadata": template_metadata, "spec": spec});
    let api_version = match kind {
        "ReplicationController" => "v1",
        "Job" | "CronJob" => "batch/v1",
        _ => "apps/v1",
    };
    let selector = json!({"matchLabels": {"app": "w"}});
    let workload_spec = match kind {
        "CronJob" => {
            json!({"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": template}}})
        }
        "Job" => json!({"backoffLimit": 2, "template": template}),
        "ReplicationController" => {
            json!({"replicas": 1, "selector": {"app": "w"}, "template": template})
        }
        "DaemonSet" => json!({"selector": selector, "template": template}),
        "StatefulSet" => {
            json!({"serviceName": "w", "replicas": 1, "selector": selector, "template": template})
        }
        _ => json!({"replicas": 2, "selector": selector, "template": template}),
    };
    json!({
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {"name": "w", "namespace": "default"},
        "spec": workload_spec,
    })
}

/// A CREATE of `object` (of `kind`).
pub fn create(kind: &str, object: Value) -> Value {
    request(kind, "CREATE", object)
}

/// `"PodSecurityPolicy: a; b"`: the message of a PSP rejection listing `violations`.
pub fn psp_message(violations: &[&str]) -> String {
    format!("PodSecurityPolicy: {}", violations.join("; "))
}

/// Asserts that `response` accepts without mutating.
#[track_caller]
pub fn assert_accepted_unchanged(response: &ValidationResponse, context: &str) {
    assert!(
        response.accepted,
        "{context}: expected acceptance, got {:?}",
        response.message
    );
    assert_eq!(
        response.mutated_object, None,
        "{context}: expected no mutation"
    );
}

/// Asserts that `response` rejects with exactly `message`.
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

/// `/spec`, `/spec/template/spec` or `/spec/jobTemplate/spec/template/spec`: the JSON pointer of a dotted
/// spec path.
pub fn pointer(dotted: &str) -> String {
    format!("/{}", dotted.replace('.', "/"))
}

/// An UPDATE of `object` from `old`.
pub fn update(kind: &str, object: Value, old: Value) -> Value {
    RequestBuilder::new(kind, "UPDATE", object)
        .old_object(old)
        .build()
}

/// Sets `value` at a dotted `path` of `object`, creating objects on the way.
pub fn set_path(object: &mut Value, path: &str, value: Value) {
    let mut slot = object;
    for key in path.split('.') {
        if slot.is_null() {
            *slot = Value::Object(Map::new());
        }
        slot = slot
            .as_object_mut()
            .expect("an object on the way")
            .entry(key)
            .or_insert(Value::Null);
    }
    *slot = value;
}
