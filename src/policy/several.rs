//! The `policies` form: several named PodSecurityPolicies in one policy, each assembled as a single one is,
//! with the whole-policy keys (`authorization`, `mutating`, `exemptions`) at the top level.
//!
//! Every problem names its entry by index and name (`policies[1] (cni-privileged).spec.runAsUser: ...`).

use super::PspEntry;
use crate::authorization::Subjects;
use crate::settings::entries::{is_dns_subdomain, RawEntries};
use crate::settings::{AuthorizationMode, RawEntry, SettingsErrors};

/// Several named PodSecurityPolicies, in name order.
#[derive(Debug)]
pub(crate) struct Several {
    authorization: AuthorizationMode,
    /// Whether a request's object may be changed (defaults, the `kubernetes.io/psp` annotation).
    mutating: bool,
    entries: Vec<NamedEntry>,
}

/// One PodSecurityPolicy of the list.
#[derive(Debug)]
pub(crate) struct NamedEntry {
    pub(crate) name: String,
    /// Always defaults the pod it judges (on a copy): whether the defaults may be kept is the whole policy's
    /// decision.
    pub(crate) entry: PspEntry,
    /// Who may use it, with `authorization: subjects`.
    pub(crate) subjects: Option<Subjects>,
}

/// The keys that stand at the top level beside `policies`.
const WHOLE_POLICY_KEYS: [&str; 4] = ["authorization", "exemptions", "mutating", "policies"];

impl Several {
    /// Reads `entries`, adding each problem to `errors`. `top_level_keys`: the document's keys, so that a
    /// PodSecurityPolicy key left at the top level is named.
    pub(super) fn assemble(
        entries: RawEntries,
        authorization: AuthorizationMode,
        mutating: bool,
        top_level_keys: &[String],
        errors: &mut SettingsErrors,
    ) -> Several {
        for key in top_level_keys {
            if WHOLE_POLICY_KEYS.contains(&key.as_str()) {
                continue;
            }
            let place = if key == "annotations" {
                "policies[i].annotations"
            } else {
                "policies[i].spec"
            };
            errors.add(
                key,
                format!(
                    "with `policies`, each PodSecurityPolicy's keys stand in its entry: move it into {place}"
                ),
            );
        }
        if entries.0.is_empty() {
            errors.add("policies", "must list at least one PodSecurityPolicy");
        }
        let mut named: Vec<NamedEntry> = Vec::new();
        let mut names: Vec<(String, usize)> = Vec::new();
        for (i, raw) in entries.0.iter().enumerate() {
            let label = match RawEntry::name_of(raw) {
                Some(name) => format!("policies[{i}] ({name})"),
                None => format!("policies[{i}]"),
            };
            let entry = match RawEntry::parse(raw) {
                Ok(entry) => entry,
                Err((key, problem)) => {
                    errors.add(within(&label, &key), problem);
                    continue;
                }
            };
            let name = match entry.name.as_deref() {
                None => {
                    errors.add(
                        format!("policies[{i}].name"),
                        "required: the PodSecurityPolicy's name",
                    );
                    None
                }
                Some(name) if !is_dns_subdomain(name) => {
                    errors.add(
                        format!("policies[{i}].name"),
                        format!(
                            "{}: not a PodSecurityPolicy name (a DNS subdomain: lower-case letters, digits, \
                             `-` and `.`, starting and ending with a letter or digit)",
                            crate::violation::quoted(name)
                        ),
                    );
                    None
                }
                Some(name) => match names.iter().find(|(seen, _)| seen == name) {
                    Some((_, first)) => {
                        errors.add(
                            format!("policies[{i}].name"),
                            format!(
                                "duplicate name {} (also policies[{first}])",
                                crate::violation::quoted(name)
                            ),
                        );
                        None
                    }
                    None => {
                        names.push((name.to_string(), i));
                        Some(name.to_string())
                    }
                },
            };
            let mut inner = SettingsErrors::default();
            let subjects = match (authorization, &entry.subjects) {
                (AuthorizationMode::Subjects, Some(raw)) => {
                    Some(Subjects::from_raw(raw, &mut inner))
                }
                (AuthorizationMode::Rbac, Some(_)) => {
                    inner.add("subjects", "only read with `authorization: subjects`");
                    None
                }
                (_, None) => None,
            };
            let psp = match entry.spec {
                None => {
                    inner.add("spec", "required: the PodSecurityPolicy's spec");
                    None
                }
                Some(mut spec) => {
                    for (key, set, problem) in [
                        ("annotations", spec.annotations.is_some(), "a PodSecurityPolicy's annotations stand beside its spec: move them into the entry's `annotations`"),
                        ("exemptions", spec.exemptions.is_some(), "a whole-policy key: set it at the top level, beside `policies`"),
                        ("mutating", spec.mutating.is_some(), "a whole-policy key: set it at the top level, beside `policies`"),
                        ("authorization", spec.authorization.is_some(), "a whole-policy key: set it at the top level, beside `policies`"),
                        ("policies", spec.policies.is_some(), "entries do not nest"),
                    ] {
                        if set {
                            inner.add(format!("spec.{key}"), problem);
                        }
                    }
                    spec.annotations = entry.annotations;
                    let mut spec_errors = SettingsErrors::default();
                    let psp = PspEntry::from_settings(spec, true, &mut spec_errors);
                    // The annotations are the entry's, every other key is its spec's.
                    inner.extend_within(spec_errors, |key| {
                        if key.starts_with("annotations") {
                            key.to_string()
                        } else {
                            format!("spec.{key}")
                        }
                    });
                    Some(psp)
                }
            };
            errors.extend_within(inner, |key| within(&label, key));
            if let (Some(name), Some(entry)) = (name, psp) {
                // Kept in byte-wise name order, as PSP's admission plugin ordered them (inserted in place:
                // a sort would add more code to the module than a few entries need).
                let at = named.partition_point(|e| e.name < name);
                named.insert(
                    at,
                    NamedEntry {
                        name,
                        entry,
                        subjects,
                    },
                );
            }
        }
        Several {
            authorization,
            mutating,
            entries: named,
        }
    }

    pub(crate) fn authorization(&self) -> AuthorizationMode {
        self.authorization
    }

    pub(crate) fn mutating(&self) -> bool {
        self.mutating
    }

    /// The entries, in name order.
    pub(crate) fn entries(&self) -> &[NamedEntry] {
        &self.entries
    }
}

/// The key `key` of the entry labelled `label`.
fn within(label: &str, key: &str) -> String {
    if key.is_empty() {
        label.to_string()
    } else {
        format!("{label}.{key}")
    }
}

#[cfg(test)]
mod tests;
