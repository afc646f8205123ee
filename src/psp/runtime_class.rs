//! `runtimeClass`: which RuntimeClasses pods may use, and the default.
//!
//! Reads: `spec.runtimeClassName`.
//! Allows: an unset name always (PSP's rule: the default is filled in when defaulting); a set name only when it
//! is in `allowedRuntimeClassNames` or that list is `["*"]`. Without a `runtimeClass` key, any name.
//! Defaults: an unset name to `defaultRuntimeClassName`; an explicit name is never overwritten.

use super::{FieldFamily, PspSettings};
use crate::object::PodObject;
use crate::patch::Defaults;
use crate::settings::SettingsErrors;
use crate::violation::{quoted, Allowed, Field, Violations};
use serde_json::Value;

#[derive(Debug)]
pub struct RuntimeClass {
    /// `None`: no `runtimeClass` key, every name allowed.
    allowed: Option<Vec<String>>,
    default: Option<String>,
}

/// A DNS subdomain, as RuntimeClass names must be.
pub fn is_dns_subdomain(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            let bytes = label.as_bytes();
            !bytes.is_empty()
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
                && bytes.first() != Some(&b'-')
                && bytes.last() != Some(&b'-')
        })
}

impl FieldFamily for RuntimeClass {
    fn from_settings(settings: &PspSettings, errors: &mut SettingsErrors) -> Self {
        let Some(raw) = &settings.in_effect.runtime_class else {
            return RuntimeClass {
                allowed: None,
                default: None,
            };
        };
        let Some(allowed) = raw.allowed_runtime_class_names.clone() else {
            errors.add(
                "runtimeClass.allowedRuntimeClassNames",
                "required (use [\"*\"] to allow every RuntimeClass)",
            );
            return RuntimeClass {
                allowed: None,
                default: None,
            };
        };
        for (i, name) in allowed.iter().enumerate() {
            let key = format!("runtimeClass.allowedRuntimeClassNames[{i}]");
            if name != "*" && !is_dns_subdomain(name) {
                errors.add(
                    key,
                    format!("{name:?} is not a valid RuntimeClass name (a DNS subdomain) or \"*\""),
                );
            } else if allowed.iter().take(i).any(|earlier| earlier == name) {
                errors.add(key, format!("duplicate entry {name:?}"));
            }
        }
        let allows_all = allowed.iter().any(|n| n == "*");
        if allows_all && allowed.len() > 1 {
            errors.add(
                "runtimeClass.allowedRuntimeClassNames",
                "\"*\" must be the only entry when present",
            );
        }
        if let Some(default) = &raw.default_runtime_class_name {
            if !is_dns_subdomain(default) {
                errors.add(
                    "runtimeClass.defaultRuntimeClassName",
                    format!("{default:?} is not a valid RuntimeClass name"),
                );
            } else if !allows_all && !allowed.contains(default) {
                errors.add(
                    "runtimeClass.defaultRuntimeClassName",
                    format!("{default:?} must be one of allowedRuntimeClassNames"),
                );
            }
        }
        RuntimeClass {
            allowed: Some(allowed),
            default: raw.default_runtime_class_name.clone(),
        }
    }

    fn mutate_pod(&self, pod: &mut PodObject, defaults: &mut Defaults) {
        if let (Some(default), None) = (&self.default, &pod.spec.runtime_class_name) {
            pod.spec.runtime_class_name = Some(default.clone());
            defaults.set_pod(&["runtimeClassName"], Value::String(default.clone()));
        }
    }

    fn validate_pod(&self, pod: &PodObject, violations: &mut Violations) {
        let (Some(allowed), Some(name)) = (&self.allowed, &pod.spec.runtime_class_name) else {
            return;
        };
        if !allowed.iter().any(|a| a == "*" || a == name) {
            violations.invalid(
                Field::pod(pod.kind.spec_field("runtimeClassName")),
                quoted(name),
                "RuntimeClass is not allowed",
                Allowed::values(allowed),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::psp::test_support::*;
    use serde_json::json;

    #[test]
    fn runtime_class_allow_list() {
        let gvisor = json!({"runtimeClassName": "gvisor", "containers": []});
        let unset = json!({"containers": []});
        let cases = [
            (json!({}), &gvisor, 0),
            (
                json!({"runtimeClass": {"allowedRuntimeClassNames": ["kata"]}}),
                &gvisor,
                1,
            ),
            (
                json!({"runtimeClass": {"allowedRuntimeClassNames": ["kata"]}}),
                &unset,
                0,
            ),
            (
                json!({"runtimeClass": {"allowedRuntimeClassNames": []}}),
                &gvisor,
                1,
            ),
            (
                json!({"runtimeClass": {"allowedRuntimeClassNames": ["*"]}}),
                &gvisor,
                0,
            ),
            (
                json!({"runtimeClass": {"allowedRuntimeClassNames": ["kata", "gvisor"]}}),
                &gvisor,
                0,
            ),
        ];
        for (settings, spec, count) in cases {
            assert_eq!(
                violations(&psp(settings.clone()), &pod(spec.clone())).len(),
                count,
                "{settings} {spec}"
            );
        }
        assert_eq!(
            violations(&psp(json!({"runtimeClass": {"allowedRuntimeClassNames": ["kata"]}})), &pod(gvisor)),
            vec!["spec.runtimeClassName: Invalid value: \"gvisor\": RuntimeClass is not allowed; allowed: \"kata\""]
        );
    }

    #[test]
    fn default_never_overwrites() {
        let p = psp(
            json!({"runtimeClass": {"allowedRuntimeClassNames": ["kata", "gvisor"], "defaultRuntimeClassName": "kata"}}),
        );
        let (_, object) = defaulted(&p, json!({"containers": []}));
        assert_eq!(object["spec"]["runtimeClassName"], json!("kata"));
        let (_, object) = defaulted(&p, json!({"runtimeClassName": "gvisor", "containers": []}));
        assert_eq!(object["spec"]["runtimeClassName"], json!("gvisor"));
    }

    #[test]
    fn settings_checks() {
        let cases = [
            (
                json!({"runtimeClass": {}}),
                "allowedRuntimeClassNames: required",
            ),
            (
                json!({"runtimeClass": {"allowedRuntimeClassNames": ["Kata"]}}),
                "[0]: \"Kata\" is not a valid",
            ),
            (
                json!({"runtimeClass": {"allowedRuntimeClassNames": ["a", "a"]}}),
                "[1]: duplicate",
            ),
            (
                json!({"runtimeClass": {"allowedRuntimeClassNames": ["*", "a"]}}),
                "must be the only entry",
            ),
            (
                json!({"runtimeClass": {"allowedRuntimeClassNames": ["a"], "defaultRuntimeClassName": "b"}}),
                "defaultRuntimeClassName: \"b\" must be one of",
            ),
        ];
        assert_settings_errors_contain(cases);
        assert_eq!(
            settings_errors(
                json!({"runtimeClass": {"allowedRuntimeClassNames": ["*"], "defaultRuntimeClassName": "b"}})
            ),
            ""
        );
    }
}
