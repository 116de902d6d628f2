//! Money as integer fen (分): subsidy arithmetic is exact to the fen, never floating point.

use std::fmt;
use std::iter::Sum;
use std::ops::Add;

use serde::{Deserialize, Serialize};

/// An amount in fen (1 yuan = 100 fen).
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
}

/// Yuan with two decimals: `110.00`.
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

impl Sum for Fen {
    fn sum<I: Iterator<Item = Fen>>(iter: I) -> Fen {
        iter.fold(Fen::ZERO, Add::add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_show_as_yuan_with_two_decimals() {
        for (fen, shown) in [(11_000, "110.00"), (5, "0.05"), (-9_000, "-90.00")] {
            assert_eq!(Fen(fen).to_string(), shown);
        }
        assert_eq!([Fen(1), Fen(2)].into_iter().sum::<Fen>(), Fen(3));
    }
}
