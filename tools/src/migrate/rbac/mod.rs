//! Who may `use` each PodSecurityPolicy, answered from a cluster's RBAC objects the way the API
//! server's RBAC authorizer answers the PSP admission plugin's question (verb `use`, resource
//! `podsecuritypolicies`, API group `policy` or `extensions`, the PSP's name, the pod's namespace).
//!
//! - A rule grants it when its verbs hold `use` or `*`, its resources `podsecuritypolicies` or `*`,
//!   its apiGroups `policy`, `extensions` or `*`, and its resourceNames are empty (every PSP) or
//!   hold the name. RBAC compares resourceNames literally: `*` there is no wildcard.
//! - A ClusterRoleBinding to a ClusterRole grants it everywhere; a RoleBinding in namespace N (to a
//!   Role in N or to a ClusterRole) grants it for pods in N only.
//! - Subjects: User and Group by name; ServiceAccount by `namespace:name`, where a RoleBinding's
//!   subject without namespace is in the binding's namespace, and a ClusterRoleBinding's matches
//!   nobody.

mod read;

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

pub use read::is_rbac_object;
use read::qualified;

/// A cluster's RBAC: roles by name and the bindings, as read from `kubectl get ... -o yaml`.
#[derive(Debug, Default, Clone)]
pub struct Rbac {
    cluster_roles: BTreeMap<String, Vec<Rule>>,
    /// By (namespace, name).
    roles: BTreeMap<(String, String), Vec<Rule>>,
    /// ClusterRoleBindings and RoleBindings, in input order.
    bindings: Vec<Binding>,
}

#[derive(Debug, Clone)]
struct Rule {
    api_groups: Vec<String>,
    resources: Vec<String>,
    verbs: Vec<String>,
    resource_names: Vec<String>,
}

#[derive(Debug, Clone)]
struct Binding {
    /// None: a ClusterRoleBinding.
    namespace: Option<String>,
    name: String,
    role_ref: RoleRef,
    subjects: Vec<Subject>,
}

#[derive(Debug, Clone)]
struct RoleRef {
    kind: String,
    name: String,
}

#[derive(Debug, Clone)]
struct Subject {
    kind: String,
    name: String,
    namespace: Option<String>,
}

/// Which PodSecurityPolicies a role lets its subjects `use`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    /// A matching rule without resourceNames: every PodSecurityPolicy.
    Every,
    /// The resourceNames of the matching rules.
    Names(BTreeSet<String>),
}

impl Grant {
    pub fn covers(&self, psp: &str) -> bool {
        match self {
            Grant::Every => true,
            Grant::Names(names) => names.contains(psp),
        }
    }
}

fn holds(list: &[String], wanted: &[&str]) -> bool {
    list.iter().any(|item| wanted.contains(&item.as_str()))
}

/// What `rules` grant of `use` on podsecuritypolicies (None: nothing).
fn grant_of(rules: &[Rule]) -> Option<Grant> {
    let mut grant: Option<Grant> = None;
    for rule in rules {
        if !holds(&rule.verbs, &["use", "*"])
            || !holds(&rule.resources, &["podsecuritypolicies", "*"])
            || !holds(&rule.api_groups, &["policy", "extensions", "*"])
        {
            continue;
        }
        grant = Some(match (grant, rule.resource_names.is_empty()) {
            (Some(Grant::Every), _) | (_, true) => Grant::Every,
            (Some(Grant::Names(mut names)), false) => {
                names.extend(rule.resource_names.iter().cloned());
                Grant::Names(names)
            }
            (None, false) => Grant::Names(rule.resource_names.iter().cloned().collect()),
        });
    }
    grant
}

/// Users, groups and service accounts (`namespace:name`), sorted, without duplicates.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubjectSet {
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub users: BTreeSet<String>,
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub groups: BTreeSet<String>,
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub service_accounts: BTreeSet<String>,
}

impl SubjectSet {
    pub fn is_empty(&self) -> bool {
        self.users.is_empty() && self.groups.is_empty() && self.service_accounts.is_empty()
    }

    fn extend(&mut self, other: &SubjectSet) {
        self.users.extend(other.users.iter().cloned());
        self.groups.extend(other.groups.iter().cloned());
        self.service_accounts
            .extend(other.service_accounts.iter().cloned());
    }

    /// `group "a", user "b", service account "ns:c"`, for messages.
    pub fn describe(&self) -> String {
        let groups = self.groups.iter().map(|g| format!("group {g:?}"));
        let users = self.users.iter().map(|u| format!("user {u:?}"));
        let accounts = self
            .service_accounts
            .iter()
            .map(|s| format!("service account {s:?}"));
        groups
            .chain(users)
            .chain(accounts)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Who may `use` one PodSecurityPolicy: the `subjects` of its entry in the policy's settings.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Subjects {
    /// Everywhere (ClusterRoleBindings).
    #[serde(flatten)]
    pub cluster: SubjectSet,
    /// For pods in that namespace only (RoleBindings).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub by_namespace: BTreeMap<String, SubjectSet>,
}

impl Subjects {
    pub fn is_empty(&self) -> bool {
        self.cluster.is_empty() && self.by_namespace.values().all(SubjectSet::is_empty)
    }
}

/// One binding whose role grants `use` on PodSecurityPolicies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Granting {
    /// `ClusterRoleBinding "x"` or `RoleBinding "ns/x"`.
    pub binding: String,
    /// `ClusterRole "y"` or `Role "ns/y"`.
    pub role: String,
    /// None for a ClusterRoleBinding; the RoleBinding's namespace otherwise.
    pub namespace: Option<String>,
    pub grant: Grant,
    /// The subjects RBAC matches (those that match nobody are left out).
    pub subjects: SubjectSet,
}

impl Binding {
    fn describe(&self) -> String {
        match &self.namespace {
            None => format!("ClusterRoleBinding {}", qualified(&None, &self.name)),
            Some(_) => format!("RoleBinding {}", qualified(&self.namespace, &self.name)),
        }
    }

    /// The subjects RBAC can match, and a note for each it cannot.
    fn subject_set(&self) -> (SubjectSet, Vec<String>) {
        let mut set = SubjectSet::default();
        let mut notes = Vec::new();
        for subject in &self.subjects {
            if subject.name.is_empty() {
                continue;
            }
            match subject.kind.as_str() {
                "User" => {
                    set.users.insert(subject.name.clone());
                }
                "Group" => {
                    set.groups.insert(subject.name.clone());
                }
                // RBAC compares the user name `system:serviceaccount:<ns>:<name>` literally; no
                // service account is named `*` (which `ns:*` would read as any of them).
                "ServiceAccount" if subject.name.contains(['*', ':']) => notes.push(format!(
                    "{}: no service account is named {:?}, so RBAC matches that subject to nobody",
                    self.describe(),
                    subject.name
                )),
                "ServiceAccount" => match subject.namespace.as_ref().or(self.namespace.as_ref()) {
                    Some(ns) => {
                        set.service_accounts
                            .insert(format!("{ns}:{}", subject.name));
                    }
                    None => notes.push(format!(
                        "{}: the service account subject {:?} has no namespace, so RBAC matches it to nobody",
                        self.describe(),
                        subject.name
                    )),
                },
                other => notes.push(format!(
                    "{}: subject kind {other:?} ({:?}) is none of User, Group, ServiceAccount, so RBAC matches it to nobody",
                    self.describe(),
                    subject.name
                )),
            }
        }
        (set, notes)
    }
}

impl Rbac {
    pub fn new() -> Rbac {
        Rbac::default()
    }

    /// The role a binding refers to, as RBAC resolves it: a ClusterRoleBinding's ClusterRole, a
    /// RoleBinding's Role in its own namespace or a ClusterRole. Err: what is missing.
    fn role_of(&self, binding: &Binding) -> Result<(String, &[Rule]), String> {
        let role_ref = &binding.role_ref;
        let found = match (role_ref.kind.as_str(), &binding.namespace) {
            ("ClusterRole", _) => self.cluster_roles.get(&role_ref.name),
            ("Role", Some(ns)) => self.roles.get(&(ns.clone(), role_ref.name.clone())),
            _ => None,
        };
        let role = match (role_ref.kind.as_str(), &binding.namespace) {
            ("Role", ns) => format!("Role {}", qualified(ns, &role_ref.name)),
            (kind, _) => format!("{kind} {:?}", role_ref.name),
        };
        match found {
            Some(rules) => Ok((role, rules.as_slice())),
            None => Err(role),
        }
    }

    /// Every binding whose role grants `use` on some PodSecurityPolicy, in input order.
    pub fn grantings(&self) -> Vec<Granting> {
        self.bindings
            .iter()
            .filter_map(|binding| {
                let (role, rules) = self.role_of(binding).ok()?;
                let grant = grant_of(rules)?;
                Some(Granting {
                    binding: binding.describe(),
                    role,
                    namespace: binding.namespace.clone(),
                    grant,
                    subjects: binding.subject_set().0,
                })
            })
            .collect()
    }

    /// Who may `use` the PodSecurityPolicy `psp`.
    pub fn subjects_of(&self, psp: &str) -> Subjects {
        let mut subjects = Subjects::default();
        for granting in self.grantings() {
            if !granting.grant.covers(psp) || granting.subjects.is_empty() {
                continue;
            }
            match &granting.namespace {
                None => subjects.cluster.extend(&granting.subjects),
                Some(ns) => subjects
                    .by_namespace
                    .entry(ns.clone())
                    .or_default()
                    .extend(&granting.subjects),
            }
        }
        subjects
    }

    /// What a reader should know about this RBAC, given the names of the PodSecurityPolicies being
    /// migrated: bindings to roles missing from the input, subjects that match nobody, and grants
    /// of PodSecurityPolicies missing from the input (or of the literal name `*`).
    pub fn warnings(&self, psps: &BTreeSet<String>) -> Vec<String> {
        let mut warnings = Vec::new();
        let mut missing: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for binding in &self.bindings {
            let (role, rules) = match self.role_of(binding) {
                Ok(found) => found,
                Err(role) => {
                    warnings.push(format!(
                        "{} refers to {role}, which is not in the RBAC input: nothing it grants is \
                         known here (add that role to the input if the cluster has it)",
                        binding.describe()
                    ));
                    continue;
                }
            };
            let Some(grant) = grant_of(rules) else {
                continue;
            };
            warnings.extend(binding.subject_set().1);
            if let Grant::Names(names) = grant {
                for name in names.iter().filter(|n| !psps.contains(*n)) {
                    missing
                        .entry(name.clone())
                        .or_default()
                        .push(format!("{} ({role})", binding.describe()));
                }
            }
        }
        for (name, bindings) in missing {
            let through = bindings.join(", ");
            if name == "*" {
                warnings.push(format!(
                    "RBAC grants use of PodSecurityPolicy \"*\" through {through}: RBAC compares \
                     resourceNames literally, so that grants no PodSecurityPolicy (a rule without \
                     resourceNames grants every one)"
                ));
            } else {
                warnings.push(format!(
                    "RBAC grants use of PodSecurityPolicy {name:?} through {through}, but that \
                     PodSecurityPolicy is not among the ones migrated: the grant is left out"
                ));
            }
        }
        warnings
    }
}
