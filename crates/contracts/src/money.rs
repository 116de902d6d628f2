//! Money on the wire and in every service's rules: integer fen (分). Amounts must be exact and
//! reproducible to the fen, so no floating point appears anywhere; events carry `*_fen` integers.

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
    fn amounts_show_as_yuan_with_two_decimals_whatever_the_sign() {
        for (fen, shown) in [(11_000, "110.00"), (5, "0.05"), (-9_000, "-90.00")] {
            assert_eq!(Fen(fen).to_string(), shown);
        }
        assert_eq!([Fen(1), Fen(2)].into_iter().sum::<Fen>(), Fen(3));
    }
}
