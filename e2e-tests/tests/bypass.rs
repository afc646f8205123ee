//! Issue 6, "never let through": a bypass suite. Each test is one attempt to get a forbidden pod past the
//! built `policy.wasm` (through the waPC wire format only, as kwctl and policy-server call it) under settings
//! that forbid it. Each says what the attack is, and asserts the denial and its exact message, which names the
//! field path of the submitted object.
//!
//! Build the module first (`make policy.wasm`, or `make e2e-tests` which does it).

use psp_host::{example_settings, request, PolicyHost, RequestBuilder, ValidationResponse};
use serde_json::{json, Value};

fn host() -> &'static PolicyHost {
    PolicyHost::shared().unwrap_or_else(|e| panic!("{e:#}"))
}

/// `validate` through the module; a trap or guest error fails the test (it would be a 500).
fn validate(request: &Value, settings: &Value) -> ValidationResponse {
    host()
        .validate(request, settings)
        .unwrap_or_else(|e| panic!("validate must answer, not fail: {e:#}\nrequest: {request}"))
}

/// `validate` with a raw payload: for JSON that `serde_json::Value` cannot hold (duplicate keys) or
/// envelopes with fields missing.
fn validate_raw(payload: &str) -> ValidationResponse {
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

/// The four required PSP rules set to RunAsAny, every volume type allowed, and `extra` on top.
fn settings(extra: Value) -> Value {
    let mut base = json!({
        "runAsUser": {"rule": "RunAsAny"},
        "seLinux": {"rule": "RunAsAny"},
        "supplementalGroups": {"rule": "RunAsAny"},
        "fsGroup": {"rule": "RunAsAny"},
        "volumes": ["*"],
    });
    if let (Some(base), Value::Object(extra)) = (base.as_object_mut(), extra) {
        base.extend(extra);
    }
    base
}

/// The example settings of an AI data platform (examples/settings/ai-data-security.yml) with `hostPath`
/// volumes allowed, so that its `allowedHostPaths` (`/data/ai`, read-only) is what stands in the way.
fn ai_data_security() -> Value {
    let mut s = example_settings("ai-data-security.yml").expect("the example settings");
    let volumes = s["volumes"].as_array_mut().expect("volumes is a list");
    volumes.push(json!("hostPath"));
    assert_eq!(
        s["allowedHostPaths"],
        json!([{"pathPrefix": "/data/ai", "readOnly": true}])
    );
    s
}

/// Only NET_BIND_SERVICE may be added.
fn net_bind_service_only() -> Value {
    settings(json!({"allowedCapabilities": ["NET_BIND_SERVICE"]}))
}

fn pod(spec: Value) -> Value {
    pod_with_annotations(spec, json!({}))
}

fn pod_with_annotations(spec: Value, annotations: Value) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "attack", "namespace": "default", "annotations": annotations},
        "spec": spec,
    })
}

fn create(object: Value) -> Value {
    request("Pod", "CREATE", object)
}

/// Asserts that the answer is a denial with exactly `message`.
#[track_caller]
fn assert_denied(response: &ValidationResponse, message: &str) {
    assert!(
        !response.accepted,
        "the attack got through: {response:?}\nexpected denial: {message}"
    );
    assert_eq!(response.message(), message);
    assert!(
        response.mutated_object.is_none(),
        "a denial carries no mutation"
    );
}

/// Asserts a denial listing exactly these PodSecurityPolicy violations, in order.
#[track_caller]
fn assert_psp_denied(response: &ValidationResponse, violations: &[&str]) {
    assert_denied(
        response,
        &format!("PodSecurityPolicy: {}", violations.join("; ")),
    );
}

/// A JSON string literal for `s`.
fn quoted(s: &str) -> String {
    Value::from(s).to_string()
}

// ---------------------------------------------------------------------------------------------
// Capabilities

fn adding(capability: &str) -> Value {
    pod(json!({"containers": [{
        "name": "app",
        "image": "registry.example.com/app:1.0",
        "securityContext": {"capabilities": {"add": [capability]}},
    }]}))
}

fn sys_admin_denied(spelling: &str) -> String {
    format!(
        "spec.containers[0].securityContext.capabilities.add[0]: Invalid value: {}: capability SYS_ADMIN \
         may not be added; allowed: \"NET_BIND_SERVICE\"",
        quoted(spelling)
    )
}

/// Attack: add SYS_ADMIN in lower case. containerd and CRI-O upper-case the name and add `CAP_`, so the
/// container gets CAP_SYS_ADMIN; PSP compared exact strings and let it through.
#[test]
fn capability_in_lower_case_is_denied() {
    let response = validate(&create(adding("sys_admin")), &net_bind_service_only());
    assert_psp_denied(&response, &[&sys_admin_denied("sys_admin")]);
}

/// Attack: add SYS_ADMIN with the kernel's `CAP_` prefix, which the runtimes accept as the same capability.
#[test]
fn capability_with_the_cap_prefix_is_denied() {
    for spelling in ["CAP_SYS_ADMIN", "cap_sys_admin", "Cap_Sys_Admin"] {
        let response = validate(&create(adding(spelling)), &net_bind_service_only());
        assert_psp_denied(&response, &[&sys_admin_denied(spelling)]);
    }
}

/// Attack: add SYS_ADMIN surrounded by spaces, or in mixed case, hoping for an exact-string allow-list.
#[test]
fn capability_with_spaces_or_mixed_case_is_denied() {
    for spelling in [
        " SYS_ADMIN",
        "SYS_ADMIN ",
        "\tsys_admin\n",
        "Sys_Admin",
        "sYs_aDmIn",
    ] {
        let response = validate(&create(adding(spelling)), &net_bind_service_only());
        assert_psp_denied(&response, &[&sys_admin_denied(spelling)]);
    }
}

/// Attack: a non-ASCII letter that Go's `strings.ToUpper` (the runtimes' upper-casing) turns into ASCII:
/// `ſ` (U+017F) becomes `S` and `ı` (U+0131) becomes `I`, so `ſys_admın` is CAP_SYS_ADMIN to containerd.
/// The name is not on the allow-list in any spelling the policy reads, so it is denied.
#[test]
fn capability_spelled_with_unicode_case_folding_letters_is_denied() {
    for (spelling, judged) in [("ſys_admin", "ſYS_ADMIN"), ("sys_admın", "SYS_ADMıN")] {
        let response = validate(&create(adding(spelling)), &net_bind_service_only());
        assert_psp_denied(
            &response,
            &[&format!(
                "spec.containers[0].securityContext.capabilities.add[0]: Invalid value: {}: capability {judged} \
                 may not be added; allowed: \"NET_BIND_SERVICE\"",
                quoted(spelling)
            )],
        );
    }
}

/// Control for the capability attacks: the allowed capability, in any spelling, is accepted.
#[test]
fn the_allowed_capability_in_any_spelling_is_accepted() {
    for spelling in [
        "NET_BIND_SERVICE",
        "net_bind_service",
        "CAP_NET_BIND_SERVICE",
        " Net_Bind_Service ",
    ] {
        let response = validate(&create(adding(spelling)), &net_bind_service_only());
        assert!(response.accepted, "{spelling}: {response:?}");
    }
}

/// Attack: a capability that must be dropped, re-added in another spelling under `allowedCapabilities: ["*"]`.
#[test]
fn a_required_drop_re_added_in_another_spelling_is_denied() {
    let settings =
        settings(json!({"requiredDropCapabilities": ["NET_RAW"], "allowedCapabilities": ["*"]}));
    let object = pod(json!({"containers": [{
        "name": "app",
        "securityContext": {"capabilities": {"add": ["cap_net_raw"], "drop": ["NET_RAW"]}},
    }]}));
    let response = validate(&create(object), &settings);
    assert_psp_denied(
        &response,
        &["spec.containers[0].securityContext.capabilities.add[0]: Invalid value: \"cap_net_raw\": NET_RAW is \
           required to be dropped and may not be added"],
    );
}

// ---------------------------------------------------------------------------------------------
// Host paths (settings: hostPath volumes allowed under /data/ai, read-only)

fn host_path_pod(path: &str, mounts: Value) -> Value {
    pod(json!({
        "containers": [{"name": "app", "image": "registry.example.com/app:1.0", "volumeMounts": mounts}],
        "volumes": [{"name": "data", "hostPath": {"path": path}}],
    }))
}

fn read_only_mount() -> Value {
    json!([{"name": "data", "mountPath": "/data", "readOnly": true}])
}

fn writable_mount() -> Value {
    json!([{"name": "data", "mountPath": "/data"}])
}

fn path_not_allowed(path: &str) -> String {
    format!(
        "spec.volumes[0].hostPath.path: Invalid value: {}: host path is not allowed to be used; allowed path \
         prefixes: \"/data/ai\"",
        quoted(path)
    )
}

fn must_be_read_only(mount_path: &str, value: bool, host_path: &str) -> String {
    format!(
        "{mount_path}.readOnly: Invalid value: {value}: host path {} must be mounted read-only",
        quoted(host_path)
    )
}

/// Attack: climb out of the allowed prefix with `..`: `/data/ai/../../etc` is `/etc` on the node.
#[test]
fn host_path_escaping_the_prefix_with_dot_dot_is_denied() {
    let path = "/data/ai/../../etc";
    let response = validate(
        &create(host_path_pod(path, read_only_mount())),
        &ai_data_security(),
    );
    assert_psp_denied(&response, &[&path_not_allowed(path)]);
}

/// Attack: hide the `..` behind a `.` segment: `/data/ai/./../x` is `/data/x`.
#[test]
fn host_path_escaping_the_prefix_with_dot_and_dot_dot_is_denied() {
    let path = "/data/ai/./../x";
    let response = validate(
        &create(host_path_pod(path, read_only_mount())),
        &ai_data_security(),
    );
    assert_psp_denied(&response, &[&path_not_allowed(path)]);
}

/// Attack: `//data/ai` is `/data/ai`, and a string comparison would not see it as the read-only prefix:
/// mounted writable, it must be denied like `/data/ai` itself.
#[test]
fn host_path_with_a_double_slash_mounted_writable_is_denied() {
    let path = "//data/ai";
    let response = validate(
        &create(host_path_pod(path, writable_mount())),
        &ai_data_security(),
    );
    assert_psp_denied(
        &response,
        &[&must_be_read_only(
            "spec.containers[0].volumeMounts[0]",
            false,
            path,
        )],
    );
}

/// Attack: `/data/ai/` (trailing slash) mounted writable, hoping that only `/data/ai` exactly is read-only.
#[test]
fn host_path_with_a_trailing_slash_mounted_writable_is_denied() {
    let path = "/data/ai/";
    let mounts = json!([{"name": "data", "mountPath": "/data", "readOnly": false}]);
    let response = validate(&create(host_path_pod(path, mounts)), &ai_data_security());
    assert_psp_denied(
        &response,
        &[&must_be_read_only(
            "spec.containers[0].volumeMounts[0]",
            false,
            path,
        )],
    );
}

/// Attack: `/data/aix` shares the characters of the prefix `/data/ai` but is another directory.
#[test]
fn host_path_sharing_the_prefix_characters_is_denied() {
    let path = "/data/aix";
    let response = validate(
        &create(host_path_pod(path, read_only_mount())),
        &ai_data_security(),
    );
    assert_psp_denied(&response, &[&path_not_allowed(path)]);
}

/// Attack: mount the allowed read-only host path once read-only (what a reviewer sees first) and a second time,
/// writable, through another volumeMount of the same container.
#[test]
fn a_second_writable_mount_of_a_read_only_host_path_is_denied() {
    let mounts = json!([
        {"name": "data", "mountPath": "/data", "readOnly": true},
        {"name": "data", "mountPath": "/data-rw", "subPath": "models"},
    ]);
    let response = validate(
        &create(host_path_pod("/data/ai/models", mounts)),
        &ai_data_security(),
    );
    assert_psp_denied(
        &response,
        &[&must_be_read_only(
            "spec.containers[0].volumeMounts[1]",
            false,
            "/data/ai/models",
        )],
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
    let response = validate(&create(object), &ai_data_security());
    assert_psp_denied(
        &response,
        &[&must_be_read_only(
            "spec.initContainers[0].volumeMounts[0]",
            false,
            "/data/ai",
        )],
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
    let response = validate(&create(object), &ai_data_security());
    assert_psp_denied(
        &response,
        &[&must_be_read_only(
            "spec.containers[0].volumeMounts[1]",
            false,
            "/data/ai/",
        )],
    );
}

/// Control for the host path attacks: the allowed path, read-only everywhere, is accepted (the settings'
/// other defaults are filled in).
#[test]
fn the_allowed_host_path_mounted_read_only_is_accepted() {
    let response = validate(
        &create(host_path_pod(
            "/data/ai/models/../models",
            read_only_mount(),
        )),
        &ai_data_security(),
    );
    assert!(response.accepted, "{response:?}");
}

// ---------------------------------------------------------------------------------------------
// Privileged and host ports through init and ephemeral containers

const PRIVILEGED: &str =
    "securityContext.privileged: Invalid value: true: privileged containers are not allowed";

fn with_extra_container(field: &str, container: Value) -> Value {
    let mut object =
        pod(json!({"containers": [{"name": "app", "image": "registry.example.com/app:1.0"}]}));
    object["spec"][field] = json!([container]);
    object
}

/// Attack: a harmless app container, and a privileged init container that runs first with the host's powers.
#[test]
fn a_privileged_init_container_is_denied() {
    let object = with_extra_container(
        "initContainers",
        json!({"name": "setup", "image": "busybox", "securityContext": {"privileged": true}}),
    );
    let response = validate(&create(object), &settings(json!({})));
    assert_psp_denied(
        &response,
        &[&format!("spec.initContainers[0].{PRIVILEGED}")],
    );
}

/// Attack: a privileged ephemeral (debug) container in the pod.
#[test]
fn a_privileged_ephemeral_container_is_denied() {
    let object = with_extra_container(
        "ephemeralContainers",
        json!({"name": "debug", "image": "busybox", "targetContainerName": "app", "securityContext": {"privileged": true}}),
    );
    let response = validate(&create(object), &settings(json!({})));
    assert_psp_denied(
        &response,
        &[&format!("spec.ephemeralContainers[0].{PRIVILEGED}")],
    );
}

/// Attack: a host port opened by an init container, where only the app containers were checked.
#[test]
fn a_host_port_in_an_init_container_is_denied() {
    let object = with_extra_container(
        "initContainers",
        json!({"name": "setup", "image": "busybox", "ports": [{"containerPort": 8080, "hostPort": 8080}]}),
    );
    let response = validate(&create(object), &settings(json!({})));
    assert_psp_denied(
        &response,
        &["spec.initContainers[0].ports[0].hostPort: Invalid value: 8080: host port 8080 is not allowed to be \
           used; no host ports are allowed"],
    );
}

/// Attack: a host port opened by an ephemeral container (the API server refuses ports there, the policy must
/// not rely on it).
#[test]
fn a_host_port_in_an_ephemeral_container_is_denied() {
    let object = with_extra_container(
        "ephemeralContainers",
        json!({"name": "debug", "image": "busybox", "ports": [{"containerPort": 22, "hostPort": 2222}]}),
    );
    let response = validate(
        &create(object),
        &settings(json!({"hostPorts": [{"min": 8000, "max": 9000}]})),
    );
    assert_psp_denied(
        &response,
        &["spec.ephemeralContainers[0].ports[0].hostPort: Invalid value: 2222: host port 2222 is not allowed to \
           be used; allowed host ports: 8000-9000"],
    );
}

// ---------------------------------------------------------------------------------------------
// Seccomp (allow-list: runtime/default)

fn runtime_default_seccomp_only() -> Value {
    settings(json!({"seccomp": {"allowedProfileNames": ["runtime/default"]}}))
}

fn seccomp_not_allowed(path: &str) -> String {
    format!(
        "{path}: Invalid value: \"unconfined\": seccomp profile is not allowed; allowed: \"runtime/default\""
    )
}

/// Attack: the pod annotation says `runtime/default` (what an annotation-only check reads) while the field,
/// which the kubelet obeys, says `Unconfined`.
#[test]
fn seccomp_unconfined_in_the_pod_field_under_a_runtime_default_annotation_is_denied() {
    let object = pod_with_annotations(
        json!({
            "securityContext": {"seccompProfile": {"type": "Unconfined"}},
            "containers": [{"name": "app", "image": "registry.example.com/app:1.0"}],
        }),
        json!({"seccomp.security.alpha.kubernetes.io/pod": "runtime/default"}),
    );
    let response = validate(&create(object), &runtime_default_seccomp_only());
    assert_psp_denied(
        &response,
        &[&seccomp_not_allowed("spec.securityContext.seccompProfile")],
    );
}

/// Attack, the reverse: the field says `RuntimeDefault` (what a field-only check reads) while the annotation
/// says `unconfined`.
#[test]
fn seccomp_unconfined_in_the_pod_annotation_under_a_runtime_default_field_is_denied() {
    let object = pod_with_annotations(
        json!({
            "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "app", "image": "registry.example.com/app:1.0"}],
        }),
        json!({"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}),
    );
    let response = validate(&create(object), &runtime_default_seccomp_only());
    assert_psp_denied(
        &response,
        &[&seccomp_not_allowed(
            "metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]",
        )],
    );
}

/// Attack, at container level: the container annotation says `runtime/default`, the container's field
/// `Unconfined`; and the reverse on a second container.
#[test]
fn seccomp_field_and_annotation_disagreeing_in_containers_are_denied() {
    let object = pod_with_annotations(
        json!({
            "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [
                {"name": "a", "securityContext": {"seccompProfile": {"type": "Unconfined"}}},
                {"name": "b", "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}},
            ],
        }),
        json!({
            "container.seccomp.security.alpha.kubernetes.io/a": "runtime/default",
            "container.seccomp.security.alpha.kubernetes.io/b": "unconfined",
        }),
    );
    let response = validate(&create(object), &runtime_default_seccomp_only());
    assert_psp_denied(
        &response,
        &[
            &seccomp_not_allowed("spec.containers[0].securityContext.seccompProfile"),
            &seccomp_not_allowed(
                "metadata.annotations[container.seccomp.security.alpha.kubernetes.io/b]",
            ),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// AppArmor (allow-list: runtime/default)

fn runtime_default_apparmor_only() -> Value {
    settings(json!({"appArmor": {"allowedProfileNames": ["runtime/default"]}}))
}

fn apparmor_not_allowed(path: &str, name: &str) -> String {
    format!(
        "{path}: Invalid value: {}: AppArmor profile is not allowed; allowed: \"runtime/default\"",
        quoted(name)
    )
}

/// Attack: AppArmor `Unconfined` through the container's `appArmorProfile` field (GA since 1.30), which an
/// annotation-only check never reads.
#[test]
fn apparmor_unconfined_in_the_container_field_is_denied() {
    let object = pod(json!({"containers": [{
        "name": "app",
        "securityContext": {"appArmorProfile": {"type": "Unconfined"}},
    }]}));
    let response = validate(&create(object), &runtime_default_apparmor_only());
    assert_psp_denied(
        &response,
        &[&apparmor_not_allowed(
            "spec.containers[0].securityContext.appArmorProfile",
            "unconfined",
        )],
    );
}

/// Attack: AppArmor `Unconfined` through the pod-level `appArmorProfile` field, inherited by every container.
#[test]
fn apparmor_unconfined_in_the_pod_field_is_denied() {
    let object = pod(json!({
        "securityContext": {"appArmorProfile": {"type": "Unconfined"}},
        "containers": [{"name": "app"}],
        "initContainers": [{"name": "init"}],
    }));
    let response = validate(&create(object), &runtime_default_apparmor_only());
    assert_psp_denied(
        &response,
        &[&apparmor_not_allowed(
            "spec.securityContext.appArmorProfile",
            "unconfined",
        )],
    );
}

/// Attack: the container annotation says `runtime/default`, the container's field a localhost profile.
#[test]
fn apparmor_field_disagreeing_with_its_annotation_is_denied() {
    let object = pod_with_annotations(
        json!({"containers": [{
            "name": "app",
            "securityContext": {"appArmorProfile": {"type": "Localhost", "localhostProfile": "permissive"}},
        }]}),
        json!({"container.apparmor.security.beta.kubernetes.io/app": "runtime/default"}),
    );
    let response = validate(&create(object), &runtime_default_apparmor_only());
    assert_psp_denied(
        &response,
        &[&apparmor_not_allowed(
            "spec.containers[0].securityContext.appArmorProfile",
            "localhost/permissive",
        )],
    );
}

// ---------------------------------------------------------------------------------------------
// Workloads, subresources, sysctls, users

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
        &request("CronJob", "CREATE", cronjob),
        &settings(json!({"volumes": ["configMap", "emptyDir"]})),
    );
    assert_psp_denied(
        &response,
        &["spec.jobTemplate.spec.template.spec.volumes[1]: Invalid value: \"hostPath\": hostPath volumes are \
           not allowed to be used; allowed: \"configMap\", \"emptyDir\""],
    );
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
    assert_psp_denied(
        &response,
        &[&format!("spec.ephemeralContainers[0].{PRIVILEGED}")],
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
    let response = validate(&request, &ai_data_security());
    assert_psp_denied(
        &response,
        &[&must_be_read_only(
            "spec.ephemeralContainers[0].volumeMounts[0]",
            false,
            "/data/ai",
        )],
    );
}

/// Attack: a sysctl that is in the kubelet's safe set (and so would pass), but that the settings forbid by a
/// pattern; in both spellings the kubelet accepts (`.` and `/`).
#[test]
fn a_safe_sysctl_matching_a_forbidden_pattern_is_denied() {
    let settings = settings(
        json!({"forbiddenSysctls": ["net.ipv4.*"], "allowedUnsafeSysctls": ["net.core.*"]}),
    );
    let object = pod(json!({
        "securityContext": {"sysctls": [
            {"name": "net.core.somaxconn", "value": "1024"},
            {"name": "net.ipv4.tcp_syncookies", "value": "0"},
            {"name": "net/ipv4/ip_unprivileged_port_start", "value": "0"},
        ]},
        "containers": [{"name": "app"}],
    }));
    let response = validate(&create(object), &settings);
    assert_psp_denied(
        &response,
        &[
            "spec.securityContext.sysctls[1].name: Invalid value: \"net.ipv4.tcp_syncookies\": sysctl is not \
             allowed: it is forbidden by forbiddenSysctls (\"net.ipv4.*\")",
            "spec.securityContext.sysctls[2].name: Invalid value: \"net/ipv4/ip_unprivileged_port_start\": \
             sysctl is not allowed: it is forbidden by forbiddenSysctls (\"net.ipv4.*\")",
        ],
    );
}

/// Attack: the settings forbid a safe sysctl with a pattern written with `/` (`kernel/shm_rmid_forced`, a
/// spelling the kubelet accepts); the pod names it with `.`. Patterns must match as names do, whatever the
/// spelling of either. (Found by this suite: slash patterns matched nothing, so the safe sysctl was allowed.)
#[test]
fn a_sysctl_forbidden_by_a_pattern_written_with_slashes_is_denied() {
    let settings =
        settings(json!({"forbiddenSysctls": ["kernel/shm_rmid_forced", "net/ipv4/tcp_*"]}));
    let object = pod(json!({
        "securityContext": {"sysctls": [
            {"name": "kernel.shm_rmid_forced", "value": "1"},
            {"name": "net.ipv4.tcp_syncookies", "value": "0"},
        ]},
        "containers": [{"name": "app"}],
    }));
    let response = validate(&create(object), &settings);
    assert_psp_denied(
        &response,
        &[
            "spec.securityContext.sysctls[0].name: Invalid value: \"kernel.shm_rmid_forced\": sysctl is not \
             allowed: it is forbidden by forbiddenSysctls (\"kernel/shm_rmid_forced\")",
            "spec.securityContext.sysctls[1].name: Invalid value: \"net.ipv4.tcp_syncookies\": sysctl is not \
             allowed: it is forbidden by forbiddenSysctls (\"net/ipv4/tcp_*\")",
        ],
    );
    // And a pattern that allows what a slash pattern forbids is refused with the settings.
    let overlapping = slash_overlap_settings();
    let answer = host().validate_settings(&overlapping).unwrap();
    assert!(!answer.valid, "{answer:?}");
    assert_eq!(
        answer.message(),
        "allowedUnsafeSysctls[0]: \"kernel.*\" overlaps forbiddenSysctls[0] \"kernel/msgmax\""
    );
}

fn slash_overlap_settings() -> Value {
    settings(json!({"allowedUnsafeSysctls": ["kernel.*"], "forbiddenSysctls": ["kernel/msgmax"]}))
}

/// Attack: settings where an allowed pattern also covers a forbidden one, hoping that "allowed" wins for the
/// sysctl both match. PSP refuses such settings, and so does this policy: every request is then denied.
#[test]
fn a_sysctl_both_allowed_and_forbidden_cannot_be_configured() {
    let overlapping = settings(
        json!({"allowedUnsafeSysctls": ["kernel.*"], "forbiddenSysctls": ["kernel.msgmax"]}),
    );
    let problem =
        "allowedUnsafeSysctls[0]: \"kernel.*\" overlaps forbiddenSysctls[0] \"kernel.msgmax\"";
    let answer = host().validate_settings(&overlapping).unwrap();
    assert!(!answer.valid, "{answer:?}");
    assert_eq!(answer.message(), problem);
    let object = pod(json!({
        "securityContext": {"sysctls": [{"name": "kernel.msgmax", "value": "65536"}]},
        "containers": [{"name": "app"}],
    }));
    let response = validate(&create(object), &overlapping);
    assert_denied(&response, &format!("invalid settings: {problem}"));
}

/// Attack: the pod says `runAsNonRoot: true` (what a reviewer reads), the container overrides it with
/// `runAsUser: 0`; the kubelet's non-root check would then refuse to start, but only if the image's user is
/// checked, and the container's UID wins.
#[test]
fn run_as_user_zero_in_a_container_of_a_non_root_pod_is_denied() {
    let object = pod(json!({
        "securityContext": {"runAsNonRoot": true},
        "initContainers": [{"name": "init", "securityContext": {"runAsUser": 0}}],
        "containers": [{"name": "app", "securityContext": {"runAsUser": 0}}],
    }));
    let response = validate(
        &create(object),
        &settings(json!({"runAsUser": {"rule": "MustRunAsNonRoot"}})),
    );
    assert_psp_denied(
        &response,
        &[
            "spec.initContainers[0].securityContext.runAsUser: Invalid value: 0: container \"init\": running \
             with the root UID is forbidden",
            "spec.containers[0].securityContext.runAsUser: Invalid value: 0: container \"app\": running with \
             the root UID is forbidden",
        ],
    );
}

/// Attack, the reverse: the pod runs as UID 0 and the container only says `runAsNonRoot: true`.
#[test]
fn run_as_user_zero_in_the_pod_under_a_non_root_container_is_denied() {
    let object = pod(json!({
        "securityContext": {"runAsUser": 0},
        "containers": [{"name": "app", "securityContext": {"runAsNonRoot": true}}],
    }));
    let response = validate(
        &create(object),
        &settings(json!({"runAsUser": {"rule": "MustRunAsNonRoot"}})),
    );
    assert_psp_denied(
        &response,
        &["spec.securityContext.runAsUser: Invalid value: 0: container \"app\": running with the root UID is \
           forbidden"],
    );
}

// ---------------------------------------------------------------------------------------------
// Duplicate keys: the API server keeps the last value; the policy must judge the last value or refuse,
// never judge the first. Sent as raw bytes (serde_json::Value keeps only one of the two).

const RUN_AS_ANY: &str = r#"{"runAsUser": {"rule": "RunAsAny"}, "seLinux": {"rule": "RunAsAny"},
    "supplementalGroups": {"rule": "RunAsAny"}, "fsGroup": {"rule": "RunAsAny"}, "volumes": ["*"]}"#;

fn raw_payload(kind: &str, object: &str, settings: &str) -> String {
    format!(
        r#"{{"request": {{"uid": "dup-1", "kind": {{"group": "", "version": "v1", "kind": "{kind}"}},
            "resource": {{"group": "", "version": "v1", "resource": "pods"}}, "namespace": "default",
            "operation": "CREATE", "userInfo": {{"username": "mallory", "groups": ["system:authenticated"]}},
            "object": {object}, "oldObject": null, "dryRun": false}},
          "settings": {settings}}}"#
    )
}

/// Asserts a denial whose message says the object is malformed at `at` (the path of the key given twice)
/// because of the duplicate `field`.
#[track_caller]
fn assert_denied_for_duplicate(response: &ValidationResponse, at: &str, field: &str) {
    assert_denied(
        response,
        &format!("the Pod object is malformed at {at}: duplicate field `{field}`"),
    );
}

/// Attack: `"privileged": false, "privileged": true`. A parser that keeps the first value sees an unprivileged
/// container; the API server stores the last, a privileged one.
#[test]
fn a_privileged_flag_given_twice_is_denied() {
    for flags in [
        r#""privileged": false, "privileged": true"#,
        r#""privileged": true, "privileged": false"#,
    ] {
        let object = format!(
            r#"{{"apiVersion": "v1", "kind": "Pod", "metadata": {{"name": "dup"}},
                "spec": {{"containers": [{{"name": "app", "securityContext": {{{flags}}}}}]}}}}"#
        );
        let response = validate_raw(&raw_payload("Pod", &object, RUN_AS_ANY));
        assert_denied_for_duplicate(
            &response,
            "spec.containers[0].securityContext.privileged",
            "privileged",
        );
    }
}

/// Attack: `"hostPID": false, "hostPID": true` in the pod spec.
#[test]
fn host_pid_given_twice_is_denied() {
    let object = r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "dup"},
        "spec": {"hostPID": false, "containers": [{"name": "app"}], "hostPID": true}}"#;
    let response = validate_raw(&raw_payload("Pod", object, RUN_AS_ANY));
    assert_denied_for_duplicate(&response, "spec.hostPID", "hostPID");
}

/// Attack: a whole second `spec` after a compliant one.
#[test]
fn a_spec_given_twice_is_denied() {
    let object = r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "dup"},
        "spec": {"containers": [{"name": "app"}]},
        "spec": {"hostNetwork": true, "containers": [{"name": "app", "securityContext": {"privileged": true}}]}}"#;
    let response = validate_raw(&raw_payload("Pod", object, RUN_AS_ANY));
    assert_denied_for_duplicate(&response, "spec", "spec");
}

/// Attack: a read-only mount whose `readOnly` is given twice, the last one false.
#[test]
fn a_mount_read_only_flag_given_twice_is_denied() {
    let object = r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "dup"},
        "spec": {"containers": [{"name": "app", "volumeMounts": [{"name": "data", "mountPath": "/d", "readOnly": true, "readOnly": false}]}],
                 "volumes": [{"name": "data", "hostPath": {"path": "/data/ai"}}]}}"#;
    let settings = serde_json::to_string(&ai_data_security()).unwrap();
    let response = validate_raw(&raw_payload("Pod", object, &settings));
    assert_denied_for_duplicate(
        &response,
        "spec.containers[0].volumeMounts[0].readOnly",
        "readOnly",
    );
}

/// Attack: a volume whose name is given twice: `name: safe` (no mount uses it) then `name: data`, the name
/// the writable mount uses. The last name is the volume's: its mounts must be read-only.
#[test]
fn a_volume_name_given_twice_is_judged_by_the_last() {
    let object = r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "dup"},
        "spec": {"containers": [{"name": "app", "volumeMounts": [{"name": "data", "mountPath": "/d"}]}],
                 "volumes": [{"name": "safe", "hostPath": {"path": "/data/ai"}, "name": "data"}]}}"#;
    let settings = serde_json::to_string(&ai_data_security()).unwrap();
    let response = validate_raw(&raw_payload("Pod", object, &settings));
    assert_psp_denied(
        &response,
        &[&must_be_read_only(
            "spec.containers[0].volumeMounts[0]",
            false,
            "/data/ai",
        )],
    );
}

/// Attack: a volume source given twice (`hostPath` of an allowed path, then of `/`).
#[test]
fn a_volume_source_given_twice_is_denied() {
    let object = r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "dup"},
        "spec": {"containers": [{"name": "app"}],
                 "volumes": [{"name": "data", "hostPath": {"path": "/data/ai"}, "hostPath": {"path": "/"}}]}}"#;
    let settings = serde_json::to_string(&ai_data_security()).unwrap();
    let response = validate_raw(&raw_payload("Pod", object, &settings));
    assert!(!response.accepted, "{response:?}");
    assert_denied(
        &response,
        "the Pod object is malformed at spec.volumes[0]: duplicate volume source hostPath",
    );
}

/// Attack: the seccomp pod annotation given twice, `runtime/default` then `unconfined`: the API server keeps
/// `unconfined`, and so does the policy. The reverse order is `runtime/default` for both, and accepted.
#[test]
fn an_annotation_given_twice_is_judged_by_the_last() {
    let object = |first: &str, last: &str| {
        format!(
            r#"{{"apiVersion": "v1", "kind": "Pod",
                "metadata": {{"name": "dup", "annotations": {{"seccomp.security.alpha.kubernetes.io/pod": "{first}",
                                                            "seccomp.security.alpha.kubernetes.io/pod": "{last}"}}}},
                "spec": {{"containers": [{{"name": "app"}}]}}}}"#
        )
    };
    let settings = serde_json::to_string(&runtime_default_seccomp_only()).unwrap();
    let response = validate_raw(&raw_payload(
        "Pod",
        &object("runtime/default", "unconfined"),
        &settings,
    ));
    assert_psp_denied(
        &response,
        &[&seccomp_not_allowed(
            "metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]",
        )],
    );
    let response = validate_raw(&raw_payload(
        "Pod",
        &object("unconfined", "runtime/default"),
        &settings,
    ));
    assert!(response.accepted, "{response:?}");
}

/// Attack: a settings key given twice (`privileged: false` then `true`) must not configure the policy by its
/// first value; the settings are refused.
#[test]
fn a_settings_key_given_twice_is_refused() {
    let settings = r#"{"privileged": false, "runAsUser": {"rule": "RunAsAny"}, "seLinux": {"rule": "RunAsAny"},
        "supplementalGroups": {"rule": "RunAsAny"}, "fsGroup": {"rule": "RunAsAny"}, "privileged": true}"#;
    let answer = host()
        .call("validate_settings", settings.as_bytes())
        .expect("validate_settings answers");
    let answer: Value = serde_json::from_slice(&answer).unwrap();
    assert_eq!(answer["valid"], json!(false), "{answer}");
    let message = answer["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("duplicate field `privileged`"),
        "{message:?}"
    );
    let object = r#"{"kind": "Pod", "spec": {"containers": [{"name": "app", "securityContext": {"privileged": true}}]}}"#;
    let response = validate_raw(&raw_payload("Pod", object, settings));
    assert!(!response.accepted, "{response:?}");
    assert!(
        response.message().starts_with("invalid settings: ")
            && response.message().contains("duplicate field `privileged`"),
        "{:?}",
        response.message
    );
}

// ---------------------------------------------------------------------------------------------
// Requests that are not what they claim

fn with_object(object: Option<Value>) -> Value {
    let mut request = create(pod(
        json!({"containers": [{"name": "app", "securityContext": {"privileged": true}}]}),
    ));
    match object {
        Some(object) => request["object"] = object,
        None => {
            request.as_object_mut().unwrap().remove("object");
        }
    }
    request
}

/// Attack: a CREATE with no object at all: nothing to check must not mean nothing to refuse.
#[test]
fn a_request_without_an_object_is_denied() {
    let response = validate(&with_object(None), &settings(json!({})));
    assert_denied(
        &response,
        "the request has no object to evaluate (operation \"CREATE\")",
    );
}

/// Attack: a CREATE whose object is `null`.
#[test]
fn a_request_with_a_null_object_is_denied() {
    let response = validate(&with_object(Some(Value::Null)), &settings(json!({})));
    assert_denied(
        &response,
        "the request has no object to evaluate (operation \"CREATE\")",
    );
}

/// Attack: the object is an array holding a privileged pod (serde would read a struct from an array by
/// position).
#[test]
fn a_request_whose_object_is_an_array_is_denied() {
    let privileged = with_object(None);
    let object =
        pod(json!({"containers": [{"name": "app", "securityContext": {"privileged": true}}]}));
    let mut request = privileged;
    request["object"] = json!([
        object["apiVersion"],
        object["kind"],
        object["metadata"],
        object["spec"]
    ]);
    let response = validate(&request, &settings(json!({})));
    assert_denied(&response, "the Pod object is not a JSON object");
}

/// Attack: the object is a JSON string holding a privileged pod.
#[test]
fn a_request_whose_object_is_a_string_is_denied() {
    let object =
        pod(json!({"containers": [{"name": "app", "securityContext": {"privileged": true}}]}));
    let response = validate(
        &with_object(Some(json!(object.to_string()))),
        &settings(json!({})),
    );
    assert_denied(&response, "the Pod object is not a JSON object");
}

/// Attack: a request for a Pod whose object is a Deployment (whose template is privileged), and the reverse.
#[test]
fn a_request_whose_object_is_of_another_kind_is_denied() {
    let deployment = json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {"template": {"spec": {"containers": [{"name": "app", "securityContext": {"privileged": true}}]}}},
    });
    let response = validate(&with_object(Some(deployment)), &settings(json!({})));
    assert_denied(
        &response,
        "the object is of kind \"Deployment\" but the request is for kind \"Pod\"",
    );
    let privileged_pod =
        pod(json!({"containers": [{"name": "app", "securityContext": {"privileged": true}}]}));
    let response = validate(
        &request("Deployment", "CREATE", privileged_pod),
        &settings(json!({})),
    );
    assert_denied(
        &response,
        "the object is of kind \"Pod\" but the request is for kind \"Deployment\"",
    );
}

/// Attack: the request carries no settings, or `null` settings: the policy must not run unconfigured
/// (accepting everything).
#[test]
fn a_request_without_settings_is_denied() {
    let privileged = with_object(Some(pod(
        json!({"containers": [{"name": "app", "securityContext": {"privileged": true}}]}),
    )));
    let missing = format!(r#"{{"request": {privileged}}}"#);
    let null = format!(r#"{{"request": {privileged}, "settings": null}}"#);
    let required = "invalid settings: runAsUser, seLinux, supplementalGroups, fsGroup: required: a \
                    PodSecurityPolicy spec must set runAsUser, seLinux, supplementalGroups and fsGroup (e.g. \
                    `rule: RunAsAny`); or name a `profile` (ai-data-security, restricted, baseline) or a \
                    `podSecurityStandard` level";
    for payload in [missing, null] {
        assert_denied(&validate_raw(&payload), required);
    }
    let array = format!(r#"{{"request": {privileged}, "settings": []}}"#);
    assert_denied(
        &validate_raw(&array),
        "invalid settings: settings must be a JSON object",
    );
}
