//! Every PodSecurityPolicy settings field, end to end through the built `policy.wasm`: each accepts what
//! PSP accepted and rejects what PSP rejected, with a message naming the field path and what is
//! allowed; `validate_settings` refuses bad settings naming the key; one rejection lists every
//! violation. One file per field family.
//!
//! Field cases run with `"mutating": false` (pure validation); defaulting is in `defaulting/`.

#[path = "../common/mod.rs"]
mod common;

mod capabilities;
mod container_hardening;
mod privileged_and_host;
mod runtime_class;
mod selinux_seccomp_apparmor;
mod settings_validation;
mod sysctls;
mod users_and_groups;
mod volumes;

use common::*;
use serde_json::{json, Value};

/// One request against one settings document, and the verdict expected: accepted unchanged when
/// `violations` is empty, else rejected with exactly these violations (in order).
struct Case {
    name: &'static str,
    settings: Value,
    annotations: Value,
    spec: Value,
    violations: Vec<&'static str>,
}

fn case(name: &'static str, settings: Value, spec: Value, violations: Vec<&'static str>) -> Case {
    Case {
        name,
        settings,
        annotations: Value::Null,
        spec,
        violations,
    }
}

fn annotated(
    name: &'static str,
    settings: Value,
    annotations: Value,
    spec: Value,
    violations: Vec<&'static str>,
) -> Case {
    Case {
        name,
        settings,
        annotations,
        spec,
        violations,
    }
}

/// Runs every case (settings through [`validating`]) and reports every mismatch at once.
fn check(cases: Vec<Case>) {
    let mut accepted = 0;
    let mut rejected = 0;
    for c in &cases {
        let s = validating(c.settings.clone());
        let response = validate(
            &create("Pod", pod_with(c.annotations.clone(), c.spec.clone())),
            &s,
        );
        let context = format!("case {:?} (settings {})", c.name, c.settings);
        if c.violations.is_empty() {
            assert_accepted_unchanged(&response, &context);
            accepted += 1;
        } else {
            assert_psp_rejected(&response, &c.violations, &context);
            rejected += 1;
        }
    }
    // Every field is shown both ways.
    assert!(
        accepted > 0 && rejected > 0,
        "{accepted} accepted, {rejected} rejected"
    );
}

fn sc(value: Value) -> Value {
    one_container(value)
}

fn no_sc() -> Value {
    one_container(Value::Null)
}

#[test]
fn one_rejection_lists_every_violation() {
    let settings = validating(json!({
        "volumes": ["configMap", "emptyDir"],
        "runAsUser": {"rule": "MustRunAsNonRoot"},
        "allowPrivilegeEscalation": false,
    }));
    let spec = json!({
        "hostNetwork": true,
        "hostPID": true,
        "volumes": [{"name": "root", "hostPath": {"path": "/"}}],
        "initContainers": [{"name": "init", "image": "i", "securityContext": {"runAsUser": 0, "allowPrivilegeEscalation": false}}],
        "containers": [{
            "name": "app", "image": "i",
            "ports": [{"containerPort": 22, "hostPort": 22}],
            "securityContext": {"privileged": true, "runAsNonRoot": true, "allowPrivilegeEscalation": true, "capabilities": {"add": ["SYS_ADMIN"]}},
        }],
    });
    // Family by family, in the order the families report.
    let expected = [
        "spec.hostNetwork: Forbidden: host network is not allowed; allowed: false",
        "spec.hostPID: Forbidden: host PID is not allowed; allowed: false",
        "spec.containers[0].ports[0].hostPort (container \"app\"): Invalid value: 22: host port is not allowed to be used; allowed: none",
        "spec.volumes[0]: Invalid value: \"hostPath\": hostPath volumes are not allowed to be used; allowed: \"configMap\", \"emptyDir\"",
        "spec.initContainers[0].securityContext.runAsUser (container \"init\"): Invalid value: 0: running as root is not allowed; allowed: 1-9223372036854775807",
        "spec.containers[0].securityContext.privileged (container \"app\"): Invalid value: true: privileged containers are not allowed; allowed: false",
        "spec.containers[0].securityContext.capabilities.add[0] (container \"app\"): Invalid value: \"SYS_ADMIN\": capability SYS_ADMIN may not be added; allowed: none",
        "spec.containers[0].securityContext.allowPrivilegeEscalation (container \"app\"): Invalid value: true: privilege escalation is not allowed; allowed: false",
    ];
    let response = validate(&create("Pod", pod(spec)), &settings);
    assert_psp_rejected(&response, &expected, "every violation");
}
