//! The monthly payment run: one batch per month. The comparison runs first (stops, findings);
//! then the cases with a month to pay are read in pages, planned by the pure rules (arrears,
//! each month at its own standard, payee check, rule trail) and written in multi-row inserts,
//! so the run costs a handful of statements per page, not per recipient. Bank returns mark a
//! line failed; its month is paid again by the next run.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{NaiveDate, Utc};
use contracts::{
    common::{Month, TownshipCode, TownshipTotal},
    disability::PaymentBatchIssued,
    partner::PaymentReturned,
};
use kit::{Principal, Problem, audit, outbox::Outbox};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    CommandError,
    applications::sealed_columns::{AGENT_NAME, PAYEE_ACCOUNT, PAYEE_HOLDER, PAYEE_NAME},
    cases, comparison,
    facts::certificate_of,
    open, open_opt, reference, seal, snake,
};
use crate::{
    domain::{
        payee::{PayeeCheck, check_payee},
        payment::{CaseSnapshot, LineStatus, PersonSnapshot, plan},
    },
    store::{
        entities::{agent, death, holder, payee, payment_batch, payment_line, subsidy},
        sealed::DataKeys,
    },
};

/// Cases read per page.
const PAGE: u64 = 2_000;
/// Lines per multi-row insert (18 columns: well under every bind-parameter limit).
const INSERT_CHUNK: usize = 500;

/// A batch as the edge shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BatchView {
    pub id: Uuid,
    pub month: String,
    pub line_count: i64,
    pub total_fen: i64,
    pub held_count: i64,
    pub issued_at: chrono::DateTime<Utc>,
    pub comparison: Option<comparison::ComparisonSummary>,
}

impl From<payment_batch::Model> for BatchView {
    fn from(b: payment_batch::Model) -> Self {
        Self {
            id: b.id,
            month: b.month,
            line_count: b.line_count,
            total_fen: b.total_fen,
            held_count: b.held_count,
            issued_at: b.issued_at,
            comparison: None,
        }
    }
}

fn hold_reason(check: PayeeCheck) -> &'static str {
    match check {
        PayeeCheck::NoAccount => "no_account",
        _ => "card_name_mismatch",
    }
}

/// Runs the payment of `month`: comparison, lines, batch totals and the batch event.
pub async fn run(
    db: &impl ConnectionTrait,
    outbox: &Outbox,
    keys: &DataKeys,
    who: &Principal,
    month: Month,
    today: NaiveDate,
) -> Result<BatchView, Problem> {
    let exists = payment_batch::Entity::find()
        .filter(payment_batch::Column::Month.eq(month.to_string()))
        .one(db)
        .await?;
    if exists.is_some() {
        return Err(Problem::conflict(
            "batch-exists",
            format!("the batch of {month} was already issued"),
        )
        .field("month", "one batch per month"));
    }
    let summary = comparison::compare(db, outbox, keys, month, today).await?;
    let standards = reference::standards(db).await?;
    let batch_id = Uuid::now_v7();
    let m = month.to_string();
    let mut cursor = Uuid::nil();
    loop {
        let page = subsidy::Entity::find()
            .filter(subsidy::Column::Status.is_in([cases::status::GRANTED, cases::status::ENDED]))
            .filter(subsidy::Column::NextUnpaidMonth.lte(m.clone()))
            .filter(subsidy::Column::Id.gt(cursor))
            .order_by_asc(subsidy::Column::Id)
            .limit(PAGE)
            .all(db)
            .await?;
        let Some(last) = page.last() else { break };
        cursor = last.id;
        let page: Vec<_> = page
            .into_iter()
            .filter(|s| {
                s.end_month
                    .as_deref()
                    .is_none_or(|e| s.next_unpaid_month.as_str() <= e)
            })
            .collect();
        pay_page(db, keys, batch_id, month, &page, &standards).await?;
    }
    let totals = db
        .query_all_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "SELECT township_code, COUNT(*) AS lines, CAST(SUM(amount_fen) AS BIGINT) AS total FROM payment_lines \
             WHERE batch_id = $1 AND status = 'issued' GROUP BY township_code ORDER BY township_code",
            [batch_id.into()],
        ))
        .await?;
    let mut townships = Vec::new();
    for r in totals {
        let code: String = r.try_get("", "township_code")?;
        let lines: i64 = r.try_get("", "lines")?;
        let total: i64 = r.try_get("", "total")?;
        townships.push(TownshipTotal {
            township_code: TownshipCode::parse(&code).map_err(|_| Problem::internal())?,
            line_count: u64::try_from(lines).unwrap_or(0),
            total_fen: total,
        });
    }
    let held = payment_line::Entity::find()
        .filter(payment_line::Column::BatchId.eq(batch_id))
        .filter(payment_line::Column::Status.eq("held"))
        .count(db)
        .await?;
    let issued_at = Utc::now();
    let batch = payment_batch::ActiveModel {
        id: Set(batch_id),
        month: Set(m),
        line_count: Set(townships.iter().map(|t| t.line_count as i64).sum()),
        total_fen: Set(townships.iter().map(|t| t.total_fen).sum()),
        held_count: Set(i64::try_from(held).unwrap_or(0)),
        issued_at: Set(issued_at),
        issued_by: Set(who.subject.clone()),
    }
    .insert(db)
    .await?;
    outbox
        .enqueue(
            db,
            &PaymentBatchIssued {
                batch_id,
                month,
                line_count: u64::try_from(batch.line_count).unwrap_or(0),
                total_fen: batch.total_fen,
                townships,
                issued_at: issued_at.fixed_offset(),
            },
        )
        .await
        .map_err(CommandError::from)?;
    audit::record(
        db,
        who,
        "issue-payment-batch",
        "payment_batch",
        &batch_id.to_string(),
        &format!(
            "{month}: {} lines, {} fen, {} held",
            batch.line_count, batch.total_fen, batch.held_count
        ),
    )
    .await?;
    let mut view = BatchView::from(batch);
    view.comparison = Some(summary);
    Ok(view)
}

use sea_orm::PaginatorTrait;

/// A payee's account, opened.
struct Account {
    name: String,
    bank_code: Option<String>,
    number: Option<String>,
    holder: Option<String>,
}

fn open_account(keys: &DataKeys, p: payee::Model) -> Result<Account, CommandError> {
    let r = &p.person_ref;
    Ok(Account {
        name: open(keys, PAYEE_NAME, r, &p.name)?,
        bank_code: p.bank_code,
        number: open_opt(keys, PAYEE_ACCOUNT, r, p.account_number.as_deref())?,
        holder: open_opt(keys, PAYEE_HOLDER, r, p.account_holder_name.as_deref())?,
    })
}

/// The sealed columns of payment lines.
pub const LINE_ACCOUNT: &str = "payment_lines.account_number";
pub const LINE_HOLDER: &str = "payment_lines.account_holder_name";

async fn pay_page(
    db: &impl ConnectionTrait,
    keys: &DataKeys,
    batch_id: Uuid,
    month: Month,
    page: &[subsidy::Model],
    standards: &crate::domain::reference::Standards,
) -> Result<(), CommandError> {
    if page.is_empty() {
        return Ok(());
    }
    let people: Vec<String> = page
        .iter()
        .map(|s| s.person_ref.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let ids: Vec<Uuid> = page.iter().map(|s| s.id).collect();
    let holders: HashMap<String, holder::Model> = holder::Entity::find()
        .filter(holder::Column::PersonRef.is_in(people.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|h| (h.person_ref.clone(), h))
        .collect();
    let deaths: HashMap<String, NaiveDate> = death::Entity::find()
        .filter(death::Column::PersonRef.is_in(people.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.person_ref, d.died_on))
        .collect();
    let mut payees: HashMap<String, Account> = HashMap::new();
    for p in payee::Entity::find()
        .filter(payee::Column::PersonRef.is_in(people.clone()))
        .all(db)
        .await?
    {
        payees.insert(p.person_ref.clone(), open_account(keys, p)?);
    }
    let mut agents: HashMap<String, Vec<String>> = HashMap::new();
    for a in agent::Entity::find()
        .filter(agent::Column::PersonRef.is_in(people))
        .all(db)
        .await?
    {
        let name = open(keys, AGENT_NAME, &a.id.to_string(), &a.name)?;
        agents.entry(a.person_ref).or_default().push(name);
    }
    let earliest = page
        .iter()
        .map(|s| s.next_unpaid_month.clone())
        .min()
        .unwrap_or_default();
    let mut issued: HashMap<Uuid, BTreeSet<Month>> = HashMap::new();
    for l in payment_line::Entity::find()
        .filter(payment_line::Column::SubsidyId.is_in(ids))
        .filter(payment_line::Column::Status.eq("issued"))
        .filter(payment_line::Column::Month.gte(earliest))
        .all(db)
        .await?
    {
        if let Ok(m) = l.month.parse() {
            issued.entry(l.subsidy_id).or_default().insert(m);
        }
    }
    let empty = BTreeSet::new();
    let mut rows = Vec::new();
    let mut advance: BTreeMap<String, Vec<Uuid>> = BTreeMap::new();
    for s in page {
        let parse = |m: &str| m.parse::<Month>().ok();
        let (Some(start), Some(next_unpaid)) = (parse(&s.start_month), parse(&s.next_unpaid_month))
        else {
            continue;
        };
        let case = CaseSnapshot {
            kind: cases::kind_of(s),
            start,
            end: s.end_month.as_deref().and_then(parse),
            next_unpaid,
            rate_level: u8::try_from(s.rate_level).unwrap_or(0),
            previous_rate_level: s.previous_rate_level.and_then(|l| u8::try_from(l).ok()),
            rate_level_from: s.rate_level_from.as_deref().and_then(parse),
        };
        let cert = holders.get(&s.person_ref).and_then(certificate_of);
        let account = payees.get(&s.person_ref);
        let check = match account {
            Some(p) if p.number.is_some() => check_payee(
                p.holder.as_deref(),
                &p.name,
                agents.get(&s.person_ref).map_or(&[][..], Vec::as_slice),
            ),
            _ => PayeeCheck::NoAccount,
        };
        let person = PersonSnapshot {
            certificate: cert.as_ref(),
            died_on: deaths.get(&s.person_ref).copied(),
            payee: check,
        };
        let p = plan(
            month,
            &case,
            person,
            issued.get(&s.id).unwrap_or(&empty),
            standards,
        );
        if p.next_unpaid != next_unpaid {
            advance
                .entry(p.next_unpaid.to_string())
                .or_default()
                .push(s.id);
        }
        for line in p.lines {
            let (status, hold) = match line.status {
                LineStatus::Issued => ("issued", None),
                LineStatus::Held(c) => ("held", Some(hold_reason(c).to_owned())),
            };
            let sent = account.filter(|_| line.status == LineStatus::Issued);
            let id = Uuid::now_v7();
            let row = id.to_string();
            rows.push(payment_line::ActiveModel {
                id: Set(id),
                batch_id: Set(batch_id),
                subsidy_id: Set(s.id),
                person_ref: Set(s.person_ref.clone()),
                kind: Set(snake(case.kind)),
                month: Set(line.month.to_string()),
                amount_fen: Set(line.amount.0),
                level: Set(i32::from(line.level)),
                standard_from: Set(line.standard_from),
                status: Set(status.to_owned()),
                hold_reason: Set(hold),
                arrears: Set(line.arrears),
                township_code: Set(s.township_code.clone()),
                bank_code: Set(sent.and_then(|a| a.bank_code.clone())),
                account_number: Set(sent
                    .and_then(|a| a.number.as_deref())
                    .map(|n| seal(keys, LINE_ACCOUNT, &row, n))),
                account_holder_name: Set(sent
                    .and_then(|a| a.holder.as_deref())
                    .map(|h| seal(keys, LINE_HOLDER, &row, h))),
                trail: Set(line.trail.join("\n")),
                return_reason: Set(None),
            });
        }
    }
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(INSERT_CHUNK));
        payment_line::Entity::insert_many(std::mem::replace(&mut rows, rest))
            .exec(db)
            .await?;
    }
    for (next, ids) in advance {
        subsidy::Entity::update_many()
            .col_expr(
                subsidy::Column::NextUnpaidMonth,
                sea_orm::sea_query::Expr::value(next),
            )
            .filter(subsidy::Column::Id.is_in(ids))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// What became of a bank return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnOutcome {
    /// The line is marked failed (or already was) and will be re-issued.
    Failed,
    /// Another context's batch.
    NotOurs,
    /// No such line in that batch.
    UnknownLine,
}

/// `partner.bank.payment.returned.v1`: marks the line failed so the next run pays its month again.
pub async fn payment_returned(
    db: &impl ConnectionTrait,
    e: &PaymentReturned,
) -> Result<ReturnOutcome, CommandError> {
    if e.payer != contracts::partner::Payer::Disability {
        return Ok(ReturnOutcome::NotOurs);
    }
    let Some(line) = payment_line::Entity::find_by_id(e.line_id)
        .one(db)
        .await?
        .filter(|l| l.batch_id == e.batch_id)
    else {
        return Ok(ReturnOutcome::UnknownLine);
    };
    if line.status == "failed" {
        return Ok(ReturnOutcome::Failed);
    }
    let (subsidy_id, month) = (line.subsidy_id, line.month.clone());
    let mut a: payment_line::ActiveModel = line.into();
    a.status = Set("failed".to_owned());
    a.return_reason = Set(Some(snake(e.reason_code)));
    a.update(db).await?;
    subsidy::Entity::update_many()
        .col_expr(
            subsidy::Column::NextUnpaidMonth,
            sea_orm::sea_query::Expr::value(month.clone()),
        )
        .filter(subsidy::Column::Id.eq(subsidy_id))
        .filter(subsidy::Column::NextUnpaidMonth.gt(month))
        .exec(db)
        .await?;
    Ok(ReturnOutcome::Failed)
}
