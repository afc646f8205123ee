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
//! One file per concern:
//! * [`engine`]: the wasmtime engine and the execution deadline;
//! * `policy_host`, `instance`: the compiled module and its instances;
//! * `module_cache`: compiled modules kept on disk across processes (`$PSP_MODULE_CACHE`);
//! * [`host_calls`]: the host capabilities the guest may call (logging, `kubernetes/can_i`), and
//!   the record of the calls;
//! * [`authz`], `rbac`: who may use which PodSecurityPolicy, for `kubernetes/can_i` (grants, or a
//!   cluster's RBAC objects);
//! * `responses`: what the guest answers;
//! * `policy_server`: the JSONPatch and the AdmissionResponse policy-server derives from an
//!   answer;
//! * [`kinds`]: the kinds with a pod spec, their API group, version, resource and pod spec path;
//! * `request`: AdmissionRequests ([`request`], [`RequestBuilder`]);
//! * `documents`: JSON and YAML documents, the workspace's examples;
//! * [`cli`]: what `psp-run` and `psp-bench` share of a command line;
//! * [`reference_data`]: the tests' reference data in `testdata/` (also included by the policy
//!   crate's unit tests);
//! * [`test_pods`]: pods that the end-to-end tests and the tools' tests share.
//!
//! Used by `psp-run` and `psp-bench` (this crate's binaries), by the end-to-end tests and by the
//! shipping tools.

pub mod authz;
pub mod cli;
mod documents;
pub mod engine;
pub mod host_calls;
mod instance;
pub mod kinds;
mod module_cache;
mod paths;
mod policy_host;
mod policy_server;
mod rbac;
pub mod reference_data;
mod request;
mod responses;
pub mod test_pods;

#[cfg(test)]
mod test_guest;

pub use authz::Authz;
pub use documents::{example_request, example_settings, parse_document, read_document};
pub use engine::DEFAULT_TIMEOUT;
pub use host_calls::{HostCall, HostCallback, HostCalls, GUEST_LOG_ENV};
pub use instance::{wapc_instance, PolicyInstance};
pub use module_cache::MODULE_CACHE_ENV;
pub use paths::{wasm_path, workspace_dir, POLICY_WASM_ENV};
pub use policy_host::PolicyHost;
pub use policy_server::{admission_response, apply_json_patch, json_patch};
pub use request::{admission_request_from_document, request, split_api_version, RequestBuilder};
pub use responses::{SettingsResponse, ValidationResponse};
