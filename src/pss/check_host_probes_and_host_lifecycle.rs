//! PSA check `hostProbesAndHostLifecycle` (baseline), after `policy/check_hostProbesAndhostLifecycle.go`.
//!
//! A probe or lifecycle handler with a `host` makes the kubelet connect to an arbitrary address (SSRF from the
//! node); the host must be left to default to the pod IP.
//!
//! Reads, for every init, regular and ephemeral container: `{livenessProbe,readinessProbe,startupProbe}` and
//! `lifecycle.{postStart,preStop}`, each `.httpGet.host` and `.tcpSocket.host`.
//! Allows: unset or empty (any non-empty host, `127.0.0.1` included, is forbidden).
//! Versions: v1.34 introduces the check.

use std::collections::BTreeSet;

use super::helpers::{containers, join_quote, uses_phrase};
use super::registry::{Check, Revision};
use super::standard::Level;
use super::{Annotations, Forbidden};
use crate::pod::PodSpec;

pub(super) const CHECK: Check = Check {
    id: "hostProbesAndHostLifecycle",
    level: Level::Baseline,
    revisions: &[Revision::since(34, host_probes_and_host_lifecycle_v1_34)],
};

pub(super) fn host_probes_and_host_lifecycle_v1_34(
    _: &Annotations,
    spec: &PodSpec,
) -> Option<Forbidden> {
    // PSA keeps both the containers and the hosts as sorted sets.
    let mut bad_containers: BTreeSet<&str> = BTreeSet::new();
    let mut hosts: BTreeSet<&str> = BTreeSet::new();
    for container in containers(spec) {
        for handler in container.handlers() {
            for host in [handler.http_get.as_ref(), handler.tcp_socket.as_ref()]
                .into_iter()
                .flatten()
                .filter_map(|action| action.host.as_deref())
                .filter(|host| !host.is_empty())
            {
                bad_containers.insert(container.name.as_str());
                hosts.insert(host);
            }
        }
    }
    if bad_containers.is_empty() {
        return None;
    }
    let bad_containers: Vec<&str> = bad_containers.into_iter().collect();
    Some(Forbidden::new(
        "probe or lifecycle host",
        uses_phrase(
            "container",
            &bad_containers,
            "probe or lifecycle host",
            hosts.len(),
            &join_quote(&hosts),
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
                json!({"containers": [{"name": "a",
                    "livenessProbe": {"httpGet": {"port": 8080}},
                    "readinessProbe": {"tcpSocket": {"port": 8080, "host": ""}},
                    "startupProbe": {"exec": {"command": ["true"]}},
                    "lifecycle": {"preStop": {"sleep": {"seconds": 1}}},
                }]}),
                None,
            ),
            (
                json!({"containers": [{"name": "a", "livenessProbe": {"httpGet": {"host": "bad.host", "port": 8080}}}]}),
                Some(r#"container "a" uses probe or lifecycle host "bad.host""#),
            ),
            (
                json!({"containers": [{"name": "a", "readinessProbe": {"tcpSocket": {"host": "127.0.0.1", "port": 1}}}]}),
                Some(r#"container "a" uses probe or lifecycle host "127.0.0.1""#),
            ),
            (
                json!({
                    "containers": [
                        {"name": "b", "lifecycle": {"postStart": {"httpGet": {"host": "x.example", "port": 1}}}},
                        {"name": "a", "startupProbe": {"tcpSocket": {"host": "::1", "port": 1}},
                         "lifecycle": {"preStop": {"tcpSocket": {"host": "x.example", "port": 1}}}},
                    ],
                    "initContainers": [{"name": "i", "readinessProbe": {"httpGet": {"host": "8.8.8.8", "port": 1}}}],
                }),
                Some(
                    r#"containers "a", "b", "i" use probe or lifecycle hosts "8.8.8.8", "::1", "x.example""#,
                ),
            ),
        ];
        assert_table(
            &[host_probes_and_host_lifecycle_v1_34],
            "probe or lifecycle host",
            cases,
        );
    }
}
