//! JSON and YAML documents: requests and settings on disk, and the workspace's examples.

use std::path::Path;

use anyhow::{Context, Result};
use serde_json::Value;

use crate::paths::workspace_dir;
use crate::request::admission_request_from_document;

/// Reads a JSON or YAML document (by extension: `.json` is JSON, anything else YAML, which also
/// reads JSON).
pub fn read_document(path: impl AsRef<Path>) -> Result<Value> {
    let path = path.as_ref();
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    parse_document(&text, path.extension().is_some_and(|e| e == "json"))
        .with_context(|| format!("cannot parse {}", path.display()))
}

/// Parses JSON (when `json`) or YAML text into a JSON value.
pub fn parse_document(text: &str, json: bool) -> Result<Value> {
    if json {
        Ok(serde_json::from_str(text)?)
    } else {
        let value: Value = serde_yaml::from_str(text)?;
        Ok(value)
    }
}

/// `<workspace>/examples/settings/<name>`, parsed.
pub fn example_settings(name: &str) -> Result<Value> {
    read_document(workspace_dir().join("examples/settings").join(name))
}

/// `<workspace>/examples/requests/<name>`, parsed into an AdmissionRequest.
pub fn example_request(name: &str) -> Result<Value> {
    admission_request_from_document(read_document(
        workspace_dir().join("examples/requests").join(name),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yaml_and_json_documents_parse() {
        assert_eq!(
            parse_document("a: [1, {b: c}]", false).unwrap(),
            json!({"a": [1, {"b": "c"}]})
        );
        assert_eq!(parse_document("{\"a\": 1}", true).unwrap(), json!({"a": 1}));
    }
}
