//! Events village-governance publishes on the `VILLAGE` stream: objections to aid publicity and
//! filed village rules.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Event;
use crate::common::{TownshipCode, VillageCode};

/// Category of an objection's grounds (the free text stays in village-governance).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectionGrounds {
    /// Income understated.
    IncomeUnderstated,
    /// Property hidden.
    PropertyHidden,
    /// Not living in the village.
    NotResident,
    /// Household composition misstated.
    HouseholdComposition,
    /// Other grounds.
    Other,
}

/// An objection to an aid publicity (公示) was filed at the village.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicityObjectionRaised {
    /// The objection.
    pub objection_id: Uuid,
    /// The publicity round objected to.
    pub publicity_id: Uuid,
    /// The application publicised.
    pub application_id: Uuid,
    /// Category of the grounds.
    pub grounds: ObjectionGrounds,
    /// Township of the village.
    pub township_code: TownshipCode,
    /// Village whose board showed the publicity.
    pub village_code: VillageCode,
    /// Date the objection was filed.
    pub raised_on: NaiveDate,
}

impl Event for PublicityObjectionRaised {
    const SUBJECT: &'static str = "village.publicity.objection.raised.v1";
}

/// Village rules or a residents' convention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RulesKind {
    /// 村规民约.
    VillageRules,
    /// 居民公约.
    ResidentsConvention,
}

/// A version of a village's rules or residents' convention was filed (备案).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesFiled {
    /// The rules document (all its versions).
    pub rules_id: Uuid,
    /// Village rules or residents' convention.
    pub kind: RulesKind,
    /// Version filed, from 1.
    pub version: u32,
    /// Township of the village.
    pub township_code: TownshipCode,
    /// The village or community.
    pub village_code: VillageCode,
    /// Date of the township's legality review (合法性审查).
    pub legality_reviewed_on: NaiveDate,
    /// Date of the assembly vote.
    pub voted_on: NaiveDate,
    /// Date of filing.
    pub filed_on: NaiveDate,
    /// Date of the next periodic review, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_review_due_on: Option<NaiveDate>,
}

impl Event for RulesFiled {
    const SUBJECT: &'static str = "village.rules.filed.v1";
}
