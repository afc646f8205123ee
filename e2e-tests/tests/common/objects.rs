//! The objects the tests submit: containers, Pods, and workloads around a pod template.

use serde_json::{json, Value};

use super::kinds::kind_info;
use super::paths::set_path;

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
    workload(
        kind,
        json!({"name": "w", "namespace": "default"}),
        template_metadata,
        spec,
    )
}

/// A workload of `kind` with its own `metadata`, and a pod template of `template_metadata` and
/// `spec` where the table of kinds says the kind holds it; the rest of the workload's spec is what
/// a real one of the kind has (a selector of `app: w`, a schedule, ...).
pub fn workload(kind: &str, metadata: Value, template_metadata: Value, spec: Value) -> Value {
    let info = kind_info(kind);
    let template_path = info
        .pod_template()
        .unwrap_or_else(|| panic!("{kind} has no pod template"));
    let selector = json!({"matchLabels": {"app": "w"}});
    let workload_spec = match kind {
        "CronJob" => json!({"schedule": "*/5 * * * *"}),
        "Job" => json!({"backoffLimit": 2}),
        "ReplicationController" => json!({"replicas": 1, "selector": {"app": "w"}}),
        "DaemonSet" => json!({"selector": selector}),
        "StatefulSet" => json!({"serviceName": "w", "replicas": 1, "selector": selector}),
        _ => json!({"replicas": 2, "selector": selector}),
    };
    let mut object = json!({
        "apiVersion": info.api_version(),
        "kind": kind,
        "metadata": metadata,
        "spec": workload_spec,
    });
    set_path(
        &mut object,
        template_path,
        json!({"metadata": template_metadata, "spec": spec}),
    );
    object
}

/// `object` moved to `namespace`.
pub fn in_namespace(mut object: Value, namespace: &str) -> Value {
    object["metadata"]["namespace"] = json!(namespace);
    object
}

/// The smallest pod spec the restricted level allows (as PSA's `restricted/pass/base.yaml`), one
/// container `app`.
pub fn restricted_spec() -> Value {
    json!({
        "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{
            "name": "app",
            "image": "registry.example.com/app:1",
            "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}},
        }],
    })
}
