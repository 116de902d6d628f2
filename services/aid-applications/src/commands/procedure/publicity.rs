//! Publicity (公示): opening a round publishes what a village board may show (a board number, the
//! programme, the amount — no names); an objection, at the village edge or as
//! `village.publicity.objection.raised.v1`, ends the round and sends the case back to investigation.

use chrono::NaiveDate;
use contracts::{
    aid::PublicityOpened,
    common::{TownshipCode, VillageCode},
    village::PublicityObjectionRaised,
};
use kit::{Principal, Refusal, Role, audit, outbox::Outbox};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::commands::procedure::facts::alive_on;
use crate::commands::procedure::steps::{StepInput, Stepped, service_actor, step};
use crate::commands::procedure::{
    EventRefused, Loaded, convert, internal, load_any_for_update, refused, save, snake, step_date,
};
use crate::domain::actor::Office;
use crate::domain::application::{ApplicationEvent, Status};
use crate::domain::programme::Claim;
use crate::store::{household, member, procedure_publicity};

/// Opens the publicity round and publishes `aid.publicity.opened.v1` for the village board.
pub async fn open_publicity(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    id: Uuid,
    input: &StepInput,
) -> Result<Stepped, Refusal> {
    let on = step_date(input.on)?;
    let stepped = step(
        tx,
        who,
        id,
        &[
            Role::TownshipClerk,
            Role::TownshipApprover,
            Role::DistrictOfficer,
        ],
        "open-publicity",
        |app, actor, r, _| app.open_publicity(actor, on, &r.parameters),
    )
    .await?;
    let ApplicationEvent::PublicityOpened {
        round,
        opened_on,
        closes_on,
        proposed_monthly_amount,
        ..
    } = stepped.event
    else {
        return Err(internal("publicity", "unexpected event"));
    };
    let row = &stepped.loaded.row;
    let h = household::Entity::find_by_id(row.household_id)
        .one(tx)
        .await?
        .ok_or_else(|| internal("household", "missing"))?;
    let size = match stepped.loaded.app.claim {
        Claim::Dibao | Claim::Marginal => member::Entity::find()
            .filter(member::Column::HouseholdId.eq(h.id))
            .all(tx)
            .await?
            .iter()
            .filter(|m| alive_on(m, on))
            .count(),
        Claim::ExtremePoverty(_) | Claim::SinglePersonDibao { .. } => 1,
    };
    let publicity_id = Uuid::now_v7();
    let number = format!(
        "GS-{}-{}-{}",
        row.village_code,
        opened_on.format("%Y%m%d"),
        publicity_id.simple().to_string()[24..].to_uppercase()
    );
    procedure_publicity::Entity::insert(procedure_publicity::ActiveModel {
        id: Set(publicity_id),
        application_id: Set(id),
        round: Set(i32::try_from(round).unwrap_or(i32::MAX)),
        publicity_number: Set(number.clone()),
        township_code: Set(row.township_code.clone()),
        village_code: Set(row.village_code.clone()),
        opened_on: Set(opened_on),
        closes_on: Set(closes_on),
        closed_on: Set(None),
        objection_id: Set(None),
        objection_grounds: Set(None),
    })
    .exec(tx)
    .await?;
    outbox
        .enqueue(
            tx,
            &PublicityOpened {
                publicity_id,
                application_id: id,
                publicity_number: number,
                round,
                programme: convert(stepped.loaded.app.claim.programme())?,
                residence: convert(&h.residence)?,
                household_size: u32::try_from(size).unwrap_or(u32::MAX),
                proposed_monthly_amount_fen: proposed_monthly_amount.0,
                township_code: TownshipCode::parse(&row.township_code)
                    .map_err(|e| internal("township", e))?,
                village_code: VillageCode::parse(&row.village_code)
                    .map_err(|e| internal("village", e))?,
                opened_on,
                closes_on,
            },
        )
        .await
        .map_err(|e| internal("outbox", e))?;
    Ok(stepped)
}

/// Closes the publicity once its days have elapsed.
pub async fn close_publicity(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    input: &StepInput,
) -> Result<Stepped, Refusal> {
    let on = step_date(input.on)?;
    let stepped = step(
        tx,
        who,
        id,
        &[
            Role::TownshipClerk,
            Role::TownshipApprover,
            Role::DistrictOfficer,
        ],
        "close-publicity",
        |app, actor, _, _| app.close_publicity(actor, on),
    )
    .await?;
    procedure_publicity::Entity::update_many()
        .set(procedure_publicity::ActiveModel {
            closed_on: Set(Some(on)),
            ..Default::default()
        })
        .filter(procedure_publicity::Column::ApplicationId.eq(id))
        .filter(procedure_publicity::Column::ClosedOn.is_null())
        .filter(procedure_publicity::Column::ObjectionId.is_null())
        .exec(tx)
        .await?;
    Ok(stepped)
}

/// An objection recorded at the township or village edge.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ObjectionInput {
    /// What was objected (kept here, never published).
    pub summary: String,
    #[serde(default)]
    pub on: Option<NaiveDate>,
}

/// Records an objection to the running publicity: the case goes back to investigation.
pub async fn lodge_objection(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    input: &ObjectionInput,
) -> Result<Stepped, Refusal> {
    let on = step_date(input.on)?;
    let stepped = step(
        tx,
        who,
        id,
        &[
            Role::VillageStaff,
            Role::TownshipClerk,
            Role::TownshipApprover,
        ],
        "lodge-objection",
        |app, actor, _, _| app.lodge_objection(actor, on, &input.summary),
    )
    .await?;
    mark_round_objected(tx, id, Uuid::now_v7(), "other").await?;
    Ok(stepped)
}

async fn mark_round_objected(
    tx: &impl ConnectionTrait,
    application_id: Uuid,
    objection_id: Uuid,
    grounds: &str,
) -> Result<(), Refusal> {
    procedure_publicity::Entity::update_many()
        .set(procedure_publicity::ActiveModel {
            objection_id: Set(Some(objection_id)),
            objection_grounds: Set(Some(grounds.to_owned())),
            ..Default::default()
        })
        .filter(procedure_publicity::Column::ApplicationId.eq(application_id))
        .filter(procedure_publicity::Column::ClosedOn.is_null())
        .filter(procedure_publicity::Column::ObjectionId.is_null())
        .exec(tx)
        .await?;
    Ok(())
}

/// Applies `village.publicity.objection.raised.v1`: the round must be the application's running
/// one and the objection filed while it was on the board.
pub async fn objection_raised(
    tx: &impl ConnectionTrait,
    event: &PublicityObjectionRaised,
    source: &str,
) -> Result<(), EventRefused> {
    let round = procedure_publicity::Entity::find_by_id(event.publicity_id)
        .one(tx)
        .await?
        .filter(|r| r.application_id == event.application_id)
        .ok_or_else(|| {
            EventRefused::Permanent(format!(
                "no publicity {} of application {}",
                event.publicity_id, event.application_id
            ))
        })?;
    if round.objection_id == Some(event.objection_id) {
        return Ok(());
    }
    if event.raised_on < round.opened_on || event.raised_on > round.closes_on {
        return Err(EventRefused::Permanent(format!(
            "the objection was raised on {} but the publicity ran from {} to {}",
            event.raised_on, round.opened_on, round.closes_on
        )));
    }
    let Some(mut loaded): Option<Loaded> = load_any_for_update(tx, event.application_id).await?
    else {
        return Err(EventRefused::Permanent("no such application".into()));
    };
    if loaded.app.status() != Status::InPublicity || round.closed_on.is_some() {
        return Err(EventRefused::Permanent(format!(
            "the application is no longer in this publicity (status {:?})",
            loaded.app.status()
        )));
    }
    let subject = format!("service:{source}");
    let actor = service_actor(
        &subject,
        Office::Village {
            code: event.village_code.as_str().to_owned(),
        },
    );
    let grounds = snake(event.grounds);
    let application_event = loaded
        .app
        .lodge_objection(
            &actor,
            event.raised_on,
            &format!(
                "objection {} at the village board: {grounds}",
                event.objection_id
            ),
        )
        .map_err(|e| EventRefused::Permanent(refused(e).detail.unwrap_or_default()))?;
    loaded.row.version = save(tx, &loaded).await?;
    mark_round_objected(tx, event.application_id, event.objection_id, &grounds).await?;
    let who = Principal::system(subject);
    audit::record(
        tx,
        &who,
        "lodge-objection",
        "application",
        &event.application_id.to_string(),
        &serde_json::to_string(&application_event).unwrap_or_default(),
    )
    .await?;
    Ok(())
}
