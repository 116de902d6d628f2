//! The monthly payment run and what follows it. Payments are exactly as owed: each enrollment
//! keeps a ledger from its first unsettled month (`next_unpaid_month`), and one set-based
//! statement writes a line for every month of it owed more than issued lines paid — the run's
//! month, arrears (held for want of a payable account, decided after their batch, returned by the
//! bank) and top-ups (a standard raised with effect from a month already paid) — each with the
//! month it belongs to; a second statement pays the temporary-assistance grants approved without
//! act-first (act-first grants were paid in cash from the reserve fund) the same way. The batch
//! event gives the totals per township and the arrears by month, a bank return marks its line and
//! makes its month owed again, and a re-issue batch pays returned and held lines at once.

use chrono::{NaiveDate, Utc};
use contracts::{
    aid::{ArrearsKind, ArrearsTotal, PaymentBatchIssued},
    common::{TownshipCode, TownshipTotal},
    partner::{Payer, PaymentReturned},
};
use kit::{Principal, Refusal, Role, audit, db::is_postgres, outbox::Outbox};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Statement,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::commands::enrollment::steps::finish_gradual_exits;
use crate::commands::enrollment::{contract_month, yyyymm};
use crate::commands::procedure::{EventRefused, internal, snake};
use crate::domain::money::Fen;
use crate::domain::month::Month;
use crate::store::benefits::review_flag;
use crate::store::{enrollment, payment_batch, payment_line};

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
    /// The lines sent that pay an earlier month than the batch's (`arrears`, `top_up`), by month
    /// and kind; included in the counts above.
    #[schema(value_type = Vec<Object>)]
    pub arrears: Vec<ArrearsTotal>,
}

fn month_text(m: i32) -> String {
    format!("{:04}-{:02}", m / 100, m % 100)
}

/// Parses `2026-12`.
pub fn parse_month(field: &str, s: &str) -> Result<Month, Refusal> {
    let bad = || Refusal::invalid(field, "must be a month like 2026-12");
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

async fn totals(db: &impl ConnectionTrait, batch: Uuid) -> Result<Totals, Refusal> {
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

/// The sent lines of `batch` that pay an earlier month, by month and kind.
async fn arrears(db: &impl ConnectionTrait, batch: Uuid) -> Result<Vec<ArrearsTotal>, Refusal> {
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "SELECT month, kind, COUNT(*) AS n, CAST(SUM(amount_fen) AS BIGINT) AS total \
             FROM payment_lines WHERE batch_id = $1 AND status IN ('issued', 'returned', 'reissued') \
               AND kind IN ('arrears', 'top_up') \
             GROUP BY month, kind ORDER BY month, kind",
            [batch.into()],
        ))
        .await?;
    rows.iter()
        .map(|r| {
            let month: i32 = r.try_get("", "month")?;
            let kind: String = r.try_get("", "kind")?;
            let n: i64 = r.try_get("", "n")?;
            Ok(ArrearsTotal {
                month: contract_month(
                    Month::new(month / 100, u32::try_from(month % 100).unwrap_or(1))
                        .ok_or_else(|| internal("line", "month"))?,
                ),
                kind: if kind == "top_up" {
                    ArrearsKind::TopUp
                } else {
                    ArrearsKind::Arrears
                },
                line_count: u64::try_from(n).unwrap_or(0),
                total_fen: r.try_get("", "total")?,
            })
        })
        .collect()
}

/// The batch view with its township totals.
pub async fn view(
    db: &impl ConnectionTrait,
    b: payment_batch::Model,
) -> Result<BatchView, Refusal> {
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
        arrears: arrears(db, b.id).await?,
    })
}

/// The id of a line, computed by the database: PostgreSQL derives it from the batch and what the
/// line pays (an enrollment's month, a grant, the line it re-issues), SQLite draws it at random
/// (its UUIDs are 16-byte blobs).
fn line_id_sql(db: &impl ConnectionTrait, parts: &[&str]) -> String {
    if is_postgres(db) {
        format!("md5(concat_ws('/', {}))::uuid", parts.join(", "))
    } else {
        "randomblob(16)".into()
    }
}

/// Whether the enrollment or grant under `alias` can be paid: an account on record that the bank
/// has not returned a payment to since it was last confirmed.
fn payable(alias: &str) -> String {
    format!(
        "({alias}.payee_account IS NOT NULL AND {alias}.payee_account <> '' \
         AND {alias}.payee_returned_on IS NULL)"
    )
}

/// Why a line of the enrollment or grant under `alias` is held back (NULL when it is not).
fn hold_reason(alias: &str) -> String {
    format!(
        "CASE WHEN {payable} THEN NULL \
              WHEN {alias}.payee_account IS NULL OR {alias}.payee_account = '' THEN 'no_account' \
              ELSE 'account_returned' END",
        payable = payable(alias)
    )
}

/// The first day of the month in `col` (a `yyyymm` integer), comparable with stored dates.
fn first_day_sql(db: &impl ConnectionTrait, col: &str) -> String {
    if is_postgres(db) {
        format!("make_date({col} / 100, {col} % 100, 1)")
    } else {
        format!("printf('%04d-%02d-01', {col} / 100, {col} % 100)")
    }
}

/// The month after the `yyyymm` integer `col`.
fn next_month_sql(col: &str) -> String {
    format!("(CASE WHEN {col} % 100 = 12 THEN {col} + 89 ELSE {col} + 1 END)")
}

/// The enrollments' ledger up to the run's month (the placeholder `month`): every month from each
/// enrollment's first unsettled one (`next_unpaid_month`) through the run's month or its last
/// paid month, with what the month is owed — the amount in force that month while a member of the
/// household lived — and what issued lines settled of it so far (a held or returned line settles
/// nothing).
fn ledger_cte(db: &impl ConnectionTrait, month: &str) -> String {
    format!(
        "WITH RECURSIVE span (enrollment_id, month, last_month) AS ( \
             SELECT e.id, \
                    CASE WHEN e.next_unpaid_month > e.start_month THEN e.next_unpaid_month \
                         ELSE e.start_month END, \
                    CASE WHEN e.end_month IS NOT NULL AND e.end_month < {month} THEN e.end_month \
                         ELSE {month} END \
             FROM enrollments e WHERE e.next_unpaid_month <= {month} AND e.start_month <= {month} \
           UNION ALL \
             SELECT enrollment_id, {next}, last_month FROM span WHERE month < last_month \
         ), ledger (enrollment_id, month, owed, settled) AS ( \
             SELECT s.enrollment_id, s.month, \
                    CASE WHEN EXISTS (SELECT 1 FROM members m WHERE m.household_id = e.household_id \
                                      AND (m.deceased_on IS NULL OR m.deceased_on >= {first_day})) \
                         THEN COALESCE((SELECT a.amount_fen FROM enrollment_amounts a \
                                        WHERE a.enrollment_id = s.enrollment_id \
                                          AND a.from_month <= s.month \
                                        ORDER BY a.from_month DESC LIMIT 1), 0) \
                         ELSE 0 END, \
                    CAST((SELECT COALESCE(SUM(l.amount_fen), 0) FROM payment_lines l \
                          WHERE l.enrollment_id = s.enrollment_id AND l.month = s.month \
                            AND l.status = 'issued') AS BIGINT) \
             FROM span s JOIN enrollments e ON e.id = s.enrollment_id \
             WHERE s.month <= s.last_month \
         ) ",
        next = next_month_sql("month"),
        first_day = first_day_sql(db, "s.month"),
    )
}

/// Marks an enrollment's held and returned lines of other batches as replaced (`released`,
/// `reissued`) by the issued line of batch `$1` that pays the same month again.
const MONTHS_REPAID: &str = "UPDATE payment_lines SET reissued_in = $1, \
     status = CASE WHEN status = 'held' THEN 'released' ELSE 'reissued' END \
     WHERE enrollment_id IS NOT NULL AND status IN ('held', 'returned') AND batch_id <> $1 \
       AND EXISTS (SELECT 1 FROM payment_lines n WHERE n.batch_id = $1 AND n.status = 'issued' \
                   AND n.enrollment_id = payment_lines.enrollment_id \
                   AND n.month = payment_lines.month)";

async fn issue(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    batch: payment_batch::Model,

    reissue_of: Option<Uuid>,
) -> Result<BatchView, Refusal> {
    let Totals {
        townships, held, ..
    } = totals(tx, batch.id).await?;
    let line_count: i64 = townships.iter().map(|t| t.line_count as i64).sum();
    let arrears = arrears(tx, batch.id).await?;
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
                arrears: arrears.clone(),
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
        arrears,
    })
}

/// The run for a month.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RunInput {
    /// The month paid, like `2026-12`.
    pub month: String,
}

/// What of grant `g` issued lines settled so far.
const GRANT_SETTLED: &str = "(SELECT COALESCE(SUM(l.amount_fen), 0) FROM payment_lines l \
     WHERE l.grant_id = g.id AND l.status = 'issued')";

/// A grant the month pays: approved without act-first (`act_first`, false) before the next
/// month's first day (`before`), its amount not yet settled.
fn grant_due(before: &str, act_first: &str) -> String {
    format!(
        "g.status = 'granted' AND g.act_first = {act_first} AND g.decided_on < {before} \
         AND g.amount_fen > {GRANT_SETTLED}"
    )
}

/// The statement writing the month's grant lines (batch `$1`, month `$2`): every grant due that
/// can be paid, and a held line for one that cannot and has no live line yet (a grant is held
/// once, then paid by the run or re-issue after its payee is set).
fn grant_lines_sql(db: &impl ConnectionTrait) -> String {
    format!(
        "INSERT INTO payment_lines \
             (id, batch_id, grant_id, month, township_code, amount_fen, status, kind, hold_reason) \
         SELECT {line_id}, $1, g.id, $2, g.township_code, g.amount_fen - {GRANT_SETTLED}, \
                CASE WHEN {payable} THEN 'issued' ELSE 'held' END, 'grant', {hold} \
         FROM temporary_grants g \
         WHERE {due} AND ({payable} OR NOT EXISTS (SELECT 1 FROM payment_lines l \
               WHERE l.grant_id = g.id AND l.status NOT IN ('reissued', 'released')))",
        line_id = line_id_sql(db, &["$1", "g.id"]),
        payable = payable("g"),
        hold = hold_reason("g"),
        due = grant_due("$3", "$4"),
    )
}

/// The grants' held and returned lines the month's run pays again (batch `$1`): replaced before
/// the new line is written, so that a grant never has two live lines (unique index).
fn grant_lines_replaced_sql() -> String {
    format!(
        "UPDATE payment_lines SET reissued_in = $1, \
         status = CASE WHEN status = 'held' THEN 'released' ELSE 'reissued' END \
         WHERE status IN ('held', 'returned') AND grant_id IN ( \
             SELECT g.id FROM temporary_grants g WHERE {due} AND {payable})",
        due = grant_due("$2", "$3"),
        payable = payable("g"),
    )
}

/// The statement writing the enrollments' lines of the run (batch `$1`, month `$2`): every month
/// of the ledger owed more than it was paid, as `month`, `arrears` or `top_up`; an enrollment that
/// cannot be paid gets a held line for the run's month only (its earlier months stay owed).
fn enrollment_lines_sql(db: &impl ConnectionTrait) -> String {
    format!(
        "{ledger} \
         INSERT INTO payment_lines \
             (id, batch_id, enrollment_id, month, township_code, amount_fen, status, kind, hold_reason) \
         SELECT {line_id}, $1, e.id, l.month, e.township_code, l.owed - l.settled, \
                CASE WHEN {payable} THEN 'issued' ELSE 'held' END, \
                CASE WHEN l.settled > 0 THEN 'top_up' WHEN l.month < $2 THEN 'arrears' \
                     ELSE 'month' END, \
                {hold} \
         FROM ledger l JOIN enrollments e ON e.id = l.enrollment_id \
         WHERE l.owed > l.settled AND ({payable} OR l.month = $2)",
        ledger = ledger_cte(db, "$2"),
        line_id = line_id_sql(db, &["$1", "e.id", "l.month"]),
        payable = payable("e"),
        hold = hold_reason("e"),
    )
}

/// Months of the ledger paid more than they are owed now (a decision reaching back to months
/// already paid lowered them): never clawed back by the run — each is put before the approvers as
/// a review flag (`overpaid`), once.
async fn flag_overpaid(tx: &impl ConnectionTrait, month: i32) -> Result<(), Refusal> {
    let rows = tx
        .query_all_raw(Statement::from_sql_and_values(
            tx.get_database_backend(),
            format!(
                "{} SELECT l.enrollment_id, l.month, l.owed, l.settled FROM ledger l \
                 WHERE l.settled > l.owed ORDER BY l.enrollment_id, l.month",
                ledger_cte(tx, "$1")
            ),
            [month.into()],
        ))
        .await?;
    for r in rows {
        let id: Uuid = r.try_get("", "enrollment_id")?;
        let month: i32 = r.try_get("", "month")?;
        let owed: i64 = r.try_get("", "owed")?;
        let settled: i64 = r.try_get("", "settled")?;
        let Some(e) = enrollment::Entity::find_by_id(id).one(tx).await? else {
            continue;
        };
        review_flag::raise(
            tx,
            &e,
            "",
            "overpaid",
            &format!(
                "{}: paid {} 元, owed {} 元",
                month_text(month),
                Fen(settled),
                Fen(owed)
            ),
            kit::clock::today(),
            &format!("overpaid:{month}:{owed}"),
        )
        .await?;
    }
    Ok(())
}

/// Moves each enrollment's first unsettled month past the run's month (`$1`), or keeps it at the
/// earliest month still owed (held for want of a payable account).
fn advance_sql(db: &impl ConnectionTrait) -> String {
    format!(
        "{ledger} \
         UPDATE enrollments SET next_unpaid_month = COALESCE( \
             (SELECT MIN(l.month) FROM ledger l \
              WHERE l.enrollment_id = enrollments.id AND l.owed > l.settled), {next}) \
         WHERE next_unpaid_month <= $1 AND start_month <= $1",
        ledger = ledger_cte(db, "$1"),
        next = next_month_sql("$1"),
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
) -> Result<BatchView, Refusal> {
    who.require(&[Role::DistrictOfficer])?;
    let month = parse_month("month", &input.month)?;
    let current = Month::of(kit::clock::today());
    if month > current.next() {
        return Err(Refusal::invalid(
            "month",
            format!(
                "a batch pays the current month ({current}) or the next one, or an earlier month \
                 not yet issued"
            ),
        ));
    }
    let key = format!("monthly-{}", yyyymm(month));
    let exists = payment_batch::Entity::find()
        .filter(payment_batch::Column::MonthlyKey.eq(key.clone()))
        .one(tx)
        .await?;
    if let Some(b) = exists {
        return Err(Refusal::conflict(
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
    let month_key = yyyymm(month);
    let next_first_day: NaiveDate = month.next().first_day();
    let statement = |sql: String, values: Vec<sea_orm::Value>| {
        Statement::from_sql_and_values(tx.get_database_backend(), sql, values)
    };
    // Enrollments: every month owed and not settled, then the lines this pays are replaced, then
    // each enrollment's first unsettled month moves on.
    tx.execute_raw(statement(
        enrollment_lines_sql(tx),
        vec![id.into(), month_key.into()],
    ))
    .await?;
    tx.execute_raw(statement(
        grant_lines_replaced_sql(),
        vec![id.into(), next_first_day.into(), false.into()],
    ))
    .await?;
    tx.execute_raw(statement(
        grant_lines_sql(tx),
        vec![
            id.into(),
            month_key.into(),
            next_first_day.into(),
            false.into(),
        ],
    ))
    .await?;
    tx.execute_raw(statement(MONTHS_REPAID.into(), vec![id.into()]))
        .await?;
    flag_overpaid(tx, month_key).await?;
    tx.execute_raw(statement(advance_sql(tx), vec![month_key.into()]))
        .await?;
    issue(tx, outbox, who, batch, None).await
}

/// The lines of batch `$2` a re-issue pays: its returned and held lines whose enrollment or grant
/// can be paid now (an account on record, confirmed since any bank return).
fn reissuable_sql() -> String {
    format!(
        "batch_id = $2 AND status IN ('returned', 'held') AND ( \
             enrollment_id IN (SELECT e.id FROM enrollments e WHERE {enrollment}) \
             OR grant_id IN (SELECT g.id FROM temporary_grants g WHERE {grant}))",
        enrollment = payable("e"),
        grant = payable("g"),
    )
}

/// Re-issues, in a new batch for the same month, the returned and held lines of a batch whose
/// enrollment or grant can be paid now — at once, rather than with the next monthly run, which
/// would pay them too (as arrears): the lines are marked `reissued` (returned) or `released`
/// (held), both pointing at the new batch, so that neither pays a month twice.
pub async fn reissue(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    batch_id: Uuid,
) -> Result<BatchView, Refusal> {
    who.require(&[Role::DistrictOfficer])?;
    let original = payment_batch::Entity::find_by_id(batch_id)
        .one(tx)
        .await?
        .ok_or_else(|| Refusal::not_found("no such batch"))?;
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
                 WHERE {}",
                reissuable_sql()
            ),
            [id.into(), batch_id.into()],
        ))
        .await?
        .rows_affected();
    if n == 0 {
        return Err(Refusal::conflict(
            "nothing-to-reissue",
            "the batch has no returned or held line whose enrollment or grant can be paid now \
             (an account on record, confirmed since any bank return)",
        ));
    }
    let insert = format!(
        "INSERT INTO payment_lines \
             (id, batch_id, enrollment_id, grant_id, month, township_code, amount_fen, status, kind) \
         SELECT {line_id}, $1, l.enrollment_id, l.grant_id, l.month, l.township_code, l.amount_fen, \
                'issued', l.kind \
         FROM payment_lines l WHERE l.reissued_in = $1",
        line_id = line_id_sql(tx, &["$1", "l.id"]),
    );
    tx.execute_raw(Statement::from_sql_and_values(
        tx.get_database_backend(),
        insert,
        [id.into()],
    ))
    .await?;
    issue(tx, outbox, who, batch, Some(batch_id)).await
}

/// Marks the returned line (`partner.bank.payment.returned.v1` with payer aid): its month is owed
/// again, paid by a re-issue or the next run once the payee is confirmed; other payers' returns
/// are not ours. Returns whether a line was marked.
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
    // The month is owed again, and the account on record holds its lines until a clerk confirms
    // or corrects the payee (the next run then pays the month as arrears).
    if let Some(enrollment_id) = line.enrollment_id {
        tx.execute_raw(Statement::from_sql_and_values(
            tx.get_database_backend(),
            "UPDATE enrollments SET payee_returned_on = $1, next_unpaid_month = \
             CASE WHEN next_unpaid_month > $2 THEN $2 ELSE next_unpaid_month END WHERE id = $3",
            [
                event.returned_on.into(),
                line.month.into(),
                enrollment_id.into(),
            ],
        ))
        .await?;
    }
    if let Some(grant_id) = line.grant_id {
        tx.execute_raw(Statement::from_sql_and_values(
            tx.get_database_backend(),
            "UPDATE temporary_grants SET payee_returned_on = $1 WHERE id = $2",
            [event.returned_on.into(), grant_id.into()],
        ))
        .await?;
    }
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
