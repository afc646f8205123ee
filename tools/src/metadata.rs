//! Kubewarden policy metadata (`metadata.yml`): reading and checking it, the JSON that
//! `kwctl annotate` embeds in the module, and the annotations `kwctl push` copies to the OCI
//! manifest.

use anyhow::{anyhow, bail, Context, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Name of the wasm custom section holding the metadata.
pub const METADATA_SECTION: &str = "io.kubewarden.metadata";

pub const ANNOTATION_TITLE: &str = "io.kubewarden.policy.title";
pub const ANNOTATION_VERSION: &str = "io.kubewarden.policy.version";
pub const ANNOTATION_DESCRIPTION: &str = "io.kubewarden.policy.description";
pub const ANNOTATION_AUTHOR: &str = "io.kubewarden.policy.author";
pub const ANNOTATION_URL: &str = "io.kubewarden.policy.url";
pub const ANNOTATION_SOURCE: &str = "io.kubewarden.policy.source";
pub const ANNOTATION_OCI_URL: &str = "io.kubewarden.policy.ociUrl";
pub const ANNOTATION_LICENSE: &str = "io.kubewarden.policy.license";
pub const ANNOTATION_USAGE: &str = "io.kubewarden.policy.usage";
pub const ANNOTATION_CATEGORY: &str = "io.kubewarden.policy.category";
pub const ANNOTATION_SEVERITY: &str = "io.kubewarden.policy.severity";
pub const ANNOTATION_DISPLAY_NAME: &str = "io.artifacthub.displayName";
pub const ANNOTATION_RESOURCES: &str = "io.artifacthub.resources";
pub const ANNOTATION_KEYWORDS: &str = "io.artifacthub.keywords";
/// The OCI annotation `kwctl push` derives from [`ANNOTATION_SOURCE`].
pub const OCI_IMAGE_SOURCE: &str = "org.opencontainers.image.source";

/// This project's `metadata.yml`, as built into the tools (the migration command's rules and
/// module reference come from it).
pub const PROJECT_METADATA: &str = include_str!("../../metadata.yml");

/// One admission rule (`admissionregistration.k8s.io/v1` `RuleWithOperations`, without scope).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rule {
    pub api_groups: Vec<String>,
    pub api_versions: Vec<String>,
    pub resources: Vec<String>,
    pub operations: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContextAwareResource {
    pub api_version: String,
    pub kind: String,
}

/// The keys of a metadata document that kwctl knows. Unknown keys are refused: a misspelled
/// `mutatng` must not silently become `mutating: false`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Metadata {
    #[serde(default)]
    pub protocol_version: Option<String>,
    pub rules: Vec<Rule>,
    pub mutating: bool,
    #[serde(default)]
    pub background_audit: Option<bool>,
    #[serde(default)]
    pub context_aware: Option<bool>,
    #[serde(default)]
    pub context_aware_resources: Option<Vec<ContextAwareResource>>,
    #[serde(default)]
    pub execution_mode: Option<String>,
    #[serde(default)]
    pub policy_type: Option<String>,
    #[serde(default)]
    pub minimum_kubewarden_version: Option<String>,
    #[serde(default)]
    pub host_capabilities: Option<Vec<String>>,
    #[serde(default)]
    pub annotations: Option<BTreeMap<String, String>>,
}

impl Metadata {
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.annotations
            .as_ref()
            .and_then(|a| a.get(key))
            .map(String::as_str)
    }

    /// The annotation `key`, or an error naming it.
    pub fn required_annotation(&self, key: &str) -> Result<&str> {
        self.annotation(key)
            .ok_or_else(|| anyhow!("metadata: annotations must set `{key}`"))
    }

    /// `registry://<ociUrl>:v<version>`: where a release of the policy is published.
    pub fn module_reference(&self) -> Result<String> {
        Ok(format!(
            "registry://{}:v{}",
            self.required_annotation(ANNOTATION_OCI_URL)?,
            self.required_annotation(ANNOTATION_VERSION)?
        ))
    }
}

/// A metadata document: its text parsed as JSON (what gets embedded, key for key) and checked.
#[derive(Debug, Clone)]
pub struct MetadataDocument {
    pub document: serde_json::Map<String, Value>,
    pub metadata: Metadata,
}

const OPERATIONS: [&str; 5] = ["CREATE", "UPDATE", "DELETE", "CONNECT", "*"];
const EXECUTION_MODES: [&str; 4] = ["kubewarden-wapc", "opa", "gatekeeper", "wasi"];

/// Parses and checks a metadata document (YAML) the way `kwctl annotate` does: every rule has
/// non-empty `apiGroups`, `apiVersions`, `resources` and `operations`, `*` stands alone, the
/// operations are admission operations, the execution mode is known.
pub fn parse_metadata(yaml: &str) -> Result<MetadataDocument> {
    let value: Value = serde_yaml::from_str(yaml).context("metadata: not valid YAML")?;
    let Value::Object(document) = value else {
        bail!("metadata: the document must be a mapping (rules, mutating, annotations, ...)");
    };
    let metadata: Metadata = serde_path_to_error::deserialize(Value::Object(document.clone()))
        .map_err(|e| {
            let path = e.path().to_string();
            if path == "." {
                anyhow!("metadata: {}", e.inner())
            } else {
                anyhow!("metadata: {path}: {}", e.inner())
            }
        })?;
    check_metadata(&metadata)?;
    Ok(MetadataDocument { document, metadata })
}

fn check_metadata(metadata: &Metadata) -> Result<()> {
    if metadata.rules.is_empty() {
        bail!("metadata: `rules` must list at least one rule");
    }
    for (i, rule) in metadata.rules.iter().enumerate() {
        for (key, list) in [
            ("apiGroups", &rule.api_groups),
            ("apiVersions", &rule.api_versions),
            ("resources", &rule.resources),
            ("operations", &rule.operations),
        ] {
            if list.is_empty() {
                bail!("metadata: rules[{i}].{key} must not be empty");
            }
            if list.len() > 1 && list.iter().any(|item| item == "*") {
                bail!("metadata: rules[{i}].{key}: no other item may be given beside `*`");
            }
        }
        if let Some(resource) = rule.resources.iter().find(|r| r.is_empty()) {
            bail!("metadata: rules[{i}].resources has an empty resource {resource:?}");
        }
        if let Some(op) = rule
            .operations
            .iter()
            .find(|op| !OPERATIONS.contains(&op.as_str()))
        {
            bail!(
                "metadata: rules[{i}].operations: unknown operation {op:?} (known: {})",
                OPERATIONS.join(", ")
            );
        }
    }
    if let Some(mode) = &metadata.execution_mode {
        if !EXECUTION_MODES.contains(&mode.as_str()) {
            bail!(
                "metadata: unknown executionMode {mode:?} (known: {})",
                EXECUTION_MODES.join(", ")
            );
        }
    }
    for capability in metadata.host_capabilities.iter().flatten() {
        if !is_host_capability_pattern(capability) {
            bail!(
                "metadata: hostCapabilities: {capability:?} is not a host capability pattern \
                 (`*`, a prefix such as `kubernetes/*`, or a capability such as `kubernetes/can_i`)"
            );
        }
    }
    if let Some(version) = &metadata.protocol_version {
        if version != "v1" {
            bail!("metadata: protocolVersion {version:?} is not a known protocol (v1)");
        }
    }
    Ok(())
}

/// A `hostCapabilities` item as Kubewarden (1.35 and later) reads it: `*`, a prefix ending in `/*`
/// (`kubernetes/*`), or a capability path of at least two segments (`kubernetes/can_i`,
/// `oci/v1/verify`). A lone segment (`kubernetes`) is incomplete.
fn is_host_capability_pattern(pattern: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let segments: Vec<&str> = pattern.split('/').collect();
    let named = |segment: &&str| {
        !segment.is_empty()
            && segment
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    match segments.split_last() {
        Some((&"*", prefix)) => !prefix.is_empty() && prefix.iter().all(named),
        _ => segments.len() >= 2 && segments.iter().all(named),
    }
}

/// The JSON `kwctl annotate -m metadata.yml -u usage` embeds: the metadata document, with
/// `protocolVersion` as the module answered it and the usage text as the
/// `io.kubewarden.policy.usage` annotation.
pub fn annotated_metadata(
    metadata: &MetadataDocument,
    protocol_version: &str,
    usage: Option<&str>,
) -> Result<Value> {
    let mode = metadata
        .metadata
        .execution_mode
        .as_deref()
        .unwrap_or("kubewarden-wapc");
    if mode == "kubewarden-wapc" && protocol_version != "v1" {
        bail!("the module answers protocol version {protocol_version:?}; a kubewarden-wapc policy must answer \"v1\"");
    }
    let mut document = metadata.document.clone();
    document.insert(
        "protocolVersion".into(),
        Value::String(protocol_version.into()),
    );
    if let Some(usage) = usage {
        let annotations = document
            .entry("annotations")
            .or_insert_with(|| Value::Object(Default::default()));
        match annotations {
            Value::Object(map) => {
                map.insert(ANNOTATION_USAGE.into(), Value::String(usage.into()));
            }
            _ => bail!("metadata: `annotations` must be a mapping"),
        }
    }
    Ok(Value::Object(document))
}

/// The manifest annotations `kwctl push` derives from the metadata annotations: multi-line values
/// left out (the OCI spec has no room for them), the others trimmed, and
/// `org.opencontainers.image.source` taken from `io.kubewarden.policy.source` unless given.
pub fn oci_annotations(annotations: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = annotations
        .iter()
        .filter(|(_, value)| value.lines().count() <= 1)
        .map(|(key, value)| (key.clone(), value.trim().to_string()))
        .collect();
    if let Some(source) = out.get(ANNOTATION_SOURCE).cloned() {
        out.entry(OCI_IMAGE_SOURCE.to_string()).or_insert(source);
    }
    out
}

/// The annotations of an annotated module's metadata (empty when it has none).
pub fn embedded_annotations(metadata: &Value) -> Result<BTreeMap<String, String>> {
    match metadata.get("annotations") {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(annotations) => serde_json::from_value(annotations.clone())
            .map_err(|e| anyhow!("the embedded metadata's annotations are not strings: {e}")),
    }
}

/// This project's metadata (`metadata.yml` as built into the tools).
pub fn project_metadata() -> Result<MetadataDocument> {
    parse_metadata(PROJECT_METADATA).context("metadata.yml (built into the tools)")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "rules:\n- apiGroups: ['']\n  apiVersions: [v1]\n  resources: [pods]\n  operations: [CREATE]\nmutating: false\n";

    #[test]
    fn the_project_metadata_parses() {
        let project = project_metadata().unwrap();
        assert!(project.metadata.mutating);
        assert_eq!(
            project.metadata.module_reference().unwrap(),
            "registry://ghcr.io/kubewarden-community/policies/pod-security-policy:v0.1.0"
        );
    }

    #[test]
    fn bad_metadata_is_refused_with_a_reason() {
        let bad_mode = format!("{MINIMAL}executionMode: wasm\n");
        let bad_protocol = format!("{MINIMAL}protocolVersion: v2\n");
        let bad_annotations = format!("{MINIMAL}annotations: [a]\n");
        let bad_capability = format!("{MINIMAL}hostCapabilities: [kubernetes]\n");
        let cases = [
            ("[1, 2]", "must be a mapping"),
            ("rules: [", "not valid YAML"),
            ("rules: []\nmutating: true\n", "at least one rule"),
            ("rules: []\nmutatng: true\n", "unknown field `mutatng`"),
            (
                "rules:\n- apiGroups: []\n  apiVersions: [v1]\n  resources: [pods]\n  operations: [CREATE]\nmutating: false\n",
                "rules[0].apiGroups must not be empty",
            ),
            (
                "rules:\n- apiGroups: ['*', apps]\n  apiVersions: [v1]\n  resources: [pods]\n  operations: [CREATE]\nmutating: false\n",
                "beside `*`",
            ),
            (
                "rules:\n- apiGroups: ['']\n  apiVersions: [v1]\n  resources: [pods]\n  operations: [CREATE, PATCH]\nmutating: false\n",
                "unknown operation \"PATCH\"",
            ),
            (bad_mode.as_str(), "unknown executionMode"),
            (bad_protocol.as_str(), "not a known protocol"),
            (bad_annotations.as_str(), "metadata: annotations: invalid type"),
            (bad_capability.as_str(), "\"kubernetes\" is not a host capability pattern"),
        ];
        for (yaml, needle) in cases {
            let err = format!("{:#}", parse_metadata(yaml).unwrap_err());
            assert!(err.contains(needle), "{yaml}: {err}");
        }
    }

    #[test]
    fn host_capabilities_are_patterns_of_capability_paths() {
        for good in [
            "*",
            "kubernetes/*",
            "kubernetes/can_i",
            "oci/v1/verify",
            "oci/*",
        ] {
            assert!(is_host_capability_pattern(good), "{good}");
        }
        for bad in [
            "",
            "kubernetes",
            "/*",
            "kubernetes/",
            "kubernetes//can_i",
            "a b/c",
        ] {
            assert!(!is_host_capability_pattern(bad), "{bad}");
        }
        let doc =
            parse_metadata(&format!("{MINIMAL}hostCapabilities: [kubernetes/can_i]\n")).unwrap();
        assert_eq!(
            doc.metadata.host_capabilities,
            Some(vec!["kubernetes/can_i".to_string()])
        );
    }

    #[test]
    fn annotated_metadata_adds_protocol_and_usage() {
        let doc = parse_metadata(MINIMAL).unwrap();
        let json = annotated_metadata(&doc, "v1", Some("# usage\n")).unwrap();
        assert_eq!(json["protocolVersion"], "v1");
        assert_eq!(json["annotations"][ANNOTATION_USAGE], "# usage\n");
        assert_eq!(json["rules"][0]["resources"][0], "pods");
        let err = annotated_metadata(&doc, "v2", None).unwrap_err();
        assert!(err.to_string().contains("must answer \"v1\""), "{err}");
    }

    #[test]
    fn oci_annotations_drop_multi_line_values_and_add_the_source() {
        let annotations: BTreeMap<String, String> = [
            (ANNOTATION_SOURCE, "https://example.com/src"),
            (ANNOTATION_USAGE, "line 1\nline 2"),
            (ANNOTATION_DESCRIPTION, "ends with a newline\n"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let oci = oci_annotations(&annotations);
        assert!(!oci.contains_key(ANNOTATION_USAGE));
        assert_eq!(oci[ANNOTATION_DESCRIPTION], "ends with a newline");
        assert_eq!(oci[OCI_IMAGE_SOURCE], "https://example.com/src");
        let mut given = annotations.clone();
        given.insert(OCI_IMAGE_SOURCE.into(), "https://example.com/other".into());
        assert_eq!(
            oci_annotations(&given)[OCI_IMAGE_SOURCE],
            "https://example.com/other"
        );
    }
}
