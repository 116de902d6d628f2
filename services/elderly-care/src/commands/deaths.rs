//! A death record from the civil registry: the person's visit plans are cancelled, a home care bed
//! is closed (and the closure published), the left-behind register entry ends; the death is kept so
//! a late enrollment event plans nothing for the person.

use contracts::elderly::HomeBedCloseReason;
use kit::outbox::Outbox;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::{ApplyError, home_beds, left_behind, visits};
use crate::{
    domain::home_bed::HomeBedStatus,
    store::{death, home_bed, visit_plan},
};

/// What a death record changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeathOutcome {
    pub plans_cancelled: u64,
    pub beds_closed: u64,
    pub registrations_ended: u64,
}

/// Applies a death of the person with this `person_ref` on `date_of_death`. A person this service
/// does not know is not an error: the death is still remembered.
pub async fn record_death(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    person_ref: &str,
    date_of_death: chrono::NaiveDate,
) -> Result<DeathOutcome, ApplyError> {
    if death::Entity::find_by_id(person_ref.to_owned())
        .one(tx)
        .await?
        .is_none()
    {
        death::Entity::insert(death::ActiveModel {
            person_ref: Set(person_ref.to_owned()),
            date_of_death: Set(date_of_death),
            recorded_at: Set(kit::clock::now()),
        })
        .exec(tx)
        .await?;
    }
    let plans_cancelled = visits::cancel_plans(
        tx,
        Condition::all().add(visit_plan::Column::PersonRef.eq(person_ref)),
        "death",
        date_of_death,
    )
    .await?;
    let mut beds_closed = 0;
    // Locked in id order: a bed's assessment, installation or closure in progress finishes first
    // (its own If-Match then meets the death's change), and the closure below saves at the
    // bed's current version.
    let open = home_bed::Entity::find()
        .filter(home_bed::Column::PersonRef.eq(person_ref))
        .filter(home_bed::Column::Status.is_in(HomeBedStatus::OPEN.map(HomeBedStatus::as_str)))
        .order_by_asc(home_bed::Column::Id)
        .lock_exclusive()
        .all(tx)
        .await?;
    for bed in open {
        let on = bed
            .established_on
            .map_or(date_of_death, |d| d.max(date_of_death));
        home_beds::close_bed(tx, outbox, &bed, HomeBedCloseReason::Death, on)
            .await
            .map_err(|p| {
                tracing::error!(problem = ?p.kind, "closing a home care bed on death");
                if p.class == kit::refusal::Class::Stale {
                    // Changed since read: try the event again rather than dead-letter a death.
                    ApplyError::Changed("home bed")
                } else {
                    ApplyError::Contract("home bed")
                }
            })?;
        beds_closed += 1;
    }
    let registrations_ended =
        left_behind::end_for_person(tx, person_ref, "death", date_of_death).await?;
    Ok(DeathOutcome {
        plans_cancelled,
        beds_closed,
        registrations_ended,
    })
}
