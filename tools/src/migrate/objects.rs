//! Kubernetes objects out of YAML or JSON text, as `kubectl get -o yaml` prints them: single objects,
//! multi-document YAML, `List` documents and the API server's typed lists (`PodSecurityPolicyList`,
//! `ClusterRoleList`, ...), each with where it was found.

use anyhow::{anyhow, bail, Result};
use serde::Deserialize;
use serde_json::{json, Value};

/// One object and its location, for messages: `FILE: document N[, item M]`.
pub(crate) struct Located {
    pub at: String,
    pub object: Value,
}

fn location(source: &str, document: usize, item: Option<usize>) -> String {
    match item {
        Some(item) => format!("{source}: document {document}, item {item}"),
        None => format!("{source}: document {document}"),
    }
}

pub(crate) fn kind(object: &Value) -> &str {
    object.get("kind").and_then(Value::as_str).unwrap_or("")
}

pub(crate) fn api_version(object: &Value) -> &str {
    object
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("")
}

pub(crate) fn name(object: &Value) -> &str {
    object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `Kind "name" (apiVersion)`, for messages.
pub(crate) fn describe(object: &Value) -> String {
    match (kind(object), name(object)) {
        ("", _) => "an object without `kind`".to_string(),
        (kind, "") => format!("a {kind} ({})", api_version(object)),
        (kind, name) => format!("{kind} {name:?} ({})", api_version(object)),
    }
}

/// Every object of `text`, Lists unfolded. Documents that are not mappings are refused.
pub(crate) fn objects(text: &str, source: &str) -> Result<Vec<Located>> {
    let mut found = Vec::new();
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
        let list_kind = kind(&document);
        if list_kind == "List" || (list_kind.len() > 4 && list_kind.ends_with("List")) {
            let Some(items) = document.get("items").and_then(Value::as_array) else {
                bail!(
                    "{}: a {list_kind} without `items`",
                    location(source, number, None)
                );
            };
            // The API server's typed lists leave kind and apiVersion out of their items.
            let item_kind = list_kind.strip_suffix("List").unwrap_or("");
            for (i, item) in items.iter().enumerate() {
                let mut item = item.clone();
                if !item_kind.is_empty() {
                    if let Value::Object(map) = &mut item {
                        map.entry("kind").or_insert(json!(item_kind));
                        if let Some(api_version) = document.get("apiVersion") {
                            map.entry("apiVersion").or_insert(api_version.clone());
                        }
                    }
                }
                found.push(Located {
                    at: location(source, number, Some(i + 1)),
                    object: item,
                });
            }
        } else {
            found.push(Located {
                at: location(source, number, None),
                object: document,
            });
        }
    }
    Ok(found)
}
