//! Reading reference data into the domain's types: parameters, vote thresholds, the pay scale and
//! the staffing standard in force for a village on a date.

use chrono::NaiveDate;
use kit::Refusal;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::{
    domain::{
        reference::{Parameter, names, scopes_of, value_at},
        staffing::{PayScale, Standard},
        vote::{AssemblyBody, Share, Threshold},
    },
    store::reference::{parameter, vote_threshold},
};

/// Every parameter row (a few dozen; read per request so a correction applies at once).
pub async fn parameters(db: &impl ConnectionTrait) -> Result<Vec<Parameter>, Refusal> {
    Ok(parameter::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|p| Parameter {
            name: p.name,
            scope: p.scope,
            valid_from: p.valid_from,
            value: p.value,
        })
        .collect())
}

fn missing(name: &str, date: NaiveDate) -> Refusal {
    tracing::error!(parameter = name, %date, "reference data missing");
    Refusal::conflict(
        "reference-data-missing",
        format!("no value of {name} is in force on {date}; the bureau must load it"),
    )
}

/// The value of `name` for `village_code` on `date`, or a 409 naming the missing parameter.
pub fn required(
    params: &[Parameter],
    name: &str,
    village_code: &str,
    date: NaiveDate,
) -> Result<i64, Refusal> {
    value_at(params, name, &scopes_of(village_code), date).ok_or_else(|| missing(name, date))
}

/// The staffing standard for a village or community on a date.
pub fn staffing_standard(
    params: &[Parameter],
    village_code: &str,
    community: bool,
    date: NaiveDate,
) -> Result<Standard, Refusal> {
    let minimum = if community {
        names::STAFFING_MINIMUM_COMMUNITY
    } else {
        names::STAFFING_MINIMUM_VILLAGE
    };
    Ok(Standard {
        households_per_worker: required(
            params,
            names::STAFFING_HOUSEHOLDS_PER_WORKER,
            village_code,
            date,
        )? as u32,
        minimum_workers: required(params, minimum, village_code, date)? as u32,
    })
}

/// The pay scale for a village or community on a date.
pub fn pay_scale(
    params: &[Parameter],
    village_code: &str,
    date: NaiveDate,
) -> Result<PayScale, Refusal> {
    let v = |name| required(params, name, village_code, date);
    Ok(PayScale {
        base_head: v(names::PAY_BASE_HEAD_FEN)?,
        base_deputy: v(names::PAY_BASE_DEPUTY_FEN)?,
        base_member: v(names::PAY_BASE_MEMBER_FEN)?,
        seniority_per_year: v(names::PAY_SENIORITY_PER_YEAR_FEN)?,
        certificate_senior: v(names::PAY_CERTIFICATE_SENIOR_FEN)?,
        certificate_intermediate: v(names::PAY_CERTIFICATE_INTERMEDIATE_FEN)?,
        certificate_assistant: v(names::PAY_CERTIFICATE_ASSISTANT_FEN)?,
        certificate_municipal: v(names::PAY_CERTIFICATE_MUNICIPAL_FEN)?,
    })
}

/// The thresholds of one assembly body, all dates.
pub async fn thresholds(
    db: &impl ConnectionTrait,
    body: AssemblyBody,
) -> Result<Vec<Threshold>, Refusal> {
    let share = |n: i32, d: i32, strict: bool| Share {
        numerator: n.max(0) as u32,
        denominator: d.max(1) as u32,
        strictly_more: strict,
    };
    Ok(vote_threshold::Entity::find()
        .filter(vote_threshold::Column::Body.eq(body.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|t| Threshold {
            body,
            valid_from: t.valid_from,
            quorum: share(
                t.quorum_numerator,
                t.quorum_denominator,
                t.quorum_strictly_more,
            ),
            majority: share(
                t.majority_numerator,
                t.majority_denominator,
                t.majority_strictly_more,
            ),
            may_adopt_rules: t.may_adopt_rules,
            basis: t.basis,
        })
        .collect())
}
