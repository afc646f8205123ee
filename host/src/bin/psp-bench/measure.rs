//! The timing harness: warm-up, then rounds that take turns between the operations compared.

use std::time::{Duration, Instant};

use anyhow::Result;
use psp_host::PolicyHost;

use crate::stats::{stats, Stats};

/// A timed run spends at least this many iterations, whatever the budget.
const MIN_ITERATIONS: usize = 10;
/// ... and at most this many.
const MAX_ITERATIONS: usize = 5_000;

/// Rounds in which [`measure`] alternates the operations it compares.
const ROUNDS: usize = 10;

/// Times each of `operations` for `budget`: a warm-up (a tenth of the budget, at least two calls
/// each), then [`ROUNDS`] rounds that take turns between the operations, so that a change of
/// machine load weighs on all of them alike. Each gets at least [`MIN_ITERATIONS`] and at most
/// [`MAX_ITERATIONS`] timed calls.
pub(crate) fn measure(
    budget: Duration,
    operations: &mut [&mut dyn FnMut() -> Result<()>],
) -> Result<Vec<Stats>> {
    for operation in operations.iter_mut() {
        let warm_up = Instant::now();
        let mut calls = 0;
        while calls < 2 || warm_up.elapsed() < budget / 10 {
            operation()?;
            calls += 1;
        }
    }
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); operations.len()];
    for round in 1..=ROUNDS {
        for (operation, samples) in operations.iter_mut().zip(samples.iter_mut()) {
            let started = Instant::now();
            let floor = MIN_ITERATIONS * round / ROUNDS;
            let cap = MAX_ITERATIONS * round / ROUNDS;
            while samples.len() < floor
                || (samples.len() < cap && started.elapsed() < budget / ROUNDS as u32)
            {
                let t = Instant::now();
                operation()?;
                samples.push(t.elapsed().as_secs_f64() * 1e6);
            }
        }
    }
    Ok(samples.into_iter().map(stats).collect())
}

/// Times `operation` against `floor` (when there is one), taking turns.
pub(crate) fn measure_against(
    budget: Duration,
    mut operation: impl FnMut() -> Result<()>,
    floor: Option<impl FnMut() -> Result<()>>,
) -> Result<(Stats, Option<Stats>)> {
    match floor {
        Some(mut floor) => {
            let stats = measure(budget, &mut [&mut operation, &mut floor])?;
            Ok((stats[0], Some(stats[1])))
        }
        None => Ok((measure(budget, &mut [&mut operation])?[0], None)),
    }
}

/// One evaluation with a fresh instance (instantiation, call, drop), as policy-server does.
pub(crate) fn fresh_call(host: &PolicyHost, operation: &str, payload: &[u8]) -> Result<()> {
    let instance = host.fresh_instance()?;
    let answer = instance.call(operation, payload)?;
    std::hint::black_box(answer);
    drop(instance);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn without_a_budget_each_operation_gets_its_minimum_after_a_two_call_warm_up() {
        let (calls, floor_calls) = (Cell::new(0), Cell::new(0));
        let (stats, floor) = measure_against(
            Duration::ZERO,
            || {
                calls.set(calls.get() + 1);
                Ok(())
            },
            Some(|| {
                floor_calls.set(floor_calls.get() + 1);
                Ok(())
            }),
        )
        .unwrap();
        assert_eq!(stats.iterations, MIN_ITERATIONS);
        assert_eq!(floor.map(|f| f.iterations), Some(MIN_ITERATIONS));
        assert_eq!(
            (calls.get(), floor_calls.get()),
            (2 + MIN_ITERATIONS, 2 + MIN_ITERATIONS)
        );
    }

    #[test]
    fn a_failing_operation_fails_the_measure() {
        let failing = || -> Result<()> { Err(anyhow::anyhow!("trap")) };
        let err = measure_against(Duration::ZERO, failing, None::<fn() -> Result<()>>).unwrap_err();
        assert_eq!(err.to_string(), "trap");
    }
}
