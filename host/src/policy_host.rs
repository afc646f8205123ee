//! A compiled policy module, evaluated as policy-server evaluates it: a fresh instance per call.

use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::{anyhow, Context, Result};
use serde_json::Value;
use wasmtime_provider::{EpochDeadlines, WasmtimeEngineProviderBuilder, WasmtimeEngineProviderPre};

use crate::authz::Authz;
use crate::engine::{deadline_ticks, new_engine, spawn_epoch_ticker, DEFAULT_TIMEOUT};
use crate::host_calls::{HostCallback, HostCalls};
use crate::instance::{wapc_instance, PolicyInstance};
use crate::module_cache;
use crate::paths::{wasm_path, POLICY_WASM_ENV};
use crate::responses::{SettingsResponse, ValidationResponse};

/// A compiled policy module. Cheap to evaluate with: each evaluation instantiates the module
/// afresh from the pre-linked module, as policy-server does.
pub struct PolicyHost {
    pre: WasmtimeEngineProviderPre,
    source: String,
    timeout: Duration,
    host_calls: HostCalls,
}

impl std::fmt::Debug for PolicyHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PolicyHost")
            .field("source", &self.source)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl PolicyHost {
    /// Reads and compiles the module at `path` (binary wasm, or WAT text).
    pub fn load(path: impl AsRef<Path>) -> Result<PolicyHost> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                anyhow!(
                    "policy module {} not found: build it with `make policy.wasm` (or point ${} at one)",
                    path.display(),
                    POLICY_WASM_ENV
                )
            } else {
                anyhow!("cannot read policy module {}: {e}", path.display())
            }
        })?;
        Self::compile(&bytes, path.display().to_string())
    }

    /// Compiles a module held in memory (binary wasm, or WAT text).
    pub fn from_bytes(module: &[u8]) -> Result<PolicyHost> {
        Self::compile(module, "<in-memory module>".to_string())
    }

    /// The module at [`wasm_path`], loaded once per process and shared: what the tests use.
    pub fn shared() -> Result<&'static PolicyHost> {
        static SHARED: OnceLock<std::result::Result<PolicyHost, String>> = OnceLock::new();
        SHARED
            .get_or_init(|| PolicyHost::load(wasm_path()).map_err(|e| format!("{e:#}")))
            .as_ref()
            .map_err(|e| anyhow!("{e}"))
    }

    fn compile(module: &[u8], source: String) -> Result<PolicyHost> {
        let engine = new_engine()?;
        let module = module_cache::compile(&engine, module)
            .map_err(|e| anyhow!("cannot compile {source}: {e:#}"))?;
        let pre = WasmtimeEngineProviderBuilder::new()
            .engine(engine.clone())
            .module(module)
            .build_pre()
            .with_context(|| format!("cannot link {source} against the waPC host"))?;
        spawn_epoch_ticker(&engine);
        Ok(PolicyHost {
            pre,
            source,
            timeout: DEFAULT_TIMEOUT,
            host_calls: HostCalls::new(),
        })
    }

    /// Sets the execution deadline of each waPC call (default [`DEFAULT_TIMEOUT`]).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Answers the guest's host calls that this host does not implement with `callback`.
    pub fn with_host_callback(
        mut self,
        callback: impl Fn(&str, &str, &str, &[u8]) -> std::result::Result<Vec<u8>, String>
            + Send
            + Sync
            + 'static,
    ) -> Self {
        let callback: Arc<HostCallback> = Arc::new(callback);
        self.host_calls = self.host_calls.with_callback(callback);
        self
    }

    /// Answers the guest's `kubernetes/can_i` host calls from `authz`.
    pub fn with_authz(mut self, authz: Authz) -> Self {
        self.host_calls = self.host_calls.with_authz(authz);
        self
    }

    /// A host of the same compiled module (no second compilation) whose host calls `calls`
    /// answers and records: `host.answering(calls.clone())`, then `calls.recorded()`.
    pub fn answering(&self, calls: HostCalls) -> PolicyHost {
        PolicyHost {
            pre: self.pre.clone(),
            source: self.source.clone(),
            timeout: self.timeout,
            host_calls: calls,
        }
    }

    /// The host calls of every evaluation so far, in order (logging aside).
    pub fn host_calls(&self) -> &HostCalls {
        &self.host_calls
    }

    /// Where the module came from (a path, or `<in-memory module>`).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The execution deadline of each waPC call.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// A new instance of the module, initialised (`wapc_init`), with its own memory. Calls on it
    /// share state, unlike the calls on [`PolicyHost`] itself.
    pub fn fresh_instance(&self) -> Result<PolicyInstance> {
        let ticks = deadline_ticks(self.timeout);
        let provider = self
            .pre
            .rehydrate(Some(EpochDeadlines {
                wapc_init: ticks,
                wapc_func: ticks,
            }))
            .with_context(|| format!("cannot create a store for {}", self.source))?;
        let host = wapc_instance(provider, self.host_calls.clone())
            .with_context(|| format!("cannot instantiate {}", self.source))?;
        Ok(PolicyInstance::new(host))
    }

    /// Calls waPC function `operation` with `payload` in a fresh instance.
    pub fn call(&self, operation: &str, payload: &[u8]) -> Result<Vec<u8>> {
        self.fresh_instance()?.call(operation, payload)
    }

    /// Calls `validate` with `{"request": request, "settings": settings}` in a fresh instance.
    pub fn validate(&self, request: &Value, settings: &Value) -> Result<ValidationResponse> {
        self.fresh_instance()?.validate(request, settings)
    }

    /// Calls `validate_settings` with the bare settings in a fresh instance, and reads the answer
    /// as kwctl and policy-server do: a failed call (a guest error, as the SDK's
    /// `validate_settings` reports settings it cannot deserialise, or a trap) means invalid
    /// settings, with the error as message. `Err` only when no instance could be made.
    pub fn validate_settings(&self, settings: &Value) -> Result<SettingsResponse> {
        self.fresh_instance()?.validate_settings(settings)
    }

    /// Like [`PolicyHost::validate_settings`], but a failed call is an `Err`: for checking that
    /// the policy answers `{"valid": false, ...}` itself.
    pub fn validate_settings_strict(&self, settings: &Value) -> Result<SettingsResponse> {
        self.fresh_instance()?.validate_settings_strict(settings)
    }

    /// Calls `protocol_version` in a fresh instance (the policy answers `"v1"`).
    pub fn protocol_version(&self) -> Result<String> {
        self.fresh_instance()?.protocol_version()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_guest::{guest, with_replaced};
    use serde_json::json;

    #[test]
    fn echo_round_trips_the_payload() {
        assert_eq!(guest().call("echo", b"hello").unwrap(), b"hello");
    }

    #[test]
    fn protocol_version_is_parsed() {
        assert_eq!(guest().protocol_version().unwrap(), "v1");
    }

    #[test]
    fn validate_settings_is_parsed() {
        let expected = SettingsResponse {
            valid: false,
            message: Some("bad".into()),
        };
        assert_eq!(
            guest().validate_settings(&json!({"x": 1})).unwrap(),
            expected
        );
        assert_eq!(
            guest().validate_settings_strict(&json!({"x": 1})).unwrap(),
            expected
        );
    }

    #[test]
    fn a_failed_settings_call_is_invalid_settings_unless_strict() {
        // Exercised through a guest whose `validate_settings` traps.
        let host = with_replaced(
            "(call $guest_response (i32.const 96) (i32.const 31))",
            "unreachable",
        );
        let answer = host.validate_settings(&json!({})).unwrap();
        assert!(!answer.valid);
        assert!(
            answer
                .message()
                .starts_with("Error invoking settings validation callback"),
            "{answer:?}"
        );
        assert!(host.validate_settings_strict(&json!({})).is_err());
    }

    #[test]
    fn a_trap_is_an_error() {
        let err = guest().call("trap", b"").unwrap_err();
        assert!(format!("{err:#}").contains("trap"), "{err:#}");
    }

    #[test]
    fn a_guest_error_is_an_error() {
        let err = guest().call("fail", b"").unwrap_err();
        assert!(format!("{err:#}").contains("boom"), "{err:#}");
    }

    #[test]
    fn a_runaway_guest_is_interrupted() {
        let host = guest().with_timeout(Duration::from_millis(100));
        let started = std::time::Instant::now();
        let err = host.call("loop", b"").unwrap_err();
        assert!(format!("{err:#}").contains("deadline exceeded"), "{err:#}");
        assert!(started.elapsed() < Duration::from_secs(10));
        // The host still works afterwards.
        assert_eq!(host.call("echo", b"x").unwrap(), b"x");
    }

    #[test]
    fn every_call_on_the_host_gets_a_fresh_instance() {
        let host = guest();
        assert_eq!(host.call("count", b"").unwrap(), b"1");
        assert_eq!(host.call("count", b"").unwrap(), b"1");
        let instance = host.fresh_instance().unwrap();
        assert_eq!(instance.call("count", b"").unwrap(), b"1");
        assert_eq!(instance.call("count", b"").unwrap(), b"2");
    }

    #[test]
    fn host_calls_fail_unless_a_callback_answers() {
        let err = guest().call("host", b"ping").unwrap_err();
        assert!(format!("{err:#}").contains("boom"), "{err:#}");
        let host = guest().with_host_callback(|binding, namespace, operation, payload| {
            Ok(format!(
                "{binding}/{namespace}/{operation}:{}",
                String::from_utf8_lossy(payload)
            )
            .into_bytes())
        });
        assert_eq!(host.call("host", b"ping").unwrap(), b"test/ns/op:ping");
    }

    #[test]
    fn a_missing_module_names_the_make_target() {
        let err = PolicyHost::load("/nonexistent/policy.wasm").unwrap_err();
        assert!(err.to_string().contains("make policy.wasm"), "{err}");
    }

    #[test]
    fn the_host_is_shareable_across_threads() {
        fn sync<T: Send + Sync>() {}
        sync::<PolicyHost>();
    }
}
