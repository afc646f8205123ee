//! Host namespaces and ports: `hostNetwork`, `hostPID`, `hostIPC`, `hostPorts`.
//!
//! Reads: `spec.hostNetwork`, `spec.hostPID`, `spec.hostIPC`, and `ports[*].hostPort` of every container.
//! Allows: each namespace only when its setting is true (default false); a host port (> 0) only inside one of
//! the `hostPorts` ranges (none by default). PSP defaults nothing here.

use super::ranges;
use super::{FieldFamily, PspSettings};
use crate::object::PodObject;
use crate::settings::spec::IdRange;
use crate::settings::SettingsErrors;
use crate::violation::Violations;

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
                violations.invalid(
                    pod.kind.spec_field(field),
                    true,
                    format!("{what} is not allowed to be used"),
                );
            }
        }
        for (at, c) in spec.all_containers() {
            for (j, port) in c.ports().iter().enumerate() {
                let Some(host_port) = port.host_port.filter(|p| *p > 0) else {
                    continue;
                };
                if !ranges::contains(&self.ports, host_port) {
                    let allowed = if self.ports.is_empty() {
                        "no host ports are allowed".to_string()
                    } else {
                        format!("allowed host ports: {}", ranges::describe(&self.ports))
                    };
                    violations.invalid(
                        format!("{}.ports[{j}].hostPort", pod.kind.container_path(at)),
                        host_port,
                        format!("host port {host_port} is not allowed to be used; {allowed}"),
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
                    "spec.hostNetwork: Invalid value: true: host network is not allowed to be used",
                    "spec.hostPID: Invalid value: true: host PID is not allowed to be used",
                ],
            ),
            (
                json!({"hostNetwork": true}),
                vec!["spec.hostPID: Invalid value: true: host PID is not allowed to be used"],
            ),
            (json!({"hostNetwork": true, "hostPID": true}), vec![]),
        ];
        for (settings, expected) in cases {
            assert_eq!(
                violations(&psp(settings.clone()), &pod(spec.clone())),
                expected,
                "{settings}"
            );
        }
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
                "spec.initContainers[0].ports[0].hostPort: Invalid value: 8080: host port 8080 is not allowed to be used; no host ports are allowed",
                "spec.containers[0].ports[2].hostPort: Invalid value: 443: host port 443 is not allowed to be used; no host ports are allowed",
            ]),
            (json!({"hostPorts": [{"min": 400, "max": 500}]}), vec![
                "spec.initContainers[0].ports[0].hostPort: Invalid value: 8080: host port 8080 is not allowed to be used; allowed host ports: 400-500",
            ]),
            (json!({"hostPorts": [{"min": 443, "max": 443}, {"min": 8000, "max": 9000}]}), vec![]),
        ];
        for (settings, expected) in cases {
            assert_eq!(
                violations(&psp(settings.clone()), &pod(spec.clone())),
                expected,
                "{settings}"
            );
        }
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
