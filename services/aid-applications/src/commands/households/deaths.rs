//! A death record from the civil registry: the member is marked deceased, and the enrollments
//! they were in end or change by the rules of the enrollment lifecycle.

use chrono::NaiveDate;
use contracts::partner::DeathRecorded;
use kit::{
    Principal, Refusal,
    identity::{DivisionCode, IdNumber, PersonRefKey},
    outbox::Outbox,
};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::commands::enrollment::steps::apply_death;
use crate::commands::households::{ChangeKind, record_change};
use crate::store::member;

/// `partner.civil-registry.death.recorded.v1`, in the consumer's transaction: marks the member
/// deceased and ends or changes the enrollments they were in, as the registry (a service actor
/// of the registering division). A record of someone this service does not know changes
/// nothing.
pub async fn death_recorded(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    key: &PersonRefKey,
    event: &DeathRecorded,
) -> Result<(), Refusal> {
    let id = IdNumber::parse(event.id_number.as_str())
        .map_err(|e| Refusal::invalid("id_number", e.to_string()))?;
    let division = DivisionCode::parse(event.registering_division.as_str())
        .map_err(|e| Refusal::invalid("registering_division", e.to_string()))?;
    record_death(tx, key, &id, event.date_of_death).await?;
    let registry = Principal {
        division,
        ..Principal::system("partner:civil-registry")
    };
    apply_death(
        tx,
        outbox,
        &registry,
        key.person_ref(&id).as_str(),
        event.date_of_death,
        event.recorded_on,
    )
    .await?;
    Ok(())
}

/// Marks the member with this ID number deceased and appends the death to the household's
/// change history; a person this service does not know is not an error (the record concerns
/// someone else's programme). Returns whether a member was marked.
pub async fn record_death(
    tx: &impl ConnectionTrait,
    key: &PersonRefKey,
    id_number: &IdNumber,
    died_on: NaiveDate,
) -> Result<bool, sea_orm::DbErr> {
    let person_ref = key.person_ref(id_number);
    let Some(m) = member::Entity::find()
        .filter(member::Column::PersonRef.eq(person_ref.as_str()))
        .filter(member::Column::DeceasedOn.is_null())
        .one(tx)
        .await?
    else {
        return Ok(false);
    };
    member::Entity::update(member::ActiveModel {
        id: Set(m.id),
        deceased_on: Set(Some(died_on)),
        ..Default::default()
    })
    .exec(tx)
    .await?;
    let registry = Principal::system("partner:civil-registry");
    record_change(
        tx,
        &registry,
        m.household_id,
        ChangeKind::MemberDied,
        Some(m.id),
        died_on,
        serde_json::json!({ "relationship": m.relationship }),
    )
    .await?;
    Ok(true)
}
