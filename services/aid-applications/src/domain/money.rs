//! Money as integer fen (分) and ratios as integer per-mille (‰): benefit arithmetic must be exact
//! and reproducible to the fen, so no floating point appears anywhere in the aid rules.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Mul, Neg, Sub, SubAssign};

use serde::{Deserialize, Serialize};

/// An amount of money in fen (1 yuan = 100 fen). Signed, because a benefit trail shows deductions.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Fen(pub i64);

impl Fen {
    /// Nothing.
    pub const ZERO: Fen = Fen(0);

    /// `yuan` whole yuan.
    pub const fn from_yuan(yuan: i64) -> Fen {
        Fen(yuan * 100)
    }

    /// The amount in fen.
    pub const fn fen(self) -> i64 {
        self.0
    }

    /// Rounds up (towards positive infinity) to a whole yuan, i.e. a multiple of 100 fen:
    /// 1 908.01 → 1 909.00, −1.50 → −1.00.
    pub fn ceil_to_yuan(self) -> Fen {
        Fen(self.0.div_euclid(100) * 100 + if self.0.rem_euclid(100) == 0 { 0 } else { 100 })
    }

    /// The amount, or zero when it is negative.
    pub fn floor_zero(self) -> Fen {
        self.max(Fen::ZERO)
    }

    /// True when the amount is above zero.
    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// Sum that reports overflow instead of wrapping; ledgers use it.
    pub fn checked_add(self, other: Fen) -> Option<Fen> {
        self.0.checked_add(other.0).map(Fen)
    }

    /// Difference that reports overflow instead of wrapping; ledgers use it.
    pub fn checked_sub(self, other: Fen) -> Option<Fen> {
        self.0.checked_sub(other.0).map(Fen)
    }
}

/// Shown as yuan with two decimals, e.g. `636.00`, `-190.80`.
impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl Add for Fen {
    type Output = Fen;
    fn add(self, rhs: Fen) -> Fen {
        Fen(self.0 + rhs.0)
    }
}

impl Sub for Fen {
    type Output = Fen;
    fn sub(self, rhs: Fen) -> Fen {
        Fen(self.0 - rhs.0)
    }
}

impl Neg for Fen {
    type Output = Fen;
    fn neg(self) -> Fen {
        Fen(-self.0)
    }
}

impl Mul<i64> for Fen {
    type Output = Fen;
    fn mul(self, rhs: i64) -> Fen {
        Fen(self.0 * rhs)
    }
}

impl AddAssign for Fen {
    fn add_assign(&mut self, rhs: Fen) {
        self.0 += rhs.0;
    }
}

impl SubAssign for Fen {
    fn sub_assign(&mut self, rhs: Fen) {
        self.0 -= rhs.0;
    }
}

impl Sum for Fen {
    fn sum<I: Iterator<Item = Fen>>(iter: I) -> Fen {
        iter.fold(Fen::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Fen> for Fen {
    fn sum<I: Iterator<Item = &'a Fen>>(iter: I) -> Fen {
        iter.copied().sum()
    }
}

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
    fn rounding_up_to_whole_yuan_only_moves_amounts_with_a_fen_part() {
        let cases = [
            (0, 0),
            (1, 100),
            (99, 100),
            (100, 100),
            (190_801, 190_900),
            (190_800, 190_800),
            (-1, 0),
            (-150, -100),
            (-200, -200),
        ];
        for (fen, expected) in cases {
            assert_eq!(Fen(fen).ceil_to_yuan(), Fen(expected), "ceil of {fen} fen");
        }
    }

    #[test]
    fn amounts_display_as_yuan_with_two_decimals() {
        let cases = [
            (63_600, "636.00"),
            (19_080, "190.80"),
            (5, "0.05"),
            (-19_080, "-190.80"),
            (0, "0.00"),
        ];
        for (fen, shown) in cases {
            assert_eq!(Fen(fen).to_string(), shown);
        }
    }

    #[test]
    fn arithmetic_adds_subtracts_multiplies_and_sums() {
        assert_eq!(Fen::from_yuan(636) * 3, Fen(190_800));
        assert_eq!(Fen(100) + Fen(50) - Fen(30), Fen(120));
        assert_eq!([Fen(1), Fen(2), Fen(3)].iter().sum::<Fen>(), Fen(6));
        assert_eq!(-Fen(5), Fen(-5));
        assert_eq!(Fen(-5).floor_zero(), Fen::ZERO);
        assert_eq!(Fen(i64::MAX).checked_add(Fen(1)), None);
    }

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
