//! Division checks every write shares: a village code of one of the district's townships, within
//! the caller's division.

use kit::{Principal, Refusal};
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::store::township;

/// The name of a township of the district, or a problem naming `scope`.
pub async fn township_name(db: &impl ConnectionTrait, code: &str) -> Result<String, Refusal> {
    township::Entity::find_by_id(code.to_owned())
        .one(db)
        .await?
        .map(|t| t.name)
        .ok_or_else(|| Refusal::invalid("scope", "not a township of the district"))
}

/// Checks that `village_code` is a village of one of the district's townships and lies within the
/// caller's division; returns its township code.
pub async fn village_in_scope(
    db: &impl ConnectionTrait,
    who: &Principal,
    field: &str,
    village_code: &str,
) -> Result<String, Refusal> {
    if village_code.len() != 12 || !village_code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Refusal::invalid(
            field,
            "must be a 12-digit village or community code",
        ));
    }
    let township = &village_code[..9];
    if township::Entity::find_by_id(township.to_owned())
        .one(db)
        .await?
        .is_none()
    {
        return Err(Refusal::invalid(field, "not in a township of the district"));
    }
    who.require_scope(village_code)?;
    Ok(township.to_owned())
}

/// Checks that `township_code` is one of the district's townships within the caller's division.
pub async fn township_in_scope(
    db: &impl ConnectionTrait,
    who: &Principal,
    field: &str,
    township_code: &str,
) -> Result<(), Refusal> {
    if township::Entity::find_by_id(township_code.to_owned())
        .one(db)
        .await?
        .is_none()
    {
        return Err(Refusal::invalid(field, "not a township of the district"));
    }
    if who.sees(township_code) {
        Ok(())
    } else {
        Err(Refusal::forbidden(
            "the township lies outside your division",
        ))
    }
}
