//! Reading and amending the reference parameters (effective-dated).

use chrono::NaiveDate;
use kit::{Principal, Refusal, Role, audit};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, QueryOrder, sea_query::OnConflict};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::reference::{NotInForce, Param, Reference};
use crate::store::parameter;

/// The whole reference table.
pub async fn load(db: &impl ConnectionTrait) -> Result<Reference, sea_orm::DbErr> {
    let rows = parameter::Entity::find().all(db).await?;
    Ok(Reference::new(
        rows.iter()
            .map(|r| (r.name.as_str(), r.valid_from, r.value)),
    ))
}

/// A value missing from the reference data is the bureau's to fix, not the caller's.
pub fn missing(e: NotInForce) -> Refusal {
    tracing::error!(error = %e, "reference data missing");
    Refusal::conflict("reference-data-missing", e.to_string())
}

/// One value of a parameter.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ParameterValue {
    /// One of the parameter names (`supervision_days_township`, `visit_cadence_days`, …).
    pub name: String,
    /// First day the value applies.
    pub valid_from: NaiveDate,
    /// Days, months or years, as the name says.
    pub value: i64,
    /// Source or reason.
    #[serde(default)]
    pub note: String,
}

/// Every value, oldest first per parameter.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<ParameterValue>, Refusal> {
    Ok(parameter::Entity::find()
        .order_by_asc(parameter::Column::Name)
        .order_by_asc(parameter::Column::ValidFrom)
        .all(db)
        .await?
        .into_iter()
        .map(|r| ParameterValue {
            name: r.name,
            valid_from: r.valid_from,
            value: r.value,
            note: r.note,
        })
        .collect())
}

/// Sets a value from a date on (a new value, or a correction of the one starting that day).
/// District approvers only; audited.
pub async fn set(
    tx: &impl ConnectionTrait,
    who: &Principal,
    input: &ParameterValue,
) -> Result<ParameterValue, Refusal> {
    who.require(&[Role::DistrictApprover])?;
    let param = Param::parse(&input.name)
        .ok_or_else(|| Refusal::invalid("name", "not a parameter of minor-protection"))?;
    if !param.accepts(input.value) {
        return Err(Refusal::invalid("value", "out of the parameter's range"));
    }
    parameter::Entity::insert(parameter::ActiveModel {
        name: Set(param.name().to_owned()),
        valid_from: Set(input.valid_from),
        value: Set(input.value),
        note: Set(input.note.clone()),
    })
    .on_conflict(
        OnConflict::columns([parameter::Column::Name, parameter::Column::ValidFrom])
            .update_columns([parameter::Column::Value, parameter::Column::Note])
            .to_owned(),
    )
    .exec(tx)
    .await?;
    audit::record(
        tx,
        who,
        "set-parameter",
        "reference-parameter",
        param.name(),
        &format!("{} from {}", input.value, input.valid_from),
    )
    .await?;
    Ok(input.clone())
}
