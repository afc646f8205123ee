//! Where the workspace and the built module are.

use std::path::{Path, PathBuf};

/// Environment variable naming the module to load instead of `<workspace>/policy.wasm`.
pub const POLICY_WASM_ENV: &str = "POLICY_WASM";

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
