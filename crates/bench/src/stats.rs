//! Summaries of repeated measurements: the median of the rounds and their spread, and
//! percentiles of latency samples.

use std::time::Duration;

/// The values one figure took over the rounds.
#[derive(Debug, Clone, Default)]
pub struct Rounds(pub Vec<f64>);

impl Rounds {
    pub fn push(&mut self, v: f64) {
        self.0.push(v);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn sorted(&self) -> Vec<f64> {
        let mut v = self.0.clone();
        v.sort_by(f64::total_cmp);
        v
    }

    /// The median (the mean of the middle two for an even count).
    pub fn median(&self) -> f64 {
        let v = self.sorted();
        match v.len() {
            0 => f64::NAN,
            n if n % 2 == 1 => v[n / 2],
            n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
        }
    }

    /// (max − min) / median, in percent.
    pub fn spread_pct(&self) -> f64 {
        let v = self.sorted();
        match (v.first(), v.last()) {
            (Some(lo), Some(hi)) if self.median() != 0.0 => (hi - lo) / self.median() * 100.0,
            _ => 0.0,
        }
    }
}

/// Latency samples in microseconds.
#[derive(Debug, Clone, Default)]
pub struct Latencies(pub Vec<u32>);

impl Latencies {
    pub fn push(&mut self, d: Duration) {
        self.0
            .push(u32::try_from(d.as_micros()).unwrap_or(u32::MAX));
    }

    pub fn extend(&mut self, other: Latencies) {
        self.0.extend(other.0);
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The `p`-th percentile (0–100) in milliseconds, nearest rank.
    pub fn percentile_ms(&self, p: f64) -> f64 {
        if self.0.is_empty() {
            return f64::NAN;
        }
        let mut v = self.0.clone();
        v.sort_unstable();
        let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
        f64::from(v[rank.clamp(1, v.len()) - 1]) / 1000.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(Rounds(vec![4.0, 1.0, 3.0, 2.0]).median(), 2.5);
        assert_eq!(Rounds(vec![5.0, 1.0, 3.0]).median(), 3.0);
    }

    #[test]
    fn the_spread_is_the_range_over_the_median() {
        assert_eq!(Rounds(vec![90.0, 100.0, 110.0]).spread_pct(), 20.0);
    }

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let l = Latencies((1..=100).map(|ms| ms * 1000).collect());
        assert_eq!(l.percentile_ms(50.0), 50.0);
        assert_eq!(l.percentile_ms(99.0), 99.0);
        assert_eq!(l.percentile_ms(100.0), 100.0);
    }
}
