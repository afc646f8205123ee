//! One live instance of the module, and how an instance is made.

use anyhow::{anyhow, Result};
use serde_json::{json, Value};
use wasmtime_provider::WasmtimeEngineProvider;

use crate::host_calls::HostCalls;
use crate::responses::{parse_answer, SettingsResponse, ValidationResponse};

/// A waPC instance of the module `provider` holds, initialised (`wapc_init`), its host calls
/// answered by `calls` ([`HostCalls::answer`]).
pub fn wapc_instance(provider: WasmtimeEngineProvider, calls: HostCalls) -> Result<wapc::WapcHost> {
    wapc::WapcHost::new(
        Box::new(provider),
        Some(Box::new(
            move |_id, binding, namespace, operation, payload| {
                calls
                    .answer(binding, namespace, operation, payload)
                    .map_err(|e| e.into())
            },
        )),
    )
    .map_err(|e| anyhow!("{e}"))
}

/// One live instance of the module: successive calls see the state earlier calls left.
pub struct PolicyInstance {
    host: wapc::WapcHost,
}

impl std::fmt::Debug for PolicyInstance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PolicyInstance")
            .field("id", &self.host.id())
            .finish()
    }
}

impl PolicyInstance {
    pub(crate) fn new(host: wapc::WapcHost) -> PolicyInstance {
        PolicyInstance { host }
    }

    /// Calls waPC function `operation` with `payload`. A trap, a guest error or a timeout is an
    /// `Err` (policy-server answers those with a 500 rejection).
    pub fn call(&self, operation: &str, payload: &[u8]) -> Result<Vec<u8>> {
        self.host
            .call(operation, payload)
            .map_err(|e| anyhow!("waPC call `{operation}` failed: {e}"))
    }

    /// Calls `validate` with `{"request": request, "settings": settings}`.
    pub fn validate(&self, request: &Value, settings: &Value) -> Result<ValidationResponse> {
        let payload = serde_json::to_vec(&json!({ "request": request, "settings": settings }))?;
        let answer = self.call("validate", &payload)?;
        parse_answer(&answer, "validate")
    }

    /// Calls `validate_settings` with the bare settings; a failed call or an unreadable answer
    /// means invalid settings, as in kwctl and policy-server.
    pub fn validate_settings(&self, settings: &Value) -> Result<SettingsResponse> {
        let payload = serde_json::to_vec(settings)?;
        Ok(match self.host.call("validate_settings", &payload) {
            Ok(answer) => match serde_json::from_slice(&answer) {
                Ok(response) => response,
                Err(e) => SettingsResponse {
                    valid: false,
                    message: Some(format!("error: {e}: {}", String::from_utf8_lossy(&answer))),
                },
            },
            Err(e) => SettingsResponse {
                valid: false,
                message: Some(format!("Error invoking settings validation callback: {e}")),
            },
        })
    }

    /// Calls `validate_settings` with the bare settings; a failed call is an `Err`.
    pub fn validate_settings_strict(&self, settings: &Value) -> Result<SettingsResponse> {
        let answer = self.call("validate_settings", &serde_json::to_vec(settings)?)?;
        parse_answer(&answer, "validate_settings")
    }

    /// Calls `protocol_version` (the policy answers the JSON string `"v1"`).
    pub fn protocol_version(&self) -> Result<String> {
        let answer = self.call("protocol_version", &[])?;
        parse_answer(&answer, "protocol_version")
    }
}
