//! Native waPC host for the `pod-security-policy` module.
//!
//! It runs the built `policy.wasm` with the engine that kwctl and policy-server embed (wasmtime
//! through `wasmtime-provider`), speaking Kubewarden's waPC protocol v1:
//!
//! * `validate` gets `{"request": <AdmissionRequest>, "settings": <settings>}` and answers a
//!   [`ValidationResponse`];
//! * `validate_settings` gets the bare settings and answers a [`SettingsResponse`] (a failed call
//!   counts as invalid settings, as in kwctl and policy-server);
//! * `protocol_version` answers `"v1"`.
//!
//! Like policy-server, the module is compiled once ([`PolicyHost::load`]) and every evaluation
//! runs in a fresh instance ([`PolicyHost::fresh_instance`]), under an execution deadline
//! (epoch interruption, [`DEFAULT_TIMEOUT`]). A trap, a guest error or a timeout in `validate`
//! is an `Err`, never a panic ([`PolicyHost::review`] turns it into policy-server's 500).
//!
//! The crate also has the helpers the end-to-end tests and `psp-run` share: an AdmissionRequest
//! builder ([`request`], [`RequestBuilder`]), the JSONPatch policy-server derives from a mutation
//! ([`json_patch`]), the AdmissionResponse it answers with ([`admission_response`]), and
//! JSON/YAML document loading ([`read_document`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use wasmtime_provider::wasmtime;
use wasmtime_provider::{EpochDeadlines, WasmtimeEngineProviderBuilder, WasmtimeEngineProviderPre};

/// Execution deadline of one waPC call (initialisation and guest function alike): policy-server's
/// default policy timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

/// Granularity of the execution deadline: the engine's epoch advances once per tick.
const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Environment variable naming the module to load instead of `<workspace>/policy.wasm`.
pub const POLICY_WASM_ENV: &str = "POLICY_WASM";

/// Set this environment variable (to anything) to print the guest's log lines on stderr.
pub const GUEST_LOG_ENV: &str = "PSP_GUEST_LOG";

/// A host capability the guest may call (`binding`, `namespace`, `operation`, `payload`). The
/// default host implements none besides logging: any other call fails, as it would on a
/// policy-server whose policy lacks the capability.
pub type HostCallback =
    dyn Fn(&str, &str, &str, &[u8]) -> std::result::Result<Vec<u8>, String> + Send + Sync;

/// The workspace root (the folder holding the root `Cargo.toml`, `policy.wasm` and `examples/`).
pub fn workspace_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Where the built module is: `$POLICY_WASM` if set, else `<workspace>/policy.wasm`.
pub fn wasm_path() -> PathBuf {
    match std::env::var_os(POLICY_WASM_ENV) {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => workspace_dir().join("policy.wasm"),
    }
}

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

/// A compiled policy module. Cheap to evaluate with: each evaluation instantiates the module
/// afresh from the pre-linked module, as policy-server does.
pub struct PolicyHost {
    pre: WasmtimeEngineProviderPre,
    source: String,
    timeout: Duration,
    host_callback: Option<Arc<HostCallback>>,
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
        let mut config = wasmtime::Config::new();
        config.epoch_interruption(true);
        let engine = wasmtime::Engine::new(&config)
            .map_err(|e| anyhow!("cannot create the wasmtime engine: {e:#}"))?;
        let module = wasmtime::Module::new(&engine, module)
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
            host_callback: None,
        })
    }

    /// Sets the execution deadline of each waPC call (default [`DEFAULT_TIMEOUT`]).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Answers the guest's host calls (other than logging) with `callback`.
    pub fn with_host_callback(
        mut self,
        callback: impl Fn(&str, &str, &str, &[u8]) -> std::result::Result<Vec<u8>, String>
            + Send
            + Sync
            + 'static,
    ) -> Self {
        self.host_callback = Some(Arc::new(callback));
        self
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
        let callback = self.host_callback.clone();
        let host = wapc::WapcHost::new(
            Box::new(provider),
            Some(Box::new(
                move |_id, binding, namespace, operation, payload| {
                    host_call(callback.as_deref(), binding, namespace, operation, payload)
                        .map_err(|e| e.into())
                },
            )),
        )
        .map_err(|e| anyhow!("cannot instantiate {}: {e}", self.source))?;
        Ok(PolicyInstance { host })
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

    /// Evaluates `request` as policy-server would and returns its AdmissionResponse (see
    /// [`admission_response`]); a failed evaluation is its `500` rejection.
    pub fn review(&self, request: &Value, settings: &Value) -> Value {
        match self.validate(request, settings) {
            Ok(response) => admission_response(request, &response),
            Err(e) => json!({
                "uid": request.get("uid").cloned().unwrap_or(Value::Null),
                "allowed": false,
                "status": {"message": format!("internal server error: {e:#}"), "code": 500},
                "auditAnnotations": null,
                "warnings": null,
            }),
        }
    }

    /// Calls `protocol_version` in a fresh instance (the policy answers `"v1"`).
    pub fn protocol_version(&self) -> Result<String> {
        self.fresh_instance()?.protocol_version()
    }
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

fn parse_answer<T: serde::de::DeserializeOwned>(answer: &[u8], operation: &str) -> Result<T> {
    serde_json::from_slice(answer).map_err(|e| {
        anyhow!(
            "`{operation}` answered something that is not its response ({e}): {}",
            String::from_utf8_lossy(answer)
        )
    })
}

/// The default host: logging (binding `kubewarden`, namespace `tracing`, operation `log`) is
/// accepted and printed on stderr when `$PSP_GUEST_LOG` is set; anything else goes to the
/// test's callback, or fails.
fn host_call(
    callback: Option<&HostCallback>,
    binding: &str,
    namespace: &str,
    operation: &str,
    payload: &[u8],
) -> std::result::Result<Vec<u8>, String> {
    if (binding, namespace, operation) == ("kubewarden", "tracing", "log") {
        if std::env::var_os(GUEST_LOG_ENV).is_some() {
            eprintln!("[guest] {}", String::from_utf8_lossy(payload));
        }
        return Ok(Vec::new());
    }
    match callback {
        Some(callback) => callback(binding, namespace, operation, payload),
        None => Err(format!(
            "host capability {binding}/{namespace}/{operation} is not available in this host"
        )),
    }
}

fn deadline_ticks(timeout: Duration) -> u64 {
    let ticks = timeout.as_nanos() / EPOCH_TICK.as_nanos();
    // At least two ticks (a deadline of one could fire at once); at most ~16 months, far from
    // overflowing the epoch counter.
    u64::try_from(ticks).unwrap_or(u64::MAX).clamp(2, 1 << 32)
}

/// Advances `engine`'s epoch every [`EPOCH_TICK`] until the engine is gone.
fn spawn_epoch_ticker(engine: &wasmtime::Engine) {
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("psp-epoch-ticker".into())
        .spawn(move || loop {
            std::thread::sleep(EPOCH_TICK);
            match weak.upgrade() {
                Some(engine) => engine.increment_epoch(),
                None => break,
            }
        })
        .expect("cannot spawn the epoch ticker thread");
}

// ---------------------------------------------------------------------------------------------
// JSONPatch and AdmissionResponse, as policy-server computes them

/// The RFC 6902 JSONPatch from `original` to `mutated`, computed as policy-server does
/// (`json_patch::diff`), as a list of operations (`{"op", "path", "value"?, "from"?}`).
pub fn json_patch(original: &Value, mutated: &Value) -> Vec<Value> {
    match serde_json::to_value(json_patch::diff(original, mutated)) {
        Ok(Value::Array(operations)) => operations,
        other => panic!("a JSONPatch serialises to an array, got {other:?}"),
    }
}

/// Applies JSONPatch `operations` to `original` (to check that a patch rebuilds the mutation).
pub fn apply_json_patch(original: &Value, operations: &[Value]) -> Result<Value> {
    let patch: json_patch::Patch =
        serde_json::from_value(Value::Array(operations.to_vec())).context("not a JSONPatch")?;
    let mut document = original.clone();
    json_patch::patch(&mut document, &patch).map_err(|e| anyhow!("cannot apply patch: {e}"))?;
    Ok(document)
}

/// The `admission.k8s.io/v1` AdmissionResponse policy-server answers the API server with, for
/// `response` to `request`: `allowed`, `status {message, code}`, `patchType`/`patch` (base64
/// JSONPatch, only when the mutation changes something), `auditAnnotations`, `warnings`. A
/// mutation of a request without `object` (DELETE) is rejected, as policy-server does.
pub fn admission_response(request: &Value, response: &ValidationResponse) -> Value {
    let uid = request.get("uid").cloned().unwrap_or(Value::Null);
    let object = request.get("object").filter(|o| !o.is_null());
    if response.mutated_object.is_some() && object.is_none() {
        return json!({
            "uid": uid,
            "allowed": false,
            "status": {"message": "Incoming object is null, which happens only with DELETE operations, but the policy is attempting a mutation. This is not allowed"},
            "auditAnnotations": null,
            "warnings": null,
        });
    }
    let mut answer = json!({
        "uid": uid,
        "allowed": response.accepted,
        "auditAnnotations": response.audit_annotations,
        "warnings": response.warnings,
    });
    let patch = response.patch(request);
    if !patch.is_empty() {
        let encoded = base64::engine::general_purpose::STANDARD
            .encode(serde_json::to_string(&patch).expect("a JSONPatch serialises"));
        answer["patchType"] = json!("JSONPatch");
        answer["patch"] = json!(encoded);
    }
    if response.message.is_some() || response.code.is_some() {
        let mut status = serde_json::Map::new();
        if let Some(message) = &response.message {
            status.insert("message".into(), json!(message));
        }
        if let Some(code) = response.code {
            status.insert("code".into(), json!(code));
        }
        answer["status"] = Value::Object(status);
    }
    answer
}

// ---------------------------------------------------------------------------------------------
// AdmissionRequest builder

/// `(group, version, resource)` of a kind: the core and workload kinds the policy reads, and a
/// guess (core group, lower-case plural) for anything else.
pub fn kind_info(kind: &str) -> (String, String, String) {
    let known = match kind {
        "Pod" => Some(("", "v1", "pods")),
        "ReplicationController" => Some(("", "v1", "replicationcontrollers")),
        "Deployment" => Some(("apps", "v1", "deployments")),
        "ReplicaSet" => Some(("apps", "v1", "replicasets")),
        "StatefulSet" => Some(("apps", "v1", "statefulsets")),
        "DaemonSet" => Some(("apps", "v1", "daemonsets")),
        "Job" => Some(("batch", "v1", "jobs")),
        "CronJob" => Some(("batch", "v1", "cronjobs")),
        "PodSecurityPolicy" => Some(("policy", "v1beta1", "podsecuritypolicies")),
        _ => None,
    };
    match known {
        Some((group, version, resource)) => (group.into(), version.into(), resource.into()),
        None => ("".into(), "v1".into(), plural(kind)),
    }
}

fn plural(kind: &str) -> String {
    let lower = kind.to_ascii_lowercase();
    if let Some(stem) = lower.strip_suffix('y') {
        format!("{stem}ies")
    } else if lower.ends_with('s') || lower.ends_with('x') {
        format!("{lower}es")
    } else {
        format!("{lower}s")
    }
}

/// Splits an `apiVersion` (`apps/v1`, `v1`) into `(group, version)`.
pub fn split_api_version(api_version: &str) -> (String, String) {
    match api_version.split_once('/') {
        Some((group, version)) => (group.to_string(), version.to_string()),
        None => (String::new(), api_version.to_string()),
    }
}

/// A realistic `admission.k8s.io/v1` AdmissionRequest for `operation` (`CREATE`, `UPDATE`,
/// `DELETE`, `CONNECT`) on `object` of `kind`. See [`RequestBuilder`] for the details and the
/// knobs (sub-resource, old object, namespace, user).
pub fn request(kind: &str, operation: &str, object: Value) -> Value {
    RequestBuilder::new(kind, operation, object).build()
}

/// Builds an AdmissionRequest. Defaults:
/// * `kind`/`resource`/`requestKind`/`requestResource` from [`kind_info`];
/// * `object` as given, with `apiVersion` and `kind` filled in when it is a JSON object that
///   lacks them; for `DELETE`, `object` is null and the given object becomes `oldObject`;
/// * `oldObject`: for `UPDATE` a copy of `object` unless [`RequestBuilder::old_object`] sets it;
/// * `name`/`namespace` from the object's metadata (namespace `default` when unset);
/// * user `kubernetes-admin` in `system:masters`, `system:authenticated`;
/// * a fresh `uid` per request.
#[derive(Debug, Clone)]
pub struct RequestBuilder {
    kind: String,
    operation: String,
    object: Value,
    old_object: Option<Value>,
    sub_resource: Option<String>,
    namespace: Option<String>,
    group_version: Option<(String, String)>,
    username: String,
    groups: Vec<String>,
    dry_run: bool,
}

impl RequestBuilder {
    pub fn new(kind: &str, operation: &str, object: Value) -> Self {
        RequestBuilder {
            kind: kind.to_string(),
            operation: operation.to_ascii_uppercase(),
            object,
            old_object: None,
            sub_resource: None,
            namespace: None,
            group_version: None,
            username: "kubernetes-admin".into(),
            groups: vec!["system:masters".into(), "system:authenticated".into()],
            dry_run: false,
        }
    }

    /// Sets `oldObject` (for `UPDATE`, and for `DELETE` when `object` is to be kept as given).
    pub fn old_object(mut self, old_object: Value) -> Self {
        self.old_object = Some(old_object);
        self
    }

    /// Sets `subResource`/`requestSubResource` (e.g. `ephemeralcontainers`, `status`).
    pub fn sub_resource(mut self, sub_resource: &str) -> Self {
        self.sub_resource = Some(sub_resource.to_string());
        self
    }

    /// Sets the request's namespace (default: the object's, else `default`).
    pub fn namespace(mut self, namespace: &str) -> Self {
        self.namespace = Some(namespace.to_string());
        self
    }

    /// Overrides the group and version of the kind (default from [`kind_info`]).
    pub fn group_version(mut self, group: &str, version: &str) -> Self {
        self.group_version = Some((group.to_string(), version.to_string()));
        self
    }

    /// Sets `userInfo`.
    pub fn user(mut self, username: &str, groups: &[&str]) -> Self {
        self.username = username.to_string();
        self.groups = groups.iter().map(|g| g.to_string()).collect();
        self
    }

    /// Sets `dryRun`.
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    pub fn build(self) -> Value {
        static NEXT_UID: AtomicU64 = AtomicU64::new(1);
        let uid = format!(
            "00000000-0000-4000-8000-{:012x}",
            NEXT_UID.fetch_add(1, Ordering::Relaxed)
        );
        let (default_group, default_version, resource) = kind_info(&self.kind);
        let (group, version) = self
            .group_version
            .clone()
            .unwrap_or((default_group, default_version));
        let api_version = if group.is_empty() {
            version.clone()
        } else {
            format!("{group}/{version}")
        };

        let mut object = self.object;
        if let Value::Object(map) = &mut object {
            map.entry("apiVersion")
                .or_insert_with(|| json!(api_version));
            map.entry("kind").or_insert_with(|| json!(self.kind));
        }
        let (object, old_object) = match (self.operation.as_str(), self.old_object) {
            ("DELETE", None) => (Value::Null, object),
            ("UPDATE", None) => (object.clone(), object),
            (_, Some(old)) => (object, old),
            (_, None) => (object, Value::Null),
        };
        let described = if object.is_null() {
            &old_object
        } else {
            &object
        };
        let metadata = |field: &str| {
            described
                .get("metadata")
                .and_then(|m| m.get(field))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let namespace = self
            .namespace
            .or_else(|| metadata("namespace"))
            .unwrap_or_else(|| "default".into());
        let options = match self.operation.as_str() {
            "CREATE" => json!({"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"}),
            "UPDATE" => json!({"apiVersion": "meta.k8s.io/v1", "kind": "UpdateOptions"}),
            "DELETE" => json!({"apiVersion": "meta.k8s.io/v1", "kind": "DeleteOptions"}),
            _ => Value::Null,
        };

        let gvk = json!({"group": group, "version": version, "kind": self.kind});
        let gvr = json!({"group": group, "version": version, "resource": resource});
        let mut request = json!({
            "uid": uid,
            "kind": gvk,
            "resource": gvr,
            "requestKind": gvk,
            "requestResource": gvr,
            "namespace": namespace,
            "operation": self.operation,
            "userInfo": {"username": self.username, "groups": self.groups},
            "object": object,
            "oldObject": old_object,
            "dryRun": self.dry_run,
            "options": options,
        });
        if let Some(name) = metadata("name") {
            request["name"] = json!(name);
        }
        if let Some(sub_resource) = self.sub_resource {
            request["subResource"] = json!(sub_resource);
            request["requestSubResource"] = json!(sub_resource);
        }
        request
    }
}

/// Turns a document into an AdmissionRequest: an AdmissionReview (`{"request": ...}`) gives its
/// request; a bare AdmissionRequest (has `uid` and `operation`) is kept; a plain Kubernetes
/// object (has `kind`) becomes a `CREATE` request of its kind, group and version.
pub fn admission_request_from_document(document: Value) -> Result<Value> {
    if document.get("request").is_some_and(Value::is_object) {
        return Ok(document["request"].clone());
    }
    if document.get("uid").is_some() && document.get("operation").is_some() {
        return Ok(document);
    }
    if let Some(kind) = document.get("kind").and_then(Value::as_str) {
        let kind = kind.to_string();
        let mut builder = RequestBuilder::new(&kind, "CREATE", document.clone());
        if let Some(api_version) = document.get("apiVersion").and_then(Value::as_str) {
            let (group, version) = split_api_version(api_version);
            builder = builder.group_version(&group, &version);
        }
        return Ok(builder.build());
    }
    bail!("neither an AdmissionReview, an AdmissionRequest nor a Kubernetes object (no `request`, `uid`/`operation` or `kind`)")
}

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

    /// A waPC guest in WAT: dispatches on the operation's first byte and length.
    /// `validate` answers a canned mutation, `validate_settings` a canned rejection,
    /// `protocol_version` `"v1"`; `echo` echoes; `count` answers how many calls this instance
    /// served; `trap` traps; `loop` never ends; `fail` reports a guest error `boom`;
    /// `host` makes a host call and answers the host's response.
    const GUEST: &str = r#"
(module
  (import "wapc" "__guest_request" (func $guest_request (param i32 i32)))
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (import "wapc" "__guest_error" (func $guest_error (param i32 i32)))
  (import "wapc" "__host_call" (func $host_call (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wapc" "__host_response_len" (func $host_response_len (result i32)))
  (import "wapc" "__host_response" (func $host_response (param i32)))
  (memory (export "memory") 1)
  (global $calls (mut i32) (i32.const 0))
  (data (i32.const 0) "boom")
  (data (i32.const 16) "\"v1\"")
  (data (i32.const 32) "{\"accepted\":true,\"mutated_object\":{\"a\":1,\"b\":[2]}}")
  (data (i32.const 96) "{\"valid\":false,\"message\":\"bad\"}")
  (data (i32.const 160) "testnsop")
  (func (export "__guest_call") (param $op_len i32) (param $msg_len i32) (result i32)
    (local $c i32)
    (call $guest_request (i32.const 1024) (i32.const 2048))
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (local.set $c (i32.load8_u (i32.const 1024)))
    (if (i32.and (i32.eq (local.get $c) (i32.const 118)) (i32.eq (local.get $op_len) (i32.const 8)))
      (then
        (call $guest_response (i32.const 32) (i32.const 50))
        (return (i32.const 1))))
    (if (i32.eq (local.get $c) (i32.const 118))
      (then
        (call $guest_response (i32.const 96) (i32.const 31))
        (return (i32.const 1))))
    (if (i32.eq (local.get $c) (i32.const 112))
      (then
        (call $guest_response (i32.const 16) (i32.const 4))
        (return (i32.const 1))))
    (if (i32.eq (local.get $c) (i32.const 116))
      (then unreachable))
    (if (i32.eq (local.get $c) (i32.const 108))
      (then (loop $forever (br $forever))))
    (if (i32.eq (local.get $c) (i32.const 102))
      (then
        (call $guest_error (i32.const 0) (i32.const 4))
        (return (i32.const 0))))
    (if (i32.eq (local.get $c) (i32.const 99))
      (then
        (i32.store8 (i32.const 4096) (i32.add (i32.const 48) (global.get $calls)))
        (call $guest_response (i32.const 4096) (i32.const 1))
        (return (i32.const 1))))
    (if (i32.eq (local.get $c) (i32.const 104))
      (then
        (if (i32.eqz (call $host_call (i32.const 160) (i32.const 4) (i32.const 164) (i32.const 2)
                                      (i32.const 166) (i32.const 2) (i32.const 2048) (local.get $msg_len)))
          (then
            (call $guest_error (i32.const 0) (i32.const 4))
            (return (i32.const 0))))
        (call $host_response (i32.const 8192))
        (call $guest_response (i32.const 8192) (call $host_response_len))
        (return (i32.const 1))))
    (call $guest_response (i32.const 2048) (local.get $msg_len))
    (i32.const 1))
)
"#;

    fn guest() -> PolicyHost {
        PolicyHost::from_bytes(GUEST.as_bytes()).expect("the test guest compiles")
    }

    #[test]
    fn echo_round_trips_the_payload() {
        assert_eq!(guest().call("echo", b"hello").unwrap(), b"hello");
    }

    #[test]
    fn protocol_version_is_parsed() {
        assert_eq!(guest().protocol_version().unwrap(), "v1");
    }

    #[test]
    fn validate_parses_the_response_and_computes_the_patch() {
        let req = request(
            "Pod",
            "CREATE",
            json!({"a": 1, "apiVersion": "v1", "kind": "Pod"}),
        );
        let response = guest().validate(&req, &json!({})).unwrap();
        assert!(response.accepted);
        assert_eq!(response.message(), "");
        assert_eq!(
            response.patch(&req),
            vec![
                json!({"op": "add", "path": "/b", "value": [2]}),
                json!({"op": "remove", "path": "/apiVersion"}),
                json!({"op": "remove", "path": "/kind"}),
            ]
        );
        let answer = admission_response(&req, &response);
        assert_eq!(answer["allowed"], json!(true));
        assert_eq!(answer["patchType"], json!("JSONPatch"));
        assert_eq!(answer["uid"], req["uid"]);
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
        let trapping = GUEST.replace(
            "(call $guest_response (i32.const 96) (i32.const 31))",
            "unreachable",
        );
        let host = PolicyHost::from_bytes(trapping.as_bytes()).unwrap();
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
    fn review_answers_like_policy_server() {
        let req = request("Pod", "CREATE", json!({"a": 1}));
        let answer = guest().review(&req, &json!({}));
        assert_eq!(answer["allowed"], json!(true));
        assert_eq!(answer["patchType"], json!("JSONPatch"));

        let trapping = GUEST.replace(
            "(call $guest_response (i32.const 32) (i32.const 50))",
            "unreachable",
        );
        let host = PolicyHost::from_bytes(trapping.as_bytes()).unwrap();
        let answer = host.review(&req, &json!({}));
        assert_eq!(answer["allowed"], json!(false));
        assert_eq!(answer["status"]["code"], json!(500));
        assert_eq!(answer["uid"], req["uid"]);
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
    fn request_builder_fills_a_realistic_request() {
        let deployment = json!({"metadata": {"name": "web", "namespace": "shop"}, "spec": {}});
        let req = request("Deployment", "create", deployment);
        assert_eq!(
            req["kind"],
            json!({"group": "apps", "version": "v1", "kind": "Deployment"})
        );
        assert_eq!(
            req["resource"],
            json!({"group": "apps", "version": "v1", "resource": "deployments"})
        );
        assert_eq!(req["operation"], json!("CREATE"));
        assert_eq!(req["namespace"], json!("shop"));
        assert_eq!(req["name"], json!("web"));
        assert_eq!(req["object"]["apiVersion"], json!("apps/v1"));
        assert_eq!(req["object"]["kind"], json!("Deployment"));
        assert!(req["oldObject"].is_null());

        let cron = request("CronJob", "UPDATE", json!({"metadata": {"name": "c"}}));
        assert_eq!(cron["kind"]["group"], json!("batch"));
        assert_eq!(cron["oldObject"], cron["object"]);
        assert_eq!(cron["namespace"], json!("default"));

        let pod = json!({"metadata": {"name": "p"}, "spec": {"containers": []}});
        let ephemeral = RequestBuilder::new("Pod", "UPDATE", pod.clone())
            .sub_resource("ephemeralcontainers")
            .old_object(json!({"old": true}))
            .build();
        assert_eq!(ephemeral["subResource"], json!("ephemeralcontainers"));
        assert_eq!(ephemeral["oldObject"], json!({"old": true}));
        assert_eq!(ephemeral["kind"]["group"], json!(""));

        let deleted = request("Pod", "DELETE", pod);
        assert!(deleted["object"].is_null());
        assert_eq!(deleted["oldObject"]["metadata"]["name"], json!("p"));

        assert_ne!(request("Pod", "CREATE", json!({}))["uid"], deleted["uid"]);
        assert_eq!(
            request("ReplicationController", "CREATE", json!({}))["kind"]["version"],
            json!("v1")
        );
    }

    #[test]
    fn documents_become_admission_requests() {
        let object =
            json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "d"}});
        let from_object = admission_request_from_document(object.clone()).unwrap();
        assert_eq!(from_object["operation"], json!("CREATE"));
        assert_eq!(from_object["kind"]["group"], json!("apps"));
        assert_eq!(from_object["object"], object);

        let review = json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": from_object});
        assert_eq!(
            admission_request_from_document(review).unwrap(),
            from_object
        );
        assert_eq!(
            admission_request_from_document(from_object.clone()).unwrap(),
            from_object
        );
        assert!(admission_request_from_document(json!([1])).is_err());
    }

    #[test]
    fn json_patch_matches_policy_server_and_applies() {
        let original = json!({"spec": {"containers": [{"name": "a"}]}});
        let mutated = json!({"spec": {"containers": [{"name": "a", "securityContext": {"readOnlyRootFilesystem": true}}]}});
        let ops = json_patch(&original, &mutated);
        assert_eq!(
            ops,
            vec![json!({
                "op": "add",
                "path": "/spec/containers/0/securityContext",
                "value": {"readOnlyRootFilesystem": true}
            })]
        );
        assert_eq!(apply_json_patch(&original, &ops).unwrap(), mutated);
        assert!(json_patch(&original, &original).is_empty());
    }

    #[test]
    fn a_mutation_of_a_delete_is_rejected_like_policy_server_does() {
        let req = request("Pod", "DELETE", json!({"metadata": {"name": "p"}}));
        let response = ValidationResponse {
            accepted: true,
            message: None,
            code: None,
            mutated_object: Some(json!({})),
            audit_annotations: None,
            warnings: None,
        };
        assert_eq!(admission_response(&req, &response)["allowed"], json!(false));
    }

    #[test]
    fn yaml_and_json_documents_parse() {
        assert_eq!(
            parse_document("a: [1, {b: c}]", false).unwrap(),
            json!({"a": [1, {"b": "c"}]})
        );
        assert_eq!(parse_document("{\"a\": 1}", true).unwrap(), json!({"a": 1}));
    }

    #[test]
    fn the_host_is_shareable_across_threads() {
        fn sync<T: Send + Sync>() {}
        sync::<PolicyHost>();
    }
}
