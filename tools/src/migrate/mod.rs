//! PodSecurityPolicy → ClusterAdmissionPolicy.
//!
//! - One PodSecurityPolicy becomes a ClusterAdmissionPolicy running this module with the PSP's
//!   `spec` as settings, and its seccomp and AppArmor annotations under `settings.annotations`
//!   (where the module reads them, as the PSP admission controller did). `--separate` does that
//!   for each of several.
//! - Several become one ClusterAdmissionPolicy whose settings list them under `policies`
//!   ([`combined`]), so that the module selects among them as PSP did, with who may `use` each
//!   asked of the cluster's RBAC or written out from it ([`rbac`]).

mod combined;
mod objects;
mod psp;
pub mod rbac;

use anyhow::{anyhow, bail, Result};
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

use crate::metadata::{project_metadata, Rule, ANNOTATION_CATEGORY, ANNOTATION_SEVERITY};

pub use combined::{default_policy_name, migrate_combined, Authorization};
pub use psp::{read_psps, settings_of, PspInput, PROFILE_ANNOTATION_PREFIXES, PSP_API_VERSIONS};

/// How to write the ClusterAdmissionPolicies.
#[derive(Debug, Clone)]
pub struct MigrateOptions {
    /// `spec.module`: where the policy is published.
    pub module: String,
    /// `spec.rules`: what the policy sees (this project's metadata.yml rules).
    pub rules: Vec<Rule>,
    /// Validate only: `spec.mutating: false` and the setting `mutating: false`.
    pub validate_only: bool,
    /// Prefix of each ClusterAdmissionPolicy name (followed by the PSP's name).
    pub name_prefix: String,
    /// `metadata.annotations` of each ClusterAdmissionPolicy.
    pub annotations: Map<String, Value>,
}

impl MigrateOptions {
    /// Module reference, rules, category and severity from this project's metadata.yml.
    pub fn project_defaults() -> Result<MigrateOptions> {
        let project = project_metadata()?;
        let mut annotations = Map::new();
        for key in [ANNOTATION_CATEGORY, ANNOTATION_SEVERITY] {
            if let Some(value) = project.metadata.annotation(key) {
                annotations.insert(key.to_string(), json!(value));
            }
        }
        Ok(MigrateOptions {
            module: project.metadata.module_reference()?,
            rules: project.metadata.rules.clone(),
            validate_only: false,
            name_prefix: "psp-".to_string(),
            annotations,
        })
    }
}

/// One ClusterAdmissionPolicy, converted from one PodSecurityPolicy or several.
#[derive(Debug, Clone, PartialEq)]
pub struct Migrated {
    /// The PodSecurityPolicies it holds, in name order.
    pub psp_names: Vec<String>,
    /// The ClusterAdmissionPolicy.
    pub policy: Value,
    /// What a reader should know about the conversion (the settings mean what the PSPs meant,
    /// including their oddities, and who may use them).
    pub warnings: Vec<String>,
}

impl Migrated {
    pub fn settings(&self) -> &Value {
        &self.policy["spec"]["settings"]
    }

    /// The ClusterAdmissionPolicy's name.
    pub fn name(&self) -> &str {
        self.policy
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("")
    }
}

/// The ClusterAdmissionPolicy named `name` that runs the module with `settings`.
fn cluster_admission_policy(
    name: &str,
    options: &MigrateOptions,
    settings: Map<String, Value>,
) -> Result<Value> {
    if name.len() > 253 {
        bail!("the ClusterAdmissionPolicy name {name:?} is longer than 253 characters; use a shorter --name-prefix or --name");
    }
    let mut metadata = Map::new();
    metadata.insert("name".into(), json!(name));
    if !options.annotations.is_empty() {
        metadata.insert(
            "annotations".into(),
            Value::Object(options.annotations.clone()),
        );
    }
    Ok(json!({
        "apiVersion": "policies.kubewarden.io/v1",
        "kind": "ClusterAdmissionPolicy",
        "metadata": metadata,
        "spec": {
            "module": options.module,
            "rules": options.rules,
            "mutating": !options.validate_only,
            "backgroundAudit": true,
            "settings": settings,
        },
    }))
}

/// The ClusterAdmissionPolicy for one PodSecurityPolicy.
pub fn migrate_psp(psp: &Value, options: &MigrateOptions) -> Result<Migrated> {
    let name = psp::psp_name(psp).to_string();
    let settings = settings_of(psp, options.validate_only)?;
    let warnings = psp::warnings_of(&name, psp::spec_of(psp)?);
    let policy_name = format!("{}{name}", options.name_prefix);
    Ok(Migrated {
        psp_names: vec![name],
        policy: cluster_admission_policy(&policy_name, options, settings)?,
        warnings,
    })
}

/// Every PodSecurityPolicy of `text`, each converted into its own policy. Duplicate names are
/// refused (two ClusterAdmissionPolicies cannot share one).
pub fn migrate(text: &str, source: &str, options: &MigrateOptions) -> Result<Vec<Migrated>> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for psp in read_psps(text, source)?.psps {
        let name = psp::psp_name(&psp);
        if !seen.insert(name.to_string()) {
            bail!("{source}: PodSecurityPolicy {name:?} appears twice");
        }
        out.push(migrate_psp(&psp, options).map_err(|e| anyhow!("{source}: {e}"))?);
    }
    Ok(out)
}

/// The ClusterAdmissionPolicies as one multi-document YAML text, each introduced by a comment
/// naming its PodSecurityPolicies and followed by its warnings as comments.
pub fn render(migrated: &[Migrated]) -> Result<String> {
    let mut out = String::new();
    for (i, one) in migrated.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        let combined = combined::is_combined(&one.policy);
        if combined {
            out.push_str(&combined::header(one));
        } else {
            out.push_str(&format!(
                "# Migrated by psp-migrate from PodSecurityPolicy {:?}.\n",
                one.psp_names.join(", ")
            ));
        }
        for warning in &one.warnings {
            out.push_str(&format!("# NOTE: {warning}\n"));
        }
        if combined {
            out.push_str(&combined::to_yaml(&one.policy)?);
        } else {
            out.push_str(&serde_yaml::to_string(&one.policy)?);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> MigrateOptions {
        MigrateOptions::project_defaults().unwrap()
    }

    const PSP: &str = "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n  name: one\nspec:\n  privileged: false\n";

    #[test]
    fn a_single_psp_becomes_one_policy() {
        let out = migrate(PSP, "in.yaml", &options()).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].policy["metadata"]["name"], "psp-one");
        assert_eq!(out[0].settings(), &json!({"privileged": false}));
        assert_eq!(out[0].policy["spec"]["mutating"], true);
    }

    #[test]
    fn non_psp_input_is_refused_with_its_location() {
        let cases = [
            (
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n",
                "in.yaml: document 1: Deployment \"web\" (apps/v1) is not a PodSecurityPolicy",
            ),
            (
                &format!("{PSP}---\napiVersion: v1\nkind: Pod\n")[..],
                "document 2: a Pod (v1) is not a PodSecurityPolicy",
            ),
            (
                "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n",
                "document 1, item 1: a ConfigMap",
            ),
            (
                "apiVersion: policy/v1\nkind: PodSecurityPolicy\nmetadata: {name: x}\nspec: {}\n",
                "(policy/v1) is not a PodSecurityPolicy",
            ),
            ("- a\n- b\n", "not a Kubernetes object"),
            ("", "no PodSecurityPolicy found"),
            ("---\n", "no PodSecurityPolicy found"),
            ("a: [", "not valid YAML"),
            (
                "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nspec: {}\n",
                "without metadata.name",
            ),
            (
                "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: x}\n",
                "has no spec",
            ),
            ("apiVersion: v1\nkind: List\n", "without `items`"),
            (&format!("{PSP}---\n{PSP}")[..], "appears twice"),
        ];
        for (text, needle) in cases {
            let err = format!("{:#}", migrate(text, "in.yaml", &options()).unwrap_err());
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn typed_lists_get_their_item_kinds() {
        let text = "apiVersion: policy/v1beta1\nkind: PodSecurityPolicyList\nitems:\n- metadata: {name: a}\n  spec: {}\n";
        let out = migrate(text, "in", &options()).unwrap();
        assert_eq!(out[0].psp_names, ["a"]);
    }

    #[test]
    fn validate_only_sets_both_mutating_keys() {
        let mut opts = options();
        opts.validate_only = true;
        let out = migrate(PSP, "in", &opts).unwrap();
        assert_eq!(out[0].policy["spec"]["mutating"], false);
        assert_eq!(out[0].settings()["mutating"], false);
    }
}
