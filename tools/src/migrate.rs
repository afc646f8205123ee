//! PodSecurityPolicy → ClusterAdmissionPolicy: each PSP becomes a ClusterAdmissionPolicy running
//! this module with the PSP's `spec` as settings, and its seccomp and AppArmor annotations under
//! `settings.annotations` (where the module reads them, as the PSP admission controller did).

use anyhow::{anyhow, bail, Result};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

use crate::metadata::{project_metadata, Rule, ANNOTATION_CATEGORY, ANNOTATION_SEVERITY};

/// PSP annotation namespaces the module reads (`allowedProfileNames`, `defaultProfileName`).
pub const PROFILE_ANNOTATION_PREFIXES: [&str; 2] = [
    "seccomp.security.alpha.kubernetes.io/",
    "apparmor.security.beta.kubernetes.io/",
];

/// The API versions PodSecurityPolicy was served under.
pub const PSP_API_VERSIONS: [&str; 2] = ["policy/v1beta1", "extensions/v1beta1"];

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

/// One PodSecurityPolicy, converted.
#[derive(Debug, Clone, PartialEq)]
pub struct Migrated {
    pub psp_name: String,
    /// The ClusterAdmissionPolicy.
    pub policy: Value,
    /// What a reader should know about the conversion (the settings mean what the PSP meant,
    /// including its oddities).
    pub warnings: Vec<String>,
}

impl Migrated {
    pub fn settings(&self) -> &Value {
        &self.policy["spec"]["settings"]
    }
}

/// Where a document came from, for messages: `FILE: document N[, item M]`.
fn location(source: &str, document: usize, item: Option<usize>) -> String {
    match item {
        Some(item) => format!("{source}: document {document}, item {item}"),
        None => format!("{source}: document {document}"),
    }
}

fn describe(object: &Value) -> String {
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
    let api_version = object
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    let name = object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    match (kind, name) {
        ("", _) => "an object without `kind`".to_string(),
        (kind, "") => format!("a {kind} ({api_version})"),
        (kind, name) => format!("{kind} {name:?} ({api_version})"),
    }
}

/// The PodSecurityPolicies of a YAML or JSON text: single objects, multi-document YAML, and
/// `List` / `PodSecurityPolicyList` documents (`kubectl get psp -o yaml`). Anything that is not a
/// PodSecurityPolicy is refused with its location, and so is a text without any.
pub fn read_psps(text: &str, source: &str) -> Result<Vec<Value>> {
    let mut psps = Vec::new();
    for (index, document) in serde_yaml::Deserializer::from_str(text).enumerate() {
        let number = index + 1;
        let document = Value::deserialize(document).map_err(|e| {
            anyhow!(
                "{}: not valid YAML or JSON: {e}",
                location(source, number, None)
            )
        })?;
        match &document {
            Value::Null => continue,
            Value::Object(_) => {}
            _ => bail!(
                "{}: not a Kubernetes object (a mapping with apiVersion and kind)",
                location(source, number, None)
            ),
        }
        let kind = document.get("kind").and_then(Value::as_str).unwrap_or("");
        if kind == "List" || kind == "PodSecurityPolicyList" {
            let Some(items) = document.get("items").and_then(Value::as_array) else {
                bail!(
                    "{}: a {kind} without `items`",
                    location(source, number, None)
                );
            };
            for (i, item) in items.iter().enumerate() {
                let mut item = item.clone();
                if kind == "PodSecurityPolicyList" {
                    // The API server's typed lists leave kind and apiVersion out of their items.
                    if let Value::Object(map) = &mut item {
                        map.entry("kind").or_insert(json!("PodSecurityPolicy"));
                        if let Some(api_version) = document.get("apiVersion") {
                            map.entry("apiVersion").or_insert(api_version.clone());
                        }
                    }
                }
                psps.push(checked_psp(item, &location(source, number, Some(i + 1)))?);
            }
        } else {
            psps.push(checked_psp(document, &location(source, number, None))?);
        }
    }
    if psps.is_empty() {
        bail!("{source}: no PodSecurityPolicy found (expected `kind: PodSecurityPolicy` objects, or a List of them)");
    }
    Ok(psps)
}

fn checked_psp(object: Value, at: &str) -> Result<Value> {
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
    let api_version = object
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    if kind != "PodSecurityPolicy" || !PSP_API_VERSIONS.contains(&api_version) {
        bail!(
            "{at}: {} is not a PodSecurityPolicy (apiVersion policy/v1beta1, kind PodSecurityPolicy); \
             psp-migrate converts PodSecurityPolicies only",
            describe(&object)
        );
    }
    match object.pointer("/metadata/name").and_then(Value::as_str) {
        Some(name) if !name.trim().is_empty() => {}
        _ => bail!("{at}: a PodSecurityPolicy without metadata.name"),
    }
    match object.get("spec") {
        Some(Value::Object(_)) => {}
        None => bail!(
            "{at}: PodSecurityPolicy {:?} has no spec",
            psp_name(&object)
        ),
        Some(_) => bail!(
            "{at}: PodSecurityPolicy {:?}: spec is not a mapping",
            psp_name(&object)
        ),
    }
    Ok(object)
}

fn psp_name(psp: &Value) -> &str {
    psp.pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// The settings that mean what `psp` meant: its spec, its seccomp and AppArmor annotations under
/// `annotations`, and `mutating: false` for a validate-only deployment.
pub fn settings_of(psp: &Value, validate_only: bool) -> Result<Map<String, Value>> {
    let Some(Value::Object(spec)) = psp.get("spec") else {
        bail!("PodSecurityPolicy {:?} has no spec", psp_name(psp));
    };
    let mut settings = spec.clone();
    let mut profile_annotations = Map::new();
    if let Some(annotations) = psp.pointer("/metadata/annotations") {
        let Value::Object(annotations) = annotations else {
            bail!(
                "PodSecurityPolicy {:?}: metadata.annotations is not a mapping",
                psp_name(psp)
            );
        };
        for (key, value) in annotations {
            if PROFILE_ANNOTATION_PREFIXES
                .iter()
                .any(|p| key.starts_with(p))
            {
                profile_annotations.insert(key.clone(), value.clone());
            }
        }
    }
    if !profile_annotations.is_empty() {
        if settings.contains_key("annotations") {
            bail!(
                "PodSecurityPolicy {:?}: its spec has an `annotations` key, which is not a PodSecurityPolicy field",
                psp_name(psp)
            );
        }
        settings.insert("annotations".into(), Value::Object(profile_annotations));
    }
    if validate_only {
        settings.insert("mutating".into(), json!(false));
    }
    Ok(settings)
}

fn warnings_of(name: &str, settings: &Map<String, Value>) -> Vec<String> {
    let mut warnings = Vec::new();
    let volumes: Vec<&str> = settings
        .get("volumes")
        .and_then(Value::as_array)
        .map(|v| v.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let host_paths = settings
        .get("allowedHostPaths")
        .and_then(Value::as_array)
        .is_some_and(|paths| !paths.is_empty());
    if host_paths && !volumes.iter().any(|v| *v == "hostPath" || *v == "*") {
        warnings.push(format!(
            "PodSecurityPolicy {name:?} lists allowedHostPaths but its volumes do not allow hostPath: \
             host paths stay forbidden, as they were under PSP (add hostPath to volumes to allow them)"
        ));
    }
    warnings
}

/// The ClusterAdmissionPolicy for one PodSecurityPolicy.
pub fn migrate_psp(psp: &Value, options: &MigrateOptions) -> Result<Migrated> {
    let name = psp_name(psp).to_string();
    let settings = settings_of(psp, options.validate_only)?;
    let policy_name = format!("{}{name}", options.name_prefix);
    if policy_name.len() > 253 {
        bail!("the ClusterAdmissionPolicy name {policy_name:?} is longer than 253 characters; use a shorter --name-prefix");
    }
    let mut metadata = Map::new();
    metadata.insert("name".into(), json!(policy_name));
    if !options.annotations.is_empty() {
        metadata.insert(
            "annotations".into(),
            Value::Object(options.annotations.clone()),
        );
    }
    let warnings = warnings_of(&name, &settings);
    let policy = json!({
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
    });
    Ok(Migrated {
        psp_name: name,
        policy,
        warnings,
    })
}

/// Every PodSecurityPolicy of `text`, converted. Duplicate names are refused (two
/// ClusterAdmissionPolicies cannot share one).
pub fn migrate(text: &str, source: &str, options: &MigrateOptions) -> Result<Vec<Migrated>> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for psp in read_psps(text, source)? {
        let migrated = migrate_psp(&psp, options).map_err(|e| anyhow!("{source}: {e}"))?;
        if !seen.insert(migrated.psp_name.clone()) {
            bail!(
                "{source}: PodSecurityPolicy {:?} appears twice",
                migrated.psp_name
            );
        }
        out.push(migrated);
    }
    Ok(out)
}

/// The ClusterAdmissionPolicies as one multi-document YAML text, each introduced by a comment
/// naming its PodSecurityPolicy.
pub fn render(migrated: &[Migrated]) -> Result<String> {
    let mut out = String::new();
    for (i, one) in migrated.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(&format!(
            "# Migrated by psp-migrate from PodSecurityPolicy {:?}.\n",
            one.psp_name
        ));
        for warning in &one.warnings {
            out.push_str(&format!("# NOTE: {warning}\n"));
        }
        out.push_str(&serde_yaml::to_string(&one.policy)?);
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
        assert_eq!(out[0].psp_name, "a");
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
