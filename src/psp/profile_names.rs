//! Seccomp and AppArmor profile names in PSP's annotation syntax, shared by `seccomp` and `apparmor`:
//! `runtime/default`, `localhost/<profile>`, `unconfined` (and, for seccomp, the legacy `docker/default`).
//!
//! Today's pods also carry profiles in `securityContext.seccompProfile` / `appArmorProfile` fields; a field is
//! judged by the name it maps to (`{type: Localhost, localhostProfile: x}` is `localhost/x`), so one allow-list
//! covers both spellings. Beyond PSP, an allow-list entry `localhost/*` allows every localhost profile.

use crate::pod::Profile;
use crate::settings::spec::ProfileStrategy;
use crate::settings::SettingsErrors;
use crate::violation::Allowed;
use serde_json::{json, Value};

pub const RUNTIME_DEFAULT: &str = "runtime/default";
pub const DOCKER_DEFAULT: &str = "docker/default";
pub const UNCONFINED: &str = "unconfined";
pub const LOCALHOST_PREFIX: &str = "localhost/";

/// The allowed and default profiles of one mechanism.
#[derive(Debug, Default)]
pub struct ProfileRules {
    /// `None`: no allow-list was given.
    pub allowed: Option<Vec<String>>,
    pub default: Option<String>,
}

impl ProfileRules {
    /// Reads and checks `strategy`; `key` names it in errors; `legacy_docker` accepts `docker/default`.
    pub fn from_settings(
        key: &str,
        strategy: Option<&ProfileStrategy>,
        legacy_docker: bool,
        errors: &mut SettingsErrors,
    ) -> Self {
        let Some(strategy) = strategy else {
            return ProfileRules::default();
        };
        let valid = |name: &str, in_list: bool| {
            name == RUNTIME_DEFAULT
                || name == UNCONFINED
                || (legacy_docker && name == DOCKER_DEFAULT)
                || (in_list && name == "*")
                || name
                    .strip_prefix(LOCALHOST_PREFIX)
                    .is_some_and(|p| !p.is_empty() && (in_list || p != "*"))
        };
        if let Some(allowed) = &strategy.allowed_profile_names {
            for (i, name) in allowed.iter().enumerate() {
                if !valid(name, true) {
                    errors.add(
                        format!("{key}.allowedProfileNames[{i}]"),
                        format!("{name:?} is not a profile name"),
                    );
                }
            }
        }
        let rules = ProfileRules {
            allowed: strategy.allowed_profile_names.clone(),
            default: strategy
                .default_profile_name
                .clone()
                .filter(|d| !d.is_empty()),
        };
        if let Some(default) = &rules.default {
            if !valid(default, false) {
                errors.add(
                    format!("{key}.defaultProfileName"),
                    format!("{default:?} is not a profile name"),
                );
            } else if rules.allowed.as_ref().is_some_and(|a| !a.is_empty())
                && !rules.allows(default)
            {
                errors.add(
                    format!("{key}.defaultProfileName"),
                    format!("{default:?} is not in allowedProfileNames"),
                );
            }
        }
        rules
    }

    /// True when `name` is on the allow-list (which must exist and be non-empty).
    pub fn allows(&self, name: &str) -> bool {
        let Some(allowed) = &self.allowed else {
            return false;
        };
        let is_default = |n: &str| n == RUNTIME_DEFAULT || n == DOCKER_DEFAULT;
        allowed.iter().any(|a| {
            a == "*"
                || a == name
                || (is_default(a) && is_default(name))
                || (a == "localhost/*"
                    && name
                        .strip_prefix(LOCALHOST_PREFIX)
                        .is_some_and(|p| !p.is_empty()))
        })
    }

    /// The allow-list for messages (`none` when there is none, or it is empty).
    pub fn allowed(&self) -> Allowed {
        Allowed::values(self.allowed.as_deref().unwrap_or_default())
    }
}

/// The annotation-syntax name of a profile field.
pub fn name_of(profile: &Profile) -> String {
    match profile.type_.as_deref() {
        Some("RuntimeDefault") => RUNTIME_DEFAULT.to_string(),
        Some("Unconfined") => UNCONFINED.to_string(),
        Some("Localhost") => format!(
            "{LOCALHOST_PREFIX}{}",
            profile.localhost_profile.as_deref().unwrap_or_default()
        ),
        // Not a profile type: a name no allow-list holds (only `*` allows it).
        Some(other) => format!("unknown type {other:?}"),
        None => String::new(),
    }
}

/// The profile field for an annotation-syntax name, as JSON and as the typed model.
pub fn field_of(name: &str) -> (Value, Profile) {
    if let Some(localhost) = name.strip_prefix(LOCALHOST_PREFIX) {
        let profile = Profile {
            type_: Some("Localhost".into()),
            localhost_profile: Some(localhost.into()),
        };
        return (
            json!({"type": "Localhost", "localhostProfile": localhost}),
            profile,
        );
    }
    let kind = if name == UNCONFINED {
        "Unconfined"
    } else {
        "RuntimeDefault"
    };
    (
        json!({"type": kind}),
        Profile {
            type_: Some(kind.into()),
            localhost_profile: None,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_lists() {
        let rules = ProfileRules {
            allowed: Some(vec![
                "docker/default".into(),
                "localhost/*".into(),
                "localhost/exact".into(),
            ]),
            default: None,
        };
        for (name, ok) in [
            ("runtime/default", true),
            ("docker/default", true),
            ("localhost/any", true),
            ("localhost/", false),
            ("unconfined", false),
            ("", false),
        ] {
            assert_eq!(rules.allows(name), ok, "{name}");
        }
        let exact = ProfileRules {
            allowed: Some(vec!["localhost/a".into()]),
            default: None,
        };
        assert!(
            exact.allows("localhost/a")
                && !exact.allows("localhost/ab")
                && !exact.allows("localhost/b/a")
        );
    }

    #[test]
    fn field_names_round_trip() {
        for name in ["runtime/default", "unconfined", "localhost/profiles/x.json"] {
            assert_eq!(name_of(&field_of(name).1), name);
        }
        assert_eq!(name_of(&field_of("docker/default").1), "runtime/default");
        let odd = Profile {
            type_: Some("runtime/default".into()),
            localhost_profile: None,
        };
        let rules = ProfileRules {
            allowed: Some(vec!["runtime/default".into()]),
            default: None,
        };
        assert!(!rules.allows(&name_of(&odd)));
    }
}
