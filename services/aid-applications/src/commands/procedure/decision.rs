//! The decision: confirmation by the district, or by a township holding delegated authority (never
//! for a staff-relative case), or rejection with written reasons. A confirmation starts the
//! enrollment in the same transaction; both publish `aid.application.decided.v1`.

use chrono::NaiveDate;
use contracts::{
    aid::{ApplicationDecided, DecisionOutcome, RejectionReason},
    common::{TownshipCode, VillageCode},
};
use kit::{Principal, Refusal, Role, outbox::Outbox};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::commands::enrollment::overlaps::{refuse_covered, settle};
use crate::commands::enrollment::{Payee, StoredEnrollment, start_on_confirmation};
use crate::commands::procedure::steps::{Stepped, step};
use crate::commands::procedure::{convert, internal, load_for_update, step_date};
use crate::commands::reference::township_authority;
use crate::domain::application::{ApplicationEvent, Outcome};
use crate::store::enrollment;

/// The decision as the approver records it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DecisionInput {
    /// approved or rejected.
    #[schema(value_type = String, example = "approved")]
    pub outcome: DecisionOutcome,
    /// Written reasons given to the household; required when rejected.
    #[serde(default)]
    pub reasons: Vec<String>,
    /// Category of the reasons (income_above_line, property_over_limit, not_locally_registered,
    /// household_composition, information_refused, other); default other.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub rejection_reason: Option<RejectionReason>,
    /// Account the benefit is paid to (can also be set later on the enrollment).
    #[serde(default)]
    pub payee: Option<Payee>,
    #[serde(default)]
    pub on: Option<NaiveDate>,
}

/// The decision taken, and the enrollment it started.
pub struct Decided {
    pub stepped: Stepped,
    pub enrollment_id: Option<Uuid>,
}

/// Confirms or rejects; publishes the decision and, on confirmation, starts the enrollment.
pub async fn decide(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    id: Uuid,
    input: &DecisionInput,
) -> Result<Decided, Refusal> {
    let on = step_date(input.on)?;
    let loaded = load_for_update(tx, who, id).await?;
    if input.outcome == DecisionOutcome::Approved {
        refuse_covered(tx, loaded.row.household_id, &loaded.app.claim).await?;
    }
    let township = loaded.row.township_code;
    let authority = township_authority(tx, &township).await?;
    let roles = [Role::TownshipApprover, Role::DistrictApprover];
    let stepped = match input.outcome {
        DecisionOutcome::Approved => {
            step(
                tx,
                who,
                id,
                &roles,
                "confirm-application",
                |app, actor, _, _| app.confirm(actor, authority, on),
            )
            .await?
        }
        DecisionOutcome::Rejected => {
            step(
                tx,
                who,
                id,
                &roles,
                "reject-application",
                |app, actor, _, _| app.reject(actor, on, &input.reasons),
            )
            .await?
        }
    };
    let ApplicationEvent::Decided {
        outcome,
        level,
        decided_on,
        ..
    } = &stepped.event
    else {
        return Err(internal("decision", "unexpected event"));
    };
    let row = &stepped.loaded.row;
    let (amount, start_month, rejection_reason) = match outcome {
        Outcome::Approved {
            monthly_amount,
            start_month,
        } => (Some(*monthly_amount), Some(*start_month), None),
        Outcome::Rejected { .. } => (
            None,
            None,
            Some(input.rejection_reason.unwrap_or(RejectionReason::Other)),
        ),
    };
    outbox
        .enqueue(
            tx,
            &ApplicationDecided {
                application_id: id,
                household_id: row.household_id,
                programme: convert(stepped.loaded.app.claim.programme())?,
                outcome: input.outcome,
                decided_by: convert(*level)?,
                rejection_reason,
                monthly_amount_fen: amount.map(|a| a.0),
                start_month: start_month.map(crate::commands::enrollment::contract_month),
                township_code: TownshipCode::parse(&row.township_code)
                    .map_err(|e| internal("township", e))?,
                village_code: VillageCode::parse(&row.village_code)
                    .map_err(|e| internal("village", e))?,
                decided_on: *decided_on,
            },
        )
        .await
        .map_err(|e| internal("outbox", e))?;
    let enrollment_id = match amount {
        Some(amount) => {
            let started = start_on_confirmation(
                tx,
                outbox,
                &stepped.loaded,
                *decided_on,
                amount,
                input.payee.as_ref(),
            )
            .await?;
            let stored = enrollment::Entity::find_by_id(started)
                .one(tx)
                .await?
                .ok_or_else(|| internal("enrollment", "just started, not found"))?;
            settle(
                tx,
                outbox,
                who,
                &mut StoredEnrollment::from_row(stored)?,
                *decided_on,
            )
            .await?;
            Some(started)
        }
        None => None,
    };
    Ok(Decided {
        stepped,
        enrollment_id,
    })
}
