//! The several-PodSecurityPolicies form of the settings: `policies`, a list of named PSPs, and `authorization`,
//! how the policy decides who may `use` each.
//!
//! The list is kept as raw JSON at first and each entry read on its own ([`RawEntry::parse`]), so that every
//! problem of an entry is reported under its index and name (`policies[1] (cni-privileged).spec.runAsUser`),
//! and a problem in one entry does not hide those of the others.

use serde::Deserialize;
use serde_json::value::RawValue;
use std::collections::BTreeMap;

use super::spec::RawSettings;

/// How the entries of `policies` are authorised.
#[derive(Deserialize, Debug, Default, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum AuthorizationMode {
    /// The cluster's RBAC (`use` on `podsecuritypolicies`), asked through Kubernetes' SubjectAccessReview.
    #[default]
    Rbac,
    /// Each entry's `subjects`, judged in the module.
    Subjects,
}

/// `policies`: each entry as written, read later by [`RawEntry::parse`].
#[derive(Deserialize, Debug, Clone)]
#[serde(transparent)]
pub struct RawEntries(pub Vec<Box<RawValue>>);

impl PartialEq for RawEntries {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len()
            && self.0.iter().zip(&other.0).all(|(a, b)| a.get() == b.get())
    }
}

/// One entry of `policies`: a PodSecurityPolicy as the cluster had it (its name, its annotations, its spec)
/// and, for `authorization: subjects`, who may use it.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct RawEntry {
    /// The PSP's `metadata.name`. Required; an `Option` so that its absence is reported by name.
    pub name: Option<String>,
    /// The PSP's `metadata.annotations`: the seccomp and AppArmor keys are read, others are ignored.
    pub annotations: Option<BTreeMap<String, String>>,
    /// The PSP's spec: the keys of the single-PodSecurityPolicy settings, less the whole-policy ones.
    pub spec: Option<RawSettings>,
    pub subjects: Option<RawSubjects>,
}

/// Who may `use` one entry: everywhere, and per namespace (what a RoleBinding grants).
#[derive(Deserialize, Debug, Default, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawSubjects {
    pub users: Option<Vec<String>>,
    pub groups: Option<Vec<String>>,
    /// `namespace:name`, or `namespace:*` for every service account of the namespace.
    pub service_accounts: Option<Vec<String>>,
    /// Grants that hold only for requests in that namespace.
    pub by_namespace: Option<BTreeMap<String, RawSubjectSet>>,
}

#[derive(Deserialize, Debug, Default, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawSubjectSet {
    pub users: Option<Vec<String>>,
    pub groups: Option<Vec<String>>,
    pub service_accounts: Option<Vec<String>>,
}

/// Just the name of an entry, read leniently: to name the entry in the messages about the rest of it.
#[derive(Deserialize)]
struct EntryName {
    name: Option<String>,
}

impl RawEntry {
    /// The entry's name when it has a readable one, even if the rest of the entry is malformed.
    pub fn name_of(entry: &RawValue) -> Option<String> {
        serde_json::from_str::<EntryName>(entry.get())
            .ok()
            .and_then(|e| e.name)
    }

    /// Reads one entry. The error is the key within the entry where reading failed (`spec.privileged`; empty
    /// for the entry itself) and what is wrong there.
    pub fn parse(entry: &RawValue) -> Result<RawEntry, (String, String)> {
        let text = entry.get();
        if !text.trim_start().starts_with('{') {
            return Err((
                String::new(),
                "an entry must be an object with `name` and `spec`".to_string(),
            ));
        }
        serde_json::from_str(text).map_err(|e| crate::json_path::locate(text, &e))
    }
}

/// True when `name` is a DNS subdomain (RFC 1123), as Kubernetes requires of a PodSecurityPolicy's name:
/// at most 253 characters, dot-separated labels of lower-case letters, digits and `-`, each starting and
/// ending with a letter or digit.
pub fn is_dns_subdomain(name: &str) -> bool {
    name.len() <= 253
        && name.split('.').all(|label| {
            let alphanumeric = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
            label.starts_with(alphanumeric)
                && label.ends_with(alphanumeric)
                && label.chars().all(|c| alphanumeric(c) || c == '-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.to_string()).unwrap()
    }

    #[test]
    fn reads_an_entry_and_names_what_is_wrong_in_it() {
        let entry = RawEntry::parse(&raw(
            r#"{"name": "a", "annotations": {"x": "y"}, "spec": {"privileged": true},
                "subjects": {"users": ["u"], "byNamespace": {"ns": {"groups": ["g"]}}}}"#,
        ))
        .unwrap();
        assert_eq!(entry.name.as_deref(), Some("a"));
        assert_eq!(entry.spec.unwrap().privileged, Some(true));
        let subjects = entry.subjects.unwrap();
        assert_eq!(subjects.users, Some(vec!["u".to_string()]));
        assert_eq!(
            subjects.by_namespace.unwrap()["ns"].groups,
            Some(vec!["g".to_string()])
        );

        for (text, key, error) in [
            (
                r#"{"name": "a", "spec": {"privileged": "yes"}}"#,
                "spec.privileged",
                "invalid type: string \"yes\", expected a boolean",
            ),
            (r#"{"name": "a", "spc": {}}"#, "spc", "unknown field `spc`"),
            (
                r#"{"name": "a", "subjects": {"serviceAccount": []}}"#,
                "subjects.serviceAccount",
                "unknown field `serviceAccount`",
            ),
            (
                r#"["a"]"#,
                "",
                "an entry must be an object with `name` and `spec`",
            ),
        ] {
            let (at, message) = RawEntry::parse(&raw(text)).unwrap_err();
            assert_eq!(at, key, "{text}");
            assert!(message.starts_with(error), "{text}: {message}");
        }
    }

    #[test]
    fn the_name_is_read_even_when_the_rest_is_not() {
        assert_eq!(
            RawEntry::name_of(&raw(r#"{"name": "a", "spec": {"privileged": "yes"}}"#)),
            Some("a".to_string())
        );
        assert_eq!(RawEntry::name_of(&raw(r#"{"name": 1}"#)), None);
        assert_eq!(RawEntry::name_of(&raw(r#"[]"#)), None);
    }

    #[test]
    fn names_are_dns_subdomains() {
        for good in [
            "restricted",
            "psp.flannel.unprivileged",
            "a",
            "0-9",
            "x.y-z",
        ] {
            assert!(is_dns_subdomain(good), "{good}");
        }
        let too_long = "a".repeat(254);
        for bad in [
            "",
            "Restricted",
            "-a",
            "a-",
            "a..b",
            ".a",
            "a_b",
            "a b",
            too_long.as_str(),
        ] {
            assert!(!is_dns_subdomain(bad), "{bad}");
        }
    }
}
