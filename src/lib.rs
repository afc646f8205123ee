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

mod authorization;
mod evaluate;
mod json_path;
mod object;
mod patch;
mod pod;
mod pod_update;
mod policy;
mod psp;
mod pss;
mod request;
mod safe_sysctls;
mod settings;
mod violation;

// The public surface: what the fuzz targets (`fuzz/`) and the property tests, which run the policy natively
// (`e2e-tests/tests/properties.rs`), call.
pub use evaluate::{evaluate, validate_settings};
pub use object::{Kind, PodObject};
pub use patch::Defaults;
pub use policy::{Policy, PspEntry};
pub use psp::Psp;
pub use violation::{Allowed, Problem, Violation, Violations};

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
