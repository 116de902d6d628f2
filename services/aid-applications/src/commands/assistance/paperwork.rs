//! Act-first paperwork (补齐手续): completed by the handling township after the payment, due
//! some working days later; late completion is flagged, and pending paperwork past its deadline
//! is listed.

use chrono::NaiveDate;
use kit::{Principal, Refusal, Role, audit};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::commands::assistance::clock::today;
use crate::commands::assistance::{GrantView, Paperwork, find_visible, refused};
use crate::{domain::temporary::TemporaryError, store::assistance::grant as row};

/// Records completed act-first paperwork (after the deadline it is flagged late, not refused).
pub async fn complete_paperwork(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    input: &Paperwork,
) -> Result<GrantView, Refusal> {
    who.require(&[Role::TownshipClerk, Role::TownshipApprover])?;
    let g = find_visible(tx, who, id).await?;
    if !who.sees(&g.township_code) {
        return Err(Refusal::forbidden(
            "the handling township completes the paperwork",
        ));
    }
    let on = match input.completed_on {
        Some(d) if d > today() => {
            return Err(Refusal::invalid("completed_on", "cannot be in the future"));
        }
        Some(d) => d,
        None => today(),
    };
    let (Some(due), None, "granted") =
        (g.paperwork_due, g.paperwork_completed_on, g.status.as_str())
    else {
        return Err(refused(TemporaryError::NoPaperworkPending));
    };
    let result = row::Entity::update_many()
        .set(row::ActiveModel {
            paperwork_completed_on: Set(Some(on)),
            paperwork_late: Set(on > due),
            version: Set(g.version + 1),
            ..Default::default()
        })
        .filter(row::Column::Id.eq(id))
        .filter(row::Column::Version.eq(g.version))
        .exec(tx)
        .await?;
    if result.rows_affected != 1 {
        return Err(Refusal::changed_meanwhile());
    }
    audit::record(
        tx,
        who,
        "complete-act-first-paperwork",
        "temporary-assistance",
        &id.to_string(),
        if on > due { "late" } else { "on time" },
    )
    .await?;
    Ok(find_visible(tx, who, id).await?.into())
}

/// Act-first grants whose paperwork is pending past its deadline on `on`.
pub async fn paperwork_overdue(
    db: &impl ConnectionTrait,
    who: &Principal,
    on: NaiveDate,
) -> Result<Vec<GrantView>, Refusal> {
    Ok(row::Entity::find()
        .filter(row::Column::TownshipCode.starts_with(who.division.as_str()))
        .filter(row::Column::Status.eq("granted"))
        .filter(row::Column::PaperworkCompletedOn.is_null())
        .filter(row::Column::PaperworkDue.lt(on))
        .order_by_asc(row::Column::PaperworkDue)
        .limit(500)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}
