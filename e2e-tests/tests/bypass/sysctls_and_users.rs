//! Sysctls matched by forbidden patterns in either spelling, and root UIDs hidden behind
//! `runAsNonRoot`.

use super::*;
use serde_json::{json, Value};

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
    let response = validate(&create("Pod", object), &settings);
    assert_psp_rejected(&response, &[
            "spec.securityContext.sysctls[1].name: Invalid value: \"net.ipv4.tcp_syncookies\": sysctl is \
             forbidden by forbiddenSysctls \"net.ipv4.*\"; allowed: \"net.core.*\"",
            "spec.securityContext.sysctls[2].name: Invalid value: \"net/ipv4/ip_unprivileged_port_start\": \
             sysctl is forbidden by forbiddenSysctls \"net.ipv4.*\"; allowed: \"net.core.*\"",
        ], "the attack");
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
    let response = validate(&create("Pod", object), &settings);
    assert_psp_rejected(&response, &[
            "spec.securityContext.sysctls[0].name: Invalid value: \"kernel.shm_rmid_forced\": sysctl is \
             forbidden by forbiddenSysctls \"kernel/shm_rmid_forced\"; allowed: none",
            "spec.securityContext.sysctls[1].name: Invalid value: \"net.ipv4.tcp_syncookies\": sysctl is \
             forbidden by forbiddenSysctls \"net/ipv4/tcp_*\"; allowed: none",
        ], "the attack");
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
    let response = validate(&create("Pod", object), &overlapping);
    assert_rejected(
        &response,
        &format!("invalid settings: {problem}"),
        "the attack",
    );
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
        &create("Pod", object),
        &settings(json!({"runAsUser": {"rule": "MustRunAsNonRoot"}})),
    );
    assert_psp_rejected(&response, &[
            "spec.initContainers[0].securityContext.runAsUser (container \"init\"): Invalid value: 0: running \
             as root is not allowed; allowed: 1-9223372036854775807",
            "spec.containers[0].securityContext.runAsUser (container \"app\"): Invalid value: 0: running as \
             root is not allowed; allowed: 1-9223372036854775807",
        ], "the attack");
}

/// Attack, the reverse: the pod runs as UID 0 and the container only says `runAsNonRoot: true`.
#[test]
fn run_as_user_zero_in_the_pod_under_a_non_root_container_is_denied() {
    let object = pod(json!({
        "securityContext": {"runAsUser": 0},
        "containers": [{"name": "app", "securityContext": {"runAsNonRoot": true}}],
    }));
    let response = validate(
        &create("Pod", object),
        &settings(json!({"runAsUser": {"rule": "MustRunAsNonRoot"}})),
    );
    assert_psp_rejected(&response, &["spec.securityContext.runAsUser (container \"app\"): Invalid value: 0: running as root is not \
           allowed; allowed: 1-9223372036854775807"], "the attack");
}
