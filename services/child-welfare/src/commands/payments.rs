//! The monthly payment batch: first end allowances whose entitlement ran out before the month,
//! then one line per allowance payable that month at the standard in force on its first day, plus
//! re-issues of failed and held lines; the bank file is CSV; a bank return marks its line failed
//! and the next batch re-issues it.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use contracts::{
    child::PaymentBatchIssued,
    common::{Month, TownshipCode, TownshipTotal},
    partner::{Payer, PaymentReturned},
};
use kit::{Principal, Refusal, Role, audit, outbox::Outbox};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    lifecycle::close_if_aged_out,
    records::{self, not_in_force, outbox_failed},
};
use crate::{
    domain::{
        category::{Category, parse_word, word},
        reference::Standard,
    },
    store::{allowance, child, payment_batch, payment_line},
};

/// The month to pay.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewBatch {
    /// `YYYY-MM`.
    #[schema(value_type = String)]
    pub month: Month,
}

/// A batch as issued.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BatchIssued {
    pub id: Uuid,
    pub month: String,
    /// Lines sent to the bank.
    pub line_count: i64,
    pub total_fen: i64,
    /// Lines held back (no account on record), paid by a later batch once fixed.
    pub held_count: i64,
    /// Allowances ended before the month by age or schooling.
    pub ended_count: i64,
}

/// Return reasons after which the same account would fail again: wait for a corrected account.
const ACCOUNT_UNUSABLE: [&str; 3] = ["account_closed", "account_not_found", "name_mismatch"];

/// Issues the batch of `month` (once per month).
pub async fn issue_batch(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    month: Month,
    today: NaiveDate,
) -> Result<BatchIssued, Refusal> {
    who.require(&[Role::DistrictOfficer])?;
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
    let key = month.to_string();
    let exists = payment_batch::Entity::find()
        .filter(payment_batch::Column::Month.eq(key.clone()))
        .one(tx)
        .await?;
    if exists.is_some() {
        return Err(Refusal::conflict(
            "batch-exists",
            format!("the batch of {month} was already issued"),
        )
        .field("month", "already issued"));
    }
    let first_day = month
        .first_day()
        .ok_or_else(|| Refusal::invalid("month", "out of range"))?;
    let reference = records::reference(tx).await?;
    let active = allowance::Entity::find()
        .filter(allowance::Column::EndMonth.is_null())
        .filter(allowance::Column::StartMonth.lte(key.clone()))
        .all(tx)
        .await?;
    let mut ended_count = 0;
    for a in active {
        if let Some(record) = records::load(tx, a.child_id).await? {
            let r = close_if_aged_out(tx, outbox, who, &reference, &record, month, today).await?;
            if r != super::lifecycle::Reevaluated::Unchanged {
                ended_count += 1;
            }
        }
    }
    let earlier: Vec<payment_line::Model> = payment_line::Entity::find()
        .filter(payment_line::Column::Status.is_in(["failed", "held"]))
        .order_by_asc(payment_line::Column::Id)
        .all(tx)
        .await?;
    let payable = allowance::Entity::find()
        .filter(allowance::Column::StartMonth.lte(key.clone()))
        .filter(
            sea_orm::Condition::any()
                .add(allowance::Column::EndMonth.is_null())
                .add(allowance::Column::EndMonth.gte(key.clone())),
        )
        .order_by_asc(allowance::Column::Id)
        .all(tx)
        .await?;
    let batch_id = Uuid::now_v7();
    payment_batch::Entity::insert(payment_batch::ActiveModel {
        id: Set(batch_id),
        month: Set(key.clone()),
        line_count: Set(0),
        total_fen: Set(0),
        issued_by: Set(who.subject.clone()),
        issued_at: Set(kit::clock::now()),
    })
    .exec(tx)
    .await?;
    let mut lines = Vec::new();
    for a in payable {
        let paid = payment_line::Entity::find()
            .filter(payment_line::Column::AllowanceId.eq(a.id))
            .filter(payment_line::Column::Month.eq(key.clone()))
            .one(tx)
            .await?;
        let Some(c) = child::Entity::find_by_id(a.child_id).one(tx).await? else {
            continue;
        };
        if paid.is_some() {
            continue;
        }
        let category = parse_word::<Category>(&a.category).unwrap_or(Category::DeFactoUnsupported);
        let mode = records::allowance_mode(&a, month);
        let amount = reference
            .standard(Standard::for_child(category, mode), first_day)
            .map_err(not_in_force)?;
        let due = Due {
            allowance_id: a.id,
            township_code: &a.township_code,
            month: key.clone(),
            amount_fen: amount,
        };
        lines.push(line(batch_id, due, &c, None));
    }
    for old in earlier {
        let Some(c) = child::Entity::find_by_id(old.child_id).one(tx).await? else {
            continue;
        };
        let unusable = old
            .return_reason
            .as_deref()
            .is_some_and(|r| ACCOUNT_UNUSABLE.contains(&r));
        if c.bank_account.is_none() || (unusable && c.bank_account == old.bank_account) {
            continue;
        }
        payment_line::Entity::update(payment_line::ActiveModel {
            id: Set(old.id),
            status: Set("reissued".into()),
            ..Default::default()
        })
        .exec(tx)
        .await?;
        let due = Due {
            allowance_id: old.allowance_id,
            township_code: &old.township_code,
            month: old.month.clone(),
            amount_fen: old.amount_fen,
        };
        lines.push(line(batch_id, due, &c, Some(old.id)));
    }
    let mut per_township: BTreeMap<String, (u64, i64)> = BTreeMap::new();
    let (mut count, mut total, mut held) = (0i64, 0i64, 0i64);
    for l in &lines {
        if l.status == "issued" {
            count += 1;
            total += l.amount_fen;
            let t = per_township.entry(l.township_code.clone()).or_default();
            t.0 += 1;
            t.1 += l.amount_fen;
        } else {
            held += 1;
        }
    }
    if !lines.is_empty() {
        payment_line::Entity::insert_many(lines.into_iter().map(payment_line::ActiveModel::from))
            .exec(tx)
            .await?;
    }
    payment_batch::Entity::update(payment_batch::ActiveModel {
        id: Set(batch_id),
        line_count: Set(count),
        total_fen: Set(total),
        ..Default::default()
    })
    .exec(tx)
    .await?;
    let townships = per_township
        .into_iter()
        .map(|(code, (line_count, total_fen))| {
            Ok(TownshipTotal {
                township_code: TownshipCode::parse(&code).map_err(|_| Refusal::internal())?,
                line_count,
                total_fen,
            })
        })
        .collect::<Result<Vec<_>, Refusal>>()?;
    outbox
        .enqueue(
            tx,
            &PaymentBatchIssued {
                batch_id,
                month,
                line_count: count as u64,
                total_fen: total,
                townships,
                issued_at: kit::clock::now().fixed_offset(),
            },
        )
        .await
        .map_err(outbox_failed)?;
    audit::record(
        tx,
        who,
        "issue-payment-batch",
        "payment_batch",
        &batch_id.to_string(),
        &format!("{month}: {count} lines, {total} fen, {held} held"),
    )
    .await?;
    Ok(BatchIssued {
        id: batch_id,
        month: key,
        line_count: count,
        total_fen: total,
        held_count: held,
        ended_count,
    })
}

/// A month's amount owed under an allowance.
struct Due<'a> {
    allowance_id: Uuid,
    township_code: &'a str,
    month: String,
    amount_fen: i64,
}

fn line(
    batch_id: Uuid,
    due: Due<'_>,
    c: &child::Model,
    reissue_of: Option<Uuid>,
) -> payment_line::Model {
    let account = c.bank_account.clone().zip(c.account_holder.clone());
    payment_line::Model {
        id: Uuid::now_v7(),
        batch_id,
        allowance_id: due.allowance_id,
        child_id: c.id,
        month: due.month,
        township_code: due.township_code.to_owned(),
        amount_fen: due.amount_fen,
        status: if account.is_some() { "issued" } else { "held" }.into(),
        account_holder: account.as_ref().map(|(_, h)| h.clone()),
        bank_account: account.map(|(n, _)| n),
        reissue_of,
        held_reason: c
            .bank_account
            .is_none()
            .then(|| "no bank account on record".to_owned()),
        return_reason: None,
        returned_on: None,
    }
}

/// The bank file of a batch: one CSV row per line sent (held lines are not sent).
pub fn bank_file(lines: &[payment_line::Model]) -> String {
    let mut out = String::from(
        "line_id,month,township_code,account_holder,bank_account,amount_yuan,payment_mode\n",
    );
    for l in lines {
        let (Some(holder), Some(account)) = (&l.account_holder, &l.bank_account) else {
            continue;
        };
        let mode = if l.reissue_of.is_some() {
            "reissue"
        } else {
            "normal"
        };
        out.push_str(&format!(
            "{},{},{},{},{},{}.{:02},{}\n",
            l.id,
            l.month,
            l.township_code,
            csv_field(holder),
            csv_field(account),
            l.amount_fen / 100,
            l.amount_fen % 100,
            mode
        ));
    }
    out
}

fn csv_field(s: &str) -> String {
    // Quote when needed; a leading formula character is neutralised for spreadsheet users.
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// Why a bank return was not applied.
#[derive(Debug, thiserror::Error)]
pub enum ReturnError {
    /// It can never apply as it is.
    #[error("{0}")]
    NotApplicable(String),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

/// A bank return of one of this service's lines: the line is marked failed for re-issue. Returns
/// for other payers are not this service's; a return naming an unknown line, another batch or
/// another amount can never apply.
pub async fn record_return(
    tx: &impl ConnectionTrait,
    e: &PaymentReturned,
) -> Result<(), ReturnError> {
    if e.payer != Payer::Child {
        return Ok(());
    }
    let line = payment_line::Entity::find_by_id(e.line_id)
        .one(tx)
        .await?
        .ok_or_else(|| ReturnError::NotApplicable(format!("no payment line {}", e.line_id)))?;
    if line.batch_id != e.batch_id {
        return Err(ReturnError::NotApplicable(format!(
            "line {} is not in batch {}",
            e.line_id, e.batch_id
        )));
    }
    if line.amount_fen != e.amount_fen {
        return Err(ReturnError::NotApplicable(format!(
            "line {} paid {} fen, the return says {}",
            e.line_id, line.amount_fen, e.amount_fen
        )));
    }
    if line.status != "issued" {
        return Ok(());
    }
    payment_line::Entity::update(payment_line::ActiveModel {
        id: Set(line.id),
        status: Set("failed".into()),
        return_reason: Set(Some(word(e.reason_code))),
        returned_on: Set(Some(e.returned_on)),
        ..Default::default()
    })
    .exec(tx)
    .await?;
    let who = records::system("bank-return");
    audit::record(
        tx,
        &who,
        "payment-returned",
        "payment_line",
        &line.id.to_string(),
        &word(e.reason_code),
    )
    .await?;
    Ok(())
}
