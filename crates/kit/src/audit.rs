//! The audit trail: who did or read what, when, on what evidence — append-only and tamper-evident.
//!
//! - Each entry carries a **MAC** when it is written: HMAC-SHA-256, under the service's audit key
//!   (`AUDIT_KEY`, see [`install_key`]), of the entry's content. Someone who can write to the
//!   database but does not hold the key cannot forge an entry or alter one without it showing.
//! - A **sealer** ([`seal`], run by every service in the background) puts the entries in a chain
//!   in the order they committed: entry *n* gets `seq = n` and `chain = HMAC(key, n ‖ chain of
//!   n−1 ‖ its MAC)`. Deleting, reordering or inserting an entry between two others breaks the
//!   chain from there on. The head (`seq`, `chain`) is logged at each seal, so even cutting the
//!   newest entries off shows against the logs.
//! - The database refuses updates and deletes (a trigger), except the sealer's one-time setting of
//!   `seq` and `chain` on an entry that has none, the content left as it was.
//! - [`verify`] walks the whole trail and names each entry that does not check out; every service
//!   serves it at `GET /v1/audit/verification` and runs it as `<service> verify-audit`.

use std::sync::OnceLock;

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use hmac::{Hmac, Mac};
use sea_orm::{ConnectionTrait, DbErr, QueryResult, Statement, TransactionTrait, Value};
use sha2::Sha256;
use uuid::Uuid;

use crate::edge::auth::Principal;

/// The development audit key, used when `AUDIT_KEY` is unset (refused in production).
pub const DEV_AUDIT_KEY: &str = "minzheng-mesh-development-audit-key";

static KEY: OnceLock<Vec<u8>> = OnceLock::new();

/// The audit key (`AUDIT_KEY`): never printed.
#[derive(Clone)]
pub struct AuditKey(Vec<u8>);

impl AuditKey {
    pub fn new(key: impl Into<Vec<u8>>) -> Self {
        Self(key.into())
    }
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(..)")
    }
}

/// Sets the process's audit key (the service does it from its configuration before it migrates).
/// The first key set stays: a process audits under one key.
pub fn install_key(key: &AuditKey) {
    let _ = KEY.set(key.0.clone());
}

fn key() -> &'static [u8] {
    KEY.get_or_init(|| DEV_AUDIT_KEY.as_bytes().to_vec())
}

fn hmac(parts: &[&str]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key()).expect("HMAC takes any key length");
    // Length-prefixed, so no two different entries read the same.
    for part in parts {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part.as_bytes());
    }
    hex::encode(mac.finalize().into_bytes())
}

/// Appends an entry in the caller's transaction (or on its own when given a connection).
pub async fn record(
    db: &impl ConnectionTrait,
    who: &Principal,
    action: &str,
    resource: &str,
    resource_id: &str,
    detail: &str,
) -> Result<Uuid, DbErr> {
    let entry = AuditEntry {
        id: Uuid::now_v7(),
        // Microseconds: what both databases keep, so the MAC is computed over what is read back.
        at: crate::clock::now().trunc_subsecs(6),
        actor: who.subject.clone(),
        role: who.role.as_str().to_owned(),
        division: who.division.as_str().to_owned(),
        action: action.to_owned(),
        resource: resource.to_owned(),
        resource_id: resource_id.to_owned(),
        detail: detail.to_owned(),
    };
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        "INSERT INTO kit_audit (id, at, actor, role, division, action, resource, resource_id, detail, mac) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        [
            entry.id.into(),
            entry.at.into(),
            entry.actor.clone().into(),
            entry.role.clone().into(),
            entry.division.clone().into(),
            entry.action.clone().into(),
            entry.resource.clone().into(),
            entry.resource_id.clone().into(),
            entry.detail.clone().into(),
            entry.mac().into(),
        ],
    ))
    .await?;
    Ok(entry.id)
}

/// One audit entry.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub role: String,
    pub division: String,
    pub action: String,
    pub resource: String,
    pub resource_id: String,
    pub detail: String,
}

impl AuditEntry {
    /// The MAC of the entry's content.
    fn mac(&self) -> String {
        hmac(&[
            &self.id.to_string(),
            &self.at.to_rfc3339_opts(SecondsFormat::Micros, true),
            &self.actor,
            &self.role,
            &self.division,
            &self.action,
            &self.resource,
            &self.resource_id,
            &self.detail,
        ])
    }

    fn from_row(r: &QueryResult) -> Result<Self, DbErr> {
        Ok(Self {
            id: r.try_get("", "id")?,
            at: r.try_get("", "at")?,
            actor: r.try_get("", "actor")?,
            role: r.try_get("", "role")?,
            division: r.try_get("", "division")?,
            action: r.try_get("", "action")?,
            resource: r.try_get("", "resource")?,
            resource_id: r.try_get("", "resource_id")?,
            detail: r.try_get("", "detail")?,
        })
    }
}

/// The link of entry `seq` after the link `previous` (empty before the first entry).
fn link(seq: i64, previous: &str, mac: &str) -> String {
    hmac(&[&seq.to_string(), previous, mac])
}

const COLUMNS: &str = "id, at, actor, role, division, action, resource, resource_id, detail";

/// The entries about one resource, oldest first.
pub async fn for_resource(
    db: &impl ConnectionTrait,
    resource: &str,
    resource_id: &str,
) -> Result<Vec<AuditEntry>, DbErr> {
    db.query_all_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        format!(
            "SELECT {COLUMNS} FROM kit_audit WHERE resource = $1 AND resource_id = $2 ORDER BY id"
        ),
        [resource.into(), resource_id.into()],
    ))
    .await?
    .iter()
    .map(AuditEntry::from_row)
    .collect()
}

/// How many entries one pass of the sealer chains at most.
const SEAL_BATCH: u64 = 1_000;

/// Chains the entries not yet in the chain (up to [`SEAL_BATCH`]), in the order of their ids;
/// returns how many it sealed. Replicas of a service seal one at a time (an advisory lock on
/// PostgreSQL). An entry whose MAC does not match is chained all the same — the chain then holds
/// it as it is, and [`verify`] names it — so a forged entry can never hold the sealing up.
pub async fn seal(db: &sea_orm::DatabaseConnection) -> Result<u64, DbErr> {
    let tx = db.begin().await?;
    let backend = tx.get_database_backend();
    if crate::db::is_postgres(&tx) {
        tx.execute_unprepared("SELECT pg_advisory_xact_lock(7306012027)")
            .await?;
    }
    let head = tx
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT seq, chain FROM kit_audit WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1",
        ))
        .await?;
    let (mut seq, mut chain) = match head {
        Some(r) => (
            r.try_get::<i64>("", "seq")?,
            r.try_get::<String>("", "chain")?,
        ),
        None => (0, String::new()),
    };
    let rows = tx
        .query_all_raw(Statement::from_string(
            backend,
            format!(
                "SELECT id, mac FROM kit_audit WHERE seq IS NULL ORDER BY id LIMIT {SEAL_BATCH}"
            ),
        ))
        .await?;
    for row in &rows {
        let id: Uuid = row.try_get("", "id")?;
        let mac: Option<String> = row.try_get("", "mac")?;
        seq += 1;
        chain = link(seq, &chain, mac.as_deref().unwrap_or_default());
        tx.execute_raw(Statement::from_sql_and_values(
            backend,
            "UPDATE kit_audit SET seq = $1, chain = $2 WHERE id = $3 AND seq IS NULL",
            [seq.into(), chain.clone().into(), id.into()],
        ))
        .await?;
    }
    tx.commit().await?;
    if !rows.is_empty() {
        // The head, in the log: what the chain must still reach later (ids and hashes only).
        tracing::info!(seq, head = %chain, sealed = rows.len(), "audit entries sealed");
        metrics::gauge!("audit_chain_sealed_seq").set(seq as f64);
    }
    Ok(rows.len() as u64)
}

/// Seals until nothing is left (for tests and the `verify-audit` command).
pub async fn seal_all(db: &sea_orm::DatabaseConnection) -> Result<u64, DbErr> {
    let mut total = 0;
    loop {
        let n = seal(db).await?;
        total += n;
        if n < SEAL_BATCH {
            return Ok(total);
        }
    }
}

/// Seals every `every` until `stop` is cancelled (each service runs this).
pub async fn run_sealer(
    db: sea_orm::DatabaseConnection,
    every: std::time::Duration,
    stop: tokio_util::sync::CancellationToken,
) {
    loop {
        if let Err(e) = seal_all(&db).await {
            tracing::warn!(error = %e, "sealing the audit trail failed; trying again");
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}

/// What [`verify`] found.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Verification {
    /// Whether every entry checked out.
    pub intact: bool,
    /// Entries in the chain.
    pub sealed: u64,
    /// Entries written but not chained yet (the sealer runs every second).
    pub pending: u64,
    /// The last link: its position and value, to compare with the sealer's log.
    pub head_seq: Option<i64>,
    pub head: Option<String>,
    /// Every entry or gap that does not check out (the first 100; `problem_count` counts all).
    pub problems: Vec<ChainProblem>,
    pub problem_count: u64,
}

/// An entry (or a gap) of the chain that does not check out.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ChainProblem {
    /// The entry at fault; none for a gap.
    pub id: Option<Uuid>,
    /// Its position in the chain (the first missing position for a gap); none for an entry not
    /// chained yet.
    pub seq: Option<i64>,
    pub reason: ChainFault,
}

/// Why an entry does not check out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChainFault {
    /// Its content is not what was written (or it was never written by the service): the MAC
    /// does not match.
    ContentAltered,
    /// Its link does not follow from the entry before it: an entry was removed, inserted or moved
    /// here, or its position or link was rewritten.
    ChainBroken,
    /// Positions are missing before this one: entries were deleted.
    EntriesMissing,
}

const PAGE: u64 = 5_000;
const REPORTED: usize = 100;

/// Walks the whole trail: each chained entry's MAC and link in order, no position missing, and
/// the MACs of the entries not chained yet.
pub async fn verify(db: &impl ConnectionTrait) -> Result<Verification, DbErr> {
    let backend = db.get_database_backend();
    let mut problems = Vec::new();
    let mut count = 0u64;
    let mut note = |problem: ChainProblem| {
        count += 1;
        if problems.len() < REPORTED {
            problems.push(problem);
        }
    };
    let (mut last_seq, mut chain, mut sealed) = (0i64, String::new(), 0u64);
    loop {
        let rows = db
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                format!(
                    "SELECT {COLUMNS}, mac, seq, chain FROM kit_audit WHERE seq > $1 \
                     ORDER BY seq LIMIT {PAGE}"
                ),
                [last_seq.into()],
            ))
            .await?;
        for row in &rows {
            let entry = AuditEntry::from_row(row)?;
            let seq: i64 = row.try_get("", "seq")?;
            let mac: Option<String> = row.try_get("", "mac")?;
            let stored: Option<String> = row.try_get("", "chain")?;
            let mac = mac.unwrap_or_default();
            if seq != last_seq + 1 {
                note(ChainProblem {
                    id: Some(entry.id),
                    seq: Some(last_seq + 1),
                    reason: ChainFault::EntriesMissing,
                });
            }
            if entry.mac() != mac {
                note(ChainProblem {
                    id: Some(entry.id),
                    seq: Some(seq),
                    reason: ChainFault::ContentAltered,
                });
            }
            let expected = link(seq, &chain, &mac);
            // After a gap the link cannot follow either; the gap says why.
            if seq == last_seq + 1 && stored.as_deref() != Some(expected.as_str()) {
                note(ChainProblem {
                    id: Some(entry.id),
                    seq: Some(seq),
                    reason: ChainFault::ChainBroken,
                });
            }
            // Go on from what is stored, so one fault is named once, not at every entry after it.
            chain = stored.unwrap_or(expected);
            last_seq = seq;
            sealed += 1;
        }
        if (rows.len() as u64) < PAGE {
            break;
        }
    }
    let mut pending = 0u64;
    let mut after = Uuid::nil();
    loop {
        let rows = db
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                format!(
                    "SELECT {COLUMNS}, mac FROM kit_audit WHERE seq IS NULL AND id > $1 \
                     ORDER BY id LIMIT {PAGE}"
                ),
                [Value::from(after)],
            ))
            .await?;
        for row in &rows {
            let entry = AuditEntry::from_row(row)?;
            let mac: Option<String> = row.try_get("", "mac")?;
            if mac.as_deref() != Some(entry.mac().as_str()) {
                note(ChainProblem {
                    id: Some(entry.id),
                    seq: None,
                    reason: ChainFault::ContentAltered,
                });
            }
            after = entry.id;
            pending += 1;
        }
        if (rows.len() as u64) < PAGE {
            break;
        }
    }
    Ok(Verification {
        intact: count == 0,
        sealed,
        pending,
        head_seq: (sealed > 0).then_some(last_seq),
        head: (sealed > 0).then_some(chain),
        problems,
        problem_count: count,
    })
}

/// Gives the entries written before the trail carried MACs theirs (the migration that added
/// them runs it; the entries are as they were then).
pub(crate) async fn mac_earlier_entries(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    loop {
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                format!(
                    "SELECT {COLUMNS} FROM kit_audit WHERE mac IS NULL ORDER BY id LIMIT {PAGE}"
                ),
            ))
            .await?;
        for row in &rows {
            let entry = AuditEntry::from_row(row)?;
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                "UPDATE kit_audit SET mac = $1 WHERE id = $2 AND mac IS NULL",
                [entry.mac().into(), entry.id.into()],
            ))
            .await?;
        }
        if (rows.len() as u64) < PAGE {
            return Ok(());
        }
    }
}

/// Which entries [`list`] returns: every condition given must hold.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Entries by staff of this division or within it (the reader's division).
    pub within: String,
    pub resource: Option<String>,
    pub resource_id: Option<String>,
    pub actor: Option<String>,
    pub action: Option<String>,
    /// Entries at or after this instant.
    pub since: Option<DateTime<Utc>>,
    /// Entries before this instant.
    pub until: Option<DateTime<Utc>>,
    /// The cursor: entries older than this one.
    pub before: Option<Uuid>,
    pub limit: u64,
}

/// An entry as listed: with its position in the chain (none until sealed).
#[derive(Debug, Clone)]
pub struct Listed {
    pub entry: AuditEntry,
    pub seq: Option<i64>,
}

/// The entries `filter` selects, newest first.
pub async fn list(db: &impl ConnectionTrait, filter: &Filter) -> Result<Vec<Listed>, DbErr> {
    let mut conditions = vec!["division LIKE $1".to_owned()];
    let mut values: Vec<Value> = vec![format!("{}%", filter.within).into()];
    let mut add = |condition: &str, value: Value| {
        values.push(value);
        conditions.push(format!("{condition} ${}", values.len()));
    };
    if let Some(v) = &filter.resource {
        add("resource =", v.clone().into());
    }
    if let Some(v) = &filter.resource_id {
        add("resource_id =", v.clone().into());
    }
    if let Some(v) = &filter.actor {
        add("actor =", v.clone().into());
    }
    if let Some(v) = &filter.action {
        add("action =", v.clone().into());
    }
    if let Some(v) = filter.since {
        add("at >=", v.into());
    }
    if let Some(v) = filter.until {
        add("at <", v.into());
    }
    if let Some(v) = filter.before {
        add("id <", v.into());
    }
    db.query_all_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        format!(
            "SELECT {COLUMNS}, seq FROM kit_audit WHERE {} ORDER BY id DESC LIMIT {}",
            conditions.join(" AND "),
            filter.limit
        ),
        values,
    ))
    .await?
    .iter()
    .map(|r| {
        Ok(Listed {
            entry: AuditEntry::from_row(r)?,
            seq: r.try_get("", "seq")?,
        })
    })
    .collect()
}

/// An entry's text as shown masked: every run of 11 or more digits (an ID number, a phone or a
/// bank account; an ID number's final X included) keeps its first 3 and last 2 characters, the
/// rest starred. Amounts (digits followed by " fen") are left as they are.
pub fn mask(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        if i < chars.len() && (chars[i] == 'X' || chars[i] == 'x') {
            i += 1;
        }
        let run = &chars[start..i];
        let amount = chars[i..].starts_with(&[' ', 'f', 'e', 'n']);
        if run.len() >= 11 && !amount {
            out.extend(&run[..3]);
            out.extend(std::iter::repeat_n('*', run.len() - 5));
            out.extend(&run[run.len() - 2..]);
        } else {
            out.extend(run);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn identifiers_in_an_entry_s_text_are_masked_and_amounts_dates_and_counts_are_not() {
        assert_eq!(
            mask("id 50011219741201486X, phone 13812345678, card 6222021234567890123"),
            "id 500*************6X, phone 138******78, card 622**************23"
        );
        assert_eq!(
            mask("2026-12: 1000000 lines, 123456789012 fen, 3 held"),
            "2026-12: 1000000 lines, 123456789012 fen, 3 held"
        );
    }
}
