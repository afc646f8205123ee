//! `allowedProcMountTypes`: which `/proc` mount types containers may ask for.
//!
//! Reads: every container's `securityContext.procMount` (unset means `Default`).
//! Allows: the listed types; an empty or absent list means `[Default]`, as in PSP. PSP defaults nothing here.

use super::security_context_field;
use super::{FieldFamily, PspSettings};
use crate::object::PodObject;
use crate::settings::SettingsErrors;
use crate::violation::{quoted, Allowed, Violations};

const KNOWN: [&str; 2] = ["Default", "Unmasked"];

#[derive(Debug)]
pub struct ProcMount {
    allowed: Vec<String>,
}

impl FieldFamily for ProcMount {
    fn from_settings(settings: &PspSettings, errors: &mut SettingsErrors) -> Self {
        let mut allowed = settings
            .in_effect
            .allowed_proc_mount_types
            .clone()
            .unwrap_or_default();
        for (i, t) in allowed.iter().enumerate() {
            if !KNOWN.contains(&t.as_str()) {
                errors.add(
                    format!("allowedProcMountTypes[{i}]"),
                    format!("unknown proc mount type {t:?}; known: Default, Unmasked"),
                );
            }
        }
        if allowed.is_empty() {
            allowed.push("Default".into());
        }
        ProcMount { allowed }
    }

    fn validate_pod(&self, pod: &PodObject, violations: &mut Violations) {
        for (at, c) in pod.spec.all_containers() {
            let proc_mount = c
                .sc()
                .and_then(|sc| sc.proc_mount.as_deref())
                .unwrap_or("Default");
            if !self.allowed.iter().any(|a| a == proc_mount) {
                violations.invalid(
                    security_context_field(pod, at, c, "procMount", true),
                    quoted(proc_mount),
                    "proc mount type is not allowed",
                    Allowed::values(&self.allowed),
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
    fn proc_mount_types() {
        let spec = json!({"containers": [{"name": "a", "securityContext": {"procMount": "Unmasked"}}, {"name": "b"}]});
        let unmasked = "spec.containers[0].securityContext.procMount (container \"a\"): Invalid value: \"Unmasked\": proc mount type is not allowed; allowed: \"Default\"";
        let cases = [
            (json!({}), vec![unmasked]),
            (json!({"allowedProcMountTypes": []}), vec![unmasked]),
            (
                json!({"allowedProcMountTypes": ["Default", "Unmasked"]}),
                vec![],
            ),
        ];
        assert_violations_by_settings(&spec, cases);
        let only_unmasked = psp(json!({"allowedProcMountTypes": ["Unmasked"]}));
        assert_eq!(violations(&only_unmasked, &pod(spec)).len(), 1);
        assert!(
            settings_errors(json!({"allowedProcMountTypes": ["Masked"]}))
                .contains("allowedProcMountTypes[0]")
        );
    }
}
