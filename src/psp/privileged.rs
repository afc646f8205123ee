//! `privileged`: whether containers may run privileged.
//!
//! Reads: every container's `securityContext.privileged`.
//! Allows: `privileged: true` only when the setting is true (PSP's default is false). PSP defaults nothing here.

use super::{FieldFamily, PspSettings};
use crate::object::PodObject;
use crate::settings::SettingsErrors;
use crate::violation::{Allowed, Field, Violations};

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
        for (at, c) in pod.spec.all_containers() {
            if c.sc().and_then(|sc| sc.privileged) == Some(true) {
                violations.invalid(
                    Field::container(
                        format!("{}.securityContext.privileged", pod.kind.container_path(at)),
                        &c.name,
                    ),
                    true,
                    "privileged containers are not allowed",
                    Allowed::literal(false),
                );
            }
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
        for (settings, expected) in cases {
            assert_eq!(
                violations(&psp(settings.clone()), &pod(spec.clone())),
                expected,
                "{settings}"
            );
        }
    }
}
