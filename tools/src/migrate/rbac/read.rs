//! RBAC objects read from `kubectl get clusterroles,clusterrolebindings,roles,rolebindings -A -o yaml`.

use anyhow::{anyhow, bail, Result};
use serde::Deserialize;
use serde_json::Value;

use super::{Binding, Rbac, RoleRef, Rule, Subject};
use crate::migrate::objects::{api_version, describe, kind, name, objects};

const RBAC_GROUP: &str = "rbac.authorization.k8s.io/";
const RBAC_KINDS: [&str; 4] = ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"];

/// A ClusterRole, ClusterRoleBinding, Role or RoleBinding (any version of the RBAC API group).
pub fn is_rbac_object(object: &Value) -> bool {
    api_version(object).starts_with(RBAC_GROUP) && RBAC_KINDS.contains(&kind(object))
}

/// The fields of the four kinds that RBAC reads; `null` reads as absent, as the API server has it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Object {
    #[serde(default)]
    metadata: Metadata,
    #[serde(default)]
    rules: Option<Vec<RawRule>>,
    #[serde(default)]
    subjects: Option<Vec<RawSubject>>,
    #[serde(default)]
    role_ref: Option<RawRoleRef>,
}

#[derive(Deserialize, Default)]
struct Metadata {
    #[serde(default)]
    namespace: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRule {
    #[serde(default)]
    api_groups: Option<Vec<String>>,
    #[serde(default)]
    resources: Option<Vec<String>>,
    #[serde(default)]
    verbs: Option<Vec<String>>,
    #[serde(default)]
    resource_names: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct RawSubject {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    namespace: Option<String>,
}

#[derive(Deserialize)]
struct RawRoleRef {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
}

impl Rbac {
    /// Adds the RBAC objects of `text` (single objects, several documents, Lists of mixed kinds).
    /// PodSecurityPolicies are passed over (a `kubectl get psp,clusterroles,...` dump); anything
    /// else is refused with its location, and so is a text without any RBAC object. Returns how
    /// many objects were read.
    pub fn read(&mut self, text: &str, source: &str) -> Result<usize> {
        let mut count = 0;
        for located in objects(text, source)? {
            let at = &located.at;
            let object = &located.object;
            if kind(object) == "PodSecurityPolicy" {
                continue;
            }
            if !is_rbac_object(object) {
                bail!(
                    "{at}: {} is not a ClusterRole, ClusterRoleBinding, Role or RoleBinding \
                     (apiVersion rbac.authorization.k8s.io/v1); --subjects-from reads \
                     `kubectl get clusterroles,clusterrolebindings,roles,rolebindings -A -o yaml`",
                    describe(object)
                );
            }
            self.add(object, at)?;
            count += 1;
        }
        if count == 0 {
            bail!("{source}: no ClusterRole, ClusterRoleBinding, Role or RoleBinding found");
        }
        Ok(count)
    }

    fn add(&mut self, object: &Value, at: &str) -> Result<()> {
        let kind = kind(object);
        let name = name(object).to_string();
        if name.is_empty() {
            bail!("{at}: a {kind} without metadata.name");
        }
        let parsed: Object = serde_path_to_error::deserialize(object)
            .map_err(|e| anyhow!("{at}: {kind} {name:?}: {e}"))?;
        let namespace = parsed.metadata.namespace.filter(|ns| !ns.is_empty());
        let namespaced = kind == "Role" || kind == "RoleBinding";
        let namespace = match (namespaced, namespace) {
            (true, Some(ns)) => Some(ns),
            (true, None) => bail!("{at}: {kind} {name:?} has no metadata.namespace"),
            (false, _) => None,
        };
        let duplicate = anyhow!(
            "{at}: {kind} {} appears twice",
            qualified(&namespace, &name)
        );
        match kind {
            "ClusterRole" | "Role" => {
                let rules: Vec<Rule> = parsed
                    .rules
                    .unwrap_or_default()
                    .into_iter()
                    .map(|r| Rule {
                        api_groups: r.api_groups.unwrap_or_default(),
                        resources: r.resources.unwrap_or_default(),
                        verbs: r.verbs.unwrap_or_default(),
                        resource_names: r.resource_names.unwrap_or_default(),
                    })
                    .collect();
                let previous = match namespace {
                    Some(ns) => self.roles.insert((ns, name.clone()), rules),
                    None => self.cluster_roles.insert(name.clone(), rules),
                };
                if previous.is_some() {
                    return Err(duplicate);
                }
            }
            _ => {
                let Some(role_ref) = parsed.role_ref else {
                    bail!("{at}: {kind} {name:?} has no roleRef");
                };
                if self
                    .bindings
                    .iter()
                    .any(|b| b.namespace == namespace && b.name == name)
                {
                    return Err(duplicate);
                }
                self.bindings.push(Binding {
                    namespace,
                    name,
                    role_ref: RoleRef {
                        kind: role_ref.kind,
                        name: role_ref.name,
                    },
                    subjects: parsed
                        .subjects
                        .unwrap_or_default()
                        .into_iter()
                        .map(|s| Subject {
                            kind: s.kind,
                            name: s.name,
                            namespace: s.namespace.filter(|ns| !ns.is_empty()),
                        })
                        .collect(),
                });
            }
        }
        Ok(())
    }
}

/// `namespace/name` for namespaced objects, `name` otherwise, quoted.
pub(super) fn qualified(namespace: &Option<String>, name: &str) -> String {
    match namespace {
        Some(ns) => format!("{:?}", format!("{ns}/{name}")),
        None => format!("{name:?}"),
    }
}
