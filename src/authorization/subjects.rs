//! `subjects`: who may use one entry, as the settings list them, matched as RBAC matches a binding's subjects
//! (a user by name, a group by name, a service account by its user name `system:serviceaccount:<ns>:<name>`).

use std::collections::BTreeMap;

use super::Identity;
use crate::settings::{RawSubjectSet, RawSubjects, SettingsErrors};

/// Who may use one entry: everywhere, and for requests in one namespace only (what a RoleBinding grants).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Subjects {
    everywhere: SubjectSet,
    by_namespace: BTreeMap<String, SubjectSet>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct SubjectSet {
    users: Vec<String>,
    groups: Vec<String>,
    service_accounts: Vec<ServiceAccounts>,
}

/// A `serviceAccounts` item.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ServiceAccounts {
    /// `namespace:name`.
    One { namespace: String, name: String },
    /// `namespace:*`: every service account of the namespace.
    All { namespace: String },
}

impl Subjects {
    /// Validates `raw`, adding each problem to `errors` under its key below `subjects`.
    pub(crate) fn from_raw(raw: &RawSubjects, errors: &mut SettingsErrors) -> Subjects {
        let everywhere = SubjectSet::from_raw(
            &RawSubjectSet {
                users: raw.users.clone(),
                groups: raw.groups.clone(),
                service_accounts: raw.service_accounts.clone(),
            },
            "subjects",
            errors,
        );
        let mut by_namespace = BTreeMap::new();
        for (namespace, set) in raw.by_namespace.iter().flatten() {
            let key = format!("subjects.byNamespace[{namespace}]");
            if namespace.trim().is_empty() {
                errors.add(&key, "a namespace must not be empty");
            }
            by_namespace.insert(namespace.clone(), SubjectSet::from_raw(set, &key, errors));
        }
        Subjects {
            everywhere,
            by_namespace,
        }
    }

    /// Whether `identity` may use the entry for a request in `namespace`.
    pub(crate) fn admit(&self, identity: &Identity, namespace: &str) -> bool {
        self.everywhere.admits(identity)
            || self
                .by_namespace
                .get(namespace)
                .is_some_and(|set| set.admits(identity))
    }
}

impl SubjectSet {
    fn from_raw(raw: &RawSubjectSet, key: &str, errors: &mut SettingsErrors) -> SubjectSet {
        let mut names = |field: &str, list: &Option<Vec<String>>| -> Vec<String> {
            let list = list.clone().unwrap_or_default();
            for (i, name) in list.iter().enumerate() {
                if name.trim().is_empty() {
                    errors.add(format!("{key}.{field}[{i}]"), "must not be empty");
                }
            }
            list
        };
        let users = names("users", &raw.users);
        let groups = names("groups", &raw.groups);
        let mut service_accounts = Vec::new();
        for (i, item) in raw.service_accounts.iter().flatten().enumerate() {
            match parse_service_accounts(item) {
                Some(accounts) => service_accounts.push(accounts),
                None => errors.add(
                    format!("{key}.serviceAccounts[{i}]"),
                    format!(
                        "{}: not namespace:name or namespace:* (the namespace must not be empty)",
                        serde_json::Value::from(item.as_str())
                    ),
                ),
            }
        }
        SubjectSet {
            users,
            groups,
            service_accounts,
        }
    }

    fn admits(&self, identity: &Identity) -> bool {
        self.users.contains(&identity.user)
            || identity.groups.iter().any(|g| self.groups.contains(g))
            || identity
                .as_service_account()
                .is_some_and(|(namespace, name)| {
                    self.service_accounts.iter().any(|accounts| match accounts {
                        ServiceAccounts::One {
                            namespace: ns,
                            name: n,
                        } => ns == namespace && n == name,
                        ServiceAccounts::All { namespace: ns } => ns == namespace,
                    })
                })
    }
}

fn parse_service_accounts(item: &str) -> Option<ServiceAccounts> {
    let (namespace, name) = item.split_once(':')?;
    if namespace.trim().is_empty() || name.is_empty() || name.contains(':') {
        return None;
    }
    Some(match name {
        "*" => ServiceAccounts::All {
            namespace: namespace.to_string(),
        },
        _ => ServiceAccounts::One {
            namespace: namespace.to_string(),
            name: name.to_string(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subjects(json: &str) -> Result<Subjects, String> {
        let raw: RawSubjects = serde_json::from_str(json).unwrap();
        let mut errors = SettingsErrors::default();
        let subjects = Subjects::from_raw(&raw, &mut errors);
        if errors.is_empty() {
            Ok(subjects)
        } else {
            Err(errors.message())
        }
    }

    fn identity(user: &str, groups: &[&str]) -> Identity {
        Identity {
            user: user.into(),
            groups: groups.iter().map(|g| g.to_string()).collect(),
        }
    }

    #[test]
    fn matches_users_groups_and_service_accounts_as_rbac_does() {
        let s = subjects(
            r#"{"users": ["alice"], "groups": ["ops"], "serviceAccounts": ["kube-system:cni", "monitoring:*"],
                "byNamespace": {"kube-system": {"groups": ["system:serviceaccounts:kube-system"]}}}"#,
        )
        .unwrap();
        let cases = [
            (identity("alice", &[]), "web", true),
            (identity("bob", &["ops"]), "web", true),
            (identity("bob", &["dev"]), "web", false),
            (
                identity("system:serviceaccount:kube-system:cni", &[]),
                "web",
                true,
            ),
            (
                identity("system:serviceaccount:kube-system:dns", &[]),
                "web",
                false,
            ),
            (
                identity("system:serviceaccount:monitoring:x", &[]),
                "web",
                true,
            ),
            (
                identity("system:serviceaccount:monitoringx:x", &[]),
                "web",
                false,
            ),
            // A user merely named like a pattern is no service account.
            (identity("monitoring:x", &[]), "web", false),
            // The RoleBinding's grant holds in its namespace only.
            (
                identity(
                    "system:serviceaccount:kube-system:dns",
                    &["system:serviceaccounts:kube-system"],
                ),
                "kube-system",
                true,
            ),
            (
                identity(
                    "system:serviceaccount:kube-system:dns",
                    &["system:serviceaccounts:kube-system"],
                ),
                "web",
                false,
            ),
        ];
        for (who, namespace, expected) in cases {
            assert_eq!(s.admit(&who, namespace), expected, "{who:?} in {namespace}");
        }
        assert!(!Subjects::default().admit(&identity("alice", &["ops"]), "web"));
    }

    #[test]
    fn refuses_malformed_subjects_naming_them() {
        let message = subjects(
            r#"{"users": [""], "serviceAccounts": ["ok:a", "nocolon", ":a", "ns:", "ns:a:b"],
                "byNamespace": {"": {"groups": [" "]}}}"#,
        )
        .unwrap_err();
        assert_eq!(
            message,
            "subjects.users[0]: must not be empty; \
             subjects.serviceAccounts[1]: \"nocolon\": not namespace:name or namespace:* (the namespace must not be empty); \
             subjects.serviceAccounts[2]: \":a\": not namespace:name or namespace:* (the namespace must not be empty); \
             subjects.serviceAccounts[3]: \"ns:\": not namespace:name or namespace:* (the namespace must not be empty); \
             subjects.serviceAccounts[4]: \"ns:a:b\": not namespace:name or namespace:* (the namespace must not be empty); \
             subjects.byNamespace[]: a namespace must not be empty; \
             subjects.byNamespace[].groups[0]: must not be empty"
        );
    }
}
