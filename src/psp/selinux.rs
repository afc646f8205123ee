//! `seLinux`: the SELinux context of the pod and its containers (PSP's `selinux` strategies).
//!
//! Reads: `spec.securityContext.seLinuxOptions` and each container's own `securityContext.seLinuxOptions`.
//! Allows, by rule:
//! - `MustRunAs` (`seLinuxOptions` required): the pod's options must be set, and the pod's and every
//!   container's own options must equal the settings' user, role and type, and their level must be the same
//!   MLS level (categories compared as sets: `s0:c1,c2` equals `s0:c2,c1`). Defaults the pod's options to the
//!   settings' when unset (containers then inherit them).
//! - `RunAsAny`: anything.
//!
//! The legacy `EphemeralContainers` object holds no pod-level field: there only the containers' own options
//! are judged.

use super::{FieldFamily, PspSettings};
use crate::object::PodObject;
use crate::patch::Defaults;
use crate::pod::SeLinuxOptions;
use crate::settings::SettingsErrors;
use crate::violation::{quoted, Violations};
use serde_json::{Map, Value};

#[derive(Debug)]
pub struct SeLinux {
    /// `Some`: MustRunAs these options.
    required: Option<SeLinuxOptions>,
}

/// True when two MLS levels are the same: equal sensitivity and the same set of categories.
pub fn equal_levels(expected: &str, actual: &str) -> bool {
    if expected == actual {
        return true;
    }
    let (Some((sensitivity_a, categories_a)), Some((sensitivity_b, categories_b))) =
        (expected.split_once(':'), actual.split_once(':'))
    else {
        return false;
    };
    fn sorted(categories: &str) -> Vec<&str> {
        let mut list: Vec<&str> = categories.split(',').collect();
        list.sort_unstable();
        list
    }
    sensitivity_a == sensitivity_b && sorted(categories_a) == sorted(categories_b)
}

impl SeLinux {
    fn check(
        required: &SeLinuxOptions,
        path: &str,
        actual: &SeLinuxOptions,
        violations: &mut Violations,
    ) {
        let value = |v: &Option<String>| v.clone().unwrap_or_default();
        for (field, want, got) in [
            ("user", value(&required.user), value(&actual.user)),
            ("role", value(&required.role), value(&actual.role)),
            ("type", value(&required.type_), value(&actual.type_)),
        ] {
            if want != got {
                violations.invalid(
                    format!("{path}.{field}"),
                    quoted(&got),
                    format!("must be {}", quoted(&want)),
                );
            }
        }
        let (want, got) = (value(&required.level), value(&actual.level));
        if !equal_levels(&want, &got) {
            violations.invalid(
                format!("{path}.level"),
                quoted(&got),
                format!("must be {}", quoted(&want)),
            );
        }
    }
}

impl FieldFamily for SeLinux {
    fn from_settings(settings: &PspSettings, errors: &mut SettingsErrors) -> Self {
        let raw = settings.in_effect.se_linux.clone().unwrap_or_default();
        let required = match raw.rule.as_deref() {
            Some("MustRunAs") => match raw.se_linux_options {
                Some(o) => Some(SeLinuxOptions {
                    user: o.user,
                    role: o.role,
                    type_: o.type_,
                    level: o.level,
                }),
                None => {
                    errors.add(
                        "seLinux.seLinuxOptions",
                        "required when the rule is MustRunAs",
                    );
                    None
                }
            },
            Some("RunAsAny") => None,
            other => {
                super::bad_rule("seLinux.rule", other, "MustRunAs or RunAsAny", errors);
                None
            }
        };
        SeLinux { required }
    }

    fn mutate_pod(&self, pod: &mut PodObject, defaults: &mut Defaults) {
        let Some(required) = &self.required else {
            return;
        };
        if pod
            .spec
            .pod_security_context()
            .and_then(|sc| sc.se_linux_options.as_ref())
            .is_some()
        {
            return;
        }
        pod.spec.pod_sc_mut().se_linux_options = Some(required.clone());
        let mut options = Map::new();
        for (key, value) in [
            ("user", &required.user),
            ("role", &required.role),
            ("type", &required.type_),
            ("level", &required.level),
        ] {
            if let Some(value) = value {
                options.insert(key.to_owned(), Value::String(value.clone()));
            }
        }
        defaults.set_pod(
            &["securityContext", "seLinuxOptions"],
            Value::Object(options),
        );
    }

    fn validate_pod(&self, pod: &PodObject, violations: &mut Violations) {
        let Some(required) = &self.required else {
            return;
        };
        if pod.kind.has_pod_fields() {
            let pod_path = pod.kind.spec_field("securityContext.seLinuxOptions");
            match pod
                .spec
                .pod_security_context()
                .and_then(|sc| sc.se_linux_options.as_ref())
            {
                Some(options) => Self::check(required, &pod_path, options, violations),
                None => violations.required(pod_path, " (the seLinux rule is MustRunAs)"),
            }
        }
        // Containers that inherit the pod's options were judged with the pod.
        for (at, c) in pod.spec.all_containers() {
            if let Some(options) = c.sc().and_then(|sc| sc.se_linux_options.as_ref()) {
                let path = format!(
                    "{}.securityContext.seLinuxOptions",
                    pod.kind.container_path(at)
                );
                Self::check(required, &path, options, violations);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::equal_levels;
    use crate::psp::test_support::*;
    use serde_json::json;

    #[test]
    fn levels() {
        for (a, b, same) in [
            ("s0:c1,c2", "s0:c2,c1", true),
            ("s0:c1,c2", "s0:c1", false),
            ("s0", "s0", true),
            ("s0", "s1", false),
            ("s0:c1", "s1:c1", false),
            ("", "", true),
            ("s0:c1", "", false),
        ] {
            assert_eq!(equal_levels(a, b), same, "{a} {b}");
        }
    }

    #[test]
    fn must_run_as() {
        let p = psp(
            json!({"seLinux": {"rule": "MustRunAs", "seLinuxOptions": {"type": "container_t", "level": "s0:c1,c2"}}}),
        );
        let cases = [
            (json!({"containers": [{"name": "a"}]}), vec![
                "spec.securityContext.seLinuxOptions must be set (the seLinux rule is MustRunAs)",
            ]),
            (json!({"securityContext": {"seLinuxOptions": {"type": "container_t", "level": "s0:c2,c1"}}, "containers": [
                {"name": "a", "securityContext": {"seLinuxOptions": {"type": "spc_t", "user": "root", "level": "s0:c2,c1"}}}]}), vec![
                "spec.containers[0].securityContext.seLinuxOptions.user: Invalid value: \"root\": must be \"\"",
                "spec.containers[0].securityContext.seLinuxOptions.type: Invalid value: \"spc_t\": must be \"container_t\"",
            ]),
            (json!({"securityContext": {"seLinuxOptions": {"type": "container_t", "level": "s0:c1,c2"}}, "containers": [{"name": "a"}]}), vec![]),
        ];
        for (spec, expected) in cases {
            assert_eq!(violations(&p, &pod(spec.clone())), expected, "{spec}");
        }
        let (after, object) = defaulted(
            &p,
            json!({"securityContext": {"runAsUser": 1}, "containers": [{"name": "a"}]}),
        );
        assert_eq!(
            object["spec"]["securityContext"],
            json!({"runAsUser": 1, "seLinuxOptions": {"type": "container_t", "level": "s0:c1,c2"}})
        );
        assert!(violations(&p, &after).is_empty());
    }

    #[test]
    fn settings_checks() {
        assert!(settings_errors(json!({"seLinux": {"rule": "MustRunAs"}}))
            .contains("seLinux.seLinuxOptions: required"));
        assert!(settings_errors(json!({"seLinux": {"rule": "MayRunAs"}}))
            .contains("seLinux.rule: \"MayRunAs\" is not a rule"));
    }
}
