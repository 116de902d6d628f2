//! A death record from the civil registry: the member is marked deceased (the enrollment
//! consequences follow the rules of the enrollment lifecycle).

use chrono::NaiveDate;
use kit::{
    Principal,
    identity::{IdNumber, PersonRefKey},
};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::commands::households::{ChangeKind, record_change};
use crate::store::member;

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
