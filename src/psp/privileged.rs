//! `privileged`: whether containers may run privileged.
//!
//! Reads: every container's `securityContext.privileged`, and its effective
//! `securityContext.windowsOptions.hostProcess` (its own, else the pod's, as the kubelet resolves it).
//! Allows: `privileged: true` only when the setting is true (PSP's default is false). Beyond PSP, which
//! predates it, a Windows host process container (`hostProcess: true`) is judged as privileged: it runs with
//! the node's network and filesystem, what `privileged` is on Linux. PSP defaults nothing here.

use super::security_context_field;
use super::{FieldFamily, PspSettings};
use crate::object::PodObject;
use crate::settings::SettingsErrors;
use crate::violation::{Allowed, Violations};

#[derive(Debug)]
pub struct Privileged {
    allowed: bool,
}

impl FieldFamily for Privileged {
    fn from_settings(settings: &PspSettings, _errors: &mut SettingsErrors) -> Self {
        Privileged {
            allowed: settings.in_effect.privileged.unwrap_or(false),
        }
    }

    fn validate_pod(&self, pod: &PodObject, violations: &mut Violations) {
        if self.allowed {
            return;
        }
        let pod_host_process = pod
            .spec
            .pod_security_context()
            .and_then(|sc| sc.windows_options.as_ref())
            .and_then(|w| w.host_process);
        for (at, c) in pod.spec.all_containers() {
            if c.sc().and_then(|sc| sc.privileged) == Some(true) {
                violations.invalid(
                    security_context_field(pod, at, c, "privileged", true),
                    true,
                    "privileged containers are not allowed",
                    Allowed::literal(false),
                );
            }
            // The container's own value wins over the pod's, even when it is false.
            let own = c
                .sc()
                .and_then(|sc| sc.windows_options.as_ref())
                .and_then(|w| w.host_process);
            let from_container = match (own, pod_host_process) {
                (Some(true), _) => true,
                (None, Some(true)) => false,
                _ => continue,
            };
            violations.invalid(
                security_context_field(pod, at, c, "windowsOptions.hostProcess", from_container),
                true,
                "host process containers are not allowed",
                Allowed::literal(false),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::psp::test_support::*;
    use serde_json::json;

    #[test]
    fn privileged_containers_of_every_kind() {
        let spec = json!({
            "initContainers": [{"name": "i", "securityContext": {"privileged": true}}],
            "containers": [{"name": "a", "securityContext": {"privileged": false}}, {"name": "b"}],
            "ephemeralContainers": [{"name": "e", "securityContext": {"privileged": true}}],
        });
        let cases = [
            (json!({}), vec![
                "spec.initContainers[0].securityContext.privileged (container \"i\"): Invalid value: true: privileged containers are not allowed; allowed: false",
                "spec.ephemeralContainers[0].securityContext.privileged (container \"e\"): Invalid value: true: privileged containers are not allowed; allowed: false",
            ]),
            (json!({"privileged": false}), vec![
                "spec.initContainers[0].securityContext.privileged (container \"i\"): Invalid value: true: privileged containers are not allowed; allowed: false",
                "spec.ephemeralContainers[0].securityContext.privileged (container \"e\"): Invalid value: true: privileged containers are not allowed; allowed: false",
            ]),
            (json!({"privileged": true}), vec![]),
        ];
        assert_violations_by_settings(&spec, cases);
    }

    #[test]
    fn a_windows_host_process_is_privileged() {
        let spec = json!({
            "securityContext": {"windowsOptions": {"hostProcess": true}},
            "initContainers": [{"name": "i", "securityContext": {"windowsOptions": {"hostProcess": false}}}],
            "containers": [
                {"name": "a"},
                {"name": "b", "securityContext": {"windowsOptions": {"hostProcess": true}}},
                {"name": "c", "securityContext": {"windowsOptions": {}}},
            ],
        });
        assert_eq!(violations(&psp(json!({})), &pod(spec.clone())), vec![
            "spec.securityContext.windowsOptions.hostProcess (container \"a\"): Invalid value: true: host process containers are not allowed; allowed: false",
            "spec.containers[1].securityContext.windowsOptions.hostProcess (container \"b\"): Invalid value: true: host process containers are not allowed; allowed: false",
            "spec.securityContext.windowsOptions.hostProcess (container \"c\"): Invalid value: true: host process containers are not allowed; allowed: false",
        ]);
        assert!(violations(&psp(json!({"privileged": true})), &pod(spec)).is_empty());
        let not_host_process = json!({
            "securityContext": {"windowsOptions": {"hostProcess": false}},
            "containers": [{"name": "a", "securityContext": {"windowsOptions": {"runAsUserName": "x"}}}],
        });
        assert!(violations(&psp(json!({})), &pod(not_host_process)).is_empty());
    }
}
