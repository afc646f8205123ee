//! PSA check `capabilities_baseline` (baseline), after `policy/check_capabilities_baseline.go`.
//!
//! Adding NET_RAW or capabilities beyond the container runtime's default set must be disallowed. In
//! `restricted`, `capabilities_restricted` replaces this check from v1.22.
//!
//! Reads: `spec.{initContainers,containers,ephemeralContainers}[*].securityContext.capabilities.add`.
//! Allows: unset, empty, or only `AUDIT_WRITE`, `CHOWN`, `DAC_OVERRIDE`, `FOWNER`, `FSETID`, `KILL`, `MKNOD`,
//! `NET_BIND_SERVICE`, `SETFCAP`, `SETGID`, `SETPCAP`, `SETUID`, `SYS_CHROOT` (exact spelling, as PSA).
//! Versions: one rule since v1.0.

use std::collections::BTreeSet;

use super::helpers::{containers, containers_phrase, join_quote};
use super::registry::{Check, Revision};
use super::standard::Level;
use super::{Annotations, Forbidden};
use crate::pod::PodSpec;

pub(super) const CHECK: Check = Check {
    id: "capabilities_baseline",
    level: Level::Baseline,
    revisions: &[Revision::since(0, capabilities_baseline_v1_0)],
};

const ALLOWED_V1_0: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

pub(super) fn capabilities_baseline_v1_0(_: &Annotations, spec: &PodSpec) -> Option<Forbidden> {
    let mut bad: Vec<&str> = Vec::new();
    let mut forbidden: BTreeSet<&str> = BTreeSet::new();
    for container in containers(spec) {
        let added = container
            .sc()
            .and_then(|sc| sc.capabilities.as_ref())
            .and_then(|caps| caps.add.as_deref())
            .unwrap_or_default();
        let mut valid = true;
        for cap in added {
            if !ALLOWED_V1_0.contains(&cap.as_str()) {
                valid = false;
                forbidden.insert(cap.as_str());
            }
        }
        if !valid {
            bad.push(container.name.as_str());
        }
    }
    if bad.is_empty() {
        return None;
    }
    Some(Forbidden::new(
        "non-default capabilities",
        format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_phrase(&bad),
            join_quote(&forbidden)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::helpers::assert_table;
    use super::*;
    use serde_json::json;

    #[test]
    fn table() {
        let cases = [
            (json!({"containers": [{"name": "a"}]}), None),
            (
                json!({"containers": [{"name": "a", "securityContext": {"capabilities": {"drop": ["ALL"]}}}]}),
                None,
            ),
            (
                json!({"containers": [{"name": "a", "securityContext": {"capabilities": {"add": ["CHOWN", "NET_BIND_SERVICE", "SYS_CHROOT"]}}}]}),
                None,
            ),
            (
                json!({"containers": [{"name": "a", "securityContext": {"capabilities": {"add": ["NET_RAW"]}}}]}),
                Some(
                    r#"container "a" must not include "NET_RAW" in securityContext.capabilities.add"#,
                ),
            ),
            (
                // Case-sensitive, as PSA.
                json!({"containers": [{"name": "a", "securityContext": {"capabilities": {"add": ["chown"]}}}]}),
                Some(
                    r#"container "a" must not include "chown" in securityContext.capabilities.add"#,
                ),
            ),
            (
                json!({
                    "containers": [
                        {"name": "a", "securityContext": {"capabilities": {"add": ["SYS_ADMIN", "CHOWN"]}}},
                        {"name": "b", "securityContext": {"capabilities": {"add": ["NET_RAW", "SYS_ADMIN"]}}},
                    ],
                    "ephemeralContainers": [{"name": "e", "securityContext": {"capabilities": {"add": ["BPF"]}}}],
                }),
                Some(
                    r#"containers "a", "b", "e" must not include "BPF", "NET_RAW", "SYS_ADMIN" in securityContext.capabilities.add"#,
                ),
            ),
        ];
        assert_table(
            &[capabilities_baseline_v1_0],
            "non-default capabilities",
            cases,
        );
    }
}
