//! Host namespaces and ports: `hostNetwork`, `hostPID`, `hostIPC`, `hostPorts`.
//!
//! Reads: `spec.hostNetwork`, `spec.hostPID`, `spec.hostIPC`, and `ports[*].hostPort` of every container.
//! Allows: each namespace only when its setting is true (default false); a host port (> 0) only inside one of
//! the `hostPorts` ranges (none by default). PSP defaults nothing here.

use super::ranges;
use super::{container_field, FieldFamily, PspSettings};
use crate::object::PodObject;
use crate::settings::spec::IdRange;
use crate::settings::SettingsErrors;
use crate::violation::{Allowed, Field, Violations};

#[derive(Debug)]
pub struct Host {
    network: bool,
    pid: bool,
    ipc: bool,
    ports: Vec<IdRange>,
}

impl FieldFamily for Host {
    fn from_settings(settings: &PspSettings, errors: &mut SettingsErrors) -> Self {
        let ports = settings.in_effect.host_ports.clone().unwrap_or_default();
        ranges::check("hostPorts", &ports, ranges::MAX_PORT, errors);
        Host {
            network: settings.in_effect.host_network.unwrap_or(false),
            pid: settings.in_effect.host_pid.unwrap_or(false),
            ipc: settings.in_effect.host_ipc.unwrap_or(false),
            ports,
        }
    }

    fn validate_pod(&self, pod: &PodObject, violations: &mut Violations) {
        let spec = &pod.spec;
        for (allowed, used, field, what) in [
            (
                self.network,
                spec.host_network,
                "hostNetwork",
                "host network",
            ),
            (self.pid, spec.host_pid, "hostPID", "host PID"),
            (self.ipc, spec.host_ipc, "hostIPC", "host IPC"),
        ] {
            if !allowed && used == Some(true) {
                violations.forbidden(
                    Field::pod(pod.kind.spec_field(field)),
                    format!("{what} is not allowed"),
                    Allowed::literal(false),
                );
            }
        }
        for (at, c) in spec.all_containers() {
            for (j, port) in c.ports().iter().enumerate() {
                let Some(host_port) = port.host_port.filter(|p| *p > 0) else {
                    continue;
                };
                if !ranges::contains(&self.ports, host_port) {
                    violations.invalid(
                        container_field(pod, at, c, &format!("ports[{j}].hostPort")),
                        host_port,
                        "host port is not allowed to be used",
                        ranges::allowed(&self.ports),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::psp::test_support::*;
    use serde_json::json;

    #[test]
    fn host_namespaces() {
        let spec =
            json!({"hostNetwork": true, "hostPID": true, "hostIPC": false, "containers": []});
        let cases = [
            (
                json!({}),
                vec![
                    "spec.hostNetwork: Forbidden: host network is not allowed; allowed: false",
                    "spec.hostPID: Forbidden: host PID is not allowed; allowed: false",
                ],
            ),
            (
                json!({"hostNetwork": true}),
                vec!["spec.hostPID: Forbidden: host PID is not allowed; allowed: false"],
            ),
            (json!({"hostNetwork": true, "hostPID": true}), vec![]),
        ];
        assert_violations_by_settings(&spec, cases);
    }

    #[test]
    fn host_ports_in_every_container_kind() {
        let spec = json!({
            "initContainers": [{"name": "i", "ports": [{"containerPort": 1, "hostPort": 8080}]}],
            "containers": [{"name": "a", "ports": [{"containerPort": 80}, {"containerPort": 81, "hostPort": 0},
                                                  {"containerPort": 443, "hostPort": 443}]}],
        });
        let cases = [
            (json!({}), vec![
                "spec.initContainers[0].ports[0].hostPort (container \"i\"): Invalid value: 8080: host port is not allowed to be used; allowed: none",
                "spec.containers[0].ports[2].hostPort (container \"a\"): Invalid value: 443: host port is not allowed to be used; allowed: none",
            ]),
            (json!({"hostPorts": [{"min": 400, "max": 500}]}), vec![
                "spec.initContainers[0].ports[0].hostPort (container \"i\"): Invalid value: 8080: host port is not allowed to be used; allowed: 400-500",
            ]),
            (json!({"hostPorts": [{"min": 443, "max": 443}, {"min": 8000, "max": 9000}]}), vec![]),
        ];
        assert_violations_by_settings(&spec, cases);
    }

    #[test]
    fn host_port_settings() {
        assert!(
            settings_errors(json!({"hostPorts": [{"min": 0, "max": 65536}]}))
                .contains("hostPorts[0]")
        );
        assert_eq!(
            settings_errors(json!({"hostPorts": [{"min": 0, "max": 65535}]})),
            ""
        );
    }
}
