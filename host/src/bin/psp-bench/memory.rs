//! Peak linear memory of one evaluation, by binary search on the instance's memory limit.

use anyhow::{bail, Context, Result};
use psp_host::{wapc_instance, HostCalls};
use wasmtime_provider::wasmtime;
use wasmtime_provider::{EpochDeadlines, ResourceLimits, WasmtimeEngineProviderBuilder};

/// One WebAssembly page.
pub(crate) const PAGE: usize = 64 * 1024;

/// Finds the peak linear memory of one evaluation: the smallest `max_memory_size` (in pages) at
/// which a fresh instance still answers. Memory only grows, and the guest's allocations do not
/// depend on the limit until one fails (and a failed allocation aborts), so the smallest limit
/// that succeeds is the size the memory reaches in an unlimited run.
pub(crate) struct MemoryProbe {
    engine: wasmtime::Engine,
    module: wasmtime::Module,
}

impl MemoryProbe {
    pub(crate) fn new(engine: &wasmtime::Engine, module: &wasmtime::Module) -> MemoryProbe {
        MemoryProbe {
            engine: engine.clone(),
            module: module.clone(),
        }
    }

    /// Whether `operation(payload)` answers in a fresh instance whose memory may not exceed
    /// `pages` pages, its host calls answered by `calls`.
    fn fits(
        &self,
        pages: usize,
        operation: &str,
        payload: &[u8],
        calls: &HostCalls,
    ) -> Result<bool> {
        let pre = WasmtimeEngineProviderBuilder::new()
            .engine(self.engine.clone())
            .module(self.module.clone())
            .enable_resource_limits(ResourceLimits {
                max_memory_size: Some(pages * PAGE),
                max_table_elements: None,
            })
            .build_pre()
            .context("cannot link the module for the memory probe")?;
        // The probe's engine has no epoch ticker: the deadline never comes.
        let provider = pre.rehydrate(Some(EpochDeadlines {
            wapc_init: u64::MAX / 2,
            wapc_func: u64::MAX / 2,
        }))?;
        let host = match wapc_instance(provider, calls.clone()) {
            Ok(host) => host,
            Err(_) => return Ok(false), // the initial memory or `wapc_init` does not fit
        };
        Ok(host.call(operation, payload).is_ok())
    }

    /// The peak linear memory of `operation(payload)`, in pages, its host calls answered by
    /// `calls`.
    pub(crate) fn peak_pages(
        &self,
        operation: &str,
        payload: &[u8],
        calls: HostCalls,
    ) -> Result<usize> {
        // The guest reports each failed allocation on its stderr, which is ours.
        let _quiet = SilencedStderr::new();
        let mut high = 256; // 16 MiB
        while !self.fits(high, operation, payload, &calls)? {
            high *= 4;
            if high > 65_536 {
                bail!("`{operation}` does not answer even with 4 GiB of memory");
            }
        }
        let mut low = 0; // does not fit
        while high - low > 1 {
            let middle = (low + high) / 2;
            if self.fits(middle, operation, payload, &calls)? {
                high = middle;
            } else {
                low = middle;
            }
        }
        Ok(high)
    }
}

/// Sends this process's stderr to /dev/null until dropped (the WASI guest inherits it).
struct SilencedStderr {
    #[cfg(unix)]
    saved: Option<std::os::raw::c_int>,
}

#[cfg(unix)]
mod fd {
    use std::os::raw::c_int;
    extern "C" {
        pub fn dup(fd: c_int) -> c_int;
        pub fn dup2(from: c_int, to: c_int) -> c_int;
        pub fn close(fd: c_int) -> c_int;
    }
}

impl SilencedStderr {
    #[cfg(unix)]
    fn new() -> SilencedStderr {
        use std::os::fd::AsRawFd;
        let saved = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/null")
            .ok()
            .and_then(|null| {
                // SAFETY: plain descriptor calls on descriptors this process owns; the saved
                // copy of stderr is restored and closed on drop.
                unsafe {
                    let saved = fd::dup(2);
                    (saved >= 0 && fd::dup2(null.as_raw_fd(), 2) >= 0).then_some(saved)
                }
            });
        SilencedStderr { saved }
    }

    #[cfg(not(unix))]
    fn new() -> SilencedStderr {
        SilencedStderr {}
    }
}

impl Drop for SilencedStderr {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(saved) = self.saved.take() {
            // SAFETY: see `new`.
            unsafe {
                fd::dup2(saved, 2);
                fd::close(saved);
            }
        }
    }
}
