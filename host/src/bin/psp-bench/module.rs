//! A policy module loaded for the bench: its host, its bytes, its memory probe and its compile
//! time.

use std::path::Path;
use std::time::Instant;

use anyhow::{anyhow, Result};
use psp_host::engine::new_engine;
use psp_host::PolicyHost;
use wasmtime_provider::wasmtime;

use crate::memory::MemoryProbe;
use crate::stats::{stats, Stats};

/// A loaded module and what else the bench needs of it.
pub(crate) struct Module {
    pub(crate) host: PolicyHost,
    pub(crate) bytes: Vec<u8>,
    pub(crate) probe: MemoryProbe,
    pub(crate) compile: Stats,
}

pub(crate) fn load_module(path: &Path, compilations: usize) -> Result<Module> {
    let host = PolicyHost::load(path)?;
    let bytes = std::fs::read(path)?;
    // Compile time: the same engine configuration as the host (epoch interruption on).
    let engine = new_engine()?;
    let mut samples = Vec::new();
    let mut module = None;
    for _ in 0..compilations.max(1) {
        let t = Instant::now();
        let compiled = wasmtime::Module::new(&engine, &bytes).map_err(|e| anyhow!("{e:#}"))?;
        samples.push(t.elapsed().as_secs_f64() * 1e6);
        module = Some(compiled);
    }
    let probe = MemoryProbe::new(&engine, module.as_ref().unwrap());
    Ok(Module {
        host,
        bytes,
        probe,
        compile: stats(samples),
    })
}
