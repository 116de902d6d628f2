//! Fallback guardianship (兜底监护) by civil affairs: started, reviewed on a cadence (reference
//! data) and ended by the district protection centre holding the case.

use chrono::{Days, NaiveDate};
use kit::{Principal, Refusal};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    access::{Loaded, load},
    cases::{Recorded, record_action, save},
    not_future, reference, wire,
};
use crate::domain::{access::Access, level::Level, reference::Param};
use crate::store::{case, guardianship};

/// Temporary (临时监护) or long-term (长期监护) guardianship.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GuardianshipKind {
    Temporary,
    LongTerm,
}

/// Where the child lives meanwhile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    ProtectionCentre,
    KinshipCare,
    FosterFamily,
    WelfareInstitution,
}

/// Starting fallback guardianship.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewGuardianship {
    pub kind: GuardianshipKind,
    /// Legal basis: the court ruling or the article applied.
    pub basis: String,
    pub placement: Placement,
    pub started_on: NaiveDate,
}

/// A review.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GuardianshipReview {
    pub reviewed_on: NaiveDate,
    /// Whether guardianship should continue.
    pub continue_guardianship: bool,
    #[serde(default)]
    pub notes: String,
}

/// Why guardianship ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    GuardianRestored,
    RelativeAppointed,
    Adopted,
    CameOfAge,
    ChildDied,
    Other,
}

/// Ending guardianship.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GuardianshipEnd {
    pub ended_on: NaiveDate,
    pub reason: EndReason,
    #[serde(default)]
    pub notes: String,
}

fn district_owner(loaded: &Loaded) -> Result<(), Refusal> {
    loaded.require(Access::Owner, "decide on fallback guardianship")?;
    loaded.require_open()?;
    if Level::of_code(&loaded.case.owner_unit) != Some(Level::District) {
        return Err(Refusal::conflict(
            "not-at-district",
            "fallback guardianship is decided by the district protection centre: escalate or transfer the case first",
        ));
    }
    Ok(())
}

async fn active(
    tx: &impl ConnectionTrait,
    case_id: Uuid,
) -> Result<Option<guardianship::Model>, Refusal> {
    Ok(guardianship::Entity::find()
        .filter(guardianship::Column::CaseId.eq(case_id))
        .filter(guardianship::Column::EndedOn.is_null())
        .one(tx)
        .await?)
}

async fn review_due(tx: &impl ConnectionTrait, from: NaiveDate) -> Result<NaiveDate, Refusal> {
    let refs = reference::load(tx).await?;
    let days = refs
        .value(Param::GuardianshipReviewDays, from)
        .map_err(reference::missing)?;
    Ok(from
        .checked_add_days(Days::new(u64::try_from(days).unwrap_or(0)))
        .unwrap_or(NaiveDate::MAX))
}

/// Starts fallback guardianship.
pub async fn start(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    input: &NewGuardianship,
) -> Result<Recorded, Refusal> {
    let loaded = load(tx, who, id).await?;
    district_owner(&loaded)?;
    if active(tx, id).await?.is_some() {
        return Err(Refusal::conflict(
            "guardianship-active",
            "fallback guardianship is already active",
        ));
    }
    let on = not_future("started_on", input.started_on)?;
    if input.basis.trim().is_empty() {
        return Err(Refusal::invalid("basis", "the legal basis is required"));
    }
    let gid = Uuid::now_v7();
    guardianship::Entity::insert(guardianship::ActiveModel {
        id: Set(gid),
        case_id: Set(id),
        kind: Set(wire(input.kind)),
        basis: Set(input.basis.trim().to_owned()),
        placement: Set(wire(input.placement)),
        started_on: Set(on),
        next_review_on: Set(review_due(tx, on).await?),
        ended_on: Set(None),
        end_reason: Set(None),
        started_by: Set(who.subject.clone()),
    })
    .exec(tx)
    .await?;
    let changes = case::ActiveModel {
        guardianship_active: Set(true),
        ..Default::default()
    };
    let version = save(tx, id, loaded.case.version, changes).await?;
    record_action(
        tx,
        who,
        id,
        "guardianship_started",
        on,
        &wire(input.kind),
        &input.basis,
    )
    .await?;
    Ok(Recorded {
        id: gid,
        case_id: id,
        version,
        due_on: loaded.case.due_on,
    })
}

/// Records a review; the next review falls due a cadence later.
pub async fn review(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    input: &GuardianshipReview,
) -> Result<Recorded, Refusal> {
    let loaded = load(tx, who, id).await?;
    district_owner(&loaded)?;
    let g = active(tx, id).await?.ok_or_else(|| {
        Refusal::conflict("no-guardianship", "no fallback guardianship is active")
    })?;
    let on = not_future("reviewed_on", input.reviewed_on)?;
    if on < g.started_on {
        return Err(Refusal::invalid(
            "reviewed_on",
            "must not be before the guardianship started",
        ));
    }
    guardianship::Entity::update_many()
        .set(guardianship::ActiveModel {
            next_review_on: Set(review_due(tx, on).await?),
            ..Default::default()
        })
        .filter(guardianship::Column::Id.eq(g.id))
        .exec(tx)
        .await?;
    let version = save(tx, id, loaded.case.version, case::ActiveModel::default()).await?;
    let summary = if input.continue_guardianship {
        "continue"
    } else {
        "end recommended"
    };
    record_action(
        tx,
        who,
        id,
        "guardianship_reviewed",
        on,
        summary,
        &input.notes,
    )
    .await?;
    Ok(Recorded {
        id: g.id,
        case_id: id,
        version,
        due_on: loaded.case.due_on,
    })
}

/// Ends fallback guardianship.
pub async fn end(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    input: &GuardianshipEnd,
) -> Result<Recorded, Refusal> {
    let loaded = load(tx, who, id).await?;
    district_owner(&loaded)?;
    let g = active(tx, id).await?.ok_or_else(|| {
        Refusal::conflict("no-guardianship", "no fallback guardianship is active")
    })?;
    let on = not_future("ended_on", input.ended_on)?;
    if on < g.started_on {
        return Err(Refusal::invalid(
            "ended_on",
            "must not be before the guardianship started",
        ));
    }
    guardianship::Entity::update_many()
        .set(guardianship::ActiveModel {
            ended_on: Set(Some(on)),
            end_reason: Set(Some(wire(input.reason))),
            ..Default::default()
        })
        .filter(guardianship::Column::Id.eq(g.id))
        .exec(tx)
        .await?;
    let changes = case::ActiveModel {
        guardianship_active: Set(false),
        ..Default::default()
    };
    let version = save(tx, id, loaded.case.version, changes).await?;
    record_action(
        tx,
        who,
        id,
        "guardianship_ended",
        on,
        &wire(input.reason),
        &input.notes,
    )
    .await?;
    Ok(Recorded {
        id: g.id,
        case_id: id,
        version,
        due_on: loaded.case.due_on,
    })
}
