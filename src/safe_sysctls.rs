//! The safe sysctls: namespaced and isolated from other pods, so that the kubelet allows them without
//! `--allowed-unsafe-sysctls`. The Pod Security Standards allow exactly this set, which grows with the policy
//! version (PSA's `check_sysctls.go`); PSP's sysctl rules start from the newest set.

/// The sysctls each policy version adds to the safe set, oldest first: `(minor, names)`.
pub const ADDED: [(u8, &[&str]); 5] = [
    (
        0,
        &[
            "kernel.shm_rmid_forced",
            "net.ipv4.ip_local_port_range",
            "net.ipv4.tcp_syncookies",
            "net.ipv4.ping_group_range",
            "net.ipv4.ip_unprivileged_port_start",
        ],
    ),
    (27, &["net.ipv4.ip_local_reserved_ports"]),
    (
        29,
        &[
            "net.ipv4.tcp_keepalive_time",
            "net.ipv4.tcp_fin_timeout",
            "net.ipv4.tcp_keepalive_intvl",
            "net.ipv4.tcp_keepalive_probes",
        ],
    ),
    (32, &["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"]),
    (
        37,
        &[
            "net.ipv4.tcp_slow_start_after_idle",
            "net.ipv4.tcp_notsent_lowat",
        ],
    ),
];

/// True when `name` is in the safe set of policy version `v1.<minor>`.
pub fn is_safe_at(minor: u8, name: &str) -> bool {
    ADDED
        .iter()
        .take_while(|(since, _)| *since <= minor)
        .any(|(_, names)| names.contains(&name))
}

/// True when `name` is in the newest safe set.
pub fn is_safe(name: &str) -> bool {
    ADDED.iter().any(|(_, names)| names.contains(&name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_set_grows_by_version() {
        assert!(is_safe_at(0, "kernel.shm_rmid_forced"));
        assert!(!is_safe_at(26, "net.ipv4.ip_local_reserved_ports"));
        assert!(is_safe_at(27, "net.ipv4.ip_local_reserved_ports"));
        assert!(!is_safe_at(36, "net.ipv4.tcp_notsent_lowat"));
        assert!(is_safe_at(37, "net.ipv4.tcp_notsent_lowat"));
        assert!(is_safe("net.ipv4.tcp_notsent_lowat"));
        assert!(!is_safe("net.core.somaxconn"));
        assert!(ADDED.windows(2).all(|pair| pair[0].0 < pair[1].0));
    }
}
