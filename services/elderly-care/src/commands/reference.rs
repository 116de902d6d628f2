//! Reading and adding effective-dated reference values.

use chrono::NaiveDate;
use kit::{Principal, Refusal, Role, audit};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    commands::divisions,
    domain::reference::{Effective, Parameter, in_force},
    store::reference_value,
};

/// No value of a parameter is in force on a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no value of `{parameter}`{} is in force on {on}", scope_text(.scope))]
pub struct NotInForce {
    /// The parameter's key.
    pub parameter: &'static str,
    /// Township scope, empty for district-wide.
    pub scope: String,
    /// The date asked about.
    pub on: NaiveDate,
}

fn scope_text(scope: &str) -> String {
    if scope.is_empty() {
        String::new()
    } else {
        format!(" for {scope}")
    }
}

impl From<NotInForce> for Refusal {
    fn from(e: NotInForce) -> Self {
        Refusal::conflict("reference-data-missing", e.to_string())
    }
}

/// The value of `parameter` (scope: township code or "") in force on `on`, if any.
pub async fn value_on(
    db: &impl ConnectionTrait,
    parameter: Parameter,
    scope: &str,
    on: NaiveDate,
) -> Result<Option<i64>, DbErr> {
    let entries: Vec<Effective> = reference_value::Entity::find()
        .filter(reference_value::Column::Parameter.eq(parameter.key()))
        .filter(reference_value::Column::Scope.eq(scope))
        .all(db)
        .await?
        .into_iter()
        .map(|r| Effective {
            from: r.valid_from,
            value: r.value,
        })
        .collect();
    Ok(in_force(&entries, on))
}

/// The district-wide value in force on `on`, or why there is none.
pub async fn require(
    db: &impl ConnectionTrait,
    parameter: Parameter,
    on: NaiveDate,
) -> Result<i64, super::ApplyError> {
    value_on(db, parameter, "", on).await?.ok_or_else(|| {
        NotInForce {
            parameter: parameter.key(),
            scope: String::new(),
            on,
        }
        .into()
    })
}

/// A reference value as shown and as added.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReferenceValue {
    /// e.g. `target.home_care_beds`.
    #[schema(value_type = String, example = "visit.dispersed_support.interval_months")]
    pub parameter: Parameter,
    /// Township code for per-township parameters, else empty.
    #[serde(default)]
    pub scope: String,
    /// First day in force.
    pub valid_from: NaiveDate,
    pub value: i64,
    /// Where the value comes from (the notice, a correction…).
    #[serde(default)]
    pub note: String,
}

/// Every value, by parameter and date.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<ReferenceValue>, Refusal> {
    Ok(reference_value::Entity::find()
        .order_by_asc(reference_value::Column::Parameter)
        .order_by_asc(reference_value::Column::Scope)
        .order_by_asc(reference_value::Column::ValidFrom)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|r| {
            Some(ReferenceValue {
                parameter: Parameter::from_key(&r.parameter)?,
                scope: r.scope,
                valid_from: r.valid_from,
                value: r.value,
                note: r.note,
            })
        })
        .collect())
}

/// Adds a value from a date on (district officers); a value on the same date is corrected.
pub async fn set_value(
    tx: &impl ConnectionTrait,
    who: &Principal,
    input: &ReferenceValue,
) -> Result<ReferenceValue, Refusal> {
    who.require(&[Role::DistrictOfficer])?;
    if !input.parameter.accepts(input.value) {
        return Err(Refusal::invalid(
            "value",
            "outside the range this parameter takes",
        ));
    }
    if input.parameter.per_township() {
        divisions::township_name(tx, &input.scope).await?;
    } else if !input.scope.is_empty() {
        return Err(Refusal::invalid(
            "scope",
            "this parameter is district-wide: leave scope empty",
        ));
    }
    let key = (
        input.parameter.key().to_owned(),
        input.scope.clone(),
        input.valid_from,
    );
    let model = reference_value::ActiveModel {
        parameter: Set(key.0.clone()),
        scope: Set(key.1.clone()),
        valid_from: Set(key.2),
        value: Set(input.value),
        note: Set(input.note.clone()),
        recorded_by: Set(who.subject.clone()),
        recorded_at: Set(kit::clock::now()),
    };
    if reference_value::Entity::find_by_id(key)
        .one(tx)
        .await?
        .is_some()
    {
        reference_value::Entity::update(model).exec(tx).await?;
    } else {
        reference_value::Entity::insert(model).exec(tx).await?;
    }
    audit::record(
        tx,
        who,
        "set-reference-value",
        "reference-value",
        &format!(
            "{}|{}|{}",
            input.parameter.key(),
            input.scope,
            input.valid_from
        ),
        &input.value.to_string(),
    )
    .await?;
    Ok(input.clone())
}
