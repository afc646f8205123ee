//! The bypass suite: "never let through". Each test is one attempt to get a forbidden pod past the built
//! `policy.wasm` (through the waPC wire format only, as kwctl and policy-server call it) under settings
//! that forbid it. Each says what the attack is, and asserts the denial and its exact message, which names
//! the field path of the submitted object. One file per kind of attack.
//!
//! Build the module first (`make policy.wasm`, or `make e2e-tests` which does it).

#[path = "../common/mod.rs"]
mod common;

mod capabilities;
mod duplicate_keys;
mod host_paths;
mod init_and_ephemeral_containers;
mod malformed_requests;
mod seccomp_and_apparmor;
mod sysctls_and_users;

use common::*;
use serde_json::{json, Value};

/// The example settings of an AI data platform (examples/settings/ai-data-security.yml) with `hostPath`
/// volumes allowed, so that its `allowedHostPaths` (`/data/ai`, read-only) is what stands in the way.
fn ai_data_security_with_host_paths() -> Value {
    let mut s = ai_data_security();
    let volumes = s["volumes"].as_array_mut().expect("volumes is a list");
    volumes.push(json!("hostPath"));
    assert_eq!(
        s["allowedHostPaths"],
        json!([{"pathPrefix": "/data/ai", "readOnly": true}])
    );
    s
}

/// Asserts the denial of the attack for mounting the read-only host path `host_path` writable, at
/// `mount` (the path of the volumeMount) of the container `container`.
#[track_caller]
fn assert_denied_as_writable(
    response: &ValidationResponse,
    mount: &str,
    container: &str,
    host_path: &str,
) {
    let violation = format!(
        "{mount}.readOnly (container {}): Invalid value: false: host path {} must be mounted read-only; \
         allowed: true",
        quoted(container),
        quoted(host_path)
    );
    assert_psp_rejected(response, &[&violation], "the attack");
}

fn runtime_default_seccomp_only() -> Value {
    settings(json!({"seccomp": {"allowedProfileNames": ["runtime/default"]}}))
}

/// The violation of an `unconfined` seccomp profile at `field` (its path, and the container it concerns).
fn seccomp_not_allowed(field: &str) -> String {
    format!(
        "{field}: Invalid value: \"unconfined\": seccomp profile is not allowed; allowed: \"runtime/default\""
    )
}
