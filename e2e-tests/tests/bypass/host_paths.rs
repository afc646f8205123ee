//! Host paths (settings: hostPath volumes allowed under /data/ai, read-only).

use super::*;
use serde_json::{json, Value};

fn host_path_pod(path: &str, mounts: Value) -> Value {
    pod(json!({
        "containers": [{"name": "app", "image": "registry.example.com/app:1.0", "volumeMounts": mounts}],
        "volumes": [{"name": "data", "hostPath": {"path": path}}],
    }))
}

/// The attack: a Pod with a hostPath volume of `path` mounted by `mounts`, under the AI data settings.
fn host_path_attack(path: &str, mounts: Value) -> ValidationResponse {
    validate(
        &create("Pod", host_path_pod(path, mounts)),
        &ai_data_security_with_host_paths(),
    )
}

fn read_only_mount() -> Value {
    json!([{"name": "data", "mountPath": "/data", "readOnly": true}])
}

fn writable_mount() -> Value {
    json!([{"name": "data", "mountPath": "/data"}])
}

/// Asserts that a read-only mount of host path `path` is denied, the path not allowed.
#[track_caller]
fn assert_path_denied(path: &str) {
    let response = host_path_attack(path, read_only_mount());
    let violation = format!(
        "spec.volumes[0].hostPath.path: Invalid value: {}: host path is not under an allowed path prefix; \
         allowed: \"/data/ai\"",
        quoted(path)
    );
    assert_psp_rejected(&response, &[&violation], "the attack");
}

/// Attack: climb out of the allowed prefix with `..`: `/data/ai/../../etc` is `/etc` on the node.
#[test]
fn host_path_escaping_the_prefix_with_dot_dot_is_denied() {
    assert_path_denied("/data/ai/../../etc");
}

/// Attack: hide the `..` behind a `.` segment: `/data/ai/./../x` is `/data/x`.
#[test]
fn host_path_escaping_the_prefix_with_dot_and_dot_dot_is_denied() {
    assert_path_denied("/data/ai/./../x");
}

/// Attack: `//data/ai` is `/data/ai`, and a string comparison would not see it as the read-only prefix:
/// mounted writable, it must be denied like `/data/ai` itself.
#[test]
fn host_path_with_a_double_slash_mounted_writable_is_denied() {
    let path = "//data/ai";
    let response = host_path_attack(path, writable_mount());
    assert_denied_as_writable(&response, "spec.containers[0].volumeMounts[0]", "app", path);
}

/// Attack: `/data/ai/` (trailing slash) mounted writable, hoping that only `/data/ai` exactly is read-only.
#[test]
fn host_path_with_a_trailing_slash_mounted_writable_is_denied() {
    let path = "/data/ai/";
    let mounts = json!([{"name": "data", "mountPath": "/data", "readOnly": false}]);
    let response = host_path_attack(path, mounts);
    assert_denied_as_writable(&response, "spec.containers[0].volumeMounts[0]", "app", path);
}

/// Attack: `/data/aix` shares the characters of the prefix `/data/ai` but is another directory.
#[test]
fn host_path_sharing_the_prefix_characters_is_denied() {
    assert_path_denied("/data/aix");
}

/// Attack: mount the allowed read-only host path once read-only (what a reviewer sees first) and a second time,
/// writable, through another volumeMount of the same container.
#[test]
fn a_second_writable_mount_of_a_read_only_host_path_is_denied() {
    let mounts = json!([
        {"name": "data", "mountPath": "/data", "readOnly": true},
        {"name": "data", "mountPath": "/data-rw", "subPath": "models"},
    ]);
    let response = host_path_attack("/data/ai/models", mounts);
    assert_denied_as_writable(
        &response,
        "spec.containers[0].volumeMounts[1]",
        "app",
        "/data/ai/models",
    );
}

/// Attack: the app container mounts the host path read-only, an init container mounts it writable (and could
/// poison the model data before the app starts).
#[test]
fn a_writable_mount_of_a_read_only_host_path_in_an_init_container_is_denied() {
    let mut object = host_path_pod("/data/ai", read_only_mount());
    object["spec"]["initContainers"] = json!([{
        "name": "seed",
        "image": "registry.example.com/seed:1.0",
        "volumeMounts": [{"name": "data", "mountPath": "/seed", "readOnly": false}],
    }]);
    let response = validate(&create("Pod", object), &ai_data_security_with_host_paths());
    assert_denied_as_writable(
        &response,
        "spec.initContainers[0].volumeMounts[0]",
        "seed",
        "/data/ai",
    );
}

/// Attack: a second volume of the same allowed host path, under another name, mounted writable.
#[test]
fn a_second_volume_of_a_read_only_host_path_mounted_writable_is_denied() {
    let mut object = host_path_pod("/data/ai", read_only_mount());
    object["spec"]["volumes"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "data2", "hostPath": {"path": "/data/ai/", "type": "Directory"}}));
    object["spec"]["containers"][0]["volumeMounts"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "data2", "mountPath": "/data2"}));
    let response = validate(&create("Pod", object), &ai_data_security_with_host_paths());
    assert_denied_as_writable(
        &response,
        "spec.containers[0].volumeMounts[1]",
        "app",
        "/data/ai/",
    );
}

/// Control for the host path attacks: the allowed path, read-only everywhere, is accepted (the settings'
/// other defaults are filled in).
#[test]
fn the_allowed_host_path_mounted_read_only_is_accepted() {
    let response = validate(
        &create(
            "Pod",
            host_path_pod("/data/ai/models/../models", read_only_mount()),
        ),
        &ai_data_security_with_host_paths(),
    );
    assert!(response.accepted, "{response:?}");
}
