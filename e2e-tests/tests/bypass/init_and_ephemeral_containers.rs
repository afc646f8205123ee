//! Privileged containers, host ports and host path mounts through init and ephemeral containers,
//! the `ephemeralcontainers` subresource, and a CronJob's nested template.

use super::*;
use serde_json::{json, Value};

/// Asserts the denial of the attack: a Pod with a harmless app container and `container` in its list
/// `field`, under `settings`, for exactly `violation`.
#[track_caller]
fn assert_extra_container_denied(field: &str, container: Value, settings: &Value, violation: &str) {
    let mut object =
        pod(json!({"containers": [{"name": "app", "image": "registry.example.com/app:1.0"}]}));
    object["spec"][field] = json!([container]);
    let response = validate(&create("Pod", object), settings);
    assert_psp_rejected(&response, &[violation], "the attack");
}

/// Attack: a harmless app container, and a privileged init container that runs first with the host's powers.
#[test]
fn a_privileged_init_container_is_denied() {
    assert_extra_container_denied(
        "initContainers",
        json!({"name": "setup", "image": "busybox", "securityContext": {"privileged": true}}),
        &settings(json!({})),
        &privileged_violation("spec.initContainers[0]", "setup"),
    );
}

/// Attack: a privileged ephemeral (debug) container in the pod.
#[test]
fn a_privileged_ephemeral_container_is_denied() {
    assert_extra_container_denied(
        "ephemeralContainers",
        json!({"name": "debug", "image": "busybox", "targetContainerName": "app", "securityContext": {"privileged": true}}),
        &settings(json!({})),
        &privileged_violation("spec.ephemeralContainers[0]", "debug"),
    );
}

/// Attack: a host port opened by an init container, where only the app containers were checked.
#[test]
fn a_host_port_in_an_init_container_is_denied() {
    assert_extra_container_denied("initContainers", json!({"name": "setup", "image": "busybox", "ports": [{"containerPort": 8080, "hostPort": 8080}]}), &settings(json!({})), "spec.initContainers[0].ports[0].hostPort (container \"setup\"): Invalid value: 8080: host port is not \
           allowed to be used; allowed: none");
}

/// Attack: a host port opened by an ephemeral container (the API server refuses ports there, the policy must
/// not rely on it).
#[test]
fn a_host_port_in_an_ephemeral_container_is_denied() {
    assert_extra_container_denied("ephemeralContainers", json!({"name": "debug", "image": "busybox", "ports": [{"containerPort": 22, "hostPort": 2222}]}), &settings(json!({"hostPorts": [{"min": 8000, "max": 9000}]})), "spec.ephemeralContainers[0].ports[0].hostPort (container \"debug\"): Invalid value: 2222: host port is \
           not allowed to be used; allowed: 8000-9000");
}

/// Attack: `kubectl debug` adds a privileged ephemeral container to a running pod through an UPDATE of the
/// `ephemeralcontainers` subresource; the pod itself was compliant when it was created.
#[test]
fn a_privileged_ephemeral_container_added_by_the_ephemeralcontainers_subresource_is_denied() {
    let running =
        pod(json!({"containers": [{"name": "app", "image": "registry.example.com/app:1.0"}]}));
    let mut debugged = running.clone();
    debugged["spec"]["ephemeralContainers"] = json!([{
        "name": "debugger",
        "image": "busybox",
        "targetContainerName": "app",
        "securityContext": {"privileged": true},
    }]);
    let request = RequestBuilder::new("Pod", "UPDATE", debugged)
        .sub_resource("ephemeralcontainers")
        .old_object(running)
        .build();
    let response = validate(&request, &settings(json!({})));
    assert_psp_rejected(
        &response,
        &[privileged_violation(
            "spec.ephemeralContainers[0]",
            "debugger",
        )],
        "the attack",
    );
}

/// Attack: the same debug route, mounting the read-only host path writable. Pods are not defaulted on update
/// (as in PSP), so the debug container's missing settings are named too.
#[test]
fn a_writable_host_path_mount_added_by_the_ephemeralcontainers_subresource_is_denied() {
    let compliant_sc = json!({"runAsNonRoot": true, "readOnlyRootFilesystem": true, "allowPrivilegeEscalation": false});
    let running = pod(json!({
        "containers": [{"name": "app", "securityContext": compliant_sc,
                        "volumeMounts": [{"name": "data", "mountPath": "/data", "readOnly": true}]}],
        "volumes": [{"name": "data", "hostPath": {"path": "/data/ai"}}],
    }));
    let mut debugged = running.clone();
    debugged["spec"]["ephemeralContainers"] = json!([{
        "name": "debugger",
        "image": "busybox",
        "securityContext": compliant_sc,
        "volumeMounts": [{"name": "data", "mountPath": "/rw"}],
    }]);
    let request = RequestBuilder::new("Pod", "UPDATE", debugged)
        .sub_resource("ephemeralcontainers")
        .old_object(running)
        .build();
    let response = validate(&request, &ai_data_security_with_host_paths());
    assert_denied_as_writable(
        &response,
        "spec.ephemeralContainers[0].volumeMounts[0]",
        "debugger",
        "/data/ai",
    );
}

/// Attack: a forbidden volume type deep inside a CronJob's job template, where a Pod-only check never looks.
#[test]
fn a_forbidden_volume_type_in_a_cronjob_template_is_denied() {
    let cronjob = json!({
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "nightly", "namespace": "default"},
        "spec": {
            "schedule": "0 3 * * *",
            "jobTemplate": {"spec": {"template": {
                "metadata": {"labels": {"app": "nightly"}},
                "spec": {
                    "restartPolicy": "OnFailure",
                    "containers": [{"name": "job", "image": "busybox", "volumeMounts": [{"name": "root", "mountPath": "/host"}]}],
                    "volumes": [{"name": "cache", "emptyDir": {}}, {"name": "root", "hostPath": {"path": "/"}}],
                },
            }}},
        },
    });
    let response = validate(
        &create("CronJob", cronjob),
        &settings(json!({"volumes": ["configMap", "emptyDir"]})),
    );
    assert_psp_rejected(&response, &["spec.jobTemplate.spec.template.spec.volumes[1]: Invalid value: \"hostPath\": hostPath volumes are \
           not allowed to be used; allowed: \"configMap\", \"emptyDir\""], "the attack");
}
