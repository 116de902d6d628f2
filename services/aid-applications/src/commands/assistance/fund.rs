//! Township reserve funds (临时救助备用金): replenished by the district, drawn by act-first
//! payments. Concurrent draws never overdraw: the fund row is locked for the transaction
//! (`SELECT … FOR UPDATE` on PostgreSQL; SQLite runs one writer at a time), the update is
//! guarded by the version read, and the database's CHECK (balance ≥ 0) is the last line.

use kit::{Principal, Refusal, Role, audit};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::commands::assistance::clock::today;
use crate::{
    commands::actor::actor_of,
    domain::{
        money::Fen,
        temporary::{EntryKind, LedgerEntry, ReserveFund, ReserveFundError},
    },
    store::assistance::{entry, fund},
};

/// A replenishment as the district records it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Replenishment {
    /// Amount transferred, in fen (> 0).
    pub amount_fen: i64,
    /// The district's transfer reference (document or voucher number).
    pub reference: String,
}

/// One ledger line as shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LedgerLine {
    pub id: Uuid,
    pub entry_on: chrono::NaiveDate,
    /// draw or replenishment.
    pub kind: String,
    pub grant_id: Option<Uuid>,
    pub reference: Option<String>,
    pub amount_fen: i64,
    pub balance_after_fen: i64,
    pub recorded_by: String,
}

/// A fund with a page of its ledger (oldest first).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FundView {
    pub township_code: String,
    pub township_name: String,
    pub balance_fen: i64,
    pub entries: Vec<LedgerLine>,
    pub next_cursor: Option<Uuid>,
}

impl From<entry::Model> for LedgerLine {
    fn from(e: entry::Model) -> Self {
        Self {
            id: e.id,
            entry_on: e.entry_on,
            kind: e.kind,
            grant_id: e.grant_id,
            reference: e.reference,
            amount_fen: e.amount_fen,
            balance_after_fen: e.balance_after_fen,
            recorded_by: e.recorded_by,
        }
    }
}

/// The name of a township of the district, or a refusal naming `field`.
pub fn township_name(code: &str, field: &str) -> Result<&'static str, Refusal> {
    kit::divisions::YUBEI_TOWNSHIPS
        .iter()
        .find(|t| t.code == code)
        .map(|t| t.name)
        .ok_or_else(|| Refusal::invalid(field, "not a township of the district"))
}

/// The fund of `township`, created empty if it has none yet, locked until the transaction ends.
pub async fn lock(tx: &impl ConnectionTrait, township: &str) -> Result<fund::Model, Refusal> {
    fund::Entity::insert(fund::ActiveModel {
        township_code: sea_orm::ActiveValue::Set(township.to_owned()),
        balance_fen: sea_orm::ActiveValue::Set(0),
        version: sea_orm::ActiveValue::Set(0),
        updated_at: sea_orm::ActiveValue::Set(kit::clock::now()),
    })
    .on_conflict_do_nothing_on([fund::Column::TownshipCode])
    .exec(tx)
    .await?;
    fund::Entity::find_by_id(township.to_owned())
        .lock_exclusive()
        .one(tx)
        .await?
        .ok_or_else(Refusal::internal)
}

/// The domain fund at the locked row's balance.
pub fn resume(row: &fund::Model) -> ReserveFund {
    ReserveFund::resume(row.township_code.clone(), Fen(row.balance_fen))
}

/// Writes the ledger entry the domain appended and the new balance, guarded by the version read
/// under the lock.
pub async fn apply(
    tx: &impl ConnectionTrait,
    row: &fund::Model,
    line: &LedgerEntry,
    by: &Principal,
) -> Result<(), Refusal> {
    let result = fund::Entity::update_many()
        .col_expr(fund::Column::BalanceFen, Expr::value(line.balance_after.0))
        .col_expr(fund::Column::Version, Expr::value(row.version + 1))
        .col_expr(fund::Column::UpdatedAt, Expr::value(kit::clock::now()))
        .filter(fund::Column::TownshipCode.eq(row.township_code.clone()))
        .filter(fund::Column::Version.eq(row.version))
        .exec(tx)
        .await?;
    if result.rows_affected != 1 {
        return Err(Refusal::conflict(
            "reserve-fund-changed",
            "the reserve fund moved meanwhile; try again",
        ));
    }
    let (kind, grant_id, reference) = match &line.kind {
        EntryKind::Draw { grant_id } => ("draw", Some(*grant_id), None),
        EntryKind::Replenishment { reference } => ("replenishment", None, Some(reference.clone())),
    };
    entry::Entity::insert(entry::ActiveModel::from(entry::Model {
        id: Uuid::now_v7(),
        township_code: row.township_code.clone(),
        entry_on: line.on,
        kind: kind.to_owned(),
        grant_id,
        reference,
        amount_fen: line.amount.0,
        balance_after_fen: line.balance_after.0,
        recorded_by: by.subject.clone(),
        recorded_at: kit::clock::now(),
    }))
    .exec(tx)
    .await?;
    Ok(())
}

/// A refused fund movement as a problem naming the field.
pub fn fund_refused(e: ReserveFundError) -> Refusal {
    match e {
        ReserveFundError::AmountNotPositive(_) => Refusal::invalid("amount_fen", e.to_string()),
        ReserveFundError::Insufficient { .. } => {
            Refusal::conflict("reserve-fund-insufficient", e.to_string())
                .field("amount_fen", "more than the reserve fund holds")
        }
        ReserveFundError::ReplenishedByDistrictOnly | ReserveFundError::OtherTownship(_) => {
            Refusal::forbidden(e.to_string())
        }
        ReserveFundError::Overflow => Refusal::invalid("amount_fen", e.to_string()),
    }
}

/// Records the district's replenishment of a township's fund.
pub async fn replenish(
    tx: &impl ConnectionTrait,
    who: &Principal,
    township: &str,
    input: &Replenishment,
) -> Result<FundView, Refusal> {
    who.require(&[Role::DistrictOfficer, Role::DistrictApprover])?;
    township_name(township, "township")?;
    if input.reference.trim().is_empty() {
        return Err(Refusal::invalid("reference", "required"));
    }
    let row = lock(tx, township).await?;
    let mut fund = resume(&row);
    let line = fund
        .replenish(
            today(),
            Fen(input.amount_fen),
            &input.reference,
            &actor_of(who),
        )
        .map_err(fund_refused)?
        .clone();
    apply(tx, &row, &line, who).await?;
    audit::record(
        tx,
        who,
        "replenish-reserve-fund",
        "reserve-fund",
        township,
        &format!(
            "amount_fen={} reference={}",
            input.amount_fen,
            input.reference.trim()
        ),
    )
    .await?;
    show(tx, who, township, None, 50).await
}

/// A fund of the caller's division (a township sees its own, the district all) with a page of
/// its ledger.
pub async fn show(
    db: &impl ConnectionTrait,
    who: &Principal,
    township: &str,
    cursor: Option<Uuid>,
    limit: u64,
) -> Result<FundView, Refusal> {
    let name = township_name(township, "township")?;
    who.require(&[
        Role::TownshipClerk,
        Role::TownshipApprover,
        Role::DistrictOfficer,
        Role::DistrictApprover,
        Role::Auditor,
    ])?;
    if !who.sees(township) {
        return Err(Refusal::not_found("no such reserve fund in your division"));
    }
    let balance = fund::Entity::find_by_id(township.to_owned())
        .one(db)
        .await?
        .map_or(0, |f| f.balance_fen);
    let mut q = entry::Entity::find().filter(entry::Column::TownshipCode.eq(township));
    if let Some(c) = cursor {
        q = q.filter(entry::Column::Id.gt(c));
    }
    let entries: Vec<LedgerLine> = q
        .order_by_asc(entry::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    let next_cursor = if entries.len() as u64 >= limit {
        entries.last().map(|e| e.id)
    } else {
        None
    };
    Ok(FundView {
        township_code: township.to_owned(),
        township_name: name.to_owned(),
        balance_fen: balance,
        entries,
        next_cursor,
    })
}
