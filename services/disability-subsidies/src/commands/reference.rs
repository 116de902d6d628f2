//! Loading the effective-dated reference data the rules run on.

use chrono::NaiveDate;
use contracts::disability::SubsidyKind;
use sea_orm::{ConnectionTrait, EntityTrait};

use super::{CommandError, parse_snake};
use crate::{
    domain::{
        money::Fen,
        reference::{Parameter, Rules, Standard, Standards},
    },
    store::entities::{parameter, standard},
};

/// The standards table.
pub async fn standards(db: &impl ConnectionTrait) -> Result<Standards, CommandError> {
    let rows = standard::Entity::find().all(db).await?;
    Ok(Standards::new(
        rows.into_iter()
            .filter_map(|r| {
                Some(Standard {
                    kind: parse_snake::<SubsidyKind>(&r.subsidy)?,
                    level: u8::try_from(r.level).ok().filter(|l| *l > 0),
                    valid_from: r.valid_from,
                    monthly: Fen(r.monthly_fen),
                    placeholder: r.placeholder,
                })
            })
            .collect(),
    ))
}

/// The rule parameters in force on `date`.
pub async fn rules(db: &impl ConnectionTrait, date: NaiveDate) -> Result<Rules, CommandError> {
    let rows: Vec<Parameter> = parameter::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|p| Parameter {
            name: p.name,
            valid_from: p.valid_from,
            value: p.value,
        })
        .collect();
    Rules::at(&rows, date).map_err(|e| CommandError::Reference(e.to_string()))
}
