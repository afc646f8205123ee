//! PSA check `sysctls` (baseline), after `policy/check_sysctls.go`.
//!
//! Sysctls can disable security mechanisms or affect every container on the node; only a "safe" subset
//! (namespaced and isolated from other pods) is allowed.
//!
//! Reads: `spec.securityContext.sysctls[*].name`.
//! Allows, by version (each adds to the previous):
//! - v1.0: `kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`, `net.ipv4.tcp_syncookies`,
//!   `net.ipv4.ping_group_range`, `net.ipv4.ip_unprivileged_port_start`
//! - v1.27: `net.ipv4.ip_local_reserved_ports`
//! - v1.29: `net.ipv4.tcp_keepalive_time`, `net.ipv4.tcp_fin_timeout`, `net.ipv4.tcp_keepalive_intvl`,
//!   `net.ipv4.tcp_keepalive_probes`
//! - v1.32: `net.ipv4.tcp_rmem`, `net.ipv4.tcp_wmem`
//! - v1.37: `net.ipv4.tcp_slow_start_after_idle`, `net.ipv4.tcp_notsent_lowat`

use super::{Annotations, Forbidden};
use crate::pod::PodSpec;

const ADDED_V1_0: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
];
const ADDED_V1_27: &[&str] = &["net.ipv4.ip_local_reserved_ports"];
const ADDED_V1_29: &[&str] = &[
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];
const ADDED_V1_32: &[&str] = &["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"];
const ADDED_V1_37: &[&str] = &[
    "net.ipv4.tcp_slow_start_after_idle",
    "net.ipv4.tcp_notsent_lowat",
];

/// The sysctls the newest standard allows: the kubelet's safe set, which PSP's sysctl rules also start from.
pub fn allowed_at_latest() -> impl Iterator<Item = &'static str> {
    ALLOWED_V1_37.iter().flat_map(|names| names.iter().copied())
}

const ALLOWED_V1_0: &[&[&str]] = &[ADDED_V1_0];
const ALLOWED_V1_27: &[&[&str]] = &[ADDED_V1_0, ADDED_V1_27];
const ALLOWED_V1_29: &[&[&str]] = &[ADDED_V1_0, ADDED_V1_27, ADDED_V1_29];
const ALLOWED_V1_32: &[&[&str]] = &[ADDED_V1_0, ADDED_V1_27, ADDED_V1_29, ADDED_V1_32];
const ALLOWED_V1_37: &[&[&str]] = &[
    ADDED_V1_0,
    ADDED_V1_27,
    ADDED_V1_29,
    ADDED_V1_32,
    ADDED_V1_37,
];

pub(super) fn sysctls_v1_0(_: &Annotations, spec: &PodSpec) -> Option<Forbidden> {
    sysctls(spec, ALLOWED_V1_0)
}

pub(super) fn sysctls_v1_27(_: &Annotations, spec: &PodSpec) -> Option<Forbidden> {
    sysctls(spec, ALLOWED_V1_27)
}

pub(super) fn sysctls_v1_29(_: &Annotations, spec: &PodSpec) -> Option<Forbidden> {
    sysctls(spec, ALLOWED_V1_29)
}

pub(super) fn sysctls_v1_32(_: &Annotations, spec: &PodSpec) -> Option<Forbidden> {
    sysctls(spec, ALLOWED_V1_32)
}

pub(super) fn sysctls_v1_37(_: &Annotations, spec: &PodSpec) -> Option<Forbidden> {
    sysctls(spec, ALLOWED_V1_37)
}

fn sysctls(spec: &PodSpec, allowed: &[&[&str]]) -> Option<Forbidden> {
    // In pod order, duplicates kept, as PSA.
    let forbidden: Vec<&str> = spec
        .sysctls()
        .iter()
        .map(|s| s.name.as_str())
        .filter(|name| !allowed.iter().any(|set| set.contains(name)))
        .collect();
    if forbidden.is_empty() {
        return None;
    }
    Some(Forbidden::new("forbidden sysctls", forbidden.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::super::{test_spec, Annotations};
    use super::*;
    use serde_json::json;

    type CheckFn = fn(&Annotations, &PodSpec) -> Option<Forbidden>;

    fn pod(names: &[&str]) -> PodSpec {
        let sysctls: Vec<_> = names
            .iter()
            .map(|n| json!({"name": n, "value": "1"}))
            .collect();
        test_spec(json!({"securityContext": {"sysctls": sysctls}}))
    }

    #[test]
    fn allow_list_grows_by_version() {
        let versions: [(u8, CheckFn); 5] = [
            (0, sysctls_v1_0),
            (27, sysctls_v1_27),
            (29, sysctls_v1_29),
            (32, sysctls_v1_32),
            (37, sysctls_v1_37),
        ];
        let added: [(u8, &[&str]); 5] = [
            (0, ADDED_V1_0),
            (27, ADDED_V1_27),
            (29, ADDED_V1_29),
            (32, ADDED_V1_32),
            (37, ADDED_V1_37),
        ];
        for (version, check) in versions {
            for (since, names) in added {
                let got = check(&Annotations::new(), &pod(names));
                if since <= version {
                    assert_eq!(got, None, "v1.{version} allows {names:?}");
                } else {
                    assert_eq!(
                        got.map(|f| f.detail),
                        Some(names.join(", ")),
                        "v1.{version} forbids {names:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn table() {
        let cases = [
            (pod(&[]), None),
            (test_spec(json!({"securityContext": {}})), None),
            (pod(&["othersysctl"]), Some("othersysctl")),
            (
                pod(&["b.sysctl", "kernel.shm_rmid_forced", "a.sysctl", "b.sysctl"]),
                Some("b.sysctl, a.sysctl, b.sysctl"),
            ),
        ];
        for (spec, want) in cases {
            let got = sysctls_v1_37(&Annotations::new(), &spec);
            assert_eq!(
                got.as_ref().map(|f| f.reason.as_str()),
                want.map(|_| "forbidden sysctls")
            );
            assert_eq!(got.as_ref().map(|f| f.detail.as_str()), want, "{spec:?}");
        }
    }
}
