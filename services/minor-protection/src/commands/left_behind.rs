//! The named register of left-behind children (留守儿童实名制登记) kept by each village's child
//! director, their regular visits (cadence reference data), and the overdue-visit list. Names are
//! shown only to the village's own staff; every read is audited.

use chrono::NaiveDate;
use kit::{
    Principal, Refusal, audit,
    identity::{IdNumber, PersonRefKey},
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{access::caller, not_future, reference, units, wire};
use crate::domain::{
    level::Level,
    unsupported::is_minor,
    visits::{next_due, overdue_days},
};
use crate::store::{left_behind, visit};

/// Who cares for the child while the parents work away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GuardianRelationship {
    Grandparent,
    OneParent,
    OtherRelative,
    Other,
}

/// A child to register.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewLeftBehindChild {
    pub name: String,
    pub id_number: String,
    pub village_code: String,
    #[serde(default)]
    pub address: String,
    pub guardian_name: String,
    pub guardian_relationship: GuardianRelationship,
    pub registered_on: NaiveDate,
}

/// A visit.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewVisit {
    pub visited_on: NaiveDate,
    pub findings: String,
    /// Something the supervisor should look at.
    #[serde(default)]
    pub concern: bool,
}

/// A register entry as shown; the personal fields only to the village's own staff.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LeftBehindView {
    pub id: Uuid,
    pub village_code: String,
    pub township_code: String,
    pub registered_on: NaiveDate,
    pub last_visit_on: Option<NaiveDate>,
    pub next_visit_due: NaiveDate,
    /// Days the next visit is overdue on the day asked about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overdue_days: Option<i64>,
    pub ended_on: Option<NaiveDate>,
    /// full or restricted.
    pub view: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Masked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guardian_name: Option<String>,
    pub guardian_relationship: String,
    pub version: i32,
}

fn view(who: &Principal, m: left_behind::Model, today: Option<NaiveDate>) -> LeftBehindView {
    let full = caller(who).is_staff_of(&m.village_code);
    let masked = IdNumber::parse(&m.id_number)
        .map(|i| i.masked())
        .unwrap_or_default();
    LeftBehindView {
        id: m.id,
        overdue_days: today.and_then(|t| overdue_days(m.next_visit_due, t)),
        view: if full { "full" } else { "restricted" }.into(),
        name: full.then_some(m.name),
        id_number: full.then_some(masked),
        address: full.then_some(m.address),
        guardian_name: full.then_some(m.guardian_name),
        village_code: m.village_code,
        township_code: m.township_code,
        registered_on: m.registered_on,
        last_visit_on: m.last_visit_on,
        next_visit_due: m.next_visit_due,
        ended_on: m.ended_on,
        guardian_relationship: m.guardian_relationship,
        version: m.version,
    }
}

/// Audits each entry shown, then returns the views.
async fn shown(
    db: &impl ConnectionTrait,
    who: &Principal,
    action: &str,
    rows: Vec<left_behind::Model>,
    today: Option<NaiveDate>,
) -> Result<Vec<LeftBehindView>, Refusal> {
    let mut out = Vec::with_capacity(rows.len());
    for m in rows {
        let v = view(who, m, today);
        audit::record(
            db,
            who,
            action,
            "left-behind-child",
            &v.id.to_string(),
            &v.view,
        )
        .await?;
        out.push(v);
    }
    Ok(out)
}

/// Registers a child (the village's own child director).
pub async fn register(
    tx: &impl ConnectionTrait,
    key: &PersonRefKey,
    who: &Principal,
    input: &NewLeftBehindChild,
) -> Result<LeftBehindView, Refusal> {
    if Level::of_code(&input.village_code) != Some(Level::Village) {
        return Err(Refusal::invalid(
            "village_code",
            "must be a 12-digit village or community code",
        ));
    }
    if !caller(who).is_staff_of(&input.village_code) {
        return Err(Refusal::forbidden(
            "the village's own child director keeps its register",
        ));
    }
    units::existing(tx, &input.village_code, "village_code").await?;
    let id_number = IdNumber::parse(&input.id_number)
        .map_err(|e| Refusal::invalid("id_number", e.to_string()))?;
    if input.name.trim().is_empty() {
        return Err(Refusal::invalid("name", "required"));
    }
    if input.guardian_name.trim().is_empty() {
        return Err(Refusal::invalid("guardian_name", "required"));
    }
    let on = not_future("registered_on", input.registered_on)?;
    let refs = reference::load(tx).await?;
    if !is_minor(&refs, id_number.birth_date(), on).map_err(reference::missing)? {
        return Err(Refusal::invalid("id_number", "the child is not a minor"));
    }
    let person_ref = key.person_ref(&id_number).as_str().to_owned();
    let exists = left_behind::Entity::find()
        .filter(left_behind::Column::PersonRef.eq(person_ref.clone()))
        .one(tx)
        .await?;
    if exists.is_some() {
        return Err(
            Refusal::conflict("already-registered", "this child is already on a register")
                .field("id_number", "already registered"),
        );
    }
    let model = left_behind::ActiveModel {
        id: Set(Uuid::now_v7()),
        village_code: Set(input.village_code.clone()),
        township_code: Set(input.village_code[..9].to_owned()),
        name: Set(input.name.trim().to_owned()),
        id_number: Set(id_number.expose().to_owned()),
        person_ref: Set(person_ref),
        address: Set(input.address.trim().to_owned()),
        guardian_name: Set(input.guardian_name.trim().to_owned()),
        guardian_relationship: Set(wire(input.guardian_relationship)),
        registered_on: Set(on),
        last_visit_on: Set(None),
        next_visit_due: Set(next_due(&refs, on).map_err(reference::missing)?),
        ended_on: Set(None),
        end_reason: Set(None),
        registered_by: Set(who.subject.clone()),
        created_at: Set(kit::clock::now()),
        version: Set(1),
    };
    let saved = left_behind::Entity::insert(model)
        .exec_with_returning(tx)
        .await?;
    audit::record(
        tx,
        who,
        "register-left-behind-child",
        "left-behind-child",
        &saved.id.to_string(),
        "",
    )
    .await?;
    Ok(view(who, saved, None))
}

/// Records a visit (the village's own child director); the next one falls due a cadence later.
pub async fn record_visit(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    input: &NewVisit,
) -> Result<LeftBehindView, Refusal> {
    let m = left_behind::Entity::find_by_id(id)
        .one(tx)
        .await?
        .filter(|m| who.sees(&m.village_code) || caller(who).is_staff_of(&m.village_code))
        .ok_or_else(|| Refusal::not_found("no such child on a register in your division"))?;
    if !caller(who).is_staff_of(&m.village_code) {
        return Err(Refusal::forbidden(
            "visits are recorded by the village's own child director",
        ));
    }
    if m.ended_on.is_some() {
        return Err(Refusal::conflict(
            "register-entry-ended",
            "the child is no longer on the register",
        ));
    }
    let on = not_future("visited_on", input.visited_on)?;
    if on < m.registered_on || m.last_visit_on.is_some_and(|l| on < l) {
        return Err(Refusal::invalid(
            "visited_on",
            "must not be before the registration or the last visit",
        ));
    }
    if input.findings.trim().is_empty() {
        return Err(Refusal::invalid("findings", "required"));
    }
    let refs = reference::load(tx).await?;
    let next = next_due(&refs, on).map_err(reference::missing)?;
    visit::Entity::insert(visit::ActiveModel {
        id: Set(Uuid::now_v7()),
        child_id: Set(id),
        visited_on: Set(on),
        visitor: Set(who.subject.clone()),
        findings: Set(input.findings.trim().to_owned()),
        concern: Set(input.concern),
        created_at: Set(kit::clock::now()),
    })
    .exec(tx)
    .await?;
    left_behind::Entity::update_many()
        .set(left_behind::ActiveModel {
            last_visit_on: Set(Some(on)),
            next_visit_due: Set(next),
            version: Set(m.version + 1),
            ..Default::default()
        })
        .filter(left_behind::Column::Id.eq(id))
        .exec(tx)
        .await?;
    audit::record(
        tx,
        who,
        "record-visit",
        "left-behind-child",
        &id.to_string(),
        if input.concern { "concern" } else { "" },
    )
    .await?;
    Ok(view(
        who,
        left_behind::Model {
            last_visit_on: Some(on),
            next_visit_due: next,
            version: m.version + 1,
            ..m
        },
        None,
    ))
}

/// Entries of the caller's division, by id after `cursor`; with `overdue_on`, only those whose
/// visit is overdue that day.
pub async fn list(
    db: &impl ConnectionTrait,
    who: &Principal,
    overdue_on: Option<NaiveDate>,
    cursor: Option<Uuid>,
    limit: u64,
) -> Result<Vec<LeftBehindView>, Refusal> {
    let mut q = left_behind::Entity::find()
        .filter(left_behind::Column::VillageCode.starts_with(who.division.as_str()))
        .order_by_asc(left_behind::Column::Id)
        .limit(limit);
    if let Some(c) = cursor {
        q = q.filter(left_behind::Column::Id.gt(c));
    }
    if let Some(today) = overdue_on {
        q = q
            .filter(left_behind::Column::EndedOn.is_null())
            .filter(left_behind::Column::NextVisitDue.lt(today));
    }
    let action = if overdue_on.is_some() {
        "list-overdue-visits"
    } else {
        "list-left-behind-children"
    };
    shown(db, who, action, q.all(db).await?, overdue_on).await
}

/// One entry of the caller's division.
pub async fn show(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
) -> Result<LeftBehindView, Refusal> {
    let m = left_behind::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|m| who.sees(&m.village_code))
        .ok_or_else(|| Refusal::not_found("no such child on a register in your division"))?;
    let mut v = shown(db, who, "read-left-behind-child", vec![m], None).await?;
    v.pop().ok_or_else(Refusal::internal)
}
