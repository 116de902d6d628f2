//! Reference data read from and corrected in the database: the effective-dated aid parameters, the
//! holiday calendar and the per-township delegated-authority switch. Every correction is checked
//! by loading the whole set through the domain types, so a value of the wrong shape, a duplicate
//! date or a contradictory calendar is refused before it is written.

use std::collections::BTreeMap;

use chrono::{NaiveDate, Utc};
use kit::{Principal, Refusal, Role, audit};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::domain::application::TownshipAuthority;
use crate::domain::calendar::{HolidayNotice, WorkCalendar};
use crate::domain::reference::{
    Effective, Parameters, SEED_PLACEHOLDERS, SEVERE_DISABILITY, SevereDisability, Timeline,
};
use crate::store::{reference_authority, reference_holiday, reference_parameter};

fn corrupt(what: &str, e: impl std::fmt::Display) -> Refusal {
    tracing::error!(what, error = %e, "stored reference data does not load");
    Refusal::internal()
}

/// Every parameter as the domain's timelines, from `rows` (any order).
fn parameters_from(rows: &[reference_parameter::Model]) -> Result<Parameters, String> {
    let mut timelines: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    for row in rows {
        let value: Value = serde_json::from_str(&row.value).map_err(|e| e.to_string())?;
        timelines
            .entry(row.name.as_str())
            .or_default()
            .push(serde_json::json!({ "from": row.valid_from, "value": value }));
    }
    let object: Map<String, Value> = timelines
        .into_iter()
        .map(|(k, v)| (k.to_owned(), Value::Array(v)))
        .collect();
    serde_json::from_value(Value::Object(object)).map_err(|e| e.to_string())
}

/// The aid parameters in force, as stored.
pub async fn load_parameters(db: &impl ConnectionTrait) -> Result<Parameters, Refusal> {
    let rows = reference_parameter::Entity::find().all(db).await?;
    parameters_from(&rows).map_err(|e| corrupt("parameters", e))
}

/// 重残 as the stored parameter defines it on `on`; the seeded definition before the first entry
/// (every write is checked to load, so the stored value parses).
pub async fn severe_disability(
    db: &impl ConnectionTrait,
    on: NaiveDate,
) -> Result<SevereDisability, sea_orm::DbErr> {
    let rows = reference_parameter::Entity::find()
        .filter(reference_parameter::Column::Name.eq("severe_disability"))
        .all(db)
        .await?;
    let entries = rows
        .iter()
        .filter_map(|r| {
            Some(Effective {
                from: r.valid_from,
                value: serde_json::from_str(&r.value).ok()?,
            })
        })
        .collect();
    Ok(Timeline::new(entries)
        .ok()
        .and_then(|t| t.at(on).copied())
        .unwrap_or(SEVERE_DISABILITY))
}

/// The working-day calendar, as stored.
pub async fn load_calendar(db: &impl ConnectionTrait) -> Result<WorkCalendar, Refusal> {
    let rows = reference_holiday::Entity::find().all(db).await?;
    let notices = rows
        .iter()
        .map(|r| serde_json::from_str::<HolidayNotice>(&r.notice))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| corrupt("calendar", e))?;
    WorkCalendar::new(notices).map_err(|e| corrupt("calendar", e))
}

/// One value of a parameter and the date from which it applies.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ParameterEntry {
    pub valid_from: NaiveDate,
    /// The value; its shape is the parameter's (fen as an integer, ratios in per-mille, …).
    #[schema(value_type = Value)]
    pub value: Value,
    /// The ETag version to send with If-Match when correcting this entry.
    pub version: i32,
    pub changed_by: String,
    pub changed_at: chrono::DateTime<Utc>,
}

/// A parameter's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParameterView {
    pub name: String,
    /// A default or placeholder the bureau must confirm before go-live.
    pub placeholder: bool,
    pub entries: Vec<ParameterEntry>,
}

/// Every parameter with its entries, oldest first.
pub async fn list_parameters(db: &impl ConnectionTrait) -> Result<Vec<ParameterView>, Refusal> {
    let rows = reference_parameter::Entity::find()
        .order_by_asc(reference_parameter::Column::Name)
        .order_by_asc(reference_parameter::Column::ValidFrom)
        .all(db)
        .await?;
    let mut views: Vec<ParameterView> = Vec::new();
    for row in rows {
        let entry = ParameterEntry {
            valid_from: row.valid_from,
            value: serde_json::from_str(&row.value).map_err(|e| corrupt("parameter", e))?,
            version: row.version,
            changed_by: row.changed_by,
            changed_at: row.changed_at,
        };
        match views.last_mut() {
            Some(v) if v.name == row.name => v.entries.push(entry),
            _ => views.push(ParameterView {
                placeholder: SEED_PLACEHOLDERS.contains(&row.name.as_str()),
                name: row.name,
                entries: vec![entry],
            }),
        }
    }
    Ok(views)
}

/// Sets `name`'s value from `valid_from` on: a new entry (`expected_version` 0) or a correction of
/// the entry on that date (its current version). Refuses an unknown name or a value that does not
/// fit the parameter's type. Returns the entry's new version and every parameter without and with
/// the change; the enrollments that follow a standard are the caller's
/// (`enrollment::standards::change_parameter`).
pub async fn set_parameter(
    tx: &impl ConnectionTrait,
    who: &Principal,
    name: &str,
    valid_from: NaiveDate,
    value: &Value,
    expected_version: i32,
) -> Result<ParameterSet, Refusal> {
    who.require(&[Role::DistrictOfficer])?;
    if !Parameters::NAMES.contains(&name) {
        return Err(Refusal::not_found(format!("no parameter named {name}")));
    }
    let mut rows = reference_parameter::Entity::find().all(tx).await?;
    let existing = rows
        .iter()
        .position(|r| r.name == name && r.valid_from == valid_from);
    let current = existing.map_or(0, |i| rows[i].version);
    if current != expected_version {
        return Err(Refusal::changed_meanwhile());
    }
    let before = parameters_from(&rows).map_err(|e| corrupt("parameters", e))?;
    let model = reference_parameter::Model {
        name: name.to_owned(),
        valid_from,
        value: value.to_string(),
        changed_by: who.subject.clone(),
        changed_at: kit::clock::now(),
        version: current + 1,
    };
    match existing {
        Some(i) => rows[i] = model.clone(),
        None => rows.push(model.clone()),
    }
    let after = parameters_from(&rows).map_err(|e| {
        Refusal::invalid("value", format!("does not fit the parameter {name}: {e}"))
    })?;
    let active = reference_parameter::ActiveModel {
        name: Set(model.name.clone()),
        valid_from: Set(valid_from),
        value: Set(model.value.clone()),
        changed_by: Set(model.changed_by.clone()),
        changed_at: Set(model.changed_at),
        version: Set(model.version),
    };
    if existing.is_some() {
        reference_parameter::Entity::update(active).exec(tx).await?;
    } else {
        reference_parameter::Entity::insert(active).exec(tx).await?;
    }
    audit::record(
        tx,
        who,
        "set-parameter",
        "reference-parameter",
        &format!("{name}@{valid_from}"),
        &model.value,
    )
    .await?;
    Ok(ParameterSet {
        version: model.version,
        before,
        after,
    })
}

/// A parameter entry as set: its version, and every parameter without and with it.
pub struct ParameterSet {
    pub version: i32,
    pub before: Parameters,
    pub after: Parameters,
}

/// A stored holiday notice.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HolidayNoticeView {
    #[schema(value_type = Object)]
    pub notice: Value,
    pub version: i32,
    pub changed_by: String,
    pub changed_at: chrono::DateTime<Utc>,
}

/// Every stored notice, by year.
pub async fn list_calendar(db: &impl ConnectionTrait) -> Result<Vec<HolidayNoticeView>, Refusal> {
    reference_holiday::Entity::find()
        .order_by_asc(reference_holiday::Column::Year)
        .all(db)
        .await?
        .into_iter()
        .map(|r| {
            Ok(HolidayNoticeView {
                notice: serde_json::from_str(&r.notice).map_err(|e| corrupt("calendar", e))?,
                version: r.version,
                changed_by: r.changed_by,
                changed_at: r.changed_at,
            })
        })
        .collect()
}

/// Adds (`expected_version` 0) or corrects a year's notice; the whole calendar must still load.
pub async fn set_holiday_notice(
    tx: &impl ConnectionTrait,
    who: &Principal,
    year: i32,
    notice: &Value,
    expected_version: i32,
) -> Result<i32, Refusal> {
    who.require(&[Role::DistrictOfficer])?;
    let parsed: HolidayNotice = serde_json::from_value(notice.clone())
        .map_err(|e| Refusal::invalid("notice", e.to_string()))?;
    if parsed.year != year {
        return Err(Refusal::invalid("year", "must equal the year in the path"));
    }
    let rows = reference_holiday::Entity::find().all(tx).await?;
    let current = rows
        .iter()
        .find(|r| r.year == year)
        .map_or(0, |r| r.version);
    if current != expected_version {
        return Err(Refusal::changed_meanwhile());
    }
    let mut notices = rows
        .iter()
        .filter(|r| r.year != year)
        .map(|r| serde_json::from_str::<HolidayNotice>(&r.notice))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| corrupt("calendar", e))?;
    notices.push(parsed.clone());
    WorkCalendar::new(notices).map_err(|e| Refusal::invalid("notice", e.to_string()))?;
    let text = serde_json::to_string(&parsed).map_err(|e| corrupt("calendar", e))?;
    let active = reference_holiday::ActiveModel {
        year: Set(year),
        notice: Set(text.clone()),
        changed_by: Set(who.subject.clone()),
        changed_at: Set(kit::clock::now()),
        version: Set(current + 1),
    };
    if current == 0 {
        reference_holiday::Entity::insert(active).exec(tx).await?;
    } else {
        reference_holiday::Entity::update(active).exec(tx).await?;
    }
    audit::record(
        tx,
        who,
        "set-holiday-notice",
        "holiday-notice",
        &year.to_string(),
        &text,
    )
    .await?;
    Ok(current + 1)
}

/// A township's delegated-authority switch.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuthorityView {
    pub township_code: String,
    pub name: String,
    /// True: the township confirms its own applications (except staff-relative cases).
    pub delegated: bool,
    pub version: i32,
    pub changed_by: String,
    pub changed_at: chrono::DateTime<Utc>,
}

impl From<reference_authority::Model> for AuthorityView {
    fn from(r: reference_authority::Model) -> Self {
        Self {
            township_code: r.township_code,
            name: r.name,
            delegated: r.delegated,
            version: r.version,
            changed_by: r.changed_by,
            changed_at: r.changed_at,
        }
    }
}

/// The switch of `township`, seen by its own staff and the district.
pub async fn authority(
    db: &impl ConnectionTrait,
    who: &Principal,
    township: &str,
) -> Result<AuthorityView, Refusal> {
    let row = reference_authority::Entity::find_by_id(township.to_owned())
        .one(db)
        .await?
        .filter(|r| who.sees(&r.township_code))
        .ok_or_else(|| Refusal::not_found("no such township in your division"))?;
    Ok(row.into())
}

/// Whether `township` confirms its own applications (unknown townships: the district confirms).
pub async fn township_authority(
    db: &impl ConnectionTrait,
    township: &str,
) -> Result<TownshipAuthority, Refusal> {
    let delegated = reference_authority::Entity::find()
        .filter(reference_authority::Column::TownshipCode.eq(township))
        .one(db)
        .await?
        .is_some_and(|r| r.delegated);
    Ok(if delegated {
        TownshipAuthority::Delegated
    } else {
        TownshipAuthority::DistrictConfirms
    })
}

/// Switches delegation for a township (district approvers and officers), audited.
pub async fn set_authority(
    tx: &impl ConnectionTrait,
    who: &Principal,
    township: &str,
    delegated: bool,
    expected_version: i32,
) -> Result<AuthorityView, Refusal> {
    who.require(&[Role::DistrictOfficer, Role::DistrictApprover])?;
    let row = reference_authority::Entity::find_by_id(township.to_owned())
        .one(tx)
        .await?
        .ok_or_else(|| Refusal::not_found("no such township"))?;
    if row.version != expected_version {
        return Err(Refusal::changed_meanwhile());
    }
    let updated = reference_authority::Model {
        delegated,
        changed_by: who.subject.clone(),
        changed_at: kit::clock::now(),
        version: row.version + 1,
        ..row
    };
    let result = reference_authority::Entity::update_many()
        .set(reference_authority::ActiveModel {
            delegated: Set(delegated),
            changed_by: Set(updated.changed_by.clone()),
            changed_at: Set(updated.changed_at),
            version: Set(updated.version),
            ..Default::default()
        })
        .filter(reference_authority::Column::TownshipCode.eq(township))
        .filter(reference_authority::Column::Version.eq(expected_version))
        .exec(tx)
        .await?;
    if result.rows_affected != 1 {
        return Err(Refusal::changed_meanwhile());
    }
    audit::record(
        tx,
        who,
        "set-delegated-authority",
        "township",
        township,
        &format!("delegated={delegated}"),
    )
    .await?;
    Ok(updated.into())
}
