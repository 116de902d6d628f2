//! Money as integer fen (分) and ratios as integer per-mille (‰): benefit arithmetic must be exact
//! and reproducible to the fen, so no floating point appears anywhere in the aid rules.

use std::fmt;

use serde::{Deserialize, Serialize};

pub use contracts::money::Fen;

/// A ratio in thousandths: 300 ‰ = 30 %, 1 500 ‰ = 1.5 ×, 3 000 ‰ = 3 ×.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PerMille(pub u32);

impl PerMille {
    /// This ratio of `amount`, rounded to the nearest fen (halves away from zero). Thresholds
    /// compare with [`PerMille::value_is_below`] instead, which does not round.
    pub fn of(self, amount: Fen) -> Fen {
        let scaled = i128::from(amount.0) * i128::from(self.0);
        let half = if scaled < 0 { -500 } else { 500 };
        // |amount| ≤ i64::MAX and the ratio is a u32, so the quotient fits back into i64 for every
        // ratio below 1000 × and any realistic amount; saturate rather than wrap otherwise.
        Fen(
            i64::try_from((scaled + half) / 1000).unwrap_or(if scaled < 0 {
                i64::MIN
            } else {
                i64::MAX
            }),
        )
    }

    /// True when `value < ratio × base`, compared exactly (no rounding): the marginal-household
    /// test `income < 1.5 × standard` must not flip on a rounded fen.
    pub fn value_is_below(self, value: Fen, base: Fen) -> bool {
        i128::from(value.0) * 1000 < i128::from(base.0) * i128::from(self.0)
    }
}

/// Shown as a percentage when it is a whole one (`30%`, `150%`), else in per-mille (`333‰`).
impl fmt::Display for PerMille {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_multiple_of(10) {
            write!(f, "{}%", self.0 / 10)
        } else {
            write!(f, "{}‰", self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_per_mille_ratio_of_an_amount_rounds_to_the_nearest_fen() {
        let cases = [
            (300, 63_600, 19_080),
            (300, 51_500, 15_450),
            (3_000, 63_600, 190_800),
            (1_300, 63_600, 82_680),
            (333, 1, 0),
            (500, 1, 1),
            (500, -1, -1),
        ];
        for (ratio, amount, expected) in cases {
            assert_eq!(
                PerMille(ratio).of(Fen(amount)),
                Fen(expected),
                "{ratio}‰ of {amount}"
            );
        }
    }

    #[test]
    fn ratios_display_as_percentages_when_whole() {
        assert_eq!(PerMille(300).to_string(), "30%");
        assert_eq!(PerMille(1_500).to_string(), "150%");
        assert_eq!(PerMille(333).to_string(), "333‰");
    }

    #[test]
    fn the_exact_ratio_comparison_is_strict_at_the_boundary() {
        let one_and_a_half = PerMille(1_500);
        assert!(one_and_a_half.value_is_below(Fen(95_399), Fen(63_600)));
        assert!(!one_and_a_half.value_is_below(Fen(95_400), Fen(63_600)));
    }
}
