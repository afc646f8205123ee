//! What the guest answers: Kubewarden's `ValidationResponse` and `SettingsResponse`.

use std::collections::BTreeMap;

use anyhow::{anyhow, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::policy_server::json_patch;

/// What the policy answers to `validate` (Kubewarden's `ValidationResponse`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationResponse {
    pub accepted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<u16>,
    /// The whole object after mutation, when the policy mutates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mutated_object: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_annotations: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warnings: Option<Vec<String>>,
}

impl ValidationResponse {
    /// The message, or `""` when there is none.
    pub fn message(&self) -> &str {
        self.message.as_deref().unwrap_or("")
    }

    /// The JSONPatch policy-server would send for this response to `request` (an
    /// AdmissionRequest): the diff from `request.object` to `mutated_object`; empty when the
    /// policy did not mutate.
    pub fn patch(&self, request: &Value) -> Vec<Value> {
        match &self.mutated_object {
            Some(mutated) => json_patch(request.get("object").unwrap_or(&Value::Null), mutated),
            None => Vec::new(),
        }
    }
}

/// What the policy answers to `validate_settings`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsResponse {
    pub valid: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl SettingsResponse {
    /// The message, or `""` when there is none.
    pub fn message(&self) -> &str {
        self.message.as_deref().unwrap_or("")
    }
}

/// Reads the answer of waPC function `operation` as its response type.
pub(crate) fn parse_answer<T: serde::de::DeserializeOwned>(
    answer: &[u8],
    operation: &str,
) -> Result<T> {
    serde_json::from_slice(answer).map_err(|e| {
        anyhow!(
            "`{operation}` answered something that is not its response ({e}): {}",
            String::from_utf8_lossy(answer)
        )
    })
}
