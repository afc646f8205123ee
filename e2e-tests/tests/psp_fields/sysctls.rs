//! `allowedUnsafeSysctls` and `forbiddenSysctls`, beside the kubelet's safe set.

use super::*;
use serde_json::{json, Value};

fn sysctls(names: &[&str]) -> Value {
    let list: Vec<Value> = names
        .iter()
        .map(|n| json!({"name": n, "value": "1"}))
        .collect();
    json!({"securityContext": {"sysctls": list}, "containers": [container("app", Value::Null)]})
}

#[test]
fn allowed_unsafe_sysctls_admit_unsafe_sysctls_beside_the_safe_set() {
    let settings = json!({"allowedUnsafeSysctls": ["net.core.*", "kernel.msgmax"]});
    check(vec![
        case("safe sysctls need nothing", json!({}), sysctls(&["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range"]), vec![]),
        case("allowed by pattern and by name", settings.clone(), sysctls(&["net.core.somaxconn", "kernel.msgmax", "net.ipv4.tcp_syncookies"]), vec![]),
        case("slash-separated name", settings.clone(), sysctls(&["net/core/somaxconn"]), vec![]),
        case("unsafe, not allowed", settings, sysctls(&["net.core.somaxconn", "kernel.msgmnb"]), vec![
            "spec.securityContext.sysctls[1].name: Invalid value: \"kernel.msgmnb\": sysctl is neither a safe sysctl nor in allowedUnsafeSysctls; allowed: \"net.core.*\", \"kernel.msgmax\"",
        ]),
        case("unsafe, none allowed", json!({}), sysctls(&["vm.swappiness"]), vec![
            "spec.securityContext.sysctls[0].name: Invalid value: \"vm.swappiness\": sysctl is neither a safe sysctl nor in allowedUnsafeSysctls; allowed: none",
        ]),
    ]);
}

#[test]
fn forbidden_sysctls_win_over_the_safe_set() {
    let settings = json!({"forbiddenSysctls": ["kernel.shm_rmid_forced", "net.ipv4.tcp_*"]});
    check(vec![
        case("a safe sysctl not forbidden", settings.clone(), sysctls(&["net.ipv4.ip_local_port_range"]), vec![]),
        case("a forbidden safe sysctl", settings.clone(), sysctls(&["kernel.shm_rmid_forced"]), vec![
            "spec.securityContext.sysctls[0].name: Invalid value: \"kernel.shm_rmid_forced\": sysctl is forbidden by forbiddenSysctls \"kernel.shm_rmid_forced\"; allowed: none",
        ]),
        case("forbidden by pattern", settings, sysctls(&["net.ipv4.tcp_syncookies"]), vec![
            "spec.securityContext.sysctls[0].name: Invalid value: \"net.ipv4.tcp_syncookies\": sysctl is forbidden by forbiddenSysctls \"net.ipv4.tcp_*\"; allowed: none",
        ]),
    ]);
}
