//! Seccomp and AppArmor profiles where a field and an annotation disagree (allow-lists:
//! runtime/default).

use super::*;
use serde_json::{json, Value};

/// The attack: a Pod whose seccomp profile is `field` (a type) in its security context and
/// `annotation` in its seccomp annotation, under the runtime/default allow-list.
fn pod_seccomp_attack(field: &str, annotation: &str) -> ValidationResponse {
    let object = pod_with(
        json!({"seccomp.security.alpha.kubernetes.io/pod": annotation}),
        json!({
            "securityContext": {"seccompProfile": {"type": field}},
            "containers": [{"name": "app", "image": "registry.example.com/app:1.0"}],
        }),
    );
    validate(&create("Pod", object), &runtime_default_seccomp_only())
}

/// Attack: the pod annotation says `runtime/default` (what an annotation-only check reads) while the field,
/// which the kubelet obeys, says `Unconfined`.
#[test]
fn seccomp_unconfined_in_the_pod_field_under_a_runtime_default_annotation_is_denied() {
    let response = pod_seccomp_attack("Unconfined", "runtime/default");
    let violation = seccomp_not_allowed("spec.securityContext.seccompProfile");
    assert_psp_rejected(&response, &[&violation], "the attack");
}

/// Attack, the reverse: the field says `RuntimeDefault` (what a field-only check reads) while the annotation
/// says `unconfined`.
#[test]
fn seccomp_unconfined_in_the_pod_annotation_under_a_runtime_default_field_is_denied() {
    let response = pod_seccomp_attack("RuntimeDefault", "unconfined");
    let violation =
        seccomp_not_allowed("metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]");
    assert_psp_rejected(&response, &[&violation], "the attack");
}

/// Attack, at container level: the container annotation says `runtime/default`, the container's field
/// `Unconfined`; and the reverse on a second container.
#[test]
fn seccomp_field_and_annotation_disagreeing_in_containers_are_denied() {
    let object = pod_with(
        json!({
            "container.seccomp.security.alpha.kubernetes.io/a": "runtime/default",
            "container.seccomp.security.alpha.kubernetes.io/b": "unconfined",
        }),
        json!({
            "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [
                {"name": "a", "securityContext": {"seccompProfile": {"type": "Unconfined"}}},
                {"name": "b", "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}},
            ],
        }),
    );
    let response = validate(&create("Pod", object), &runtime_default_seccomp_only());
    assert_psp_rejected(
        &response,
        &[
            &seccomp_not_allowed(
                "spec.containers[0].securityContext.seccompProfile (container \"a\")",
            ),
            &seccomp_not_allowed(
                "metadata.annotations[container.seccomp.security.alpha.kubernetes.io/b] (container \"b\")",
            ),
        ],
        "the attack",
    );
}

fn runtime_default_apparmor_only() -> Value {
    settings(json!({"appArmor": {"allowedProfileNames": ["runtime/default"]}}))
}

/// The violation of the AppArmor profile `name` at `field` (its path, and the container it concerns).
fn apparmor_not_allowed(field: &str, name: &str) -> String {
    format!(
        "{field}: Invalid value: {}: AppArmor profile is not allowed; allowed: \"runtime/default\"",
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
    let response = validate(&create("Pod", object), &runtime_default_apparmor_only());
    assert_psp_rejected(
        &response,
        &[&apparmor_not_allowed(
            "spec.containers[0].securityContext.appArmorProfile (container \"app\")",
            "unconfined",
        )],
        "the attack",
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
    let response = validate(&create("Pod", object), &runtime_default_apparmor_only());
    assert_psp_rejected(
        &response,
        &[&apparmor_not_allowed(
            "spec.securityContext.appArmorProfile",
            "unconfined",
        )],
        "the attack",
    );
}

/// Attack: the container annotation says `runtime/default`, the container's field a localhost profile.
#[test]
fn apparmor_field_disagreeing_with_its_annotation_is_denied() {
    let object = pod_with(
        json!({"container.apparmor.security.beta.kubernetes.io/app": "runtime/default"}),
        json!({"containers": [{
            "name": "app",
            "securityContext": {"appArmorProfile": {"type": "Localhost", "localhostProfile": "permissive"}},
        }]}),
    );
    let response = validate(&create("Pod", object), &runtime_default_apparmor_only());
    assert_psp_rejected(
        &response,
        &[&apparmor_not_allowed(
            "spec.containers[0].securityContext.appArmorProfile (container \"app\")",
            "localhost/permissive",
        )],
        "the attack",
    );
}
