//! The OpenAPI schemas of the domain types the API shows as they are: `domain/` knows nothing of
//! OpenAPI, so each is documented here by a mirror with the same name, fields and wire names
//! (`kit::documented_as!`). The tests below hold every mirrored enum to the domain's wire names.
#![allow(dead_code)]

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Which list.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    /// 村民委员会依法自治事项.
    SelfGovernance,
    /// 依法协助政府工作事项.
    AssistingGovernment,
    /// 工作负面事项: work villages must not be given.
    Negative,
    /// 村级组织依法出具证明事项.
    CertificateItems,
}

/// One entry of a list.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ListItem {
    /// Stable code of the matter or certificate (e.g. `ZM-01`).
    pub code: String,
    pub title: String,
}

/// One version of a township's list of one kind.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ListVersion {
    pub id: Uuid,
    pub township_code: String,
    pub kind: ListKind,
    /// 1, 2, … per township and kind.
    pub version: i32,
    pub valid_from: NaiveDate,
    pub items: Vec<ListItem>,
}

/// Stage of a construction project, in order.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Planned,
    Design,
    Construction,
    Completed,
    InService,
}

/// The staffing standard for one community on a date.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct Standard {
    /// Households one worker serves.
    pub households_per_worker: u32,
    /// Fewest workers whatever the size.
    pub minimum_workers: u32,
}

/// A community's staffing against the standard.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct Staffing {
    pub required: u32,
    pub actual: u32,
    /// Workers missing (0 when at or above standard).
    pub shortfall: u32,
    /// Actual as thousandths of required (1000 = exactly at standard).
    pub per_mille_of_standard: u32,
    pub under_standard: bool,
}

/// Pay level (岗位): head (正职), deputy (副职), or member and other full-time workers.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PayLevel {
    Head,
    Deputy,
    Member,
}

/// Social-work qualification held (职业资格).
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Qualification {
    None,
    /// 重庆市社会工作员 (incl. former 社区管理师/管理员).
    Municipal,
    /// 助理社会工作师.
    Assistant,
    /// 社会工作师.
    Intermediate,
    /// 高级社会工作师.
    Senior,
}

/// The pay scale in force for a worker's community on a date, in fen per month.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct PayScale {
    pub base_head: i64,
    pub base_deputy: i64,
    pub base_member: i64,
    pub seniority_per_year: i64,
    pub certificate_senior: i64,
    pub certificate_intermediate: i64,
    pub certificate_assistant: i64,
    pub certificate_municipal: i64,
}

/// Where a publicity stands on a date.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Window {
    NotYetOpen,
    Open,
    Closed,
}

/// The three councils.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CouncilKind {
    /// 村民议事会.
    Deliberation,
    /// 红白理事会.
    Ceremony,
    /// 道德评议会.
    Ethics,
}

/// What one village lacks of 一约三会.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct Coverage {
    pub village_code: String,
    pub has_rules: bool,
    pub missing_councils: Vec<CouncilKind>,
    /// Has its rules and all three councils.
    pub complete: bool,
}

/// The body that votes.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssemblyBody {
    /// 村民会议 attended by the villagers aged 18 and over.
    VillagersAssembly,
    /// 村民会议 attended by one representative per household (户代表).
    VillagersAssemblyHouseholds,
    /// 村民代表会议: may not adopt village rules (reserved to the villagers' assembly).
    VillagerRepresentatives,
    /// 居民会议 attended by the residents aged 18 and over.
    ResidentsAssembly,
    /// 居民会议 attended by one representative per household.
    ResidentsAssemblyHouseholds,
    /// 居民会议 attended by representatives elected by the residents' groups (居民小组).
    ResidentsAssemblyGroupRepresentatives,
}

/// A share of a whole: "more than half" is 1/2 strictly, "two-thirds or more" 2/3 not strictly
/// (in Chinese law 以上 includes the number itself; 过半数 does not).
#[derive(Serialize, Deserialize, ToSchema)]
pub struct Share {
    pub numerator: u32,
    pub denominator: u32,
    /// More than the share (true) or at least the share (false).
    pub strictly_more: bool,
}

/// The thresholds of one body from a date on.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct Threshold {
    pub body: AssemblyBody,
    pub valid_from: NaiveDate,
    /// Share of those entitled who must attend for the meeting to be held.
    pub quorum: Share,
    /// Share of those present who must vote for.
    pub majority: Share,
    /// Whether this body may adopt or amend village rules / residents' conventions.
    pub may_adopt_rules: bool,
    /// The legal basis, for the record.
    pub basis: String,
}

/// The counts a vote record carries.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct Tally {
    /// Those entitled to attend: adult villagers, households, or elected representatives.
    pub entitled: u32,
    pub present: u32,
    pub votes_for: u32,
    pub votes_against: u32,
    pub abstentions: u32,
}

/// What the vote decided.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct Outcome {
    pub quorum_met: bool,
    pub majority_met: bool,
    /// Quorate and carried.
    pub passed: bool,
}

/// Village rules (villages) or a residents' convention (urban communities).
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RulesKind {
    VillageRules,
    ResidentsConvention,
}

/// Where a version stands.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Drafted,
    LegalReviewed,
    LegalityReviewed,
    Voted,
    FiledWithTownship,
    Filed,
    Published,
    /// A later version was published.
    Superseded,
}

kit::documented_as!(crate::domain::lists::ListKind => ListKind);
kit::documented_as!(crate::domain::lists::ListItem => ListItem);
kit::documented_as!(crate::domain::lists::ListVersion => ListVersion);
kit::documented_as!(crate::domain::centres::Stage => Stage);
kit::documented_as!(crate::domain::staffing::Standard => Standard);
kit::documented_as!(crate::domain::staffing::Staffing => Staffing);
kit::documented_as!(crate::domain::staffing::PayLevel => PayLevel);
kit::documented_as!(crate::domain::staffing::Qualification => Qualification);
kit::documented_as!(crate::domain::staffing::PayScale => PayScale);
kit::documented_as!(crate::domain::publicity::Window => Window);
kit::documented_as!(crate::domain::councils::CouncilKind => CouncilKind);
kit::documented_as!(crate::domain::councils::Coverage => Coverage);
kit::documented_as!(crate::domain::vote::AssemblyBody => AssemblyBody);
kit::documented_as!(crate::domain::vote::Share => Share);
kit::documented_as!(crate::domain::vote::Threshold => Threshold);
kit::documented_as!(crate::domain::vote::Tally => Tally);
kit::documented_as!(crate::domain::vote::Outcome => Outcome);
kit::documented_as!(crate::domain::rules::RulesKind => RulesKind);
kit::documented_as!(crate::domain::rules::Status => Status);

#[cfg(test)]
mod tests {
    use kit::edge::openapi::assert_same_wire_names as same_wire_names;

    use super::*;

    #[test]
    fn the_documented_enums_name_the_domain_values() {
        same_wire_names::<crate::domain::lists::ListKind, ListKind>();
        same_wire_names::<crate::domain::centres::Stage, Stage>();
        same_wire_names::<crate::domain::staffing::PayLevel, PayLevel>();
        same_wire_names::<crate::domain::staffing::Qualification, Qualification>();
        same_wire_names::<crate::domain::councils::CouncilKind, CouncilKind>();
        same_wire_names::<crate::domain::vote::AssemblyBody, AssemblyBody>();
        same_wire_names::<crate::domain::rules::RulesKind, RulesKind>();
        same_wire_names::<crate::domain::rules::Status, Status>();
    }
}
