//! The three levels of the protection network as the codes they work at: the district protection
//! centre (6-digit code), township workstations with a child supervisor (9), villages with a child
//! director (12). A case is held by one unit; escalation moves it one level up.

use contracts::minor::CaseLevel;
use serde::{Deserialize, Serialize};

/// A level of the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// A village or community child director (儿童主任).
    Village,
    /// A township minor-protection workstation and its child supervisor (儿童督导员).
    Township,
    /// The district minor protection centre (未成年人救助保护中心).
    District,
}

impl Level {
    /// The level a division code works at, by its length.
    pub fn of_code(code: &str) -> Option<Self> {
        if !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        match code.len() {
            12 => Some(Self::Village),
            9 => Some(Self::Township),
            6 => Some(Self::District),
            _ => None,
        }
    }

    /// The level above, if any.
    pub fn above(self) -> Option<Self> {
        match self {
            Self::Village => Some(Self::Township),
            Self::Township => Some(Self::District),
            Self::District => None,
        }
    }

    /// The unit one level above the unit `code` (a village's township, a township's district).
    pub fn parent_unit(code: &str) -> Option<&str> {
        match Self::of_code(code)? {
            Self::Village => Some(&code[..9]),
            Self::Township => Some(&code[..6]),
            Self::District => None,
        }
    }

    /// Stable name used in the database and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Village => "village",
            Self::Township => "township",
            Self::District => "district",
        }
    }

    /// Parses [`Level::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Village, Self::Township, Self::District]
            .into_iter()
            .find(|l| l.as_str() == s)
    }

    /// The contract's name for the level.
    pub fn contract(self) -> CaseLevel {
        match self {
            Self::Village => CaseLevel::Village,
            Self::Township => CaseLevel::Township,
            Self::District => CaseLevel::District,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_levels_and_units_to_their_parents() {
        let table = [
            ("500112016001", Some(Level::Village), Some("500112016")),
            ("500112016", Some(Level::Township), Some("500112")),
            ("500112", Some(Level::District), None),
            ("5001120", None, None),
            ("50011201600x", None, None),
        ];
        for (code, level, parent) in table {
            assert_eq!(Level::of_code(code), level, "{code}");
            assert_eq!(Level::parent_unit(code), parent, "{code}");
        }
        assert_eq!(Level::Village.above(), Some(Level::Township));
        assert_eq!(Level::District.above(), None);
        assert_eq!(Level::parse("township"), Some(Level::Township));
    }
}
