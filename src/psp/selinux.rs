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
use crate::violation::{quoted, Allowed, Field, Violations};
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

/// The options as a JSON object, with the keys that are set: what the pod's `seLinuxOptions` are set to.
fn options_json(options: &SeLinuxOptions) -> Value {
    let mut map = Map::new();
    for (key, value) in [
        ("user", &options.user),
        ("role", &options.role),
        ("type", &options.type_),
        ("level", &options.level),
    ] {
        if let Some(value) = value {
            map.insert(key.to_owned(), Value::String(value.clone()));
        }
    }
    Value::Object(map)
}

/// The options as a JSON object in the API's field order (`user`, `role`, `type`, `level`), whatever order
/// serde_json keeps keys in: for messages.
fn options_text(options: &SeLinuxOptions) -> String {
    let fields: Vec<String> = [
        ("user", &options.user),
        ("role", &options.role),
        ("type", &options.type_),
        ("level", &options.level),
    ]
    .into_iter()
    .filter_map(|(key, value)| Some(format!("{}:{}", quoted(key), quoted(value.as_deref()?))))
    .collect();
    format!("{{{}}}", fields.join(","))
}

impl SeLinux {
    /// Compares `actual`, the options at `path`, with the required ones; `container` is the container whose
    /// own options they are.
    fn check(
        required: &SeLinuxOptions,
        path: &str,
        container: Option<&str>,
        actual: &SeLinuxOptions,
        violations: &mut Violations,
    ) {
        let at = |field: &str| {
            let path = format!("{path}.{field}");
            match container {
                Some(name) => Field::container(path, name),
                None => Field::pod(path),
            }
        };
        let value = |v: &Option<String>| v.clone().unwrap_or_default();
        for (field, want, got) in [
            ("user", value(&required.user), value(&actual.user)),
            ("role", value(&required.role), value(&actual.role)),
            ("type", value(&required.type_), value(&actual.type_)),
        ] {
            if want != got {
                violations.invalid(
                    at(field),
                    quoted(&got),
                    format!("SELinux {field} is not allowed"),
                    Allowed::values(&[want]),
                );
            }
        }
        let (want, got) = (value(&required.level), value(&actual.level));
        if !equal_levels(&want, &got) {
            violations.invalid(
                at("level"),
                quoted(&got),
                "SELinux level is not allowed",
                Allowed::values(&[want]),
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
        defaults.set_pod(
            &["securityContext", "seLinuxOptions"],
            options_json(required),
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
                Some(options) => Self::check(required, &pod_path, None, options, violations),
                None => violations.required(
                    Field::pod(pod_path),
                    "must be set when the seLinux rule is MustRunAs",
                    Allowed::literal(options_text(required)),
                ),
            }
        }
        // Containers that inherit the pod's options were judged with the pod.
        for (at, c) in pod.spec.all_containers() {
            if let Some(options) = c.sc().and_then(|sc| sc.se_linux_options.as_ref()) {
                let path = format!(
                    "{}.securityContext.seLinuxOptions",
                    pod.kind.container_path(at)
                );
                Self::check(required, &path, Some(&c.name), options, violations);
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
                "spec.securityContext.seLinuxOptions: Required value: must be set when the seLinux rule is MustRunAs; allowed: {\"type\":\"container_t\",\"level\":\"s0:c1,c2\"}",
            ]),
            (json!({"securityContext": {"seLinuxOptions": {"type": "container_t", "level": "s0:c2,c1"}}, "containers": [
                {"name": "a", "securityContext": {"seLinuxOptions": {"type": "spc_t", "user": "root", "level": "s0:c2,c1"}}}]}), vec![
                "spec.containers[0].securityContext.seLinuxOptions.user (container \"a\"): Invalid value: \"root\": SELinux user is not allowed; allowed: \"\"",
                "spec.containers[0].securityContext.seLinuxOptions.type (container \"a\"): Invalid value: \"spc_t\": SELinux type is not allowed; allowed: \"container_t\"",
            ]),
            (json!({"securityContext": {"seLinuxOptions": {"type": "container_t", "level": "s0:c1,c2"}}, "containers": [{"name": "a"}]}), vec![]),
        ];
        assert_violations_by_pod(&p, cases);
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
