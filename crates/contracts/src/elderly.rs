//! Events elderly-care publishes on the `ELDERLY` stream: overdue dispersed-support visits and
//! home care beds.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Event;
use crate::common::{PersonRef, TownshipCode, VillageCode};

/// A planned visit to a person in dispersed extreme-poverty support was not recorded in time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitOverdue {
    /// The visit plan.
    pub visit_plan_id: Uuid,
    /// The person to visit.
    pub person_ref: PersonRef,
    /// The aid enrollment the plan was made for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrollment_id: Option<Uuid>,
    /// Date the visit was due.
    pub due_on: NaiveDate,
    /// Date of the last recorded visit, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_visited_on: Option<NaiveDate>,
    /// Number of consecutive visits now missed.
    pub missed_visits: u32,
    /// Township of the person.
    pub township_code: TownshipCode,
    /// Village or community of the person.
    pub village_code: VillageCode,
    /// Date the overdue visit was detected.
    pub detected_on: NaiveDate,
    /// Which plan was missed; absent means a dispersed-support plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_kind: Option<VisitPlanKind>,
}

/// The kind of visit plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitPlanKind {
    /// Dispersed extreme-poverty support (分散特困探访).
    DispersedSupport,
    /// A left-behind rural elderly person (留守老人).
    LeftBehind,
}

impl Event for VisitOverdue {
    const SUBJECT: &'static str = "elderly.visit.overdue.v1";
}

/// A home care bed (家庭养老床位) was established.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeBedEstablished {
    /// The home care bed.
    pub home_bed_id: Uuid,
    /// The older person cared for.
    pub person_ref: PersonRef,
    /// The service organisation that runs the bed.
    pub provider_id: Uuid,
    /// True when an age-friendly retrofit (适老化改造) of the home was done with it.
    pub retrofit: bool,
    /// Monthly service subsidy, when the bed is subsidised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_subsidy_fen: Option<i64>,
    /// Township of the person.
    pub township_code: TownshipCode,
    /// Village or community of the person.
    pub village_code: VillageCode,
    /// Date the bed went into service.
    pub established_on: NaiveDate,
}

impl Event for HomeBedEstablished {
    const SUBJECT: &'static str = "elderly.home-bed.established.v1";
}

/// Why a home care bed closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HomeBedCloseReason {
    /// The person died.
    Death,
    /// The person moved into an institution.
    MovedToInstitution,
    /// The person moved away.
    MovedAway,
    /// The person withdrew.
    Withdrawn,
    /// The provider stopped the service.
    ProviderEnded,
    /// Another reason.
    Other,
}

/// A home care bed was closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeBedClosed {
    /// The home care bed.
    pub home_bed_id: Uuid,
    /// The older person cared for.
    pub person_ref: PersonRef,
    /// Why it closed.
    pub reason: HomeBedCloseReason,
    /// Township of the person.
    pub township_code: TownshipCode,
    /// Village or community of the person.
    pub village_code: VillageCode,
    /// Date the bed was closed.
    pub closed_on: NaiveDate,
}

impl Event for HomeBedClosed {
    const SUBJECT: &'static str = "elderly.home-bed.closed.v1";
}
