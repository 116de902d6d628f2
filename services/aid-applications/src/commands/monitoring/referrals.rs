//! Referrals to specialised assistance (分层分类: medical, education, housing, employment),
//! published as `aid.referral.requested.v1` for the partner agency that provides it.

use contracts::{
    aid::{Assistance, ReferralRequested, ReferralSource},
    common::{PersonRef, TownshipCode, VillageCode},
};
use kit::{Principal, Refusal, Role, audit, outbox::Outbox};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::commands::assistance::clock::today;
use crate::store::{household, member, monitoring::referral};
use kit::wire::name as snake;

/// A referral as staff record it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewReferral {
    pub household_id: Uuid,
    /// The member concerned, when the assistance is for one person.
    #[serde(default)]
    pub member_id: Option<Uuid>,
    /// medical, education, housing or employment.
    #[schema(value_type = String, example = "medical")]
    pub assistance: Assistance,
    /// application, review, monitoring, partner_flag or temporary_assistance.
    #[schema(value_type = String, example = "monitoring")]
    pub source: ReferralSource,
    #[serde(default)]
    pub note: String,
}

/// A referral as shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReferralView {
    pub id: Uuid,
    pub household_id: Uuid,
    pub person_ref: Option<String>,
    pub assistance: String,
    pub source: String,
    pub township_code: String,
    pub village_code: String,
    pub requested_on: chrono::NaiveDate,
    pub note: String,
    pub task_id: Option<Uuid>,
}

impl From<referral::Model> for ReferralView {
    fn from(r: referral::Model) -> Self {
        Self {
            id: r.id,
            household_id: r.household_id,
            person_ref: r.person_ref,
            assistance: r.assistance,
            source: r.source,
            township_code: r.township_code,
            village_code: r.village_code,
            requested_on: r.requested_on,
            note: r.note,
            task_id: r.task_id,
        }
    }
}

fn internal(what: &str, e: impl std::fmt::Display) -> Refusal {
    tracing::error!(what, error = %e, "referral");
    Refusal::internal()
}

/// Records a referral of a household of the caller's division and publishes it.
pub async fn refer(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    input: &NewReferral,
    task_id: Option<Uuid>,
) -> Result<ReferralView, Refusal> {
    who.require(&[
        Role::VillageStaff,
        Role::TownshipClerk,
        Role::DistrictOfficer,
    ])?;
    let h = household::Entity::find_by_id(input.household_id)
        .one(tx)
        .await?
        .filter(|h| who.sees(&h.village_code))
        .ok_or_else(|| {
            Refusal::not_found("no such household in your division")
                .field("household_id", "not in your division")
        })?;
    let person_ref = match input.member_id {
        None => None,
        Some(id) => Some(
            member::Entity::find_by_id(id)
                .one(tx)
                .await?
                .filter(|m| m.household_id == h.id)
                .ok_or_else(|| Refusal::invalid("member_id", "not a member of the household"))?
                .person_ref,
        ),
    };
    let model = referral::Model {
        id: Uuid::now_v7(),
        household_id: h.id,
        person_ref,
        assistance: snake(input.assistance),
        source: snake(input.source),
        township_code: h.township_code.clone(),
        village_code: h.village_code.clone(),
        requested_on: today(),
        requested_by: who.subject.clone(),
        note: input.note.trim().to_owned(),
        task_id,
    };
    referral::Entity::insert(referral::ActiveModel::from(model.clone()))
        .exec(tx)
        .await?;
    let event = ReferralRequested {
        referral_id: model.id,
        household_id: model.household_id,
        person_ref: model
            .person_ref
            .as_deref()
            .map(PersonRef::parse)
            .transpose()
            .map_err(|e| internal("person_ref", e))?,
        assistance: input.assistance,
        source: input.source,
        township_code: TownshipCode::parse(&model.township_code)
            .map_err(|e| internal("township", e))?,
        village_code: VillageCode::parse(&model.village_code)
            .map_err(|e| internal("village", e))?,
        requested_on: model.requested_on,
    };
    outbox
        .enqueue(tx, &event)
        .await
        .map_err(|e| internal("outbox", e))?;
    audit::record(
        tx,
        who,
        "request-referral",
        "referral",
        &model.id.to_string(),
        &format!("assistance={} source={}", model.assistance, model.source),
    )
    .await?;
    Ok(model.into())
}

/// Referrals of the caller's division, oldest first.
pub async fn list(
    db: &impl ConnectionTrait,
    who: &Principal,
    cursor: Option<Uuid>,
    limit: u64,
) -> Result<Vec<ReferralView>, Refusal> {
    let mut q = referral::Entity::find()
        .filter(referral::Column::VillageCode.starts_with(who.division.as_str()));
    if let Some(c) = cursor {
        q = q.filter(referral::Column::Id.gt(c));
    }
    Ok(q.order_by_asc(referral::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}
