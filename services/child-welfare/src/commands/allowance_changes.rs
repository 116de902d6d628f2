//! `child.allowance.changed.v1`: a running allowance's amount or basis changes from a month on —
//! its care mode changed (counted from the month after, never for a month already paid), or a
//! standard was raised by the natural-growth rule (every running allowance it reaches, read in one
//! query). A change of category is not one of these: it ends the allowance and starts another
//! (see `lifecycle::reevaluate`).

use chrono::NaiveDate;
use contracts::{
    child::{AllowanceChangeReason, AllowanceChanged},
    common::{Month, PersonRef, TownshipCode, VillageCode},
};
use kit::{Principal, Refusal, audit, outbox::Outbox};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, FromQueryResult, Statement};

use super::records::{ChildRecord, allowance_mode, not_in_force, outbox_failed};
use crate::{
    domain::{
        basis::{care_change_from, standard_from},
        category::{CareMode, Category, parse_word, word},
        reference::{Reference, Standard},
    },
    store::allowance,
};

/// A change about to be published.
struct Change<'a> {
    allowance: &'a allowance::Model,
    person_ref: &'a str,
    category: Category,
    mode: CareMode,
    amount: i64,
    previous: i64,
    from: Month,
    reason: AllowanceChangeReason,
    on: NaiveDate,
}

async fn publish(tx: &impl ConnectionTrait, outbox: &Outbox, c: Change<'_>) -> Result<(), Refusal> {
    let bad = |what: &str| {
        tracing::error!(what, "stored allowance data does not fit the contract");
        Refusal::internal()
    };
    let a = c.allowance;
    outbox
        .enqueue(
            tx,
            &AllowanceChanged {
                allowance_id: a.id,
                child_id: a.child_id,
                person_ref: PersonRef::parse(c.person_ref).map_err(|_| bad("person_ref"))?,
                category: c.category.wire(),
                care_mode: c.mode.wire(),
                monthly_amount_fen: c.amount,
                previous_monthly_amount_fen: c.previous,
                effective_month: c.from,
                reason: c.reason,
                township_code: TownshipCode::parse(&a.township_code)
                    .map_err(|_| bad("township"))?,
                village_code: VillageCode::parse(&a.village_code).map_err(|_| bad("village"))?,
                changed_on: c.on,
            },
        )
        .await
        .map_err(outbox_failed)?;
    Ok(())
}

fn category_of(a: &allowance::Model) -> Category {
    parse_word(&a.category).unwrap_or(Category::DeFactoUnsupported)
}

/// The month of the latest batch issued, if any.
async fn last_batch(tx: &impl ConnectionTrait) -> Result<Option<Month>, Refusal> {
    let row = tx
        .query_one_raw(Statement::from_string(
            tx.get_database_backend(),
            "SELECT MAX(month) AS month FROM payment_batches",
        ))
        .await?;
    let month: Option<String> = match row {
        Some(r) => r.try_get("", "month")?,
        None => None,
    };
    Ok(month.and_then(|m| m.parse().ok()))
}

/// Records a care-mode change of the child's running allowance (if any) with its event: the new
/// mode counts from the month after `on` (after the latest batch when one was issued in advance).
pub async fn care_mode_changed(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    reference: &Reference,
    record: &ChildRecord,
    mode: CareMode,
    on: NaiveDate,
) -> Result<Option<Month>, Refusal> {
    let Some(a) = record.active_allowance() else {
        return Ok(None);
    };
    let start: Month = a.start_month.parse().map_err(|_| Refusal::internal())?;
    let from = care_change_from(on, last_batch(tx).await?).max(start);
    let before = allowance_mode(a, from);
    if before == mode {
        return Ok(None);
    }
    let category = category_of(a);
    let first_day = from.first_day().ok_or_else(Refusal::internal)?;
    let amount_at = |m: CareMode| {
        reference
            .standard(Standard::for_child(category, m), first_day)
            .map_err(not_in_force)
    };
    let (previous, amount) = (amount_at(before)?, amount_at(mode)?);
    let previous_mode = (from > start).then(|| allowance_mode(a, from.prev()));
    allowance::Entity::update(allowance::ActiveModel {
        id: Set(a.id),
        care_mode: Set(word(mode)),
        previous_care_mode: Set(previous_mode.map(word)),
        care_mode_from: Set(previous_mode.map(|_| from.to_string())),
        ..Default::default()
    })
    .exec(tx)
    .await?;
    publish(
        tx,
        outbox,
        Change {
            allowance: a,
            person_ref: &record.child.person_ref,
            category,
            mode,
            amount,
            previous,
            from,
            reason: AllowanceChangeReason::CareModeChanged,
            on,
        },
    )
    .await?;
    audit::record(
        tx,
        who,
        "change-allowance",
        "allowance",
        &a.id.to_string(),
        &format!("care mode {} from {from}", word(mode)),
    )
    .await?;
    Ok(Some(from))
}

/// Publishes the change of every allowance running at or after the first month a standard valid
/// from `valid_from` is paid (`before` and `after` are the reference data without and with it).
/// Returns how many changed.
pub async fn standards_raised(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    before: &Reference,
    after: &Reference,
    valid_from: NaiveDate,
    on: NaiveDate,
) -> Result<u64, Refusal> {
    let from = standard_from(valid_from);
    // One read of every allowance the raise reaches, with its child's person_ref.
    let rows = tx
        .query_all_raw(Statement::from_sql_and_values(
            tx.get_database_backend(),
            "SELECT a.*, c.person_ref AS child_person_ref FROM allowances a \
             JOIN children c ON c.id = a.child_id \
             WHERE a.end_month IS NULL OR a.end_month >= $1 ORDER BY a.id",
            [from.to_string().into()],
        ))
        .await?;
    let mut running = Vec::with_capacity(rows.len());
    for r in &rows {
        let person: String = r.try_get("", "child_person_ref")?;
        running.push((allowance::Model::from_query_result(r, "")?, person));
    }
    let mut changed = 0;
    for (a, person_ref) in &running {
        let Ok(start) = a.start_month.parse::<Month>() else {
            continue;
        };
        let month = from.max(start);
        let category = category_of(a);
        let standard = Standard::for_child(category, allowance_mode(a, month));
        let first_day = month.first_day().ok_or_else(Refusal::internal)?;
        let previous = before.standard(standard, first_day).map_err(not_in_force)?;
        let amount = after.standard(standard, first_day).map_err(not_in_force)?;
        if amount == previous {
            continue;
        }
        publish(
            tx,
            outbox,
            Change {
                allowance: a,
                person_ref,
                category,
                mode: allowance_mode(a, month),
                amount,
                previous,
                from: month,
                reason: AllowanceChangeReason::StandardRaised,
                on,
            },
        )
        .await?;
        changed += 1;
    }
    Ok(changed)
}
