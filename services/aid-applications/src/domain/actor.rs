//! Who acts on a case and from which office: the state machine's guards (separation of duties,
//! delegated authority, staff relatives) are all questions about the actor.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A staff member's id (from the identity provider).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ActorId(pub Uuid);

impl fmt::Display for ActorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The office a staff member acts for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "level", rename_all = "snake_case")]
pub enum Office {
    /// A village or community (村/社区) committee, by 12-digit code.
    Village {
        /// Village code.
        code: String,
    },
    /// A township or street (镇街), by 9-digit code.
    Township {
        /// Township code.
        code: String,
    },
    /// The district civil-affairs bureau (区民政局).
    District,
}

/// A staff member acting from an office.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Actor {
    /// Who.
    pub id: ActorId,
    /// For which office.
    pub office: Office,
}

impl Actor {
    /// True when the actor acts for the district.
    pub fn is_district(&self) -> bool {
        self.office == Office::District
    }

    /// True when the actor acts for the township `code`.
    pub fn is_township(&self, code: &str) -> bool {
        matches!(&self.office, Office::Township { code: c } if c == code)
    }
}

/// The level that took a decision or approved a grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionLevel {
    /// The township, within delegated authority or its cap.
    Township,
    /// The district.
    District,
}
