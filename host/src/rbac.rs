//! A cluster's RBAC objects as grants of `use` on PodSecurityPolicies, read as the API server's RBAC
//! authorizer reads them, so that the test host answers `kubernetes/can_i` as that cluster would.
//!
//! - A rule grants `use` when its verbs hold `use` or `*` and its resources `podsecuritypolicies` or `*`, in
//!   its apiGroups (`*`: any), for its resourceNames (none: every name; RBAC compares them literally, so a
//!   `*` there names no PodSecurityPolicy).
//! - A ClusterRoleBinding grants its ClusterRole everywhere; a RoleBinding grants its Role (in its namespace)
//!   or ClusterRole for requests in its namespace only.
//! - Subjects: User and Group by name; ServiceAccount as `namespace:name`, its namespace defaulting to a
//!   RoleBinding's.

use std::collections::BTreeMap;

use anyhow::Result;
use serde::Deserialize;
use serde_json::Value;

use crate::authz::Grant;

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct Rule {
    #[serde(default)]
    api_groups: Vec<String>,
    #[serde(default)]
    resources: Vec<String>,
    #[serde(default)]
    verbs: Vec<String>,
    #[serde(default)]
    resource_names: Vec<String>,
}

#[derive(Deserialize, Debug, Default)]
struct Metadata {
    #[serde(default)]
    name: String,
    #[serde(default)]
    namespace: Option<String>,
}

#[derive(Deserialize, Debug)]
struct Role {
    #[serde(default)]
    metadata: Metadata,
    #[serde(default)]
    rules: Option<Vec<Rule>>,
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
struct Binding {
    #[serde(default)]
    metadata: Metadata,
    role_ref: RoleRef,
    #[serde(default)]
    subjects: Option<Vec<Subject>>,
}

#[derive(Deserialize, Debug)]
struct RoleRef {
    kind: String,
    name: String,
}

#[derive(Deserialize, Debug)]
struct Subject {
    kind: String,
    name: String,
    #[serde(default)]
    namespace: Option<String>,
}

fn holds(list: &[String], wanted: &str) -> bool {
    list.iter().any(|item| item == wanted || item == "*")
}

/// The grants of `use` on PodSecurityPolicies that the RBAC objects among `objects` make. Other objects are
/// passed over.
pub(crate) fn grants_of(objects: &[Value]) -> Result<Vec<Grant>> {
    let mut cluster_roles: BTreeMap<String, Vec<Rule>> = BTreeMap::new();
    let mut roles: BTreeMap<(String, String), Vec<Rule>> = BTreeMap::new();
    let mut bindings: Vec<Binding> = Vec::new();
    for object in objects {
        let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
        match kind {
            "ClusterRole" | "Role" => {
                let role: Role = serde_json::from_value(object.clone())?;
                let rules = role.rules.unwrap_or_default();
                match (kind, role.metadata.namespace) {
                    ("Role", Some(ns)) => {
                        roles.insert((ns, role.metadata.name), rules);
                    }
                    _ => {
                        cluster_roles.insert(role.metadata.name, rules);
                    }
                }
            }
            "ClusterRoleBinding" | "RoleBinding" => {
                let mut binding: Binding = serde_json::from_value(object.clone())?;
                if kind == "ClusterRoleBinding" {
                    binding.metadata.namespace = None;
                }
                bindings.push(binding);
            }
            _ => {}
        }
    }

    let mut grants = Vec::new();
    for binding in &bindings {
        let namespace = binding.metadata.namespace.clone();
        let rules = match (binding.role_ref.kind.as_str(), &namespace) {
            ("ClusterRole", _) => cluster_roles.get(&binding.role_ref.name),
            ("Role", Some(ns)) => roles.get(&(ns.clone(), binding.role_ref.name.clone())),
            _ => None,
        };
        let mut subjects = Grant::default();
        for subject in binding.subjects.iter().flatten() {
            match subject.kind.as_str() {
                "User" => subjects.users.push(subject.name.clone()),
                "Group" => subjects.groups.push(subject.name.clone()),
                "ServiceAccount" => {
                    if let Some(ns) = subject.namespace.as_ref().or(namespace.as_ref()) {
                        subjects
                            .service_accounts
                            .push(format!("{ns}:{}", subject.name));
                    }
                }
                _ => {}
            }
        }
        for rule in rules.into_iter().flatten() {
            if !holds(&rule.verbs, "use") || !holds(&rule.resources, "podsecuritypolicies") {
                continue;
            }
            let policies = if rule.resource_names.is_empty() {
                vec!["*".to_string()]
            } else {
                rule.resource_names
                    .iter()
                    .filter(|name| *name != "*")
                    .cloned()
                    .collect()
            };
            grants.push(Grant {
                policies,
                namespace: namespace.clone(),
                api_groups: Some(rule.api_groups.clone()),
                ..subjects.clone()
            });
        }
    }
    Ok(grants)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bindings_grant_their_roles_rules_to_their_subjects() {
        let objects = [
            json!({"kind": "ClusterRole", "metadata": {"name": "psp:restricted"}, "rules": [
                {"apiGroups": ["policy"], "resources": ["podsecuritypolicies"], "verbs": ["use"],
                 "resourceNames": ["restricted"]},
                {"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]}),
            json!({"kind": "Role", "metadata": {"name": "psp", "namespace": "ops"}, "rules": [
                {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]}),
            json!({"kind": "ClusterRoleBinding", "metadata": {"name": "a"},
                   "roleRef": {"kind": "ClusterRole", "name": "psp:restricted"},
                   "subjects": [{"kind": "Group", "name": "system:authenticated"}]}),
            json!({"kind": "RoleBinding", "metadata": {"name": "b", "namespace": "ops"},
                   "roleRef": {"kind": "Role", "name": "psp"},
                   "subjects": [{"kind": "ServiceAccount", "name": "deployer"},
                                {"kind": "User", "name": "bob"}]}),
            json!({"kind": "RoleBinding", "metadata": {"name": "c", "namespace": "ops"},
                   "roleRef": {"kind": "ClusterRole", "name": "missing"},
                   "subjects": [{"kind": "User", "name": "carol"}]}),
            json!({"kind": "PodSecurityPolicy", "metadata": {"name": "restricted"}}),
        ];
        assert_eq!(
            grants_of(&objects).unwrap(),
            [
                Grant {
                    policies: vec!["restricted".into()],
                    groups: vec!["system:authenticated".into()],
                    api_groups: Some(vec!["policy".into()]),
                    ..Grant::default()
                },
                Grant {
                    policies: vec!["*".into()],
                    users: vec!["bob".into()],
                    service_accounts: vec!["ops:deployer".into()],
                    namespace: Some("ops".into()),
                    api_groups: Some(vec!["*".into()]),
                    ..Grant::default()
                },
            ]
        );
    }
}
