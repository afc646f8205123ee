//! Helpers shared by the end-to-end test files, one file per concern: the host and requests
//! (`requests`), settings (`settings`), objects (`objects`), the kinds and their pod spec paths
//! (`kinds`), field paths (`paths`), and assertions on the policy's answers (`assertions`).
//! Everything goes through the built `policy.wasm`.

#![allow(dead_code)]

mod assertions;
mod kinds;
mod objects;
mod paths;
mod requests;
mod settings;

// Each test target uses some of these; the others are unused there.
#[allow(unused_imports)]
pub use {
    assertions::*,
    kinds::*,
    objects::*,
    paths::*,
    psp_host::{apply_json_patch, request, RequestBuilder, ValidationResponse},
    requests::*,
    settings::*,
};
