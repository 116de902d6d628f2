//! Submitting an application through the domain state machine: one open application per household
//! and programme, none while an enrollment in it runs; the aggregate is stored next to its indexed
//! columns and `aid.application.submitted.v1` is written in the same transaction.

use chrono::NaiveDate;
use contracts::{
    aid::{ApplicationChannel, ApplicationSubmitted, Programme, Residence},
    common::{PersonRef, TownshipCode, VillageCode},
};
use kit::{Principal, Refusal, Role, audit, outbox::Outbox};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::commands::actor::actor_of;
use crate::commands::enrollment::overlaps::refuse_covered;
use crate::commands::procedure::facts::alive_on;
use crate::commands::procedure::{Loaded, convert, internal, snake, status_name, step_date};
use crate::domain::application::{self, Application, Status};
use crate::domain::calendar::WorkCalendar;
use crate::domain::integrity::StaffRelativeLookup;
use crate::domain::programme::{CareLevel, Claim, ExtremePovertySupport, SupportMode};
use crate::domain::reference::Parameters;
use crate::store::{application as row, enrollment, household, member};

/// Statuses in which an application is still open (undecided).
pub const OPEN_STATUSES: [&str; 6] = [
    "submitted",
    "accepted",
    "investigating",
    "reviewed",
    "in_publicity",
    "publicity_closed",
];

/// What the clerk submits.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewApplication {
    pub household_id: Uuid,
    /// dibao, extreme_poverty, marginal or single_person_dibao.
    #[schema(value_type = String, example = "dibao")]
    pub programme: Programme,
    /// window, online, hotline, cross_region or active_discovery.
    #[schema(value_type = String, example = "window")]
    pub channel: ApplicationChannel,
    /// The member claimed for: required for extreme_poverty and single_person_dibao.
    #[serde(default)]
    pub member_id: Option<Uuid>,
    /// institutional or dispersed: required for extreme_poverty.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub support_mode: Option<SupportMode>,
    /// full_self_care, partial_care or full_care: required for extreme_poverty.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub care_level: Option<CareLevel>,
    /// Date the application was received (default today; never in the future).
    #[serde(default)]
    pub submitted_on: Option<NaiveDate>,
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
    pub submitted_on: NaiveDate,
    pub staff_relative: bool,
    /// ETag version.
    pub version: i32,
    /// The claim (programme, member, support mode, care level).
    #[schema(value_type = Object)]
    pub claim: Value,
    pub proposed_monthly_amount_fen: Option<i64>,
    pub objection_pending: bool,
    pub investigation_rounds: usize,
    /// Publicity rounds (opened, closes, closed, objection).
    #[schema(value_type = Vec<Object>)]
    pub publicity: Vec<Value>,
    /// The decision, once taken.
    #[schema(value_type = Option<Object>)]
    pub decision: Option<Value>,
    /// Due dates in working days (when the reference data allows computing them).
    #[schema(value_type = Option<Object>)]
    pub deadlines: Option<Value>,
}

impl ApplicationView {
    /// The view of a loaded application; deadlines when calendar and parameters are given.
    pub fn of(loaded: &Loaded, reference: Option<(&WorkCalendar, &Parameters)>) -> Self {
        let (r, a) = (&loaded.row, &loaded.app);
        Self {
            id: r.id,
            household_id: r.household_id,
            programme: r.programme.clone(),
            channel: r.channel.clone(),
            status: status_name(a.status()),
            township_code: r.township_code.clone(),
            village_code: r.village_code.clone(),
            submitted_on: r.submitted_on,
            staff_relative: r.staff_relative,
            version: r.version,
            claim: serde_json::to_value(a.claim).unwrap_or_default(),
            proposed_monthly_amount_fen: a.proposed_amount().map(|f| f.0),
            objection_pending: a.objection_pending(),
            investigation_rounds: a.investigations().len(),
            publicity: a
                .publicity()
                .iter()
                .filter_map(|p| serde_json::to_value(p).ok())
                .collect(),
            decision: a.decision().and_then(|d| serde_json::to_value(d).ok()),
            deadlines: reference
                .and_then(|(c, p)| a.deadlines(c, p).ok())
                .and_then(|d| serde_json::to_value(d).ok()),
        }
    }
}

fn claim_of(input: &NewApplication, members: &[member::Model]) -> Result<Claim, Refusal> {
    let member = |required: bool| -> Result<Option<Uuid>, Refusal> {
        match input.member_id {
            None if required => Err(Refusal::invalid(
                "member_id",
                "required for this programme: the member claimed for",
            )),
            Some(id)
                if !members
                    .iter()
                    .any(|m| m.id == id && m.deceased_on.is_none()) =>
            {
                Err(Refusal::invalid(
                    "member_id",
                    "not a living member of this household",
                ))
            }
            other => Ok(other),
        }
    };
    Ok(match input.programme {
        Programme::Dibao => Claim::Dibao,
        Programme::Marginal => Claim::Marginal,
        Programme::SinglePersonDibao => Claim::SinglePersonDibao {
            member: member(true)?.unwrap_or_default(),
        },
        Programme::ExtremePoverty => {
            let member = member(true)?.unwrap_or_default();
            let mode = input
                .support_mode
                .ok_or_else(|| Refusal::invalid("support_mode", "required for extreme_poverty"))?;
            let care_level = input
                .care_level
                .ok_or_else(|| Refusal::invalid("care_level", "required for extreme_poverty"))?;
            Claim::ExtremePoverty(ExtremePovertySupport {
                member,
                mode,
                care_level,
            })
        }
    })
}

/// The staff-relative lookup for a household: the register (近亲属备案), or the flag set at
/// registration when the register does not name the staff member.
async fn staff_relatives(
    tx: &impl ConnectionTrait,
    h: &household::Model,
) -> Result<StaffRelativeLookup, Refusal> {
    let found = crate::commands::integrity::relatives::lookup(tx, h.id).await?;
    Ok(match found {
        StaffRelativeLookup::NotRegistered if h.staff_relative => StaffRelativeLookup::Registered {
            relations: Vec::new(),
        },
        other => other,
    })
}

/// Records the application and its event; refuses a household outside the caller's division, a
/// second open application for the same programme, and one while an enrollment in it runs.
pub async fn submit_application(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    input: &NewApplication,
) -> Result<ApplicationView, Refusal> {
    who.require(&[Role::TownshipClerk])?;
    let submitted_on = step_date(input.submitted_on)
        .map_err(|_| Refusal::invalid("submitted_on", "cannot be in the future"))?;
    let household = household::Entity::find_by_id(input.household_id)
        .one(tx)
        .await?
        .filter(|h| who.sees(&h.village_code))
        .ok_or_else(|| {
            Refusal::not_found("no such household in your division")
                .field("household_id", "unknown")
        })?;
    let members = member::Entity::find()
        .filter(member::Column::HouseholdId.eq(household.id))
        .all(tx)
        .await?;
    let claim = claim_of(input, &members)?;
    let programme = snake(input.programme);
    let open = row::Entity::find()
        .filter(row::Column::HouseholdId.eq(household.id))
        .filter(row::Column::Programme.eq(programme.clone()))
        .filter(row::Column::Status.is_in(OPEN_STATUSES))
        .one(tx)
        .await?;
    if let Some(open) = open {
        return Err(Refusal::conflict(
            "open-application-exists",
            format!(
                "application {} for this household and programme is still open",
                open.id
            ),
        ));
    }
    let enrolled = enrollment::Entity::find()
        .filter(enrollment::Column::HouseholdId.eq(household.id))
        .filter(enrollment::Column::Programme.eq(programme.clone()))
        .filter(enrollment::Column::Status.ne("ended"))
        .one(tx)
        .await?;
    if let Some(e) = enrolled {
        return Err(Refusal::conflict(
            "already-enrolled",
            format!(
                "the household is enrolled in this programme (enrollment {})",
                e.id
            ),
        ));
    }
    refuse_covered(tx, household.id, &claim).await?;
    let head = members
        .iter()
        .find(|m| m.relationship == "head")
        .ok_or_else(|| Refusal::conflict("no-head-of-household", "the household has no head"))?;
    let id = Uuid::now_v7();
    let actor = actor_of(who);
    let staff_relatives = staff_relatives(tx, &household).await?;
    let (app, event) = Application::submit(application::NewApplication {
        id,
        household_id: household.id,
        claim,
        channel: convert(input.channel)?,
        township: household.township_code.clone(),
        submitted_on,
        submitted_by: actor.id,
        staff_relatives,
    });
    let model = row::Model {
        id,
        household_id: household.id,
        programme,
        channel: snake(input.channel),
        status: status_name(Status::Submitted),
        township_code: household.township_code.clone(),
        village_code: household.village_code.clone(),
        submitted_by: who.subject.clone(),
        submitted_on,
        staff_relative: app.staff_relatives.is_registered(),
        created_at: kit::clock::now(),
        version: 1,
        state: serde_json::to_string(&app).map_err(|e| internal("state", e))?,
        facts: String::new(),
    };
    row::Entity::insert(row::ActiveModel {
        id: Set(model.id),
        household_id: Set(model.household_id),
        programme: Set(model.programme.clone()),
        channel: Set(model.channel.clone()),
        status: Set(model.status.clone()),
        township_code: Set(model.township_code.clone()),
        village_code: Set(model.village_code.clone()),
        submitted_by: Set(model.submitted_by.clone()),
        submitted_on: Set(submitted_on),
        staff_relative: Set(model.staff_relative),
        created_at: Set(model.created_at),
        version: Set(1),
        state: Set(model.state.clone()),
        facts: Set(String::new()),
    })
    .exec(tx)
    .await?;
    let stored =
        |what: &'static str| move |_| internal(what, "stored data does not fit the contract");
    outbox
        .enqueue(
            tx,
            &ApplicationSubmitted {
                application_id: id,
                household_id: household.id,
                applicant_ref: PersonRef::parse(&head.person_ref).map_err(stored("person_ref"))?,
                programme: input.programme,
                residence: if household.residence == "urban" {
                    Residence::Urban
                } else {
                    Residence::Rural
                },
                household_size: u32::try_from(
                    members.iter().filter(|m| alive_on(m, submitted_on)).count(),
                )
                .unwrap_or(u32::MAX),
                township_code: TownshipCode::parse(&household.township_code)
                    .map_err(stored("township"))?,
                village_code: VillageCode::parse(&household.village_code)
                    .map_err(stored("village"))?,
                channel: input.channel,
                staff_relative: model.staff_relative,
                submitted_on,
            },
        )
        .await
        .map_err(|e| internal("outbox", e))?;
    audit::record(
        tx,
        who,
        "submit-application",
        "application",
        &id.to_string(),
        &serde_json::to_string(&event).unwrap_or_default(),
    )
    .await?;
    Ok(ApplicationView::of(
        &Loaded {
            row: model,
            app,
            facts: Default::default(),
        },
        None,
    ))
}
