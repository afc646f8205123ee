//! Settings: the PodSecurityPolicy spec model (`spec`), named profiles (`profiles`), and their validation
//! into the [`Policy`] that evaluates requests.
//!
//! Resolution order: explicit keys, then the named profile's keys. What the PSP spec requires
//! (`runAsUser`, `seLinux`, `supplementalGroups`, `fsGroup`) must then be present, unless a Pod Security
//! Standards level is given: then the PSP fields that are set add their constraints and the others
//! constrain nothing.

pub mod profiles;
pub mod spec;

use crate::psp::Psp;
use crate::pss;
pub use spec::RawSettings;
use std::fmt::Display;

/// Every problem found in a settings document, each naming its key.
#[derive(Debug, Default)]
pub struct SettingsErrors(Vec<String>);

impl SettingsErrors {
    pub fn add(&mut self, key: impl Display, problem: impl Display) {
        self.0.push(format!("{key}: {problem}"));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every problem, `; `-separated.
    pub fn message(&self) -> String {
        self.0.join("; ")
    }
}

/// Who and what is exempt from the policy, as in Pod Security Admission's configuration.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Exemptions {
    pub usernames: Vec<String>,
    pub namespaces: Vec<String>,
    pub runtime_classes: Vec<String>,
}

/// Validated settings, ready to evaluate requests.
#[derive(Debug)]
pub struct Policy {
    /// The PodSecurityPolicy checks; `None` when only a Pod Security Standard is enforced.
    pub psp: Option<Psp>,
    pub pss: Option<pss::Standard>,
    pub exemptions: Exemptions,
    /// Fill in PSP's defaults before validating.
    pub mutating: bool,
}

const REQUIRED_RULES: [&str; 4] = ["runAsUser", "seLinux", "supplementalGroups", "fsGroup"];

impl Policy {
    /// Parses and validates a settings document (JSON). The error names the offending key.
    pub fn from_json(settings: &str) -> Result<Policy, String> {
        Policy::from_raw(parse_raw(settings)?)
    }

    pub fn from_raw(mut raw: RawSettings) -> Result<Policy, String> {
        let mut errors = SettingsErrors::default();
        raw.normalize_profile_annotations(&mut errors);
        let mut settings = match raw.profile.as_deref() {
            None => raw,
            Some(name) => match profiles::named(name) {
                Some(profile) => raw.over(profile),
                None => {
                    errors.add(
                        "profile",
                        format!(
                            "unknown profile {name:?}; known profiles: {}",
                            profiles::NAMES.join(", ")
                        ),
                    );
                    raw
                }
            },
        };

        let pss = settings.pod_security_standard.as_ref().and_then(|p| {
            let version = p.version.as_deref().unwrap_or("latest");
            pss::Standard::parse(&p.level, version)
                .map_err(|e| errors.add("podSecurityStandard", e))
                .ok()
        });

        let missing: Vec<&str> = REQUIRED_RULES
            .into_iter()
            .zip([
                settings.run_as_user.is_none(),
                settings.se_linux.is_none(),
                settings.supplemental_groups.is_none(),
                settings.fs_group.is_none(),
            ])
            .filter_map(|(key, is_missing)| is_missing.then_some(key))
            .collect();
        let has_standard = settings.pod_security_standard.is_some();
        let psp = if missing.is_empty() {
            Some(Psp::from_settings(&settings, &mut errors))
        } else if has_standard {
            // Only the PSP fields that are given constrain; the rest allow everything.
            settings.has_psp_fields().then(|| {
                settings = std::mem::take(&mut settings).over(profiles::unconstrained());
                Psp::from_settings(&settings, &mut errors)
            })
        } else {
            errors.add(
                missing.join(", "),
                "required: a PodSecurityPolicy spec must set runAsUser, seLinux, supplementalGroups and \
                 fsGroup (e.g. `rule: RunAsAny`); or name a `profile` (ai-data-security, restricted, baseline) \
                 or a `podSecurityStandard` level",
            );
            None
        };

        let exemptions = exemptions_from(settings.exemptions.as_ref(), &mut errors);
        if !errors.is_empty() {
            return Err(errors.message());
        }
        Ok(Policy {
            psp,
            pss,
            exemptions,
            mutating: settings.mutating.unwrap_or(true),
        })
    }
}

/// Reads a settings document without validating it. The error names the offending key.
pub fn parse_raw(settings: &str) -> Result<RawSettings, String> {
    // serde would also read a struct from a JSON array, by position: settings are an object or nothing.
    if !settings.trim_start().starts_with('{') {
        return Err("settings must be a JSON object".to_string());
    }
    let raw: RawSettings =
        serde_json::from_str(settings).map_err(|e| crate::json_path::describe(settings, &e))?;
    Ok(raw)
}

fn exemptions_from(raw: Option<&spec::Exemptions>, errors: &mut SettingsErrors) -> Exemptions {
    let Some(raw) = raw else {
        return Exemptions::default();
    };
    let mut checked = |key: &str, list: &Option<Vec<String>>| -> Vec<String> {
        let list = list.clone().unwrap_or_default();
        for (i, name) in list.iter().enumerate() {
            if name.trim().is_empty() {
                errors.add(format!("exemptions.{key}[{i}]"), "must not be empty");
            } else if list.iter().take(i).any(|earlier| earlier == name) {
                errors.add(
                    format!("exemptions.{key}[{i}]"),
                    format!("duplicate entry {name:?}"),
                );
            }
        }
        list
    };
    Exemptions {
        usernames: checked("usernames", &raw.usernames),
        namespaces: checked("namespaces", &raw.namespaces),
        runtime_classes: checked("runtimeClasses", &raw.runtime_classes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(settings: &str) -> String {
        Policy::from_json(settings).unwrap_err()
    }

    const RUN_AS_ANY: &str = r#""runAsUser": {"rule": "RunAsAny"}, "seLinux": {"rule": "RunAsAny"}, "supplementalGroups": {"rule": "RunAsAny"}, "fsGroup": {"rule": "RunAsAny"}"#;

    #[test]
    fn refuses_bad_documents_naming_the_key() {
        let cases = [
            (
                r#"{"privilegd": false}"#.to_string(),
                "unknown field `privilegd`",
            ),
            (
                format!(r#"{{{RUN_AS_ANY}, "privileged": "no"}}"#),
                "privileged: invalid type",
            ),
            (
                format!(r#"{{{RUN_AS_ANY}, "hostPorts": [{{"min": 1}}]}}"#),
                "hostPorts[0]: missing field `max`",
            ),
            (
                r#"{}"#.to_string(),
                "runAsUser, seLinux, supplementalGroups, fsGroup: required",
            ),
            (
                r#"{"runAsUser": {"rule": "RunAsAny"}}"#.to_string(),
                "seLinux, supplementalGroups, fsGroup: required",
            ),
            (
                r#"{"profile": "nope"}"#.to_string(),
                "profile: unknown profile \"nope\"",
            ),
            (
                format!(r#"{{{RUN_AS_ANY}, "exemptions": {{"usernames": ["a", "a", ""]}}}}"#),
                "exemptions.usernames[1]: duplicate entry",
            ),
            (
                format!(r#"{{{RUN_AS_ANY}, "exemptions": {{"namespaces": [" "]}}}}"#),
                "exemptions.namespaces[0]: must not be empty",
            ),
            (r#"[false]"#.to_string(), "settings must be a JSON object"),
            (r#"null"#.to_string(), "settings must be a JSON object"),
        ];
        for (settings, needle) in cases {
            let err = error_of(&settings);
            assert!(err.contains(needle), "{settings}: {err}");
        }
    }

    #[test]
    fn a_complete_psp_spec_or_a_profile_is_valid() {
        let psp = Policy::from_json(&format!("{{{RUN_AS_ANY}}}")).unwrap();
        assert!(psp.psp.is_some() && psp.pss.is_none() && psp.mutating);
        for name in profiles::NAMES {
            let policy = Policy::from_json(&format!(r#"{{"profile": "{name}"}}"#)).unwrap();
            assert!(policy.psp.is_some(), "{name}");
        }
    }

    #[test]
    fn a_standard_alone_needs_no_psp_rules() {
        let only =
            Policy::from_json(r#"{"podSecurityStandard": {"level": "restricted"}}"#).unwrap();
        assert!(only.psp.is_none() && only.pss.is_some());
        let with_field = Policy::from_json(
            r#"{"podSecurityStandard": {"level": "baseline"}, "hostNetwork": false}"#,
        )
        .unwrap();
        assert!(with_field.psp.is_some());
        let bad = error_of(r#"{"podSecurityStandard": {"level": "strict"}}"#);
        assert!(bad.starts_with("podSecurityStandard: "), "{bad}");
    }
}
