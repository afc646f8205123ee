//! A policy: what requests are judged by, assembled from a settings document.
//!
//! `settings` reads the document (its data, its parsing, the named profiles); `psp` and `pss` are the checks;
//! this module ties them together. Resolution order: explicit keys, then the named profile's keys. What the
//! PSP spec requires (`runAsUser`, `seLinux`, `supplementalGroups`, `fsGroup`) must then be present, unless a
//! Pod Security Standards level is given: then the PSP fields that are set add their constraints and the others
//! constrain nothing.
//!
//! Settings configure one PodSecurityPolicy, a [`PspEntry`], or, with `policies`, several named ones among which
//! each request selects as PSP's admission plugin did (`several`, `selection`).

pub(crate) mod selection;
mod several;

use crate::object::PodObject;
use crate::patch::Defaults;
use crate::psp::{Psp, PspSettings};
use crate::pss::{self, Standard};
use crate::settings::{self, profiles, spec, RawSettings, SettingsErrors};
use crate::violation::{self, Violations};

pub(crate) use several::{NamedEntry, Several};

/// Validated settings, ready to evaluate requests.
#[derive(Debug)]
pub struct Policy {
    form: Form,
    exemptions: Exemptions,
}

/// One PodSecurityPolicy, or several among which each request selects.
#[derive(Debug)]
pub(crate) enum Form {
    /// Boxed: a PSP's checks are several times the size of the list of entries.
    Single(Box<PspEntry>),
    Several(Several),
}

/// One configured PodSecurityPolicy with its options: what a pod must pass, and whether it is defaulted first.
#[derive(Debug)]
pub struct PspEntry {
    /// The PodSecurityPolicy field checks; `None` when only a Pod Security Standard is enforced.
    psp: Option<Psp>,
    /// The Pod Security Standard judged beside the PSP fields.
    standard: Option<Standard>,
    /// Fill in PSP's defaults before validating.
    mutating: bool,
}

/// Who and what is exempt from the policy, as in Pod Security Admission's configuration.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Exemptions {
    pub(crate) usernames: Vec<String>,
    pub(crate) namespaces: Vec<String>,
    pub(crate) runtime_classes: Vec<String>,
}

const REQUIRED_RULES: [&str; 4] = ["runAsUser", "seLinux", "supplementalGroups", "fsGroup"];

/// Why one PodSecurityPolicy (with its Pod Security Standard) does not admit a pod.
#[derive(Debug)]
pub(crate) struct Rejection {
    violations: Violations,
    /// The standard's part, in PSA's own words.
    standard: Option<String>,
}

impl Rejection {
    /// The one rendering of a rejection (see `violation::rejection`); `name` is the entry's name in the
    /// `policies` form, which then labels each of its parts.
    pub(crate) fn message(&self, name: Option<&str>) -> String {
        violation::rejection(name, &self.violations, self.standard.clone()).unwrap_or_default()
    }
}

impl Policy {
    /// Parses and validates a settings document (JSON). The error names the offending key.
    pub fn from_json(settings: &str) -> Result<Policy, String> {
        let raw = settings::parse_raw(settings)?;
        let keys = match raw.policies {
            Some(_) => settings::top_level_keys(settings),
            None => Vec::new(),
        };
        Policy::from_raw(raw, &keys)
    }

    /// `top_level_keys`: the keys of the document, read only with `policies` (to name misplaced ones).
    fn from_raw(mut raw: RawSettings, top_level_keys: &[String]) -> Result<Policy, String> {
        let mut errors = SettingsErrors::default();
        let mutating = raw.mutating.unwrap_or(true);
        let exemptions = raw.exemptions.take();
        let form = match raw.policies.take() {
            Some(entries) => Form::Several(Several::assemble(
                entries,
                raw.authorization.unwrap_or_default(),
                mutating,
                top_level_keys,
                &mut errors,
            )),
            None => {
                if raw.authorization.is_some() {
                    errors.add(
                        "authorization",
                        "only read with `policies` (several named PodSecurityPolicies); a single one is \
                         not authorised",
                    );
                }
                Form::Single(Box::new(PspEntry::from_settings(
                    raw,
                    mutating,
                    &mut errors,
                )))
            }
        };
        let exemptions = exemptions_from(exemptions.as_ref(), &mut errors);
        if !errors.is_empty() {
            return Err(errors.message());
        }
        Ok(Policy { form, exemptions })
    }

    /// The configured PodSecurityPolicy; with several, the first in name order (`policies` is never empty).
    pub fn entry(&self) -> Option<&PspEntry> {
        match &self.form {
            Form::Single(entry) => Some(entry),
            Form::Several(several) => several.entries().first().map(|n| &n.entry),
        }
    }

    pub(crate) fn form(&self) -> &Form {
        &self.form
    }

    pub(crate) fn exemptions(&self) -> &Exemptions {
        &self.exemptions
    }
}

impl PspEntry {
    /// Assembles one PodSecurityPolicy from its keys (`settings`, less the whole-policy keys, which the caller
    /// has taken), adding each problem to `errors`.
    fn from_settings(
        mut raw: RawSettings,
        mutating: bool,
        errors: &mut SettingsErrors,
    ) -> PspEntry {
        raw.normalize_profile_annotations(errors);
        let settings = match raw.profile.as_deref() {
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

        let standard = settings.pod_security_standard.as_ref().and_then(|p| {
            let version = p.version.as_deref().unwrap_or("latest");
            Standard::parse(&p.level, version)
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
            Some(Psp::from_settings(
                &PspSettings::as_written(&settings),
                errors,
            ))
        } else if has_standard {
            // Only the PSP fields that are given constrain; the rest allow everything.
            settings.has_psp_fields().then(|| {
                let in_effect = settings.clone().over(profiles::unconstrained());
                let psp_settings = PspSettings {
                    in_effect: &in_effect,
                    written: &settings,
                };
                Psp::from_settings(&psp_settings, errors)
            })
        } else {
            errors.add(
                missing.join(", "),
                format!(
                    "required: a PodSecurityPolicy spec must set runAsUser, seLinux, supplementalGroups and \
                     fsGroup (e.g. `rule: RunAsAny`); or name a `profile` ({}) or a `podSecurityStandard` level",
                    profiles::NAMES.join(", ")
                ),
            );
            None
        };
        PspEntry {
            psp,
            standard,
            mutating,
        }
    }

    /// The PodSecurityPolicy field checks, if any PSP field is set.
    pub fn psp(&self) -> Option<&Psp> {
        self.psp.as_ref()
    }

    /// Whether PSP's defaults are filled in before validating.
    pub fn mutating(&self) -> bool {
        self.mutating
    }

    /// Whether a Pod Security Standard is judged beside the PSP fields.
    pub fn has_standard(&self) -> bool {
        self.standard.is_some()
    }

    /// Judges `pod`: fills in PSP's defaults first when this entry mutates and `may_default` (on the typed pod,
    /// and in `defaults` for the JSON object), then validates the PSP fields and the standard. The error is
    /// the rejection message: every PSP violation, then the standard's.
    pub(crate) fn admit(
        &self,
        pod: &mut PodObject,
        defaults: &mut Defaults,
        may_default: bool,
    ) -> Result<(), String> {
        self.judge(pod, defaults, may_default)
            .map_err(|rejection| rejection.message(None))
    }

    /// As [`PspEntry::admit`], with the rejection's parts kept apart.
    pub(crate) fn judge(
        &self,
        pod: &mut PodObject,
        defaults: &mut Defaults,
        may_default: bool,
    ) -> Result<(), Rejection> {
        if let (Some(psp), true, true) = (&self.psp, self.mutating, may_default) {
            psp.mutate_pod(pod, defaults);
        }
        let mut violations = Violations::default();
        if let Some(psp) = &self.psp {
            psp.validate_pod(pod, &mut violations);
        }
        let standard = self.standard.as_ref().and_then(|standard| {
            let forbidden = pss::evaluate(standard, &pod.annotations, &pod.spec);
            (!forbidden.is_empty()).then(|| pss::message(standard, &forbidden))
        });
        if violations.is_empty() && standard.is_none() {
            return Ok(());
        }
        Err(Rejection {
            violations,
            standard,
        })
    }
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
mod combination_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::{Kind, PodObject};

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
        let policy = Policy::from_json(&format!("{{{RUN_AS_ANY}}}")).unwrap();
        let entry = policy.entry().expect("an entry");
        assert!(entry.psp().is_some() && !entry.has_standard() && entry.mutating());
        for name in profiles::NAMES {
            let policy = Policy::from_json(&format!(r#"{{"profile": "{name}"}}"#)).unwrap();
            assert!(policy.entry().expect("an entry").psp().is_some(), "{name}");
        }
    }

    #[test]
    fn a_standard_alone_needs_no_psp_rules() {
        let only =
            Policy::from_json(r#"{"podSecurityStandard": {"level": "restricted"}}"#).unwrap();
        assert!(
            only.entry().expect("an entry").psp().is_none()
                && only.entry().expect("an entry").has_standard()
        );
        let with_field = Policy::from_json(
            r#"{"podSecurityStandard": {"level": "baseline"}, "hostNetwork": false}"#,
        )
        .unwrap();
        assert!(with_field.entry().expect("an entry").psp().is_some());
        let bad = error_of(r#"{"podSecurityStandard": {"level": "strict"}}"#);
        assert!(bad.starts_with("podSecurityStandard: "), "{bad}");
    }

    /// The sysctls the `baseline` and `restricted` profiles allow are those the Pod Security Standards allow
    /// at `latest`: the kubelet's safe set, which PSP's sysctl rules start from.
    #[test]
    fn baseline_and_restricted_profiles_allow_the_sysctls_of_the_latest_standard() {
        let standard = Standard::parse("baseline", "latest").unwrap();
        let names = [
            "kernel.shm_rmid_forced",
            "net.ipv4.ip_local_port_range",
            "net.ipv4.tcp_syncookies",
            "net.ipv4.ping_group_range",
            "net.ipv4.ip_unprivileged_port_start",
            "net.ipv4.ip_local_reserved_ports",
            "net.ipv4.tcp_keepalive_time",
            "net.ipv4.tcp_fin_timeout",
            "net.ipv4.tcp_keepalive_intvl",
            "net.ipv4.tcp_keepalive_probes",
            "net.ipv4.tcp_rmem",
            "net.ipv4.tcp_wmem",
            "net.ipv4.tcp_slow_start_after_idle",
            "net.ipv4.tcp_notsent_lowat",
            "net.core.somaxconn",
            "kernel.msgmax",
            "net.ipv4.tcp_congestion_control",
            "net.ipv4.tcp_slow_start_after_idle_x",
        ];
        for profile in ["baseline", "restricted"] {
            let policy = Policy::from_json(&format!(r#"{{"profile": "{profile}"}}"#)).unwrap();
            let psp = policy
                .entry()
                .expect("an entry")
                .psp()
                .expect("a profile has PSP fields");
            for name in names {
                let object = serde_json::json!({
                    "kind": "Pod",
                    "spec": {"securityContext": {"sysctls": [{"name": name, "value": "1"}]}, "containers": []},
                });
                let pod = PodObject::parse(Kind::Pod, &object.to_string()).unwrap();
                let mut violations = Violations::default();
                psp.validate_pod(&pod, &mut violations);
                let profile_allows = !violations.iter().any(|v| v.path.contains("sysctls"));
                let standard_allows =
                    pss::evaluate(&standard, &pod.annotations, &pod.spec).is_empty();
                assert_eq!(profile_allows, standard_allows, "{profile}: {name}");
            }
        }
    }
}
