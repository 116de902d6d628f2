//! Submitting an application: one open application per household and programme; the
//! `aid.application.submitted.v1` event is written in the same transaction.

use chrono::Utc;
use contracts::{
    aid::{ApplicationChannel, ApplicationSubmitted, Programme, Residence},
    common::{PersonRef, TownshipCode, VillageCode},
};
use kit::{Principal, Problem, Role, audit, outbox::Outbox};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::store::{application, household, member};

/// Statuses in which an application is still open.
pub const OPEN_STATUSES: [&str; 5] = [
    "submitted",
    "accepted",
    "investigating",
    "reviewed",
    "in_publicity",
];

/// What the clerk submits.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewApplication {
    pub household_id: Uuid,
    /// dibao, extreme_poverty, marginal or single_person_dibao.
    #[schema(value_type = String)]
    pub programme: Programme,
    /// window, online, hotline or cross_region.
    #[schema(value_type = String)]
    pub channel: ApplicationChannel,
}

/// An application as the edge shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApplicationView {
    pub id: Uuid,
    pub household_id: Uuid,
    pub programme: String,
    pub channel: String,
    pub status: String,
    pub township_code: String,
    pub village_code: String,
    pub submitted_on: chrono::NaiveDate,
    pub staff_relative: bool,
}

impl From<application::Model> for ApplicationView {
    fn from(a: application::Model) -> Self {
        Self {
            id: a.id,
            household_id: a.household_id,
            programme: a.programme,
            channel: a.channel,
            status: a.status,
            township_code: a.township_code,
            village_code: a.village_code,
            submitted_on: a.submitted_on,
            staff_relative: a.staff_relative,
        }
    }
}

fn snake<T: Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Records the application and its event; refuses a household outside the caller's division and a
/// second open application for the same programme.
pub async fn submit_application(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    input: &NewApplication,
) -> Result<ApplicationView, Problem> {
    who.require(&[Role::TownshipClerk])?;
    let household = household::Entity::find_by_id(input.household_id)
        .one(tx)
        .await?
        .filter(|h| who.sees(&h.village_code))
        .ok_or_else(|| {
            Problem::not_found("no such household in your division")
                .field("household_id", "unknown")
        })?;
    let programme = snake(input.programme);
    let open = application::Entity::find()
        .filter(application::Column::HouseholdId.eq(household.id))
        .filter(application::Column::Programme.eq(programme.clone()))
        .filter(application::Column::Status.is_in(OPEN_STATUSES))
        .one(tx)
        .await?;
    if let Some(open) = open {
        return Err(Problem::conflict(
            "open-application-exists",
            format!(
                "application {} for this household and programme is still open",
                open.id
            ),
        ));
    }
    let members = member::Entity::find()
        .filter(member::Column::HouseholdId.eq(household.id))
        .all(tx)
        .await?;
    let head = members
        .iter()
        .find(|m| m.relationship == "head")
        .ok_or_else(|| Problem::conflict("no-head-of-household", "the household has no head"))?;
    let today = Utc::now().date_naive();
    let id = Uuid::now_v7();
    let model = application::Model {
        id,
        household_id: household.id,
        programme,
        channel: snake(input.channel),
        status: "submitted".into(),
        township_code: household.township_code.clone(),
        village_code: household.village_code.clone(),
        submitted_by: who.subject.clone(),
        submitted_on: today,
        staff_relative: household.staff_relative,
        created_at: Utc::now(),
        version: 1,
    };
    application::Entity::insert(application::ActiveModel {
        id: Set(model.id),
        household_id: Set(model.household_id),
        programme: Set(model.programme.clone()),
        channel: Set(model.channel.clone()),
        status: Set(model.status.clone()),
        township_code: Set(model.township_code.clone()),
        village_code: Set(model.village_code.clone()),
        submitted_by: Set(model.submitted_by.clone()),
        submitted_on: Set(today),
        staff_relative: Set(model.staff_relative),
        created_at: Set(model.created_at),
        version: Set(1),
    })
    .exec(tx)
    .await?;
    let residence = if household.residence == "urban" {
        Residence::Urban
    } else {
        Residence::Rural
    };
    let internal = |what: &str| {
        tracing::error!(what, "stored household data does not fit the contract");
        Problem::internal()
    };
    outbox
        .enqueue(
            tx,
            &ApplicationSubmitted {
                application_id: id,
                household_id: household.id,
                applicant_ref: PersonRef::parse(&head.person_ref)
                    .map_err(|_| internal("person_ref"))?,
                programme: input.programme,
                residence,
                household_size: members.iter().filter(|m| m.deceased_on.is_none()).count() as u32,
                township_code: TownshipCode::parse(&household.township_code)
                    .map_err(|_| internal("township"))?,
                village_code: VillageCode::parse(&household.village_code)
                    .map_err(|_| internal("village"))?,
                channel: input.channel,
                staff_relative: household.staff_relative,
                submitted_on: today,
            },
        )
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "outbox");
            Problem::internal()
        })?;
    audit::record(
        tx,
        who,
        "submit-application",
        "application",
        &id.to_string(),
        "",
    )
    .await?;
    Ok(model.into())
}
