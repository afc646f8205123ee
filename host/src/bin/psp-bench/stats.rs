//! The statistics of a timed run: median and spread (p10, p90) of its samples.

/// Median and spread of a timed run, in microseconds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stats {
    pub(crate) median: f64,
    pub(crate) p10: f64,
    pub(crate) p90: f64,
    pub(crate) iterations: usize,
}

/// The `q` quantile (0..=1) of sorted `samples`, interpolated linearly.
pub(crate) fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = q * (sorted.len() - 1) as f64;
    let (low, high) = (rank.floor() as usize, rank.ceil() as usize);
    sorted[low] + (sorted[high] - sorted[low]) * (rank - low as f64)
}

/// The median, p10 and p90 of `samples` (in any order), and how many there are.
pub(crate) fn stats(mut samples: Vec<f64>) -> Stats {
    samples.sort_by(f64::total_cmp);
    Stats {
        median: quantile(&samples, 0.5),
        p10: quantile(&samples, 0.1),
        p90: quantile(&samples, 0.9),
        iterations: samples.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_between_the_nearest_samples() {
        let sorted = [0.0, 8.0];
        assert_eq!(quantile(&sorted, 0.0), 0.0);
        assert_eq!(quantile(&sorted, 0.25), 2.0);
        assert_eq!(quantile(&sorted, 0.5), 4.0);
        assert_eq!(quantile(&sorted, 1.0), 8.0);
        assert_eq!(quantile(&[0.0, 100.0], 0.1), 10.0);
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.5), 2.5);
        assert_eq!(quantile(&[7.0], 0.9), 7.0);
        assert!(quantile(&[], 0.5).is_nan());
    }

    #[test]
    fn stats_are_the_median_p10_and_p90_of_the_samples_in_any_order() {
        let samples = vec![9.0, 0.0, 4.0, 10.0, 2.0, 7.0, 1.0, 5.0, 8.0, 3.0, 6.0];
        let s = stats(samples);
        assert_eq!((s.median, s.p10, s.p90, s.iterations), (5.0, 1.0, 9.0, 11));

        // An even count: the median lies between the two middle samples.
        let s = stats(vec![40.0, 10.0, 30.0, 20.0]);
        assert_eq!((s.median, s.iterations), (25.0, 4));
        assert_eq!(s.p10, 13.0);
        assert_eq!(s.p90, 37.0);

        let s = stats(vec![3.5]);
        assert_eq!((s.median, s.p10, s.p90, s.iterations), (3.5, 3.5, 3.5, 1));
    }
}
