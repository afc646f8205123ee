//! PSA check `hostPorts` (baseline), after `policy/check_hostPorts.go`.
//!
//! Host ports must be forbidden.
//!
//! Reads: `spec.{initContainers,containers,ephemeralContainers}[*].ports[*].hostPort`.
//! Allows: unset, `0`.
//! Versions: one rule since v1.0.

use std::collections::BTreeSet;

use super::helpers::{containers, uses_phrase};
use super::registry::{Check, Revision};
use super::standard::Level;
use super::{Annotations, Forbidden};
use crate::pod::PodSpec;

pub(super) const CHECK: Check = Check {
    id: "hostPorts",
    level: Level::Baseline,
    revisions: &[Revision::since(0, host_ports_v1_0)],
};

pub(super) fn host_ports_v1_0(_: &Annotations, spec: &PodSpec) -> Option<Forbidden> {
    let mut bad: Vec<&str> = Vec::new();
    // PSA keeps the ports as a sorted set of strings.
    let mut ports: BTreeSet<String> = BTreeSet::new();
    for container in containers(spec) {
        let mut uses = false;
        for port in container.ports() {
            if let Some(host_port) = port.host_port.filter(|p| *p != 0) {
                uses = true;
                ports.insert(host_port.to_string());
            }
        }
        if uses {
            bad.push(container.name.as_str());
        }
    }
    if bad.is_empty() {
        return None;
    }
    let ports: Vec<&str> = ports.iter().map(String::as_str).collect();
    Some(Forbidden::new(
        "hostPort",
        uses_phrase(
            "container",
            &bad,
            "hostPort",
            ports.len(),
            &ports.join(", "),
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
                json!({"containers": [{"name": "a", "ports": [{"containerPort": 80}, {"hostPort": 0}]}]}),
                None,
            ),
            (
                json!({"containers": [{"name": "a", "ports": [{"hostPort": 8080}]}]}),
                Some(r#"container "a" uses hostPort 8080"#),
            ),
            (
                json!({
                    "containers": [
                        {"name": "a", "ports": [{"hostPort": 9090}, {"hostPort": 10}]},
                        {"name": "b", "ports": [{"hostPort": 9090}]},
                    ],
                    "initContainers": [{"name": "i", "ports": [{"hostPort": 8080}]}],
                }),
                Some(r#"containers "i", "a", "b" use hostPorts 10, 8080, 9090"#),
            ),
        ];
        assert_table(&[host_ports_v1_0], "hostPort", cases);
    }
}
