//! The monthly payment run and what follows it: one set-based statement writes every line of the
//! month (the amount in force for the month, within the paid months, a living member left, held
//! back without an account), a second one a line for every temporary-assistance grant approved
//! without act-first by the month's end and not yet in any batch (act-first grants were paid in
//! cash from the reserve fund), the batch event gives the totals per township, a bank return
//! marks its line, and a re-issue batch pays the returned lines (and held grant lines) again.

use chrono::{NaiveDate, Utc};
use contracts::{
    aid::PaymentBatchIssued,
    common::{TownshipCode, TownshipTotal},
    partner::{Payer, PaymentReturned},
};
use kit::{Principal, Problem, Role, audit, db::is_postgres, outbox::Outbox};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Statement,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::enrollment::{contract_month, yyyymm};
use super::enrollment_steps::finish_gradual_exits;
use super::procedure::{EventRefused, internal, snake};
use crate::domain::month::Month;
use crate::store::{payment_batch, payment_line};

/// A batch as shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BatchView {
    pub id: Uuid,
    /// `2026-12`.
    pub month: String,
    /// monthly or reissue.
    pub kind: String,
    /// Lines sent to the bank.
    pub line_count: i64,
    pub total_fen: i64,
    /// Lines held back for want of a payee account.
    pub held_count: i64,
    /// Lines the bank returned (to re-issue once the account is corrected).
    pub returned_count: i64,
    pub issued_at: chrono::DateTime<Utc>,
    /// Lines and money per township.
    #[schema(value_type = Vec<Object>)]
    pub townships: Vec<TownshipTotal>,
}

fn month_text(m: i32) -> String {
    format!("{:04}-{:02}", m / 100, m % 100)
}

/// Parses `2026-12`.
pub fn parse_month(field: &str, s: &str) -> Result<Month, Problem> {
    let bad = || Problem::invalid(field, "must be a month like 2026-12");
    let (y, m) = s.split_once('-').ok_or_else(bad)?;
    Month::new(y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?).ok_or_else(bad)
}

/// Per township: lines sent to the bank and their money (returned lines included: they were
/// sent); plus the lines held back and the lines returned so far.
struct Totals {
    townships: Vec<TownshipTotal>,
    held: i64,
    returned: i64,
}

async fn totals(db: &impl ConnectionTrait, batch: Uuid) -> Result<Totals, Problem> {
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "SELECT township_code, status, COUNT(*) AS n, \
             CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) AS total FROM payment_lines \
             WHERE batch_id = $1 GROUP BY township_code, status ORDER BY township_code",
            [batch.into()],
        ))
        .await?;
    let mut out = Totals {
        townships: Vec::new(),
        held: 0,
        returned: 0,
    };
    for r in rows {
        let code: String = r.try_get("", "township_code")?;
        let status: String = r.try_get("", "status")?;
        let n: i64 = r.try_get("", "n")?;
        let total: i64 = r.try_get("", "total")?;
        match status.as_str() {
            // A held line was not sent, even once a re-issue paid its grant (released).
            "held" | "released" => {
                out.held += n;
                continue;
            }
            "returned" => out.returned += n,
            _ => {}
        }
        let township = TownshipCode::parse(&code).map_err(|e| internal("township", e))?;
        match out.townships.last_mut() {
            Some(t) if t.township_code == township => {
                t.line_count += u64::try_from(n).unwrap_or(0);
                t.total_fen += total;
            }
            _ => out.townships.push(TownshipTotal {
                township_code: township,
                line_count: u64::try_from(n).unwrap_or(0),
                total_fen: total,
            }),
        }
    }
    Ok(out)
}

/// The batch view with its township totals.
pub async fn view(
    db: &impl ConnectionTrait,
    b: payment_batch::Model,
) -> Result<BatchView, Problem> {
    let totals = totals(db, b.id).await?;
    Ok(BatchView {
        id: b.id,
        month: month_text(b.month),
        kind: b.kind,
        line_count: b.line_count,
        total_fen: b.total_fen,
        held_count: b.held_count,
        returned_count: totals.returned,
        issued_at: b.issued_at,
        townships: totals.townships,
    })
}

/// The id of a line, computed by the database: PostgreSQL derives it from the batch and what the
/// line pays (an enrollment, a grant, the line it re-issues), SQLite draws it at random (its UUIDs
/// are 16-byte blobs).
fn line_id_sql(db: &impl ConnectionTrait, batch: &str, paid: &str) -> String {
    if is_postgres(db) {
        format!("md5({batch}::text || {paid}::text)::uuid")
    } else {
        "randomblob(16)".into()
    }
}

async fn issue(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    batch: payment_batch::Model,

    reissue_of: Option<Uuid>,
) -> Result<BatchView, Problem> {
    let Totals {
        townships, held, ..
    } = totals(tx, batch.id).await?;
    let line_count: i64 = townships.iter().map(|t| t.line_count as i64).sum();
    let total_fen: i64 = townships.iter().map(|t| t.total_fen).sum();
    let issued_at = kit::clock::now();
    payment_batch::Entity::update_many()
        .set(payment_batch::ActiveModel {
            line_count: Set(line_count),
            total_fen: Set(total_fen),
            held_count: Set(held),
            issued_at: Set(issued_at),
            ..Default::default()
        })
        .filter(payment_batch::Column::Id.eq(batch.id))
        .exec(tx)
        .await?;
    let month = Month::new(
        batch.month / 100,
        u32::try_from(batch.month % 100).unwrap_or(1),
    )
    .ok_or_else(|| internal("batch", "month"))?;
    outbox
        .enqueue(
            tx,
            &PaymentBatchIssued {
                batch_id: batch.id,
                month: contract_month(month),
                line_count: u64::try_from(line_count).unwrap_or(0),
                total_fen,
                townships: townships.clone(),
                issued_at: issued_at.fixed_offset(),
                reissue_of,
            },
        )
        .await
        .map_err(|e| internal("outbox", e))?;
    audit::record(
        tx,
        who,
        "issue-payment-batch",
        "payment-batch",
        &batch.id.to_string(),
        &format!("{} lines, {total_fen} fen, {held} held", line_count),
    )
    .await?;
    Ok(BatchView {
        id: batch.id,
        month: month_text(batch.month),
        kind: batch.kind,
        line_count,
        total_fen,
        held_count: held,
        returned_count: 0,
        issued_at,
        townships,
    })
}

/// The run for a month.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RunInput {
    /// The month paid, like `2026-12`.
    pub month: String,
}

/// The statement writing the month's lines for temporary-assistance grants: every grant approved
/// without act-first before the next month's first day (`$3`) that no batch has taken yet (a
/// held line counts: the re-issue pays it). Held without an account.
fn grant_lines_sql(db: &impl ConnectionTrait) -> String {
    format!(
        "INSERT INTO payment_lines (id, batch_id, grant_id, month, township_code, amount_fen, status) \
         SELECT {line_id}, $1, g.id, $2, g.township_code, g.amount_fen, \
                CASE WHEN g.payee_account IS NULL OR g.payee_account = '' THEN 'held' ELSE 'issued' END \
         FROM temporary_grants g \
         WHERE g.status = 'granted' AND g.act_first = $4 AND g.decided_on < $3 \
           AND g.amount_fen > 0 \
           AND NOT EXISTS (SELECT 1 FROM payment_lines l WHERE l.grant_id = g.id)",
        line_id = line_id_sql(db, "$1", "g.id"),
    )
}

/// Runs the month: ends finished gradual exits, writes every enrollment's line in one statement
/// and every unpaid grant's in another, publishes `aid.payment.batch.issued.v1`. One monthly
/// batch per month.
pub async fn run_month(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    input: &RunInput,
) -> Result<BatchView, Problem> {
    who.require(&[Role::DistrictOfficer])?;
    let month = parse_month("month", &input.month)?;
    let key = format!("monthly-{}", yyyymm(month));
    let exists = payment_batch::Entity::find()
        .filter(payment_batch::Column::MonthlyKey.eq(key.clone()))
        .one(tx)
        .await?;
    if let Some(b) = exists {
        return Err(Problem::conflict(
            "batch-exists",
            format!(
                "the batch for {} was issued already ({})",
                input.month, b.id
            ),
        ));
    }
    finish_gradual_exits(tx, outbox, who, month).await?;
    let id = Uuid::now_v7();
    let batch = payment_batch::Model {
        id,
        month: yyyymm(month),
        kind: "monthly".into(),
        monthly_key: Some(key),
        line_count: 0,
        total_fen: 0,
        held_count: 0,
        issued_by: who.subject.clone(),
        issued_at: kit::clock::now(),
    };
    payment_batch::Entity::insert(payment_batch::ActiveModel::from(batch.clone()))
        .exec(tx)
        .await?;
    let first_day: NaiveDate = month.first_day();
    let sql = format!(
        "INSERT INTO payment_lines (id, batch_id, enrollment_id, month, township_code, amount_fen, status) \
         SELECT {line_id}, $1, e.id, $2, e.township_code, a.amount_fen, \
                CASE WHEN e.payee_account IS NULL OR e.payee_account = '' THEN 'held' ELSE 'issued' END \
         FROM enrollments e \
         JOIN enrollment_amounts a ON a.enrollment_id = e.id AND a.from_month = ( \
              SELECT MAX(x.from_month) FROM enrollment_amounts x \
              WHERE x.enrollment_id = e.id AND x.from_month <= $2) \
         WHERE e.start_month <= $2 AND (e.end_month IS NULL OR e.end_month >= $2) \
           AND a.amount_fen > 0 \
           AND EXISTS (SELECT 1 FROM members m WHERE m.household_id = e.household_id \
                       AND (m.deceased_on IS NULL OR m.deceased_on >= $3))",
        line_id = line_id_sql(tx, "$1", "e.id"),
    );
    tx.execute_raw(Statement::from_sql_and_values(
        tx.get_database_backend(),
        sql,
        [id.into(), yyyymm(month).into(), first_day.into()],
    ))
    .await?;
    tx.execute_raw(Statement::from_sql_and_values(
        tx.get_database_backend(),
        grant_lines_sql(tx),
        [
            id.into(),
            yyyymm(month).into(),
            month.next().first_day().into(),
            false.into(),
        ],
    ))
    .await?;
    issue(tx, outbox, who, batch, None).await
}

/// The lines of batch `$2` a re-issue pays: returned lines whose enrollment or grant has a payee
/// account, and held grant lines whose grant has one now (a grant is paid once, so its held line
/// waits for the re-issue; an enrollment's held month is not paid later).
const REISSUABLE: &str = "batch_id = $2 AND ( \
     (status = 'returned' AND enrollment_id IN (SELECT id FROM enrollments \
          WHERE payee_account IS NOT NULL AND payee_account <> '')) \
     OR (status IN ('returned', 'held') AND grant_id IN (SELECT id FROM temporary_grants \
          WHERE payee_account IS NOT NULL AND payee_account <> '')))";

/// Re-issues the returned lines of a batch whose enrollment or grant now has a payee account, and
/// its held grant lines whose grant has one now, in a new batch for the same month; the returned
/// lines are marked `reissued`, the held ones `released` (both pointing at the new batch).
pub async fn reissue(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    batch_id: Uuid,
) -> Result<BatchView, Problem> {
    who.require(&[Role::DistrictOfficer])?;
    let original = payment_batch::Entity::find_by_id(batch_id)
        .one(tx)
        .await?
        .ok_or_else(|| Problem::not_found("no such batch"))?;
    let id = Uuid::now_v7();
    let batch = payment_batch::Model {
        id,
        month: original.month,
        kind: "reissue".into(),
        monthly_key: None,
        line_count: 0,
        total_fen: 0,
        held_count: 0,
        issued_by: who.subject.clone(),
        issued_at: kit::clock::now(),
    };
    payment_batch::Entity::insert(payment_batch::ActiveModel::from(batch.clone()))
        .exec(tx)
        .await?;
    // The old lines are replaced first, so a grant never has two live lines (unique index).
    let n = tx
        .execute_raw(Statement::from_sql_and_values(
            tx.get_database_backend(),
            format!(
                "UPDATE payment_lines SET reissued_in = $1, \
                 status = CASE WHEN status = 'held' THEN 'released' ELSE 'reissued' END \
                 WHERE {REISSUABLE}"
            ),
            [id.into(), batch_id.into()],
        ))
        .await?
        .rows_affected();
    if n == 0 {
        return Err(Problem::conflict(
            "nothing-to-reissue",
            "the batch has no returned line whose enrollment or grant has a payee account, \
             and no held grant line whose grant has one now",
        ));
    }
    let insert = format!(
        "INSERT INTO payment_lines (id, batch_id, enrollment_id, grant_id, month, township_code, amount_fen, status) \
         SELECT {line_id}, $1, l.enrollment_id, l.grant_id, l.month, l.township_code, l.amount_fen, 'issued' \
         FROM payment_lines l WHERE l.reissued_in = $1",
        line_id = line_id_sql(tx, "$1", "l.id"),
    );
    tx.execute_raw(Statement::from_sql_and_values(
        tx.get_database_backend(),
        insert,
        [id.into()],
    ))
    .await?;
    issue(tx, outbox, who, batch, Some(batch_id)).await
}

/// Marks the returned line (`partner.bank.payment.returned.v1` with payer aid) for re-issue;
/// other payers' returns are not ours. Returns whether a line was marked.
pub async fn payment_returned(
    tx: &impl ConnectionTrait,
    event: &PaymentReturned,
) -> Result<bool, EventRefused> {
    if event.payer != Payer::Aid {
        return Ok(false);
    }
    let line = payment_line::Entity::find_by_id(event.line_id)
        .one(tx)
        .await?
        .filter(|l| l.batch_id == event.batch_id)
        .ok_or_else(|| {
            EventRefused::Permanent(format!(
                "no line {} in batch {}",
                event.line_id, event.batch_id
            ))
        })?;
    if line.return_id == Some(event.return_id) {
        return Ok(false);
    }
    if line.amount_fen != event.amount_fen {
        return Err(EventRefused::Permanent(format!(
            "the return is for {} fen but the line paid {}",
            event.amount_fen, line.amount_fen
        )));
    }
    if line.status != "issued" {
        return Err(EventRefused::Permanent(format!(
            "the line is {}, not issued",
            line.status
        )));
    }
    payment_line::Entity::update_many()
        .set(payment_line::ActiveModel {
            status: Set("returned".into()),
            return_id: Set(Some(event.return_id)),
            return_reason: Set(Some(snake(event.reason_code))),
            returned_on: Set(Some(event.returned_on)),
            ..Default::default()
        })
        .filter(payment_line::Column::Id.eq(line.id))
        .exec(tx)
        .await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse_only_as_year_dash_month() {
        let cases = [
            ("2026-12", Some((2026, 12))),
            ("2027-01", Some((2027, 1))),
            ("2026-13", None),
            ("2026-00", None),
            ("202612", None),
            ("2026-1x", None),
        ];
        for (text, expected) in cases {
            let parsed = parse_month("month", text)
                .ok()
                .map(|m| (m.year(), m.month()));
            assert_eq!(parsed, expected, "{text}");
        }
    }

    #[test]
    fn months_are_stored_as_ordered_integers() {
        let dec = Month::new(2026, 12).unwrap();
        assert_eq!(yyyymm(dec), 202_612);
        assert!(yyyymm(dec) < yyyymm(dec.next()));
        assert_eq!(month_text(202_701), "2027-01");
    }
}
