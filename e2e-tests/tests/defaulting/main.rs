//! PSP's defaulting, end to end through the built `policy.wasm`. For every defaulted field, the exact
//! JSONPatch policy-server would send, for a Pod and for each workload kind (CronJob's nested template
//! too), with containers of all three kinds; set values are never changed; an object that needs nothing
//! is not mutated; the patch is idempotent; Pod updates are validated, not mutated; `mutating: false`
//! rejects instead; defaults are validated in the same evaluation.

#[path = "../common/mod.rs"]
mod common;

mod container_fields;
mod every_default;
mod pod_fields;
mod updates_and_responses;
mod validation_only;

use common::*;
use serde_json::{json, Value};

/// A pod spec with one container of each kind, each with a securityContext holding only
/// `privileged: false` (which no default touches), and a pod securityContext holding only
/// `fsGroupChangePolicy` (which the policy does not read): defaults land at their exact field paths.
fn three_containers() -> Value {
    let sc = json!({"privileged": false});
    json!({
        "securityContext": {"fsGroupChangePolicy": "OnRootMismatch"},
        "initContainers": [container("init", sc.clone())],
        "containers": [container("app", sc.clone())],
        "ephemeralContainers": [container("debug", sc)],
    })
}

/// The same, with no securityContext anywhere.
fn bare_three_containers() -> Value {
    json!({
        "initContainers": [container("init", Value::Null)],
        "containers": [container("app", Value::Null)],
        "ephemeralContainers": [container("debug", Value::Null)],
    })
}

/// One `add` of `value` at `<container>/securityContext/<field>` for each container kind.
fn per_container(spec: &str, field: &str, value: Value) -> Vec<Value> {
    CONTAINER_FIELDS
        .iter()
        .map(|list| {
            add_op(
                format!("{spec}/{list}/0/securityContext/{field}"),
                value.clone(),
            )
        })
        .collect()
}

/// The AppArmor annotation key of the container `name`.
fn apparmor_key(name: &str) -> String {
    format!("container.apparmor.security.beta.kubernetes.io/{name}")
}

/// The pointer of the pod (template) metadata beside the pod spec `spec`: `/spec/template/metadata`.
fn metadata_pointer(spec: &str) -> String {
    let parent = spec.strip_suffix("/spec").expect("a pod spec pointer");
    format!("{parent}/metadata")
}

/// The JSON pointer of the AppArmor annotation of `name` in the pod (template) beside the pod spec `spec`.
fn apparmor_annotation_pointer(spec: &str, name: &str) -> String {
    format!(
        "{}/annotations/{}",
        metadata_pointer(spec),
        apparmor_key(name).replace('/', "~1")
    )
}

/// The `add` of the annotations of a pod (template) that had none: the default AppArmor profile
/// `runtime/default` of each container of [`three_containers`], as PSP wrote it.
fn apparmor_annotations_added(spec: &str) -> Value {
    add_op(
        format!("{}/annotations", metadata_pointer(spec)),
        json!({
            apparmor_key("init"): "runtime/default",
            apparmor_key("app"): "runtime/default",
            apparmor_key("debug"): "runtime/default",
        }),
    )
}

/// [`assert_defaults_everywhere`] on [`three_containers`]: the one default is `field` set to `value` in
/// every container.
#[track_caller]
fn assert_defaults_in_every_container(settings: &Value, field: &str, value: Value) {
    assert_defaults_everywhere(settings, Value::Null, three_containers(), |spec| {
        per_container(spec, field, value.clone())
    });
}

fn sorted(mut ops: Vec<Value>) -> Vec<Value> {
    ops.sort_by_key(|o| o.to_string());
    ops
}

/// Evaluates `spec` (with pod annotations `annotations`) as a CREATE of every kind under `settings`,
/// and asserts: accepted, the JSONPatch is exactly `expected(spec_pointer)` (order aside), the patch
/// rebuilds the mutated object, and the defaulted object is accepted again with no mutation.
#[track_caller]
fn assert_defaults_everywhere(
    settings: &Value,
    annotations: Value,
    spec: Value,
    expected: impl Fn(&str) -> Vec<Value>,
) {
    for (kind, spec_path) in KINDS {
        let req = create(kind, object_of(kind, annotations.clone(), spec.clone()));
        let response = validate(&req, settings);
        assert!(
            response.accepted,
            "{kind}: defaults must make the object compliant: {:?}",
            response.message
        );
        let patch = response.patch(&req);
        assert_eq!(
            sorted(patch),
            sorted(expected(&pointer(spec_path))),
            "{kind}: the JSONPatch"
        );
        assert_idempotent(kind, &req, &response, settings);
    }
}

fn must_run_as(min: i64, max: i64) -> Value {
    json!({"rule": "MustRunAs", "ranges": [{"min": min, "max": max}]})
}

/// Every defaulted field at once.
fn everything() -> Value {
    settings(json!({
        "supplementalGroups": must_run_as(1000, 2000),
        "fsGroup": must_run_as(3000, 4000),
        "seLinux": {"rule": "MustRunAs", "seLinuxOptions": {"type": "container_t", "level": "s0:c1,c2"}},
        "seccomp": {"allowedProfileNames": ["runtime/default"], "defaultProfileName": "runtime/default"},
        "runtimeClass": {"allowedRuntimeClassNames": ["kata"], "defaultRuntimeClassName": "kata"},
        "runAsUser": must_run_as(5000, 6000),
        "runAsGroup": must_run_as(7000, 8000),
        "appArmor": {"allowedProfileNames": ["runtime/default"], "defaultProfileName": "runtime/default"},
        "defaultAddCapabilities": ["NET_BIND_SERVICE"],
        "requiredDropCapabilities": ["ALL"],
        "readOnlyRootFilesystem": true,
        "allowPrivilegeEscalation": false,
    }))
}

/// [`everything`] with defaulting off.
fn everything_validating() -> Value {
    let mut s = everything();
    s["mutating"] = json!(false);
    s
}

/// A container securityContext with every field [`everything`] defaults, the UID and GID given.
fn every_container_default(run_as_user: i64, run_as_group: i64) -> Value {
    json!({
        "runAsUser": run_as_user,
        "runAsGroup": run_as_group,
        "appArmorProfile": {"type": "RuntimeDefault"},
        "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]},
        "readOnlyRootFilesystem": true,
        "allowPrivilegeEscalation": false,
    })
}

/// A pod spec that sets every field `everything()` would default, to allowed values.
fn fully_specified() -> Value {
    let mut sc = every_container_default(5999, 7999);
    sc["privileged"] = json!(false);
    json!({
        "runtimeClassName": "kata",
        "securityContext": {
            "supplementalGroups": [1999, 1000],
            "fsGroup": 4000,
            "seLinuxOptions": {"type": "container_t", "level": "s0:c2,c1"},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "initContainers": [container("init", sc.clone())],
        "containers": [container("app", sc.clone())],
        "ephemeralContainers": [container("debug", sc)],
    })
}
