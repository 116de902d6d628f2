//! disability-subsidies' monthly payment run, called as its REST edge calls it (one transaction:
//! comparison with every cross-check, then the lines), on a register seeded with set-based SQL:
//! N recipients with certificates, dibao enrollments for the living subsidy, payees, the months
//! already paid, and the anomalies a real register has (deaths, expired certificates, card-name
//! mismatches with and without an agent, accounts shared by three people, arrears).

use std::time::Instant;

use anyhow::{Context, anyhow};
use chrono::NaiveDate;
use contracts::common::Month;
use disability_subsidies::{
    commands::{
        applications::sealed_columns::{AGENT_NAME, PAYEE_ACCOUNT, PAYEE_HOLDER, PAYEE_NAME},
        payments,
    },
    store::sealed::{DataKeys, binding},
};
use kit::testing::TestDatabase;
use kit::{Principal, Role, identity::DivisionCode, outbox::Outbox};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement, TransactionTrait};
use sea_orm_migration::MigratorTrait;

use crate::{Plan, drop_database, report::PaymentFigures, stats::Rounds};

/// A seeded register.
pub struct Register {
    pub recipients: u64,
    /// The first month to run (the month after the last one paid).
    pub month: Month,
}

/// person_ref of recipient `g`: a scrambled prefix (so the order looks random, as HMACs do) and
/// the number; the same in SQL and in Rust.
const PERSON_REF_SQL: &str =
    "(lpad(to_hex((g::bigint * 2654435761) % 4294967296), 8, '0') || lpad(to_hex(g), 24, '0'))";

fn person_ref(g: u64) -> String {
    format!("{:08x}{g:024x}", (g * 2_654_435_761) % 4_294_967_296)
}

/// The id of recipient `g`'s subsidy case, shaped as the service's ids are (`Uuid::now_v7()`: a
/// millisecond timestamp first, so ids sort in the order the cases were created, here from
/// 2024-01-20 on, one per millisecond). Random ids instead would make every run's index of lines
/// by case take its entries in random order, which a real register does not.
const SUBSIDY_ID: &str = "CAST(lpad(to_hex(1705708800000 + g), 12, '0') || '7' || lpad(to_hex(g % 4096), 3, '0') \
     || '8' || lpad(to_hex(g), 15, '0') AS uuid)";

/// An account value of a paid month's line, as long as a sealed one.
const OPAQUE: &str = "'enc:v1:00000000:' || repeat('x', 60)";

/// Payees (sealed name, account and account holder, as the service stores them) and agents,
/// sealed here and loaded with COPY. 0.1% hold a card in another name (half of them with that
/// person registered as agent); 0.15% share an account by three.
async fn load_payees(url: &str, n: u64) -> anyhow::Result<()> {
    use sea_orm::sqlx::{Connection, postgres::PgConnection};
    let keys = DataKeys::development();
    let mut conn = PgConnection::connect(url).await?;
    let mut copy = conn
        .copy_in_raw(
            "COPY payees (person_ref, name, bank_code, account_number, account_holder_name, updated_at, version) FROM STDIN",
        )
        .await?;
    let now = chrono::Utc::now().to_rfc3339();
    let mut chunk = String::with_capacity(1 << 20);
    for g in 1..=n {
        let p = person_ref(g);
        let account = if matches!(g % 2000, 11..=13) {
            format!("S{}", g / 2000)
        } else {
            format!("62{g:017}")
        };
        let holder = if g % 1000 == 3 {
            format!("A{g}")
        } else {
            format!("N{g}")
        };
        let seal = |column: &str, v: &str| keys.seal(&binding(column, &p), v);
        use std::fmt::Write as _;
        let _ = writeln!(
            chunk,
            "{p}\t{}\t102\t{}\t{}\t{now}\t1",
            seal(PAYEE_NAME, &format!("N{g}")),
            seal(PAYEE_ACCOUNT, &account),
            seal(PAYEE_HOLDER, &holder),
        );
        if chunk.len() > (1 << 20) - 1024 {
            copy.send(std::mem::take(&mut chunk).into_bytes()).await?;
        }
    }
    copy.send(chunk.into_bytes()).await?;
    copy.finish().await?;
    let mut copy = conn
        .copy_in_raw(
            "COPY agents (id, person_ref, name, relationship, registered_by, created_at) FROM STDIN",
        )
        .await?;
    let mut rows = String::new();
    for g in (1..=n).filter(|g| g % 2000 == 3) {
        let id = uuid::Uuid::now_v7().to_string();
        use std::fmt::Write as _;
        let _ = writeln!(
            rows,
            "{id}\t{}\t{}\tchild\tbench\t{now}",
            person_ref(g),
            keys.seal(&binding(AGENT_NAME, &id), &format!("A{g}"))
        );
    }
    copy.send(rows.into_bytes()).await?;
    copy.finish().await?;
    Ok(())
}

fn townships_sql() -> String {
    let codes: Vec<String> = kit::divisions::YUBEI_TOWNSHIPS
        .iter()
        .map(|t| format!("'{}'", t.code))
        .collect();
    format!("(ARRAY[{}])[1 + g % 30]", codes.join(","))
}

async fn exec(db: &DatabaseConnection, sql: &str) -> anyhow::Result<()> {
    db.execute_unprepared(sql)
        .await
        .with_context(|| sql.chars().take(80).collect::<String>())?;
    Ok(())
}

/// Migrates `db` as disability-subsidies and seeds `n` recipients whose months up to the one
/// before `month` were paid (`history` months of lines), except 1% in arrears of two months.
pub async fn seed(
    db: &DatabaseConnection,
    url: &str,
    n: u64,
    month: Month,
    history: i64,
) -> anyhow::Result<Register> {
    disability_subsidies::store::Migrator::up(db, None).await?;
    let township = townships_sql();
    let village = format!("{township} || lpad(((g / 30) % 20 + 1)::text, 3, '0')");
    let first = month.first_day().context("month")?;
    let m = |k: i64| format!("'{}'", month.plus(k));
    let pref = PERSON_REF_SQL;
    // g % 4 in {0, 1}: level 1–2, nursing; {2, 3}: level 3–4, living (in dibao).
    exec(db, &format!(
        "INSERT INTO holders (person_ref, category, level, issued_on, expires_on, registration_division, \
         township_code, village_code, as_of, updated_at, version) \
         SELECT {pref}, (ARRAY['visual','hearing','speech','physical','intellectual','mental','multiple'])[1 + g % 7], \
         1 + g % 4, DATE '2020-01-01' + (g % 1000), \
         CASE WHEN g % 500 = 1 THEN DATE '{first}' - 10 ELSE DATE '2031-01-01' + (g % 365) END, \
         {village}, {township}, {village}, DATE '2024-01-01', now(), 1 \
         FROM generate_series(1, {n}) AS g"
    )).await?;
    exec(db, &format!(
        "INSERT INTO subsidies (id, person_ref, kind, origin, status, open_key, township_code, village_code, \
         received_at, cross_province, applied_on, application_month, start_month, rate_level, monthly_amount_fen, \
         next_unpaid_month, submitted_by, reviewed_by, reviewed_on, decided_by, decided_on, created_at, version) \
         SELECT {SUBSIDY_ID}, {pref}, k.kind, 'application', 'granted', {pref} || '|' || k.kind, \
         {township}, {village}, 'township', false, DATE '2024-01-10', '2024-01', '2024-01', 1 + g % 4, \
         CASE g % 4 WHEN 0 THEN 11000 ELSE 10000 END, CASE WHEN g % 100 = 5 THEN {} ELSE {} END, \
         'bench', 'bench', DATE '2024-01-15', 'bench', DATE '2024-01-20', now(), 1 \
         FROM generate_series(1, {n}) AS g, LATERAL (SELECT CASE WHEN g % 4 < 2 THEN 'nursing' ELSE 'living' END AS kind) k",
        m(-2), m(0)
    )).await?;
    exec(db, &format!(
        "INSERT INTO enrollments (enrollment_id, household_id, programme, township_code, village_code, start_month, updated_at) \
         SELECT md5('e' || g)::uuid, md5('h' || g)::uuid, 'dibao', {township}, {village}, '2023-06', now() \
         FROM generate_series(1, {n}) AS g WHERE g % 4 >= 2"
    )).await?;
    exec(db, &format!(
        "INSERT INTO enrollment_members (enrollment_id, person_ref, beneficiary) \
         SELECT md5('e' || g)::uuid, {pref}, true FROM generate_series(1, {n}) AS g WHERE g % 4 >= 2"
    )).await?;
    exec(db, &format!(
        "INSERT INTO deaths (person_ref, died_on, recorded_on) \
         SELECT {pref}, DATE '{first}' - 20, DATE '{first}' - 15 FROM generate_series(1, {n}) AS g WHERE g % 500 = 7"
    )).await?;
    load_payees(url, n).await?;
    for k in 1..=history {
        let paid = month.plus(-k);
        exec(db, &format!(
            "INSERT INTO payment_batches (id, month, line_count, total_fen, held_count, issued_at, issued_by) \
             VALUES (md5('b{paid}')::uuid, '{paid}', {n}, 0, 0, now(), 'bench')"
        )).await?;
        // The 1% in arrears were last paid two months before `month`.
        let skip = if k <= 2 { "AND g % 100 <> 5" } else { "" };
        exec(db, &format!(
            "INSERT INTO payment_lines (id, batch_id, subsidy_id, person_ref, kind, month, amount_fen, level, standard_from, \
             status, arrears, township_code, bank_code, account_number, account_holder_name, trail) \
             SELECT md5('l{paid}' || g)::uuid, md5('b{paid}')::uuid, {SUBSIDY_ID}, {pref}, \
             CASE WHEN g % 4 < 2 THEN 'nursing' ELSE 'living' END, '{paid}', CASE g % 4 WHEN 0 THEN 11000 ELSE 10000 END, \
             1 + g % 4, DATE '2026-01-01', 'issued', false, {township}, '102', {OPAQUE}, {OPAQUE}, \
             'subsidy granted from 2024-01' || chr(10) || 'certificate level ' || (1 + g % 4) || ' valid 2020-01-01 to 2031-01-01' \
             || chr(10) || 'standard in force {paid} from 2026-01-01' || chr(10) || 'paid to the beneficiary''s own account' \
             FROM generate_series(1, {n}) AS g WHERE true {skip}"
        )).await?;
    }
    exec(db, "ANALYZE").await?;
    Ok(Register {
        recipients: n,
        month,
    })
}

/// What one run did and how long it took.
pub struct RunResult {
    pub seconds: f64,
    pub lines: i64,
    pub held: i64,
    pub stopped: u64,
    pub findings: u64,
    /// Open findings by kind after the run.
    pub finding_kinds: String,
}

/// Runs the payment of `month` in one transaction, as `POST /v1/payment-batches` does.
pub async fn run(db: &DatabaseConnection, month: Month) -> anyhow::Result<RunResult> {
    let who = Principal {
        subject: "bench@500112".into(),
        role: Role::DistrictOfficer,
        division: DivisionCode::parse("500112").map_err(|e| anyhow!(e))?,
    };
    let today: NaiveDate = month.first_day().context("month")? + chrono::Days::new(27);
    let outbox = Outbox::new();
    let started = Instant::now();
    let tx = db.begin().await?;
    let view = payments::run(&tx, &outbox, &DataKeys::development(), &who, month, today)
        .await
        .map_err(|p| anyhow!("the payment run was refused: {p:?}"))?;
    tx.commit().await?;
    let seconds = started.elapsed().as_secs_f64();
    let comparison = view.comparison.unwrap_or_default();
    let kinds = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT kind, COUNT(*) AS n FROM findings GROUP BY kind ORDER BY kind",
        ))
        .await?
        .iter()
        .map(|r| {
            Ok(format!(
                "{} {}",
                r.try_get::<String>("", "kind")?,
                r.try_get::<i64>("", "n")?
            ))
        })
        .collect::<Result<Vec<_>, sea_orm::DbErr>>()?
        .join(", ");
    Ok(RunResult {
        seconds,
        lines: view.line_count,
        held: view.held_count,
        stopped: comparison.stopped,
        findings: comparison.findings,
        finding_kinds: kinds,
    })
}

/// Ids of up to `n` seeded cases (for the REST read).
pub async fn case_ids(db: &DatabaseConnection, n: u64) -> anyhow::Result<Vec<uuid::Uuid>> {
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT id FROM subsidies ORDER BY id LIMIT {n}"),
        ))
        .await?;
    rows.iter()
        .map(|r| r.try_get::<uuid::Uuid>("", "id").map_err(Into::into))
        .collect()
}

/// Seeds a register of `n` recipients and runs successive months on it.
pub async fn runs(plan: &Plan, n: u64) -> anyhow::Result<PaymentFigures> {
    let db = TestDatabase::create().await;
    let month = contracts::common::Month::from_date(disability_subsidies::commands::today());
    let started = std::time::Instant::now();
    let (conn, register) = match &plan.register {
        Some(template) => {
            // A copy of a register seeded before: the database just created is replaced by it.
            drop_database(&db).await;
            let admin = Database::connect(kit::testing::pg::server_url().await).await?;
            admin
                .execute_unprepared(&format!("CREATE DATABASE {} TEMPLATE {template}", db.name))
                .await?;
            drop(admin);
            let conn = db.connect().await;
            (
                conn,
                Register {
                    recipients: n,
                    month,
                },
            )
        }
        None => {
            let conn = db.connect().await;
            let register = seed(&conn, &db.url, n, month, plan.history).await?;
            (conn, register)
        }
    };
    let seeded = started.elapsed().as_secs_f64();
    println!("payment run, {n} recipients (seeded in {seeded:.1} s)");
    // A million-recipient run takes about a minute a round (`--million-rounds`).
    let rounds = if n >= 1_000_000 {
        plan.million_rounds
    } else {
        plan.rounds
    };
    let mut figures = PaymentFigures {
        recipients: register.recipients,
        seconds: Rounds::default(),
        detail: String::new(),
    };
    for k in 0..rounds {
        let month = register.month.plus(k as i64);
        // Runs are a month apart in a district: by then autovacuum has cleared the run before's
        // row versions and refreshed the planner's statistics (the run before added a million
        // lines), and checkpoints have written its pages (or the seed's) to disk. Back to back,
        // none of it has happened yet; done here, untimed, as the month would.
        exec(&conn, "VACUUM (ANALYZE)").await?;
        exec(&conn, "CHECKPOINT").await?;
        let r = run(&conn, month).await?;
        println!(
            "  {month}: {:.1} s, {} lines, {} held, {} stopped, {} findings (open: {})",
            r.seconds, r.lines, r.held, r.stopped, r.findings, r.finding_kinds
        );
        figures.seconds.push(r.seconds);
        if k == 0 {
            figures.detail = format!(
                "{} lines, {} held, {} stopped, {} findings",
                r.lines, r.held, r.stopped, r.findings
            );
        }
    }
    drop(conn);
    if plan.keep {
        println!("  register kept: database {}", db.name);
    } else {
        drop_database(&db).await;
    }
    Ok(figures)
}
