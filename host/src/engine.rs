//! The wasmtime engine every module of this host is compiled with, and the execution deadline:
//! epoch interruption, the engine's epoch advancing once per [`EPOCH_TICK`] on a thread of its
//! own.

use std::time::Duration;

use anyhow::{anyhow, Result};
use wasmtime_provider::wasmtime;

/// Execution deadline of one waPC call (initialisation and guest function alike): policy-server's
/// default policy timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

/// Granularity of the execution deadline: the engine's epoch advances once per tick.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// A wasmtime engine configured as the host's: epoch interruption on (no ticker yet: see
/// [`spawn_epoch_ticker`]).
pub fn new_engine() -> Result<wasmtime::Engine> {
    let mut config = wasmtime::Config::new();
    config.epoch_interruption(true);
    wasmtime::Engine::new(&config).map_err(|e| anyhow!("cannot create the wasmtime engine: {e:#}"))
}

/// The deadline `timeout` in epoch ticks.
pub(crate) fn deadline_ticks(timeout: Duration) -> u64 {
    let ticks = timeout.as_nanos() / EPOCH_TICK.as_nanos();
    // At least two ticks (a deadline of one could fire at once); at most ~16 months, far from
    // overflowing the epoch counter.
    u64::try_from(ticks).unwrap_or(u64::MAX).clamp(2, 1 << 32)
}

/// Advances `engine`'s epoch every [`EPOCH_TICK`] until the engine is gone.
pub(crate) fn spawn_epoch_ticker(engine: &wasmtime::Engine) {
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("psp-epoch-ticker".into())
        .spawn(move || loop {
            std::thread::sleep(EPOCH_TICK);
            match weak.upgrade() {
                Some(engine) => engine.increment_epoch(),
                None => break,
            }
        })
        .expect("cannot spawn the epoch ticker thread");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_is_counted_in_ticks_within_bounds() {
        assert_eq!(deadline_ticks(Duration::from_secs(2)), 200);
        assert_eq!(deadline_ticks(Duration::from_millis(105)), 10);
        assert_eq!(deadline_ticks(Duration::ZERO), 2);
        assert_eq!(deadline_ticks(Duration::from_secs(u64::MAX)), 1 << 32);
    }
}
