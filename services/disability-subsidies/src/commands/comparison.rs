//! The monthly comparison (数据比对): set-based queries over the whole register find the cases to
//! stop (dead, certificate expired, extreme-poverty support) and the findings — eligible but not
//! claiming, double benefit, out of scope, dead person still paid, card-name mismatch, one
//! account paying many people — and certificate-expiry reminders. Events run the same checks for
//! one person as they arrive (see `deaths`, `enrollments`).

use std::collections::{BTreeMap, HashMap, hash_map::Entry};

use chrono::NaiveDate;
use contracts::{
    common::Month,
    disability::{AnomalyKind, SubsidyKind},
};
use futures::TryStreamExt;
use kit::outbox::Outbox;
use ring::digest::{SHA256, digest};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QueryResult, Statement, StreamTrait, Value};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    CommandError,
    applications::sealed_columns::{AGENT_NAME, PAYEE_ACCOUNT, PAYEE_HOLDER, PAYEE_NAME},
    cases,
    findings::{self, NewFinding},
    open, open_opt, parse_snake, reference,
};
use crate::{
    domain::{
        months::Stop,
        payee::{PayeeCheck, check_payee},
    },
    store::{
        entities::{agent, subsidy},
        sealed::DataKeys,
    },
};

/// What a comparison did.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ComparisonSummary {
    pub month: String,
    pub stopped: u64,
    pub findings: u64,
    pub reminders: u64,
}

const COVERS: &str = "e.start_month IS NOT NULL AND e.start_month <= {m} AND (e.end_month IS NULL OR e.end_month >= {m})";

fn covers(month_expr: &str) -> String {
    COVERS.replace("{m}", month_expr)
}

fn in_dibao(person: &str, month: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM enrollment_members m JOIN enrollments e ON e.enrollment_id = m.enrollment_id \
         WHERE m.person_ref = {person} AND (e.programme = 'dibao' OR (e.programme = 'single_person_dibao' AND m.beneficiary)) AND {})",
        covers(month)
    )
}

fn in_extreme_poverty(person: &str, month: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM enrollment_members m JOIN enrollments e ON e.enrollment_id = m.enrollment_id \
         WHERE m.person_ref = {person} AND e.programme = 'extreme_poverty' AND m.beneficiary AND {})",
        covers(month)
    )
}

fn work_injury(person: &str, month: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM work_injury_allowances w WHERE w.person_ref = {person} \
         AND w.from_month <= {month} AND (w.to_month IS NULL OR w.to_month >= {month}))"
    )
}

async fn query(
    db: &impl ConnectionTrait,
    sql: &str,
    values: Vec<Value>,
) -> Result<Vec<QueryResult>, DbErr> {
    db.query_all_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        values,
    ))
    .await
}

/// Stops the cases the comparison finds must stop; returns how many.
async fn stops(
    db: &impl ConnectionTrait,
    outbox: &Outbox,
    month: Month,
    first: NaiveDate,
    today: NaiveDate,
) -> Result<u64, CommandError> {
    let mut stopped = 0;
    let dead = query(
        db,
        "SELECT s.id FROM subsidies s JOIN deaths d ON d.person_ref = s.person_ref WHERE s.open_key IS NOT NULL",
        vec![],
    )
    .await?;
    let expired = query(
        db,
        "SELECT s.id, h.expires_on FROM subsidies s JOIN holders h ON h.person_ref = s.person_ref \
         WHERE s.open_key IS NOT NULL AND h.reassessment_since IS NULL AND h.expires_on < $1",
        vec![first.into()],
    )
    .await?;
    let extreme = query(
        db,
        &format!(
            "SELECT s.id FROM subsidies s WHERE s.open_key IS NOT NULL AND s.kind = 'living' AND {}",
            in_extreme_poverty("s.person_ref", "$1")
        ),
        vec![month.to_string().into()],
    )
    .await?;
    let mut todo: Vec<(Uuid, Stop)> = Vec::new();
    for r in dead {
        todo.push((
            r.try_get("", "id")?,
            Stop::Death {
                comparison_month: month,
            },
        ));
    }
    for r in expired {
        let expires_on: NaiveDate = r.try_get("", "expires_on")?;
        todo.push((
            r.try_get("", "id")?,
            Stop::CertificateExpired { expires_on },
        ));
    }
    for r in extreme {
        todo.push((
            r.try_get("", "id")?,
            Stop::ExtremePovertySupport {
                comparison_month: month,
            },
        ));
    }
    for (id, stop) in todo {
        if let Some(case) = subsidy::Entity::find_by_id(id).one(db).await?
            && cases::end(db, outbox, case, stop, today).await?.is_some()
        {
            stopped += 1;
        }
    }
    Ok(stopped)
}

/// One row a finding query returns.
struct Candidate {
    kind: AnomalyKind,
    subsidy_kind: Option<SubsidyKind>,
    subsidy_id: Option<Uuid>,
    person_ref: String,
    township_code: String,
    amount: Option<i64>,
}

fn candidate(kind: AnomalyKind, r: &QueryResult) -> Result<Candidate, DbErr> {
    let subsidy_kind: Option<String> = r.try_get("", "subsidy_kind").ok();
    Ok(Candidate {
        kind,
        subsidy_kind: subsidy_kind.as_deref().and_then(parse_snake),
        subsidy_id: r.try_get("", "subsidy_id").ok(),
        person_ref: r.try_get("", "person_ref")?,
        township_code: r.try_get("", "township_code")?,
        amount: r.try_get("", "amount").ok(),
    })
}

/// Where the comparison gets the payees it checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payees {
    /// It reads them itself.
    Read,
    /// The payment run that follows adds them to a `PayeeScan` from its own pass over the
    /// register and raises their findings (`raise_payee_findings`).
    FromTheRun,
}

/// Raises the findings of `candidates`; returns how many were new.
async fn raise_all(
    db: &impl ConnectionTrait,
    outbox: &Outbox,
    candidates: Vec<Candidate>,
    month: Month,
    rules: &crate::domain::reference::Rules,
    today: NaiveDate,
) -> Result<u64, CommandError> {
    let mut raised = 0;
    for c in candidates {
        let f = NewFinding {
            kind: c.kind,
            subsidy_kind: c.subsidy_kind,
            subsidy_id: c.subsidy_id,
            person_ref: c.person_ref,
            comparison_month: month,
            amount_at_risk_fen: c.amount,
            township_code: c.township_code,
        };
        if findings::raise(db, outbox, f, rules, today)
            .await?
            .is_some()
        {
            raised += 1;
        }
    }
    Ok(raised)
}

/// Raises the payee findings of the comparison of `month` from a payment run's scan; returns how
/// many were new.
pub async fn raise_payee_findings(
    db: &impl ConnectionTrait,
    outbox: &Outbox,
    scan: PayeeScan,
    month: Month,
    today: NaiveDate,
) -> Result<u64, CommandError> {
    let rules = reference::rules(db, today).await?;
    let candidates = scan.candidates(&rules);
    raise_all(db, outbox, candidates, month, &rules, today).await
}

/// Runs the comparison of `month`: stops, findings, reminders.
pub async fn compare<C: ConnectionTrait + StreamTrait>(
    db: &C,
    outbox: &Outbox,
    keys: &DataKeys,
    month: Month,
    today: NaiveDate,
    payees: Payees,
) -> Result<ComparisonSummary, CommandError> {
    let rules = reference::rules(db, today).await?;
    let (Some(first), Some(last)) = (month.first_day(), month.last_day()) else {
        return Err(CommandError::Reference(format!(
            "month {month} out of range"
        )));
    };
    let m = month.to_string();
    let since = month.plus(-rules.comparison_lookback_months).to_string();
    let stopped = stops(db, outbox, month, first, today).await?;
    let valid_holder = "h.township_code IS NOT NULL AND h.level IS NOT NULL AND h.issued_on <= $1 \
         AND (h.expires_on >= $2 OR h.reassessment_since IS NOT NULL) AND (h.revoked_on IS NULL OR h.revoked_on >= $2) \
         AND NOT EXISTS (SELECT 1 FROM deaths d WHERE d.person_ref = h.person_ref)";
    let no_open = |kind: &str| {
        format!(
            "NOT EXISTS (SELECT 1 FROM subsidies s WHERE s.person_ref = h.person_ref AND s.kind = '{kind}' AND s.open_key IS NOT NULL)"
        )
    };
    let mut candidates = Vec::new();
    let nursing = query(
        db,
        &format!(
            "SELECT h.person_ref, h.township_code, 'nursing' AS subsidy_kind FROM holders h WHERE {valid_holder} \
             AND h.level <= $3 AND {} AND NOT {}",
            no_open("nursing"),
            work_injury("h.person_ref", "$4")
        ),
        vec![last.into(), first.into(), i32::from(rules.nursing_max_level).into(), m.clone().into()],
    )
    .await?;
    let living = query(
        db,
        &format!(
            "SELECT h.person_ref, h.township_code, 'living' AS subsidy_kind FROM holders h WHERE {valid_holder} \
             AND {} AND {} AND NOT {}",
            no_open("living"),
            in_dibao("h.person_ref", "$3"),
            in_extreme_poverty("h.person_ref", "$3")
        ),
        vec![last.into(), first.into(), m.clone().into()],
    )
    .await?;
    for r in nursing.iter().chain(&living) {
        candidates.push(candidate(AnomalyKind::EligibleNotClaiming, r)?);
    }
    let lines = "SELECT l.subsidy_id, l.person_ref, l.kind AS subsidy_kind, l.township_code, CAST(SUM(l.amount_fen) AS BIGINT) AS amount \
         FROM payment_lines l WHERE l.status = 'issued' AND l.month >= $1";
    let group = "GROUP BY l.subsidy_id, l.person_ref, l.kind, l.township_code";
    // One query per subsidy kind, not an OR of the two EXISTS: an OR keeps each EXISTS a
    // subquery run once per line, where each alone is a join (the groups are disjoint: the
    // kind is part of the key).
    let double = query(
        db,
        &format!(
            "{lines} AND l.kind = 'living' AND {} {group} UNION ALL {lines} AND l.kind = 'nursing' AND {} {group}",
            in_extreme_poverty("l.person_ref", "l.month"),
            work_injury("l.person_ref", "l.month")
        ),
        vec![since.clone().into()],
    )
    .await?;
    for r in &double {
        candidates.push(candidate(AnomalyKind::DoubleBenefit, r)?);
    }
    let outside = query(
        db,
        &format!(
            "{lines} AND l.kind = 'living' AND NOT {} {group}",
            in_dibao("l.person_ref", "l.month")
        ),
        vec![since.clone().into()],
    )
    .await?;
    for r in &outside {
        candidates.push(candidate(AnomalyKind::OutOfScope, r)?);
    }
    // Paid after death: the month of a date is compared in Rust (no portable SQL for it).
    let after_death = query(
        db,
        "SELECT l.subsidy_id, l.person_ref, l.kind, l.township_code, l.month, l.amount_fen, d.died_on \
         FROM payment_lines l JOIN deaths d ON d.person_ref = l.person_ref WHERE l.status = 'issued' AND l.month >= $1",
        vec![since.into()],
    )
    .await?;
    let mut dead_paid: BTreeMap<Uuid, Candidate> = BTreeMap::new();
    for r in after_death {
        let died_on: NaiveDate = r.try_get("", "died_on")?;
        let line_month: String = r.try_get("", "month")?;
        if line_month
            .parse::<Month>()
            .is_ok_and(|lm| lm > Month::from_date(died_on))
        {
            let subsidy_id: Uuid = r.try_get("", "subsidy_id")?;
            let amount: i64 = r.try_get("", "amount_fen")?;
            let kind: String = r.try_get("", "kind")?;
            let entry = dead_paid.entry(subsidy_id).or_insert(Candidate {
                kind: AnomalyKind::DeceasedStillPaid,
                subsidy_kind: parse_snake(&kind),
                subsidy_id: Some(subsidy_id),
                person_ref: r.try_get("", "person_ref")?,
                township_code: r.try_get("", "township_code")?,
                amount: Some(0),
            });
            entry.amount = entry.amount.map(|a| a + amount);
        }
    }
    candidates.extend(dead_paid.into_values());
    if payees == Payees::Read {
        candidates.extend(payee_findings(db, keys, &rules).await?);
    }
    let raised = raise_all(db, outbox, candidates, month, &rules, today).await?;
    let reminders = db
        .execute_raw(Statement::from_sql_and_values(
            ConnectionTrait::get_database_backend(db),
            "INSERT INTO reminders (person_ref, expires_on, township_code, due_month, created_at) \
             SELECT h.person_ref, h.expires_on, h.township_code, $1, $2 FROM holders h \
             WHERE h.township_code IS NOT NULL AND h.reassessment_since IS NULL AND h.expires_on >= $3 AND h.expires_on <= $4 \
             AND EXISTS (SELECT 1 FROM subsidies s WHERE s.person_ref = h.person_ref AND s.open_key IS NOT NULL) \
             ON CONFLICT DO NOTHING",
            [
                m.clone().into(),
                kit::clock::now().into(),
                first.into(),
                month.plus(rules.expiry_reminder_months).last_day().unwrap_or(last).into(),
            ],
        ))
        .await?
        .rows_affected();
    Ok(ComparisonSummary {
        month: m,
        stopped,
        findings: raised,
        reminders,
    })
}

/// Card-name mismatches and accounts paying many people, among people with a granted open case
/// (`checks_payee`). Names and accounts are sealed, so no query can compare them: each such
/// person's payee is opened and added here, and the accounts are grouped in memory. A person
/// with several granted open cases is counted once, at the lowest of their cases' township codes.
/// The comparison alone reads the payees in one streamed join (`payee_findings`); the payment
/// run adds them from its own pass over the register, which opens every payee anyway
/// (`compare` with `Payees::FromTheRun`, then `raise_payee_findings`).
#[derive(Default)]
pub struct PayeeScan {
    /// The people added with an account, by index (a person with two cases, twice).
    people: Vec<String>,
    /// The township codes met (a few hundred at most), by index, and the index of each.
    townships: Vec<String>,
    township_index: HashMap<String, u32>,
    /// Each account, by the first 16 bytes of its SHA-256 (the numbers themselves are not kept),
    /// → the people it pays: (person, township) indices, one per person.
    by_account: HashMap<[u8; 16], Paid>,
    /// person → township of those paid to a card in another name than theirs or their agents'.
    mismatched: BTreeMap<String, String>,
}

/// The people an account pays: nearly always one (no allocation), sometimes several.
enum Paid {
    One(u32, u32),
    Many(Vec<(u32, u32)>),
}

/// Whether a case's person is among those whose payee the comparison checks.
pub fn checks_payee(status: &str, open: bool) -> bool {
    status == "granted" && open
}

impl PayeeScan {
    /// Adds a person's payee, opened: `account` its account number, `holder` the account
    /// holder's name, `name` the payee's, `agents` the names of the person's registered agents.
    pub fn add(
        &mut self,
        person_ref: &str,
        township: &str,
        name: &str,
        account: Option<&str>,
        holder: Option<&str>,
        agents: &[String],
    ) {
        if let Some(n) = account {
            let t = self.township(township);
            let mut key = [0u8; 16];
            key.copy_from_slice(&digest(&SHA256, n.as_bytes()).as_ref()[..16]);
            let Self {
                people, townships, ..
            } = self;
            let person = |people: &mut Vec<String>| {
                people.push(person_ref.to_owned());
                u32::try_from(people.len() - 1).unwrap_or(u32::MAX)
            };
            match self.by_account.entry(key) {
                Entry::Vacant(e) => {
                    e.insert(Paid::One(person(people), t));
                }
                Entry::Occupied(mut e) => match e.get_mut() {
                    // The same person again (another case): the lower township is kept.
                    Paid::One(p, kept) if people[*p as usize] == person_ref => {
                        lower(kept, t, townships);
                    }
                    Paid::Many(v) => {
                        match v
                            .iter()
                            .position(|(p, _)| people[*p as usize] == person_ref)
                        {
                            Some(k) => lower(&mut v[k].1, t, townships),
                            None => v.push((person(people), t)),
                        }
                    }
                    paid => {
                        if let Paid::One(p, kept) = *paid {
                            *paid = Paid::Many(vec![(p, kept), (person(people), t)]);
                        }
                    }
                },
            }
        }
        if holder.is_some_and(|h| check_payee(Some(h), name, agents) == PayeeCheck::NameMismatch) {
            match self.mismatched.get_mut(person_ref) {
                Some(t) => lowest(t, township.to_owned()),
                None => {
                    self.mismatched
                        .insert(person_ref.to_owned(), township.to_owned());
                }
            }
        }
    }

    /// The index of a township code.
    fn township(&mut self, code: &str) -> u32 {
        if let Some(&k) = self.township_index.get(code) {
            return k;
        }
        let k = u32::try_from(self.townships.len()).unwrap_or(u32::MAX);
        self.townships.push(code.to_owned());
        self.township_index.insert(code.to_owned(), k);
        k
    }

    fn candidates(mut self, rules: &crate::domain::reference::Rules) -> Vec<Candidate> {
        let mut out = Vec::new();
        for (person_ref, township_code) in self.mismatched {
            out.push(Candidate {
                kind: AnomalyKind::CardNameMismatch,
                subsidy_kind: None,
                subsidy_id: None,
                person_ref,
                township_code,
                amount: None,
            });
        }
        let min = usize::try_from(rules.shared_account_min_people).unwrap_or(usize::MAX);
        for paid in self.by_account.into_values() {
            let people = match paid {
                Paid::One(p, t) if min <= 1 => vec![(p, t)],
                Paid::Many(v) if v.len() >= min => v,
                _ => continue,
            };
            for (p, t) in people {
                out.push(Candidate {
                    kind: AnomalyKind::SharedAccount,
                    subsidy_kind: None,
                    subsidy_id: None,
                    person_ref: std::mem::take(&mut self.people[p as usize]),
                    township_code: self.townships[t as usize].clone(),
                    amount: None,
                });
            }
        }
        out
    }
}

/// Every registered agent's name by the person they act for, opened (agents are few: one read).
pub async fn all_agents(
    db: &impl ConnectionTrait,
    keys: &DataKeys,
) -> Result<HashMap<String, Vec<String>>, CommandError> {
    let mut agents: HashMap<String, Vec<String>> = HashMap::new();
    for a in agent::Entity::find().all(db).await? {
        let name = open(keys, AGENT_NAME, &a.id.to_string(), &a.name)?;
        agents.entry(a.person_ref).or_default().push(name);
    }
    Ok(agents)
}

/// The payee findings of the comparison alone: the payees of granted open cases, read in one
/// streamed join (one pass over each table, however large the register) and opened here.
async fn payee_findings<C: ConnectionTrait + StreamTrait>(
    db: &C,
    keys: &DataKeys,
    rules: &crate::domain::reference::Rules,
) -> Result<Vec<Candidate>, CommandError> {
    let agents = all_agents(db, keys).await?;
    let mut scan = PayeeScan::default();
    let rows = db
        .stream_raw(Statement::from_string(
            ConnectionTrait::get_database_backend(db),
            "SELECT p.person_ref, p.name, p.account_number, p.account_holder_name, s.township_code \
             FROM payees p JOIN subsidies s ON s.person_ref = p.person_ref \
             WHERE s.open_key IS NOT NULL AND s.status = 'granted'",
        ))
        .await?;
    let mut rows = std::pin::pin!(rows);
    while let Some(r) = rows.try_next().await? {
        let person_ref: String = r.try_get("", "person_ref")?;
        let township: String = r.try_get("", "township_code")?;
        let name = open(
            keys,
            PAYEE_NAME,
            &person_ref,
            &r.try_get::<String>("", "name")?,
        )?;
        let number: Option<String> = r.try_get("", "account_number")?;
        let number = open_opt(keys, PAYEE_ACCOUNT, &person_ref, number.as_deref())?;
        let holder: Option<String> = r.try_get("", "account_holder_name")?;
        let holder = open_opt(keys, PAYEE_HOLDER, &person_ref, holder.as_deref())?;
        scan.add(
            &person_ref,
            &township,
            &name,
            number.as_deref(),
            holder.as_deref(),
            agents.get(&person_ref).map_or(&[][..], Vec::as_slice),
        );
    }
    Ok(scan.candidates(rules))
}

/// Keeps in `kept` the index of the lower of two township codes.
fn lower(kept: &mut u32, other: u32, townships: &[String]) {
    if townships[other as usize] < townships[*kept as usize] {
        *kept = other;
    }
}

/// Keeps the lower of two township codes in `kept`.
fn lowest(kept: &mut String, other: String) {
    if other < *kept {
        *kept = other;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::reference::Rules;

    fn rules(shared_account_min_people: i64) -> Rules {
        Rules {
            back_pay_max_months: 3,
            expiry_reminder_months: 6,
            finding_due_days: 30,
            shared_account_min_people,
            nursing_max_level: 2,
            nursing_level3_intellectual_mental: false,
            comparison_lookback_months: 3,
        }
    }

    fn found(scan: PayeeScan, min: i64) -> Vec<(AnomalyKind, String, String)> {
        let mut out: Vec<_> = scan
            .candidates(&rules(min))
            .into_iter()
            .map(|c| (c.kind, c.person_ref, c.township_code))
            .collect();
        out.sort_by(|a, b| (a.1.as_str(), a.2.as_str()).cmp(&(b.1.as_str(), b.2.as_str())));
        out
    }

    #[test]
    fn an_account_paying_enough_people_flags_each_once_at_their_lowest_township() {
        let mut scan = PayeeScan::default();
        let add = |scan: &mut PayeeScan, person: &str, township: &str, account: &str| {
            scan.add(person, township, person, Some(account), Some(person), &[]);
        };
        add(&mut scan, "p1", "500112002", "6222");
        add(&mut scan, "p2", "500112001", "6222");
        // p1's second case, in another township: counted once, at the lower code.
        add(&mut scan, "p1", "500112001", "6222");
        add(&mut scan, "p4", "500112003", "6299");
        let mut two = PayeeScan::default();
        add(&mut two, "p1", "500112002", "6222");
        add(&mut two, "p2", "500112001", "6222");
        add(&mut two, "p1", "500112001", "6222");
        assert_eq!(found(two, 3), vec![], "two people are not enough at 3");
        add(&mut scan, "p3", "500112004", "6222");
        let shared = AnomalyKind::SharedAccount;
        assert_eq!(
            found(scan, 3),
            vec![
                (shared, "p1".into(), "500112001".into()),
                (shared, "p2".into(), "500112001".into()),
                (shared, "p3".into(), "500112004".into()),
            ]
        );
    }

    #[test]
    fn a_person_with_two_cases_on_one_account_is_one_person_of_it() {
        let mut scan = PayeeScan::default();
        scan.add("p4", "500112003", "n", Some("6299"), Some("n"), &[]);
        scan.add("p4", "500112001", "n", Some("6299"), Some("n"), &[]);
        scan.add("p5", "500112002", "n", Some("6200"), Some("n"), &[]);
        assert_eq!(found(scan, 2), vec![], "one person, however many cases");
        let mut scan = PayeeScan::default();
        scan.add("p4", "500112003", "n", Some("6299"), Some("n"), &[]);
        scan.add("p4", "500112001", "n", Some("6299"), Some("n"), &[]);
        assert_eq!(
            found(scan, 1),
            vec![(AnomalyKind::SharedAccount, "p4".into(), "500112001".into())]
        );
    }

    #[test]
    fn a_card_in_another_name_is_flagged_unless_the_holder_is_a_registered_agent() {
        let mut scan = PayeeScan::default();
        scan.add("p1", "500112002", "张三", Some("1"), Some("王五"), &[]);
        scan.add("p1", "500112001", "张三", Some("1"), Some("王五"), &[]);
        scan.add(
            "p2",
            "500112001",
            "李四",
            Some("2"),
            Some("赵六"),
            &["赵六".into()],
        );
        scan.add("p3", "500112001", "孙七", Some("3"), Some("孙七"), &[]);
        assert_eq!(
            found(scan, 3),
            vec![(
                AnomalyKind::CardNameMismatch,
                "p1".into(),
                "500112001".into()
            )]
        );
    }
}
