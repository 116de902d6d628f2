//! The monthly payment run: one batch per month. The comparison runs first (stops, findings);
//! then the cases with a month to pay are read (one join, a page at a time), planned by the pure
//! rules (arrears, each month at its own standard, payee check, rule trail) on a blocking thread
//! while the previous page is written, and written a page per statement; the cases' next unpaid
//! months advance in one join at the end. The same pass adds the payees of granted open cases to
//! the comparison's payee checks (card-name mismatch, shared account), raised at the end: every
//! payee is opened once per run, not once for the comparison and again for the lines. The run
//! costs a handful of statements per page, not per recipient. Bank returns mark a line failed;
//! its month is paid again by the next run.

use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    sync::{Arc, LazyLock, Mutex, PoisonError},
};

use chrono::{NaiveDate, Utc};
use contracts::{
    common::{Month, TownshipCode, TownshipTotal},
    disability::PaymentBatchIssued,
    partner::PaymentReturned,
};
use kit::{Principal, Refusal, audit, outbox::Outbox};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, DbErr,
    EntityTrait, FromQueryResult, IntoActiveModel, QueryFilter, QueryResult, Statement,
    StreamTrait, Value,
};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    CommandError,
    applications::sealed_columns::{PAYEE_ACCOUNT, PAYEE_HOLDER, PAYEE_NAME},
    cases,
    comparison::{self, PayeeScan},
    facts::certificate_from,
    open, open_opt, reference, seal, snake,
};
use crate::{
    domain::{
        certificate::Certificate,
        payee::{PayeeCheck, check_payee},
        payment::{CaseSnapshot, LineStatus, PersonSnapshot, plan},
    },
    store::{
        entities::{payment_batch, payment_line, subsidy},
        sealed::DataKeys,
    },
};

/// Cases read per page.
const PAGE: u64 = 2_000;
/// Lines per multi-row insert on SQLite (18 columns: well under its bind-parameter limit).
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
pub async fn run<C: ConnectionTrait + StreamTrait>(
    db: &C,
    outbox: &Outbox,
    keys: &DataKeys,
    who: &Principal,
    month: Month,
    today: NaiveDate,
) -> Result<BatchView, Refusal> {
    let current = Month::from_date(today);
    if month > current.next() {
        return Err(Refusal::invalid(
            "month",
            format!(
                "a batch pays the current month ({current}) or the next one, or an earlier month \
                 not yet issued"
            ),
        ));
    }
    let exists = payment_batch::Entity::find()
        .filter(payment_batch::Column::Month.eq(month.to_string()))
        .one(db)
        .await?;
    if exists.is_some() {
        return Err(Refusal::conflict(
            "batch-exists",
            format!("the batch of {month} was already issued"),
        )
        .field("month", "one batch per month"));
    }
    prepare_run(db).await?;
    let mut summary = comparison::compare(
        db,
        outbox,
        keys,
        month,
        today,
        comparison::Payees::FromTheRun,
    )
    .await?;
    let context = Arc::new(RunContext {
        keys: keys.clone(),
        backend: ConnectionTrait::get_database_backend(db),
        batch_id: Uuid::now_v7(),
        month,
        standards: reference::standards(db).await?,
        agents: comparison::all_agents(db, keys).await?,
        payees: Mutex::new(PayeeScan::default()),
    });
    let batch_id = context.batch_id;
    let m = month.to_string();
    let mut totals = Totals::default();
    let mut cases = PayableCases::open(db, month).await?;
    // A page is planned (pure rules, opening and sealing accounts: CPU) on a blocking thread
    // while the previous page's lines are written, so the rules and the database work at once.
    let mut planned: Option<PagePlan> = None;
    loop {
        let fetched = cases.next_page(db).await?;
        if fetched.is_empty() {
            break;
        }
        let page = fetched;
        let issued = issued_months(db, &page, month).await?;
        let ctx = Arc::clone(&context);
        let planning = tokio::task::spawn_blocking(move || plan_page(&ctx, &page, &issued));
        if let Some(previous) = planned.take() {
            write_page(db, batch_id, previous).await?;
        }
        let plan = planning.await.map_err(|e| {
            tracing::error!(error = %e, "planning a page of the payment run failed");
            Refusal::internal()
        })??;
        totals.add(&plan.totals);
        planned = Some(plan);
    }
    if let Some(previous) = planned.take() {
        write_page(db, batch_id, previous).await?;
    }
    cases.close(db).await?;
    apply_advances(db).await?;
    let scan = std::mem::take(
        &mut *context
            .payees
            .lock()
            .unwrap_or_else(PoisonError::into_inner),
    );
    summary.findings += comparison::raise_payee_findings(db, outbox, scan, month, today).await?;
    let mut townships = Vec::new();
    for (code, (lines, total)) in totals.issued {
        townships.push(TownshipTotal {
            township_code: TownshipCode::parse(&code).map_err(|_| Refusal::internal())?,
            line_count: lines,
            total_fen: total,
        });
    }
    let held = totals.held;
    let issued_at = kit::clock::now();
    let batch = payment_batch::ActiveModel {
        id: Set(batch_id),
        month: Set(m),
        line_count: Set(townships.iter().map(|t| t.line_count as i64).sum()),
        total_fen: Set(townships.iter().map(|t| t.total_fen).sum()),
        held_count: Set(i64::try_from(held).unwrap_or(i64::MAX)),
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

/// What the lines of a batch add up to, counted as they are written: issued lines and amounts
/// per township, held lines.
#[derive(Default)]
struct Totals {
    issued: BTreeMap<String, (u64, i64)>,
    held: u64,
}

impl Totals {
    fn add(&mut self, other: &Totals) {
        for (code, (lines, total)) in &other.issued {
            let t = self.issued.entry(code.clone()).or_default();
            t.0 += lines;
            t.1 += total;
        }
        self.held += other.held;
    }
}

/// What the run reads of a case: the columns the rules and the payee checks use (the others are
/// neither read nor sent).
#[derive(FromQueryResult)]
struct PayableSubsidy {
    id: Uuid,
    person_ref: String,
    kind: String,
    status: String,
    /// Whether the case is open (`open_key` set).
    open: bool,
    township_code: String,
    start_month: String,
    end_month: Option<String>,
    next_unpaid_month: String,
    rate_level: i32,
    previous_rate_level: Option<i32>,
    rate_level_from: Option<String>,
}

/// A payable case with what the run needs about its person, read in one statement.
struct PayableCase {
    case: PayableSubsidy,
    certificate: Option<Certificate>,
    died_on: Option<NaiveDate>,
    /// The payee's row, still sealed.
    payee: Option<SealedPayee>,
}

struct SealedPayee {
    name: String,
    bank_code: Option<String>,
    account_number: Option<String>,
    account_holder_name: Option<String>,
}

/// The cases with a month to pay, each with its holder's certificate, death and payee. On
/// PostgreSQL one cursor over one join (each table read once, whatever the register's size),
/// fetched a page at a time between the writes of the same transaction; the cursor sees the
/// cases as they were when it opened, so advancing them does not disturb it. On SQLite the same
/// join, a page at a time by case id.
const PAYABLE: &str = "SELECT s.id, s.person_ref, s.kind, s.status, s.open_key IS NOT NULL AS open, \
     s.township_code, s.start_month, s.end_month, s.next_unpaid_month, s.rate_level, \
     s.previous_rate_level, s.rate_level_from, h.category AS h_category, h.level AS h_level, \
     h.issued_on AS h_issued_on, h.expires_on AS h_expires_on, h.revoked_on AS h_revoked_on, \
     h.reassessment_since AS h_reassessment_since, d.died_on AS d_died_on, \
     p.person_ref AS p_person_ref, p.name AS p_name, p.bank_code AS p_bank_code, \
     p.account_number AS p_account_number, p.account_holder_name AS p_account_holder_name \
     FROM subsidies s LEFT JOIN holders h ON h.person_ref = s.person_ref \
     LEFT JOIN deaths d ON d.person_ref = s.person_ref \
     LEFT JOIN payees p ON p.person_ref = s.person_ref \
     WHERE ((s.status IN ('granted', 'ended') AND s.next_unpaid_month <= $1) \
     OR (s.status = 'granted' AND s.open_key IS NOT NULL))";

const CURSOR: &str = "disability_payment_run_cases";

enum PayableCases {
    Cursor,
    Keyset { month: String, after: Uuid },
}

impl PayableCases {
    async fn open(db: &impl ConnectionTrait, month: Month) -> Result<Self, CommandError> {
        if ConnectionTrait::get_database_backend(db) == DbBackend::Postgres {
            // A cursor is planned for its first rows (`cursor_tuple_fraction` 0.1: an index
            // probe per case into each table); every row is read here, so plan for all of them
            // (hash joins, each table read once). A month is `YYYY-MM` (parsed): safe to write
            // into the statement.
            db.execute_unprepared("SET LOCAL cursor_tuple_fraction = 1")
                .await?;
            db.execute_unprepared(&format!(
                "DECLARE {CURSOR} NO SCROLL CURSOR FOR {}",
                PAYABLE.replace("$1", &format!("'{month}'"))
            ))
            .await?;
            db.execute_unprepared("SET LOCAL cursor_tuple_fraction TO DEFAULT")
                .await?;
            Ok(Self::Cursor)
        } else {
            Ok(Self::Keyset {
                month: month.to_string(),
                after: Uuid::nil(),
            })
        }
    }

    async fn next_page(
        &mut self,
        db: &impl ConnectionTrait,
    ) -> Result<Vec<PayableCase>, CommandError> {
        let rows = match self {
            Self::Cursor => {
                db.query_all_raw(Statement::from_string(
                    DbBackend::Postgres,
                    format!("FETCH FORWARD {PAGE} FROM {CURSOR}"),
                ))
                .await?
            }
            Self::Keyset { month, after } => {
                db.query_all_raw(Statement::from_sql_and_values(
                    ConnectionTrait::get_database_backend(db),
                    format!("{PAYABLE} AND s.id > $2 ORDER BY s.id LIMIT {PAGE}"),
                    [month.clone().into(), (*after).into()],
                ))
                .await?
            }
        };
        let page = rows
            .iter()
            .map(payable_case)
            .collect::<Result<Vec<_>, DbErr>>()?;
        if let (Self::Keyset { after, .. }, Some(last)) = (self, page.last()) {
            *after = last.case.id;
        }
        Ok(page)
    }

    async fn close(self, db: &impl ConnectionTrait) -> Result<(), CommandError> {
        if let Self::Cursor = self {
            db.execute_unprepared(&format!("CLOSE {CURSOR}")).await?;
        }
        Ok(())
    }
}

fn payable_case(r: &QueryResult) -> Result<PayableCase, DbErr> {
    let case = PayableSubsidy::from_query_result(r, "")?;
    let certificate = certificate_from(
        r.try_get("", "h_category")?,
        r.try_get("", "h_level")?,
        r.try_get("", "h_issued_on")?,
        r.try_get("", "h_expires_on")?,
        r.try_get("", "h_revoked_on")?,
        r.try_get("", "h_reassessment_since")?,
    );
    let payee = match r.try_get::<Option<String>>("", "p_person_ref")? {
        Some(_) => Some(SealedPayee {
            name: r.try_get("", "p_name")?,
            bank_code: r.try_get("", "p_bank_code")?,
            account_number: r.try_get("", "p_account_number")?,
            account_holder_name: r.try_get("", "p_account_holder_name")?,
        }),
        None => None,
    };
    Ok(PayableCase {
        case,
        certificate,
        died_on: r.try_get("", "d_died_on")?,
        payee,
    })
}

/// A payee's account, opened.
struct Account {
    name: String,
    bank_code: Option<String>,
    number: Option<String>,
    holder: Option<String>,
}

fn open_account(keys: &DataKeys, r: &str, p: &SealedPayee) -> Result<Account, CommandError> {
    Ok(Account {
        name: open(keys, PAYEE_NAME, r, &p.name)?,
        bank_code: p.bank_code.clone(),
        number: open_opt(keys, PAYEE_ACCOUNT, r, p.account_number.as_deref())?,
        holder: open_opt(keys, PAYEE_HOLDER, r, p.account_holder_name.as_deref())?,
    })
}

/// The sealed columns of payment lines.
pub const LINE_ACCOUNT: &str = "payment_lines.account_number";
pub const LINE_HOLDER: &str = "payment_lines.account_holder_name";

/// What every page of one run shares.
struct RunContext {
    keys: DataKeys,
    backend: DbBackend,
    batch_id: Uuid,
    month: Month,
    standards: crate::domain::reference::Standards,
    /// Every registered agent's name by the person they act for, opened once per run (agents
    /// are few).
    agents: HashMap<String, Vec<String>>,
    /// The comparison's payee checks, added page by page (one page is planned at a time).
    payees: Mutex<PayeeScan>,
}

/// A page planned: its lines (on PostgreSQL already as the arrays `write_lines` sends), the cases
/// whose next unpaid month advances, and what the lines add up to.
struct PagePlan {
    lines: Lines,
    advance: BTreeMap<String, Vec<Uuid>>,
    totals: Totals,
}

enum Lines {
    /// PostgreSQL: one typed array per column (see `write_lines`).
    Columns(Vec<Value>),
    Models(Vec<payment_line::Model>),
}

/// The columns of `payment_lines` that `write_lines` sends as arrays, with their array types, in
/// the order of its statement's parameters after the batch id.
const LINE_COLUMNS: [(&str, &str); 16] = [
    ("id", "uuid[]"),
    ("subsidy_id", "uuid[]"),
    ("person_ref", "text[]"),
    ("kind", "text[]"),
    ("month", "text[]"),
    ("amount_fen", "bigint[]"),
    ("level", "integer[]"),
    ("standard_from", "date[]"),
    ("status", "text[]"),
    ("hold_reason", "text[]"),
    ("arrears", "boolean[]"),
    ("township_code", "text[]"),
    ("bank_code", "text[]"),
    ("account_number", "text[]"),
    ("account_holder_name", "text[]"),
    ("trail", "text[]"),
];

/// The statement that writes a page's lines from their arrays (`$1` the batch id).
static INSERT_LINES: LazyLock<String> = LazyLock::new(|| {
    let arrays: Vec<String> = LINE_COLUMNS
        .iter()
        .enumerate()
        .map(|(k, (_, ty))| format!("CAST(${} AS {ty})", k + 2))
        .collect();
    let names: Vec<&str> = LINE_COLUMNS.iter().map(|(name, _)| *name).collect();
    format!(
        "INSERT INTO payment_lines (id, batch_id, subsidy_id, person_ref, kind, month, amount_fen, \
         level, standard_from, status, hold_reason, arrears, township_code, bank_code, \
         account_number, account_holder_name, trail) \
         SELECT u.id, $1, u.subsidy_id, u.person_ref, u.kind, u.month, u.amount_fen, u.level, \
         u.standard_from, u.status, NULLIF(u.hold_reason, ''), u.arrears, u.township_code, \
         NULLIF(u.bank_code, ''), NULLIF(u.account_number, ''), NULLIF(u.account_holder_name, ''), \
         u.trail FROM unnest({}) AS u({})",
        arrays.join(", "),
        names.join(", ")
    )
});

/// A page's lines as one array per column. Array elements cannot be NULL here, so a missing
/// value of the nullable text columns travels as '' and the statement turns it back into NULL
/// (none of them is ever empty: bank codes are validated non-empty, the others are sealed values
/// or reason codes).
fn line_columns(rows: Vec<payment_line::Model>) -> Vec<Value> {
    let n = rows.len();
    let mut id = Vec::with_capacity(n);
    let mut subsidy_id = Vec::with_capacity(n);
    let mut person_ref = Vec::with_capacity(n);
    let mut kind = Vec::with_capacity(n);
    let mut month = Vec::with_capacity(n);
    let mut amount_fen = Vec::with_capacity(n);
    let mut level = Vec::with_capacity(n);
    let mut standard_from = Vec::with_capacity(n);
    let mut status = Vec::with_capacity(n);
    let mut hold_reason = Vec::with_capacity(n);
    let mut arrears = Vec::with_capacity(n);
    let mut township_code = Vec::with_capacity(n);
    let mut bank_code = Vec::with_capacity(n);
    let mut account_number = Vec::with_capacity(n);
    let mut account_holder_name = Vec::with_capacity(n);
    let mut trail = Vec::with_capacity(n);
    for l in rows {
        id.push(l.id);
        subsidy_id.push(l.subsidy_id);
        person_ref.push(l.person_ref);
        kind.push(l.kind);
        month.push(l.month);
        amount_fen.push(l.amount_fen);
        level.push(l.level);
        standard_from.push(l.standard_from);
        status.push(l.status);
        hold_reason.push(l.hold_reason.unwrap_or_default());
        arrears.push(l.arrears);
        township_code.push(l.township_code);
        bank_code.push(l.bank_code.unwrap_or_default());
        account_number.push(l.account_number.unwrap_or_default());
        account_holder_name.push(l.account_holder_name.unwrap_or_default());
        trail.push(l.trail);
    }
    vec![
        id.into(),
        subsidy_id.into(),
        person_ref.into(),
        kind.into(),
        month.into(),
        amount_fen.into(),
        level.into(),
        standard_from.into(),
        status.into(),
        hold_reason.into(),
        arrears.into(),
        township_code.into(),
        bank_code.into(),
        account_number.into(),
        account_holder_name.into(),
        trail.into(),
    ]
}

/// The months already issued to the page's cases in arrears. They matter only for such a case:
/// the run pays the months from the case's next unpaid month through the run's month, and no
/// line of the run's month can exist before its (single) batch.
async fn issued_months(
    db: &impl ConnectionTrait,
    page: &[PayableCase],
    month: Month,
) -> Result<HashMap<Uuid, BTreeSet<Month>>, CommandError> {
    let run_month = month.to_string();
    let ids: Vec<Uuid> = page
        .iter()
        .filter(|c| c.case.next_unpaid_month < run_month)
        .map(|c| c.case.id)
        .collect();
    let mut issued: HashMap<Uuid, BTreeSet<Month>> = HashMap::new();
    if ids.is_empty() {
        return Ok(issued);
    }
    let earliest = page
        .iter()
        .map(|c| c.case.next_unpaid_month.clone())
        .min()
        .unwrap_or_default();
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
    Ok(issued)
}

/// Plans a page by the pure rules: the payee check, the lines with their sealed accounts and
/// trails, the advances. No database: it runs on a blocking thread.
fn plan_page(
    context: &RunContext,
    page: &[PayableCase],
    issued: &HashMap<Uuid, BTreeSet<Month>>,
) -> Result<PagePlan, CommandError> {
    let RunContext {
        keys,
        backend,
        batch_id,
        month,
        standards,
        agents,
        payees: scan,
    } = context;
    let (batch_id, month) = (*batch_id, *month);
    let mut totals = Totals::default();
    let run_month = month.to_string();
    let payable = |s: &PayableSubsidy| {
        matches!(s.status.as_str(), "granted" | "ended")
            && s.next_unpaid_month <= run_month
            && s.end_month
                .as_deref()
                .is_none_or(|e| s.next_unpaid_month.as_str() <= e)
    };
    let mut payees: HashMap<&str, Account> = HashMap::new();
    for c in page {
        let r = c.case.person_ref.as_str();
        if let Some(p) = &c.payee
            && !payees.contains_key(r)
            && (payable(&c.case) || comparison::checks_payee(&c.case.status, c.case.open))
        {
            payees.insert(r, open_account(keys, r, p)?);
        }
    }
    {
        let mut scan = scan.lock().unwrap_or_else(PoisonError::into_inner);
        for c in page
            .iter()
            .filter(|c| comparison::checks_payee(&c.case.status, c.case.open))
        {
            let r = c.case.person_ref.as_str();
            if let Some(a) = payees.get(r) {
                scan.add(
                    r,
                    &c.case.township_code,
                    &a.name,
                    a.number.as_deref(),
                    a.holder.as_deref(),
                    agents.get(r).map_or(&[][..], Vec::as_slice),
                );
            }
        }
    }
    let empty = BTreeSet::new();
    let mut rows = Vec::new();
    let mut advance: BTreeMap<String, Vec<Uuid>> = BTreeMap::new();
    for c in page.iter().filter(|c| payable(&c.case)) {
        let s = &c.case;
        let parse = |m: &str| m.parse::<Month>().ok();
        let (Some(start), Some(next_unpaid)) = (parse(&s.start_month), parse(&s.next_unpaid_month))
        else {
            continue;
        };
        let case = CaseSnapshot {
            kind: cases::kind_named(&s.kind),
            start,
            end: s.end_month.as_deref().and_then(parse),
            next_unpaid,
            rate_level: u8::try_from(s.rate_level).unwrap_or(0),
            previous_rate_level: s.previous_rate_level.and_then(|l| u8::try_from(l).ok()),
            rate_level_from: s.rate_level_from.as_deref().and_then(parse),
        };
        let account = payees.get(s.person_ref.as_str());
        let check = match account {
            Some(p) if p.number.is_some() => check_payee(
                p.holder.as_deref(),
                &p.name,
                agents.get(&s.person_ref).map_or(&[][..], Vec::as_slice),
            ),
            _ => PayeeCheck::NoAccount,
        };
        let person = PersonSnapshot {
            certificate: c.certificate.as_ref(),
            died_on: c.died_on,
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
                LineStatus::Issued => {
                    let t = totals.issued.entry(s.township_code.clone()).or_default();
                    t.0 += 1;
                    t.1 += line.amount.0;
                    ("issued", None)
                }
                LineStatus::Held(c) => {
                    totals.held += 1;
                    ("held", Some(hold_reason(c).to_owned()))
                }
            };
            let sent = account.filter(|_| line.status == LineStatus::Issued);
            let id = Uuid::now_v7();
            let row = id.to_string();
            rows.push(payment_line::Model {
                id,
                batch_id,
                subsidy_id: s.id,
                person_ref: s.person_ref.clone(),
                kind: snake(case.kind),
                month: line.month.to_string(),
                amount_fen: line.amount.0,
                level: i32::from(line.level),
                standard_from: line.standard_from,
                status: status.to_owned(),
                hold_reason: hold,
                arrears: line.arrears,
                township_code: s.township_code.clone(),
                bank_code: sent.and_then(|a| a.bank_code.clone()),
                account_number: sent
                    .and_then(|a| a.number.as_deref())
                    .map(|n| seal(keys, LINE_ACCOUNT, &row, n)),
                account_holder_name: sent
                    .and_then(|a| a.holder.as_deref())
                    .map(|h| seal(keys, LINE_HOLDER, &row, h)),
                trail: line.trail.join("\n"),
                return_reason: None,
            });
        }
    }
    let lines = if *backend == DbBackend::Postgres {
        Lines::Columns(line_columns(rows))
    } else {
        Lines::Models(rows)
    };
    Ok(PagePlan {
        lines,
        advance,
        totals,
    })
}

/// Writes a planned page: its lines and its advances.
async fn write_page(
    db: &impl ConnectionTrait,
    batch_id: Uuid,
    page: PagePlan,
) -> Result<(), CommandError> {
    write_lines(db, batch_id, page.lines).await?;
    for (next, ids) in page.advance {
        advance_cases(db, &next, ids).await?;
    }
    Ok(())
}

/// The temporary table (PostgreSQL) where a run collects the cases whose next unpaid month it
/// advances; it is applied in one join when the lines are written and dropped at commit.
const ADVANCES: &str = "disability_payment_run_advances";

/// Prepares a run's session on PostgreSQL: the advances' table, and `work_mem` for the run's
/// hash joins over the whole register (the comparison's; the payable cases; the advance), which
/// spill to temporary files with the default 4 MB. Both end with the transaction.
async fn prepare_run(db: &impl ConnectionTrait) -> Result<(), CommandError> {
    if ConnectionTrait::get_database_backend(db) == DbBackend::Postgres {
        db.execute_unprepared("SET LOCAL work_mem = '64MB'").await?;
        db.execute_unprepared(&format!(
            "CREATE TEMPORARY TABLE {ADVANCES} (id uuid NOT NULL, next_unpaid_month varchar(7) NOT NULL) \
             ON COMMIT DROP"
        ))
        .await?;
    }
    Ok(())
}

/// Applies the advances collected by `advance_cases` (PostgreSQL): one pass over the register
/// instead of a probe of the primary key per case.
async fn apply_advances(db: &impl ConnectionTrait) -> Result<(), CommandError> {
    if ConnectionTrait::get_database_backend(db) == DbBackend::Postgres {
        db.execute_unprepared(&format!(
            "UPDATE subsidies s SET next_unpaid_month = a.next_unpaid_month FROM {ADVANCES} a \
             WHERE s.id = a.id"
        ))
        .await?;
        db.execute_unprepared(&format!("DROP TABLE {ADVANCES}"))
            .await?;
    }
    Ok(())
}

/// Sets the next unpaid month of `ids`: on PostgreSQL recorded in the run's advances (the ids
/// travel as one array, so the statement's text does not depend on their number and stays
/// prepared) and applied at the end of the run; on SQLite at once.
async fn advance_cases(
    db: &impl ConnectionTrait,
    next: &str,
    ids: Vec<Uuid>,
) -> Result<(), CommandError> {
    if ConnectionTrait::get_database_backend(db) == DbBackend::Postgres {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            format!("INSERT INTO {ADVANCES} SELECT id, $1 FROM unnest(CAST($2 AS uuid[])) AS id"),
            [next.into(), ids.into()],
        ))
        .await?;
        return Ok(());
    }
    subsidy::Entity::update_many()
        .col_expr(
            subsidy::Column::NextUnpaidMonth,
            sea_orm::sea_query::Expr::value(next),
        )
        .filter(subsidy::Column::Id.is_in(ids))
        .exec(db)
        .await?;
    Ok(())
}

/// Writes a page's lines. On PostgreSQL the page travels as one typed array per column, sent
/// in binary, and the server unnests them into rows: one statement per page, the same text every
/// time (prepared once), and nothing to parse but the arrays (a JSON document of the page cost
/// the server more than inserting the rows). SQLite gets multi-row inserts.
async fn write_lines(
    db: &impl ConnectionTrait,
    batch_id: Uuid,
    lines: Lines,
) -> Result<(), CommandError> {
    match lines {
        Lines::Columns(columns) => {
            let mut values = Vec::with_capacity(columns.len() + 1);
            values.push(batch_id.into());
            values.extend(columns);
            db.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                INSERT_LINES.as_str(),
                values,
            ))
            .await?;
        }
        Lines::Models(mut lines) => {
            while !lines.is_empty() {
                let rest = lines.split_off(lines.len().min(INSERT_CHUNK));
                let chunk = std::mem::replace(&mut lines, rest)
                    .into_iter()
                    .map(|l| l.into_active_model().reset_all());
                payment_line::Entity::insert_many(chunk).exec(db).await?;
            }
        }
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
