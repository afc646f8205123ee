//! Checking manifests against the OpenAPI schemas of CustomResourceDefinitions (the Kubewarden
//! `ClusterAdmissionPolicy` / `AdmissionPolicy` CRDs), as the API server and
//! `kubectl apply --validate=strict` would: the CRD's `openAPIV3Schema` read as JSON Schema, with
//! Kubernetes' structural-schema rules (`nullable`, `x-kubernetes-int-or-string`, unknown fields
//! refused unless `x-kubernetes-preserve-unknown-fields`).

use anyhow::{anyhow, bail, Context, Result};
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// The schema of one served version of one CRD.
pub struct CrdVersion {
    pub group: String,
    pub kind: String,
    pub version: String,
    validator: jsonschema::Validator,
}

impl std::fmt::Debug for CrdVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CrdVersion({}/{} {})",
            self.group, self.version, self.kind
        )
    }
}

impl CrdVersion {
    pub fn api_version(&self) -> String {
        format!("{}/{}", self.group, self.version)
    }
}

/// Turns an OpenAPI v3 schema of a structural CRD into JSON Schema.
fn to_json_schema(schema: &Value) -> Value {
    let Value::Object(map) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (key, value) in map {
        let converted = match key.as_str() {
            "properties" | "patternProperties" | "definitions" => match value {
                Value::Object(props) => Value::Object(
                    props
                        .iter()
                        .map(|(name, schema)| (name.clone(), to_json_schema(schema)))
                        .collect(),
                ),
                other => other.clone(),
            },
            "items" | "additionalProperties" | "not" => to_json_schema(value),
            "allOf" | "anyOf" | "oneOf" => match value {
                Value::Array(list) => Value::Array(list.iter().map(to_json_schema).collect()),
                other => other.clone(),
            },
            _ => value.clone(),
        };
        out.insert(key.clone(), converted);
    }
    let preserve = map
        .get("x-kubernetes-preserve-unknown-fields")
        .and_then(Value::as_bool)
        == Some(true);
    let embedded = map
        .get("x-kubernetes-embedded-resource")
        .and_then(Value::as_bool)
        == Some(true);
    if map
        .get("x-kubernetes-int-or-string")
        .and_then(Value::as_bool)
        == Some(true)
    {
        out.remove("type");
        out.insert(
            "anyOf".into(),
            json!([{"type": "integer"}, {"type": "string"}]),
        );
    }
    if map.contains_key("properties")
        && !preserve
        && !embedded
        && !map.contains_key("additionalProperties")
    {
        out.insert("additionalProperties".into(), json!(false));
    }
    if map.get("nullable").and_then(Value::as_bool) == Some(true) {
        if let Some(Value::String(kind)) = out.get("type").cloned() {
            out.insert("type".into(), json!([kind, "null"]));
        }
    }
    out.into_iter()
        .filter(|(key, _)| !key.starts_with("x-kubernetes-") && key != "nullable")
        .collect::<Map<String, Value>>()
        .into()
}

/// The served versions of the CRDs in `text` (a YAML file holding one or more
/// CustomResourceDefinitions).
pub fn load_crds(text: &str, source: &str) -> Result<Vec<CrdVersion>> {
    let mut out = Vec::new();
    for document in serde_yaml::Deserializer::from_str(text) {
        let crd =
            Value::deserialize(document).with_context(|| format!("{source}: not valid YAML"))?;
        if crd.is_null() {
            continue;
        }
        if crd.get("kind").and_then(Value::as_str) != Some("CustomResourceDefinition") {
            bail!("{source}: not a CustomResourceDefinition");
        }
        let group = crd
            .pointer("/spec/group")
            .and_then(Value::as_str)
            .ok_or_else(|| anyhow!("{source}: a CRD without spec.group"))?;
        let kind = crd
            .pointer("/spec/names/kind")
            .and_then(Value::as_str)
            .ok_or_else(|| anyhow!("{source}: a CRD without spec.names.kind"))?;
        let versions = crd
            .pointer("/spec/versions")
            .and_then(Value::as_array)
            .ok_or_else(|| anyhow!("{source}: a CRD without spec.versions"))?;
        for version in versions {
            if version.get("served").and_then(Value::as_bool) != Some(true) {
                continue;
            }
            let name = version
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| anyhow!("{source}: a CRD version without a name"))?;
            let schema = version
                .pointer("/schema/openAPIV3Schema")
                .ok_or_else(|| anyhow!("{source}: {kind} {name} has no openAPIV3Schema"))?;
            let validator = jsonschema::validator_for(&to_json_schema(schema)).map_err(|e| {
                anyhow!("{source}: the schema of {kind} {name} does not compile: {e}")
            })?;
            out.push(CrdVersion {
                group: group.to_string(),
                kind: kind.to_string(),
                version: name.to_string(),
                validator,
            });
        }
    }
    if out.is_empty() {
        bail!("{source}: no served CRD version");
    }
    Ok(out)
}

/// True for a DNS subdomain name (RFC 1123), what `metadata.name` of most objects must be.
pub fn is_dns_subdomain(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// Checks `manifest` against the CRD version matching its `apiVersion` and `kind`, and its
/// `metadata.name`. The error lists every problem with its JSON pointer.
pub fn validate_manifest(manifest: &Value, crds: &[CrdVersion]) -> Result<()> {
    let api_version = manifest
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    let kind = manifest.get("kind").and_then(Value::as_str).unwrap_or("");
    let crd = crds
        .iter()
        .find(|crd| crd.kind == kind && crd.api_version() == api_version)
        .ok_or_else(|| {
            anyhow!(
                "no CRD serves {kind:?} in {api_version:?} (known: {})",
                crds.iter()
                    .map(|c| format!("{} {}", c.api_version(), c.kind))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
    let mut problems: Vec<String> = crd
        .validator
        .iter_errors(manifest)
        .map(|e| {
            let at = e.instance_path().to_string();
            format!("{}: {e}", if at.is_empty() { "/" } else { &at })
        })
        .collect();
    match manifest.pointer("/metadata/name").and_then(Value::as_str) {
        Some(name) if is_dns_subdomain(name) => {}
        Some(name) => problems.push(format!(
            "/metadata/name: {name:?} is not a DNS subdomain name"
        )),
        None => problems.push("/metadata/name: required".to_string()),
    }
    if problems.is_empty() {
        Ok(())
    } else {
        bail!(
            "{kind} does not match its CRD schema:\n  {}",
            problems.join("\n  ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CRD: &str = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
spec:
  group: example.io
  names: {kind: Thing}
  versions:
  - name: v1
    served: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          apiVersion: {type: string}
          kind: {type: string}
          metadata: {type: object}
          spec:
            type: object
            required: [size]
            properties:
              size: {type: integer, minimum: 1}
              port: {x-kubernetes-int-or-string: true}
              free: {type: object, nullable: true, x-kubernetes-preserve-unknown-fields: true}
  - name: v0
    served: false
    schema: {openAPIV3Schema: {type: object}}
"#;

    fn thing(spec: Value) -> Value {
        json!({"apiVersion": "example.io/v1", "kind": "Thing", "metadata": {"name": "a"}, "spec": spec})
    }

    #[test]
    fn structural_rules_apply() {
        let crds = load_crds(CRD, "crd.yaml").unwrap();
        assert_eq!(crds.len(), 1);
        validate_manifest(
            &thing(json!({"size": 1, "port": "http", "free": {"x": [1]}})),
            &crds,
        )
        .unwrap();
        validate_manifest(&thing(json!({"size": 2, "port": 80, "free": null})), &crds).unwrap();
        for (spec, needle) in [
            (json!({}), "\"size\" is a required property"),
            (json!({"size": 0}), "/spec/size"),
            (json!({"size": 1, "sise": 1}), "sise"),
            (json!({"size": 1, "port": true}), "/spec/port"),
        ] {
            let err = validate_manifest(&thing(spec.clone()), &crds)
                .unwrap_err()
                .to_string();
            assert!(err.contains(needle), "{spec}: {err}");
        }
        let mut unnamed = thing(json!({"size": 1}));
        unnamed["metadata"]["name"] = json!("Not_A_Name");
        let err = validate_manifest(&unnamed, &crds).unwrap_err().to_string();
        assert!(err.contains("not a DNS subdomain"), "{err}");
        let mut other = thing(json!({"size": 1}));
        other["apiVersion"] = json!("example.io/v0");
        let err = validate_manifest(&other, &crds).unwrap_err().to_string();
        assert!(err.contains("no CRD serves"), "{err}");
    }

    #[test]
    fn bad_crd_files_are_refused() {
        assert!(load_crds("kind: ConfigMap\n", "x").is_err());
        assert!(load_crds("a: [", "x").is_err());
        assert!(load_crds("", "x").is_err());
    }
}
