//! Where the workspace and the built module are.

use std::path::{Path, PathBuf};

/// Environment variable naming the module to load instead of `<workspace>/policy.wasm`.
pub const POLICY_WASM_ENV: &str = "POLICY_WASM";

/// The workspace root (the folder holding the root `Cargo.toml`, `policy.wasm` and `examples/`):
/// the nearest folder above the package's that declares the `[workspace]`.
///
/// The package's folder is the one cargo names at run time (`cargo test`, `cargo run` set
/// `CARGO_MANIFEST_DIR`), else the one this crate was built from. The run-time one comes first
/// because the target folder is shared between checkouts, and cargo counts a build made in another
/// checkout as up to date: its compile-time folder would be that other checkout.
pub fn workspace_dir() -> PathBuf {
    let package = std::env::var_os("CARGO_MANIFEST_DIR")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    let root = package.ancestors().find(|dir| declares_the_workspace(dir));
    root.unwrap_or(&package).to_path_buf()
}

fn declares_the_workspace(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("Cargo.toml"))
        .is_ok_and(|manifest| manifest.lines().any(|line| line.trim() == "[workspace]"))
}

/// Where the built module is: `$POLICY_WASM` if set, else `<workspace>/policy.wasm`.
pub fn wasm_path() -> PathBuf {
    match std::env::var_os(POLICY_WASM_ENV) {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => workspace_dir().join("policy.wasm"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workspace_is_the_folder_that_declares_it() {
        let root = workspace_dir();
        assert!(declares_the_workspace(&root), "{}", root.display());
        assert!(root.join("host/Cargo.toml").is_file(), "{}", root.display());
        assert!(!declares_the_workspace(&root.join("host")));
    }
}
