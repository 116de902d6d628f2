//! The verification platform's answer (`partner.verification.completed.v1`), recorded on the
//! request it answers; the review then rests on it (property over the limits fails the assessment,
//! a refusal blocks the review).

use contracts::partner::VerificationCompleted;
use kit::{Principal, audit};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::commands::procedure::facts::VerifiedIncome;
use crate::commands::procedure::{EventRefused, internal, snake};
use crate::store::procedure_verification;

/// Records the answer; refuses for good an answer to no request of ours, or naming another
/// application or household.
pub async fn verification_completed(
    tx: &impl ConnectionTrait,
    event: &VerificationCompleted,
) -> Result<(), EventRefused> {
    let request = procedure_verification::Entity::find_by_id(event.request_id)
        .one(tx)
        .await?
        .ok_or_else(|| {
            EventRefused::Permanent(format!("no verification request {}", event.request_id))
        })?;
    if request.application_id != event.application_id || request.household_id != event.household_id
    {
        return Err(EventRefused::Permanent(format!(
            "request {} is for another application or household",
            event.request_id
        )));
    }
    if request.outcome.is_some() {
        // Answered before (a second answer does not overwrite the evidence a review used).
        return Ok(());
    }
    if let Some(m) = event
        .members
        .iter()
        .find(|m| !(0..=crate::commands::households::MAX_FEN).contains(&m.monthly_income_fen))
    {
        return Err(EventRefused::Permanent(format!(
            "member {} has an impossible monthly income {}",
            m.person_ref.as_str(),
            m.monthly_income_fen
        )));
    }
    let findings = serde_json::to_string(&event.findings).map_err(|e| internal("findings", e))?;
    let incomes: Vec<VerifiedIncome> = event
        .members
        .iter()
        .map(|m| VerifiedIncome {
            person_ref: m.person_ref.as_str().to_owned(),
            monthly_income_fen: m.monthly_income_fen,
            employed: m.employed,
        })
        .collect();
    let member_incomes = serde_json::to_string(&incomes).map_err(|e| internal("members", e))?;
    procedure_verification::Entity::update_many()
        .set(procedure_verification::ActiveModel {
            outcome: Set(Some(snake(event.outcome))),
            household_monthly_income_fen: Set(event.household_monthly_income_fen),
            property_within_limits: Set(event.property_within_limits),
            findings: Set(findings.clone()),
            completed_on: Set(Some(event.completed_on)),
            member_incomes: Set(member_incomes),
            ..Default::default()
        })
        .filter(procedure_verification::Column::Id.eq(request.id))
        .exec(tx)
        .await?;
    let who = Principal::system("partner:verification");
    audit::record(
        tx,
        &who,
        "verification-completed",
        "application",
        &request.application_id.to_string(),
        &format!(
            "request {}: {} {findings}",
            request.id,
            snake(event.outcome)
        ),
    )
    .await?;
    Ok(())
}
