//! A death record from the civil registry: the member is marked deceased (the enrollment
//! consequences follow the rules of the enrollment lifecycle).

use chrono::NaiveDate;
use kit::identity::{IdNumber, PersonRefKey};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::store::member;

/// Marks the member with this ID number deceased; a person this service does not know is not an
/// error (the record concerns someone else's programme). Returns whether a member was marked.
pub async fn record_death(
    tx: &impl ConnectionTrait,
    key: &PersonRefKey,
    id_number: &IdNumber,
    died_on: NaiveDate,
) -> Result<bool, sea_orm::DbErr> {
    let person_ref = key.person_ref(id_number);
    let result = member::Entity::update_many()
        .set(member::ActiveModel {
            deceased_on: Set(Some(died_on)),
            ..Default::default()
        })
        .filter(member::Column::PersonRef.eq(person_ref.as_str()))
        .filter(member::Column::DeceasedOn.is_null())
        .exec(tx)
        .await?;
    Ok(result.rows_affected > 0)
}
