//! pod-security-policy: every PodSecurityPolicy field, with PSP's semantics, in one Kubewarden policy.
//! This file only registers the waPC functions; `evaluate` holds the request flow.

// A panic is a trap, and a trap is an HTTP 500 at the API server (an accept under `failurePolicy: Ignore`):
// policy code may not unwrap, index or do arithmetic that can panic. Tests may.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::unreachable,
        clippy::todo
    )
)]

pub mod evaluate;
pub mod json_path;
pub mod object;
pub mod patch;
pub mod pod;
pub mod pod_update;
pub mod policy;
pub mod psp;
pub mod pss;
pub mod request;
pub mod safe_sysctls;
pub mod settings;
pub mod violation;

use kubewarden_policy_sdk::wapc_guest as guest;

#[no_mangle]
pub extern "C" fn wapc_init() {
    guest::register_function("validate", evaluate::validate);
    guest::register_function("validate_settings", evaluate::validate_settings);
    guest::register_function(
        "protocol_version",
        kubewarden_policy_sdk::protocol_version_guest,
    );
    // The benchmark variant's floor (`make bench`); never in the shipped module.
    #[cfg(feature = "bench-floor")]
    guest::register_function("parse_only", evaluate::parse_only);
}
