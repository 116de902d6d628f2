//! Allowances held while aid supports the child as extreme poverty (domain::support): the
//! support periods kept per person, and the hold a start or a stop records. Below both the
//! allowance lifecycle (a start is held when support covers its month) and the reconciliation
//! after aid's enrollment events (`support`), which use it.

use chrono::NaiveDate;
use contracts::common::Month;
use kit::{Refusal, audit};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::records::system;
use crate::{
    domain::support::Period,
    store::{
        child,
        support::{hold, period},
    },
};

/// The support periods of `person_ref`.
pub async fn periods(db: &impl ConnectionTrait, person_ref: &str) -> Result<Vec<Period>, DbErr> {
    Ok(period::Entity::find()
        .filter(period::Column::PersonRef.eq(person_ref))
        .all(db)
        .await?
        .iter()
        .map(|p| Period {
            from: p.from_month.as_deref().and_then(|m| m.parse().ok()),
            to: p.to_month.as_deref().and_then(|m| m.parse().ok()),
        })
        .collect())
}

pub(super) async fn open_hold(
    db: &impl ConnectionTrait,
    child_id: Uuid,
) -> Result<Option<hold::Model>, DbErr> {
    hold::Entity::find()
        .filter(hold::Column::ChildId.eq(child_id))
        .filter(hold::Column::Outcome.is_null())
        .one(db)
        .await
}

pub(super) async fn insert_hold(
    tx: &impl ConnectionTrait,
    child_id: Uuid,
    held_from: Month,
    stopped: Option<Uuid>,
    today: NaiveDate,
) -> Result<(), Refusal> {
    if open_hold(tx, child_id).await?.is_some() {
        return Ok(());
    }
    hold::Entity::insert(hold::ActiveModel {
        id: Set(Uuid::now_v7()),
        child_id: Set(child_id),
        held_from: Set(held_from.to_string()),
        stopped_allowance_id: Set(stopped),
        held_on: Set(today),
        outcome: Set(None),
        resumed_allowance_id: Set(None),
        released_on: Set(None),
    })
    .exec(tx)
    .await?;
    audit::record(
        tx,
        &system("extreme-poverty-support"),
        "hold-allowance",
        "child",
        &child_id.to_string(),
        &format!("supported as extreme poverty from {held_from}"),
    )
    .await?;
    Ok(())
}

/// Called before an allowance starts from `start`: when a support period covers that month the
/// allowance is held instead (answer `true`) and starts when the support ends.
pub async fn hold_at_start(
    tx: &impl ConnectionTrait,
    c: &child::Model,
    start: Month,
    today: NaiveDate,
) -> Result<bool, Refusal> {
    if !periods(tx, &c.person_ref)
        .await?
        .iter()
        .any(|p| p.covers(start))
    {
        return Ok(false);
    }
    insert_hold(tx, c.id, start, None, today).await?;
    Ok(true)
}
