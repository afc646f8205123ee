//! PSA check `hostNamespaces` (baseline), after `policy/check_hostNamespaces.go`.
//!
//! Sharing the host's network, PID or IPC namespace must be disallowed.
//!
//! Reads: `spec.hostNetwork`, `spec.hostPID`, `spec.hostIPC`.
//! Allows: unset, `false`.
//! Versions: one rule since v1.0.

use super::registry::{Check, Revision};
use super::standard::Level;
use super::{Annotations, Forbidden};
use crate::pod::PodSpec;

pub(super) const CHECK: Check = Check {
    id: "hostNamespaces",
    level: Level::Baseline,
    revisions: &[Revision::since(0, host_namespaces_v1_0)],
};

pub(super) fn host_namespaces_v1_0(_: &Annotations, spec: &PodSpec) -> Option<Forbidden> {
    let shared: Vec<&str> = [
        (spec.host_network, "hostNetwork=true"),
        (spec.host_pid, "hostPID=true"),
        (spec.host_ipc, "hostIPC=true"),
    ]
    .into_iter()
    .filter(|(set, _)| *set == Some(true))
    .map(|(_, text)| text)
    .collect();
    if shared.is_empty() {
        return None;
    }
    Some(Forbidden::new("host namespaces", shared.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::super::helpers::assert_table;
    use super::*;
    use serde_json::json;

    #[test]
    fn table() {
        let cases = [
            (json!({}), None),
            (
                json!({"hostNetwork": false, "hostPID": false, "hostIPC": false}),
                None,
            ),
            (json!({"hostNetwork": true}), Some("hostNetwork=true")),
            (json!({"hostIPC": true}), Some("hostIPC=true")),
            (
                json!({"hostNetwork": true, "hostPID": true, "hostIPC": true}),
                Some("hostNetwork=true, hostPID=true, hostIPC=true"),
            ),
        ];
        assert_table(&[host_namespaces_v1_0], "host namespaces", cases);
    }
}
