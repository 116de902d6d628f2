//! The standards and other reference values, and the natural-growth rule: raising every
//! allowance standard by a per-mille rate from a date, as new effective-dated rows, announced for
//! every running allowance.

use chrono::NaiveDate;
use kit::{Principal, Refusal, Role, audit, outbox::Outbox};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    allowance_changes::standards_raised,
    records::{self, not_in_force},
};
use crate::{
    domain::reference::{Standard, grown},
    store::reference_value,
};

/// A natural-growth step.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Growth {
    /// First day the raised standards apply.
    pub valid_from: NaiveDate,
    /// Increase in per-mille (‰), e.g. 50 for 5 %.
    pub per_mille: i64,
    /// The decision that set the rate.
    pub source: String,
}

/// A standard after the step.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Raised {
    pub name: String,
    pub valid_from: NaiveDate,
    pub previous_fen: i64,
    pub value_fen: i64,
}

/// Raises every allowance standard from `valid_from` (rounded up to whole yuan).
///
/// Every allowance running in the first month paid at the raised standards (or starting later)
/// gets `child.allowance.changed.v1` with its new amount.
pub async fn apply_growth(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    input: &Growth,
    today: NaiveDate,
) -> Result<Vec<Raised>, Refusal> {
    who.require(&[Role::DistrictApprover])?;
    if !(0..=500).contains(&input.per_mille) {
        return Err(Refusal::invalid("per_mille", "0 to 500"));
    }
    if input.source.trim().is_empty() {
        return Err(Refusal::invalid(
            "source",
            "required: the decision that set the rate",
        ));
    }
    let reference = records::reference(tx).await?;
    let mut raised = Vec::new();
    for standard in [Standard::OrphanInstitutional, Standard::OrphanFamilyBased] {
        let name = standard.name();
        let exists = reference_value::Entity::find()
            .filter(reference_value::Column::Name.eq(name))
            .filter(reference_value::Column::ValidFrom.eq(input.valid_from))
            .one(tx)
            .await?;
        if exists.is_some() {
            return Err(Refusal::conflict(
                "standard-exists",
                format!("{name} already has a value from {}", input.valid_from),
            )
            .field("valid_from", "a standard already starts on this date"));
        }
        let previous = reference
            .standard(standard, input.valid_from)
            .map_err(not_in_force)?;
        let value = grown(previous, input.per_mille);
        reference_value::Entity::insert(reference_value::ActiveModel {
            name: Set(name.to_owned()),
            valid_from: Set(input.valid_from),
            value: Set(value),
            placeholder: Set(false),
            source: Set(format!(
                "natural growth {}‰: {}",
                input.per_mille,
                input.source.trim()
            )),
            recorded_by: Set(who.subject.clone()),
        })
        .exec(tx)
        .await?;
        raised.push(Raised {
            name: name.to_owned(),
            valid_from: input.valid_from,
            previous_fen: previous,
            value_fen: value,
        });
    }
    let after = records::reference(tx).await?;
    let changed = standards_raised(tx, outbox, &reference, &after, input.valid_from, today).await?;
    audit::record(
        tx,
        who,
        "apply-natural-growth",
        "reference_values",
        &input.valid_from.to_string(),
        &format!("{}‰; {changed} allowances changed", input.per_mille),
    )
    .await?;
    Ok(raised)
}
