//! Withdrawing a subsidy case at the person's (or guardian's) request: a case not yet granted is
//! closed without an event; a granted case ends with `withdrawn`, the month of the request still
//! paid. Recorded by the township of the case (or the district), with the written reason.

use chrono::NaiveDate;
use contracts::common::Month;
use kit::{Principal, Refusal, Role, audit, outbox::Outbox};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{applications::SubsidyView, cases, today};
use crate::{domain::months::Stop, store::entities::subsidy};

/// A withdrawal request.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Withdrawal {
    /// The written reason (the person's request, as recorded).
    pub reason: String,
    /// The date of the request (default today); never in the future. Its month is still paid.
    #[serde(default)]
    pub requested_on: Option<NaiveDate>,
}

/// Withdraws a case of the caller's division.
pub async fn withdraw(
    db: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    id: Uuid,
    version: i32,
    input: &Withdrawal,
) -> Result<SubsidyView, Refusal> {
    who.require(&[
        Role::TownshipClerk,
        Role::TownshipApprover,
        Role::DistrictOfficer,
    ])?;
    let reason = input.reason.trim();
    if reason.is_empty() {
        return Err(Refusal::invalid(
            "reason",
            "a withdrawal carries its written reason",
        ));
    }
    let today = today();
    let requested_on = input.requested_on.unwrap_or(today);
    if requested_on > today {
        return Err(Refusal::invalid("requested_on", "cannot be in the future"));
    }
    let case = subsidy::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|c| who.sees(&c.township_code))
        .ok_or_else(|| Refusal::not_found("no such subsidy case in your division"))?;
    if case.version != version {
        return Err(Refusal::changed_meanwhile());
    }
    if case.open_key.is_none() {
        return Err(Refusal::conflict(
            "case-closed",
            format!("the case is already {}", case.status),
        ));
    }
    let stop = Stop::Withdrawn {
        month: Month::from_date(requested_on),
    };
    let ended = cases::end(db, outbox, case, stop, requested_on)
        .await?
        .ok_or_else(Refusal::internal)?;
    audit::record(
        db,
        who,
        "withdraw-subsidy",
        "subsidy",
        &id.to_string(),
        &format!("requested on {requested_on}: {reason}"),
    )
    .await?;
    Ok(ended.into())
}
