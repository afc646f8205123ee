//! Linux capabilities: `defaultAddCapabilities`, `requiredDropCapabilities`, `allowedCapabilities`.
//!
//! Reads: every container's `securityContext.capabilities.add` and `.drop`.
//! Allows: adding a capability in `allowedCapabilities` or `defaultAddCapabilities` (`"*"` in
//! `allowedCapabilities`: any); each of `requiredDropCapabilities` must be dropped, and none of them added.
//! Defaults (PSP's capabilities `Generate`): `defaultAddCapabilities` appended to `add` unless the container
//! drops them, `requiredDropCapabilities` appended to `drop`; what the container lists is kept as written.
//!
//! Names are compared the way container runtimes read them: containerd and CRI-O upper-case a name and put
//! `CAP_` in front, so `sys_admin` adds CAP_SYS_ADMIN. An added name is therefore judged upper-cased, trimmed
//! and without a `CAP_` prefix (any spelling of a forbidden capability is refused). A dropped name counts only
//! when the runtime will really drop it: upper-cased, but not trimmed or stripped (`CAP_NET_RAW` in `drop`
//! becomes `CAP_CAP_NET_RAW` in the runtime and drops nothing). This differs from PSP, which compared exact
//! strings and so let `sys_admin` through.

use super::{security_context_field, FieldFamily, PodContext, PspSettings};
use crate::object::PodObject;
use crate::patch::Defaults;
use crate::pod::{Capabilities as ContainerCapabilities, Container, ContainerAt};
use crate::settings::SettingsErrors;
use crate::violation::{quoted, quoted_list, Allowed, Violations};
use serde_json::Value;

#[derive(Debug)]
pub struct Capabilities {
    default_add: Vec<String>,
    required_drop: Vec<String>,
    allowed: Vec<String>,
    allow_all: bool,
}

/// The capability an `add` entry grants.
fn added_name(name: &str) -> String {
    let upper = name.trim().to_ascii_uppercase();
    upper
        .strip_prefix("CAP_")
        .map(str::to_owned)
        .unwrap_or(upper)
}

/// The capability a `drop` entry removes.
fn dropped_name(name: &str) -> String {
    name.to_ascii_uppercase()
}

/// The capabilities a container's `drop` list removes.
fn dropped_names(caps: Option<&ContainerCapabilities>) -> Vec<String> {
    let listed = caps.and_then(|k| k.drop.as_deref()).unwrap_or_default();
    listed.iter().map(|d| dropped_name(d)).collect()
}

fn is_capability_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

impl FieldFamily for Capabilities {
    fn from_settings(settings: &PspSettings, errors: &mut SettingsErrors) -> Self {
        let mut read = |key: &str, list: &Option<Vec<String>>, star_ok: bool| -> Vec<String> {
            let list = list.clone().unwrap_or_default();
            for (i, name) in list.iter().enumerate() {
                if !(is_capability_name(name) || star_ok && name == "*") {
                    errors.add(
                        format!("{key}[{i}]"),
                        format!("{name:?} is not a capability name"),
                    );
                }
            }
            list.iter()
                .map(|n| if n == "*" { n.clone() } else { added_name(n) })
                .collect()
        };
        let default_add = read(
            "defaultAddCapabilities",
            &settings.in_effect.default_add_capabilities,
            false,
        );
        let required_drop = read(
            "requiredDropCapabilities",
            &settings.in_effect.required_drop_capabilities,
            false,
        );
        let allowed = read(
            "allowedCapabilities",
            &settings.in_effect.allowed_capabilities,
            true,
        );
        for (key, list) in [
            ("defaultAddCapabilities", &default_add),
            ("allowedCapabilities", &allowed),
        ] {
            for (i, name) in list.iter().enumerate() {
                if required_drop.contains(name) {
                    errors.add(
                        format!("{key}[{i}]"),
                        format!("{name} is also in requiredDropCapabilities"),
                    );
                }
            }
        }
        let allow_all = allowed.iter().any(|n| n == "*");
        Capabilities {
            default_add,
            required_drop,
            allowed,
            allow_all,
        }
    }

    fn mutate_container(
        &self,
        _pod: &PodContext,
        at: ContainerAt,
        c: &mut Container,
        defaults: &mut Defaults,
    ) {
        if self.default_add.is_empty() && self.required_drop.is_empty() {
            return;
        }
        let caps = c.sc().and_then(|sc| sc.capabilities.as_ref());
        let drops = dropped_names(caps);
        let adds: Vec<String> = caps
            .and_then(|k| k.add.as_deref())
            .unwrap_or_default()
            .iter()
            .map(|a| added_name(a))
            .collect();
        let new_adds: Vec<&String> = self
            .default_add
            .iter()
            .filter(|cap| !drops.contains(cap) && !adds.contains(cap))
            .collect();
        let new_drops = self.missing_drops(&drops);
        if new_adds.is_empty() && new_drops.is_empty() {
            return;
        }
        let capabilities = c.sc_mut().capabilities.get_or_insert_with(Default::default);
        for (list, field, new) in [
            (&mut capabilities.add, "add", new_adds),
            (&mut capabilities.drop, "drop", new_drops),
        ] {
            for cap in new {
                list.get_or_insert_with(Vec::new).push(cap.clone());
                defaults.append_container(
                    at,
                    &["securityContext", "capabilities", field],
                    Value::String(cap.clone()),
                );
            }
        }
    }

    fn validate_pod(&self, pod: &PodObject, violations: &mut Violations) {
        for (at, c) in pod.spec.all_containers() {
            let caps = c.sc().and_then(|sc| sc.capabilities.as_ref());
            for (i, raw) in caps
                .and_then(|k| k.add.as_deref())
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                let name = added_name(raw);
                let reason = if self.required_drop.contains(&name) {
                    format!("{name} must be dropped and may not be added")
                } else if !(self.allow_all
                    || self.allowed.contains(&name)
                    || self.default_add.contains(&name))
                {
                    format!("capability {name} may not be added")
                } else {
                    continue;
                };
                violations.invalid(
                    security_context_field(pod, at, c, &format!("capabilities.add[{i}]"), true),
                    quoted(raw),
                    reason,
                    self.may_add(),
                );
            }
            let missing = self.missing_drops(&dropped_names(caps));
            if !missing.is_empty() {
                violations.required(
                    security_context_field(pod, at, c, "capabilities.drop", true),
                    format!("must include {}", quoted_list(&missing)),
                    Allowed::values(&self.required_drop),
                );
            }
        }
    }
}

impl Capabilities {
    /// The required drops that `drops` (a container's) lacks.
    fn missing_drops(&self, drops: &[String]) -> Vec<&String> {
        self.required_drop
            .iter()
            .filter(|cap| !drops.contains(cap))
            .collect()
    }

    /// The capabilities a container may add, each once, in the order the settings list them.
    fn may_add(&self) -> Allowed {
        let mut names: Vec<&String> = Vec::new();
        for name in self.allowed.iter().chain(&self.default_add) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        Allowed::values(&names)
    }
}

#[cfg(test)]
mod tests {
    use crate::psp::test_support::*;
    use serde_json::json;

    fn container_with(add: serde_json::Value, drop: serde_json::Value) -> serde_json::Value {
        json!({"containers": [{"name": "a", "securityContext": {"capabilities": {"add": add, "drop": drop}}}]})
    }

    #[test]
    fn any_spelling_of_a_forbidden_capability_is_refused() {
        let p = psp(json!({"allowedCapabilities": ["NET_BIND_SERVICE"]}));
        for spelling in [
            "SYS_ADMIN",
            "sys_admin",
            "CAP_SYS_ADMIN",
            "cap_sys_admin",
            " SYS_ADMIN ",
            "Sys_Admin",
        ] {
            let found = violations(&p, &pod(container_with(json!([spelling]), json!([]))));
            assert_eq!(found.len(), 1, "{spelling}: {found:?}");
            assert_eq!(
                found[0],
                format!(
                    "spec.containers[0].securityContext.capabilities.add[0] (container \"a\"): Invalid value: {}: \
                     capability SYS_ADMIN may not be added; allowed: \"NET_BIND_SERVICE\"",
                    serde_json::Value::from(spelling)
                )
            );
        }
        for spelling in [
            "NET_BIND_SERVICE",
            "net_bind_service",
            "CAP_NET_BIND_SERVICE",
        ] {
            assert!(
                violations(&p, &pod(container_with(json!([spelling]), json!([])))).is_empty(),
                "{spelling}"
            );
        }
    }

    #[test]
    fn required_drops() {
        let p = psp(json!({"requiredDropCapabilities": ["ALL"], "allowedCapabilities": ["*"]}));
        let cases = [
            (container_with(json!([]), json!(["all"])), vec![]),
            (container_with(json!([]), json!(["ALL"])), vec![]),
            (container_with(json!([]), json!(["CAP_ALL"])), vec!["spec.containers[0].securityContext.capabilities.drop (container \"a\"): Required value: must include \"ALL\"; allowed: \"ALL\""]),
            (json!({"containers": [{"name": "a"}]}), vec!["spec.containers[0].securityContext.capabilities.drop (container \"a\"): Required value: must include \"ALL\"; allowed: \"ALL\""]),
            // Dropping ALL and adding one back is how the restricted standard allows NET_BIND_SERVICE.
            (container_with(json!(["NET_BIND_SERVICE"]), json!(["ALL"])), vec![]),
        ];
        assert_violations_by_pod(&p, cases);
    }

    #[test]
    fn a_required_drop_may_not_be_added_even_under_a_wildcard() {
        let p = psp(json!({"requiredDropCapabilities": ["NET_RAW"], "allowedCapabilities": ["*"]}));
        assert_eq!(violations(&p, &pod(container_with(json!(["cap_net_raw"]), json!(["NET_RAW"])))), vec![
            "spec.containers[0].securityContext.capabilities.add[0] (container \"a\"): Invalid value: \"cap_net_raw\": NET_RAW must be dropped and may not be added; allowed: \"*\"",
        ]);
    }

    #[test]
    fn defaults_append_and_respect_container_drops() {
        let p = psp(
            json!({"defaultAddCapabilities": ["CHOWN", "NET_RAW"], "requiredDropCapabilities": ["SYS_ADMIN"]}),
        );
        let (after, object) = defaulted(
            &p,
            json!({"containers": [
                {"name": "a", "securityContext": {"capabilities": {"drop": ["NET_RAW"]}}},
                {"name": "b", "securityContext": {"capabilities": {"add": ["chown"], "drop": ["SYS_ADMIN"]}}},
            ]}),
        );
        assert_eq!(
            object["spec"]["containers"][0]["securityContext"]["capabilities"],
            json!({"drop": ["NET_RAW", "SYS_ADMIN"], "add": ["CHOWN"]})
        );
        assert_eq!(
            object["spec"]["containers"][1]["securityContext"]["capabilities"],
            json!({"add": ["chown", "NET_RAW"], "drop": ["SYS_ADMIN"]})
        );
        assert!(violations(&p, &after).is_empty());
    }

    #[test]
    fn the_allowed_list_names_each_capability_once() {
        let p = psp(json!({
            "allowedCapabilities": ["CHOWN", "NET_BIND_SERVICE"],
            "defaultAddCapabilities": ["KILL", "chown"],
        }));
        assert_eq!(violations(&p, &pod(container_with(json!(["SYS_TIME"]), json!([])))), vec![
            "spec.containers[0].securityContext.capabilities.add[0] (container \"a\"): Invalid value: \"SYS_TIME\": capability SYS_TIME may not be added; allowed: \"CHOWN\", \"NET_BIND_SERVICE\", \"KILL\"",
        ]);
    }

    #[test]
    fn settings_checks() {
        let cases = [
            (
                json!({"requiredDropCapabilities": ["NET_RAW"], "defaultAddCapabilities": ["net_raw"]}),
                "defaultAddCapabilities[0]: NET_RAW is also in requiredDropCapabilities",
            ),
            (
                json!({"requiredDropCapabilities": ["CHOWN"], "allowedCapabilities": ["CHOWN"]}),
                "allowedCapabilities[0]: CHOWN is also in requiredDropCapabilities",
            ),
            (
                json!({"allowedCapabilities": ["SYS ADMIN"]}),
                "allowedCapabilities[0]: \"SYS ADMIN\" is not a capability name",
            ),
            (
                json!({"defaultAddCapabilities": ["*"]}),
                "defaultAddCapabilities[0]: \"*\" is not a capability name",
            ),
        ];
        assert_settings_errors_contain(cases);
    }
}
