//! PSA check `hostPorts` (baseline), after `policy/check_hostPorts.go`.
//!
//! Host ports must be forbidden.
//!
//! Reads: `spec.{initContainers,containers,ephemeralContainers}[*].ports[*].hostPort`.
//! Allows: unset, `0`.
//! Versions: one rule since v1.0.

use std::collections::BTreeSet;

use super::helpers::{containers, join_quote, pluralize};
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
        format!(
            "{} {} {} {} {}",
            pluralize("container", "containers", bad.len()),
            join_quote(&bad),
            pluralize("uses", "use", bad.len()),
            pluralize("hostPort", "hostPorts", ports.len()),
            ports.join(", "),
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::helpers::test_spec;
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
        for (spec, want) in cases {
            let got = host_ports_v1_0(&Annotations::new(), &test_spec(spec.clone()));
            assert_eq!(
                got.as_ref().map(|f| f.reason.as_str()),
                want.map(|_| "hostPort")
            );
            assert_eq!(got.as_ref().map(|f| f.detail.as_str()), want, "{spec}");
        }
    }
}
