//! Compiled modules kept on disk, so that each process does not compile the same module again.
//!
//! Opt-in: `$PSP_MODULE_CACHE` names the folder (the Makefile sets it inside the target folder).
//! The host is built without optimisations for the tests (see the root `Cargo.toml`), and there
//! compiling the policy module takes seconds, while a test run starts dozens of processes that
//! each load the same module.
//!
//! An entry is the module as wasmtime serialises it, named after a hash of the module's bytes and
//! of the engine's compatibility hash (wasmtime's version and configuration). It is written whole
//! under a temporary name, then renamed: a reader finds a complete entry or none. An entry that
//! does not load (wasmtime refuses one of another version or configuration) is compiled again and
//! replaced. A folder that cannot be written only means no caching.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use wasmtime_provider::wasmtime;

/// Environment variable naming the folder of compiled modules (unset or empty: no caching).
pub const MODULE_CACHE_ENV: &str = "PSP_MODULE_CACHE";

/// Compiles `module` (binary wasm, or WAT text) with `engine`, or loads it from the folder that
/// `$PSP_MODULE_CACHE` names.
pub(crate) fn compile(
    engine: &wasmtime::Engine,
    module: &[u8],
) -> wasmtime::Result<wasmtime::Module> {
    let dir = std::env::var_os(MODULE_CACHE_ENV)
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from);
    compile_cached(engine, module, dir.as_deref())
}

fn compile_cached(
    engine: &wasmtime::Engine,
    module: &[u8],
    dir: Option<&Path>,
) -> wasmtime::Result<wasmtime::Module> {
    let Some(dir) = dir else {
        return wasmtime::Module::new(engine, module);
    };
    let entry = dir.join(format!("{:016x}.cwasm", key(engine, module)));
    if let Ok(serialized) = std::fs::read(&entry) {
        // SAFETY: the entries of this folder are written only by `store`, whole, with what
        // `Module::serialize` gave for these very bytes; wasmtime refuses (with an error, which
        // leads to compiling afresh) an entry of another version or engine configuration.
        if let Ok(compiled) = unsafe { wasmtime::Module::deserialize(engine, &serialized) } {
            return Ok(compiled);
        }
    }
    let compiled = wasmtime::Module::new(engine, module)?;
    store(dir, &entry, &compiled);
    Ok(compiled)
}

/// The entry's name: the module's bytes and what makes compiled code of one engine loadable by
/// another.
fn key(engine: &wasmtime::Engine, module: &[u8]) -> u64 {
    let mut hasher = DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    module.hash(&mut hasher);
    hasher.finish()
}

/// Writes `compiled` as `entry`, through a temporary file of this process and call; failures
/// are ignored (no caching).
fn store(dir: &Path, entry: &Path, compiled: &wasmtime::Module) {
    static WRITES: AtomicU64 = AtomicU64::new(0);
    let Ok(serialized) = compiled.serialize() else {
        return;
    };
    let temporary = entry.with_extension(format!(
        "{}-{}.tmp",
        std::process::id(),
        WRITES.fetch_add(1, Ordering::Relaxed)
    ));
    let written = std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(&temporary, serialized))
        .and_then(|()| std::fs::rename(&temporary, entry));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::new_engine;
    use crate::test_guest::GUEST;

    fn entries(dir: &Path) -> Vec<PathBuf> {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|list| list.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        entries.sort();
        entries
    }

    #[test]
    fn a_module_is_compiled_once_then_loaded() {
        let dir = std::env::temp_dir().join(format!("psp-module-cache-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let engine = new_engine().unwrap();

        let first = compile_cached(&engine, GUEST.as_bytes(), Some(&dir)).unwrap();
        let stored = entries(&dir);
        assert_eq!(stored.len(), 1, "{stored:?}");
        assert_eq!(stored[0].extension().unwrap(), "cwasm");
        let serialized = std::fs::read(&stored[0]).unwrap();
        assert_eq!(serialized, first.serialize().unwrap());

        // The second time, the entry is what loads: the same compiled code, nothing rewritten.
        let second = compile_cached(&engine, GUEST.as_bytes(), Some(&dir)).unwrap();
        assert_eq!(second.serialize().unwrap(), serialized);
        assert_eq!(entries(&dir), stored);

        // Another module has its own entry.
        compile_cached(
            &engine,
            GUEST.replace("boom", "bang").as_bytes(),
            Some(&dir),
        )
        .unwrap();
        assert_eq!(entries(&dir).len(), 2);

        // An entry that does not load is compiled again and replaced.
        std::fs::write(&stored[0], b"not a compiled module").unwrap();
        compile_cached(&engine, GUEST.as_bytes(), Some(&dir)).unwrap();
        assert_eq!(std::fs::read(&stored[0]).unwrap(), serialized);

        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn without_a_folder_nothing_is_written() {
        let engine = new_engine().unwrap();
        let compiled = compile_cached(&engine, GUEST.as_bytes(), None).unwrap();
        assert!(compiled.serialize().is_ok());
    }

    #[test]
    fn an_unwritable_folder_only_means_no_caching() {
        let file =
            std::env::temp_dir().join(format!("psp-module-cache-file-{}", std::process::id()));
        std::fs::write(&file, b"a file, not a folder").unwrap();
        let engine = new_engine().unwrap();
        assert!(compile_cached(&engine, GUEST.as_bytes(), Some(&file.join("cache"))).is_ok());
        std::fs::remove_file(&file).unwrap();
    }
}
