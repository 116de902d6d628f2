//! Temporary-assistance grants paid by the bank (approved without act-first): the payee — given
//! with the request, copied at approval from the household's current enrollment, or set by staff
//! afterwards — and how a grant was paid: in cash from the township's reserve fund at approval
//! (act-first), or by a line of the monthly payment batch (`commands::payments`).

use chrono::{DateTime, NaiveDate, Utc};
use kit::{Principal, Refusal, Role, audit};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::commands::assistance::clock::local_date;
use crate::commands::assistance::{GrantView, find_visible};
use crate::commands::enrollment::Payee;
use crate::store::{assistance::grant as row, enrollment, payment_batch, payment_line};

/// One payment line of a grant, oldest batch first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GrantPaymentLine {
    pub line_id: Uuid,
    pub batch_id: Uuid,
    /// monthly or reissue.
    pub batch_kind: String,
    /// The batch's month, like `2026-12`.
    pub month: String,
    pub issued_at: DateTime<Utc>,
    /// held (no account: not sent), issued, returned, reissued (returned, then paid in
    /// `reissued_in`) or released (held, then paid in the re-issue `reissued_in`).
    pub status: String,
    pub return_reason: Option<String>,
    pub returned_on: Option<NaiveDate>,
    pub reissued_in: Option<Uuid>,
}

/// How a grant is paid.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GrantPayment {
    /// reserve_fund (act-first: cash at approval) or bank (the monthly payment batch).
    pub method: String,
    /// reserve_fund: paid. bank: awaiting_batch (no batch has taken it yet), held (no account:
    /// re-issued once the payee is set), issued or returned (re-issued once it has an account).
    pub status: String,
    /// The day paid: the approval (reserve fund) or the issue of the batch sending the line.
    pub paid_on: Option<NaiveDate>,
    /// The batch and line paying it now (bank).
    pub batch_id: Option<Uuid>,
    pub line_id: Option<Uuid>,
    /// Every line, replaced ones included.
    pub lines: Vec<GrantPaymentLine>,
}

/// What the grant row alone says about its payment (the lines are added by `with_payments`).
pub fn payment_without_lines(m: &row::Model) -> Option<GrantPayment> {
    if m.status != "granted" {
        return None;
    }
    Some(if m.act_first {
        GrantPayment {
            method: "reserve_fund".into(),
            status: "paid".into(),
            paid_on: m.decided_on,
            batch_id: None,
            line_id: None,
            lines: Vec::new(),
        }
    } else {
        GrantPayment {
            method: "bank".into(),
            status: "awaiting_batch".into(),
            paid_on: None,
            batch_id: None,
            line_id: None,
            lines: Vec::new(),
        }
    })
}

/// Fills in the payment lines of the bank-paid grants among `views` (two queries for a page).
pub async fn with_payments(
    db: &impl ConnectionTrait,
    views: &mut [GrantView],
) -> Result<(), Refusal> {
    let ids: Vec<Uuid> = views
        .iter()
        .filter(|v| v.payment.as_ref().is_some_and(|p| p.method == "bank"))
        .map(|v| v.id)
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    let lines = payment_line::Entity::find()
        .filter(payment_line::Column::GrantId.is_in(ids))
        .order_by_asc(payment_line::Column::BatchId)
        .all(db)
        .await?;
    if lines.is_empty() {
        return Ok(());
    }
    let mut batch_ids: Vec<Uuid> = lines.iter().map(|l| l.batch_id).collect();
    batch_ids.dedup();
    let batches = payment_batch::Entity::find()
        .filter(payment_batch::Column::Id.is_in(batch_ids))
        .all(db)
        .await?;
    for view in views.iter_mut() {
        let Some(payment) = view.payment.as_mut().filter(|p| p.method == "bank") else {
            continue;
        };
        for l in lines.iter().filter(|l| l.grant_id == Some(view.id)) {
            let Some(b) = batches.iter().find(|b| b.id == l.batch_id) else {
                continue;
            };
            payment.lines.push(GrantPaymentLine {
                line_id: l.id,
                batch_id: l.batch_id,
                batch_kind: b.kind.clone(),
                month: format!("{:04}-{:02}", l.month / 100, l.month % 100),
                issued_at: b.issued_at,
                status: l.status.clone(),
                return_reason: l.return_reason.clone(),
                returned_on: l.returned_on,
                reissued_in: l.reissued_in,
            });
        }
        if let Some(live) = payment
            .lines
            .iter()
            .rev()
            .find(|l| l.status != "reissued" && l.status != "released")
        {
            payment.status = live.status.clone();
            payment.batch_id = Some(live.batch_id);
            payment.line_id = Some(live.line_id);
            payment.paid_on = (live.status != "held").then(|| local_date(live.issued_at));
        }
    }
    Ok(())
}

/// The view of one grant with its payment lines.
pub async fn view(db: &impl ConnectionTrait, m: row::Model) -> Result<GrantView, Refusal> {
    let mut views = [GrantView::from(m)];
    with_payments(db, &mut views).await?;
    let [view] = views;
    Ok(view)
}

/// The payee of the household's current enrollment (active or in gradual exit) with an account;
/// the most recently started one when there are several.
pub async fn enrollment_payee(
    db: &impl ConnectionTrait,
    household_id: Uuid,
) -> Result<Option<Payee>, Refusal> {
    let found = enrollment::Entity::find()
        .filter(enrollment::Column::HouseholdId.eq(household_id))
        .filter(enrollment::Column::Status.ne("ended"))
        .filter(enrollment::Column::PayeeAccount.is_not_null())
        .filter(enrollment::Column::PayeeAccount.ne(""))
        .order_by_desc(enrollment::Column::StartMonth)
        .order_by_desc(enrollment::Column::Id)
        .all(db)
        .await?;
    Ok(found.into_iter().find_map(|e| {
        Some(Payee {
            name: e.payee_name?,
            bank: e.payee_bank?,
            account: e.payee_account?,
        })
    }))
}

/// Sets or corrects the account a grant is paid to by the bank (before or after approval; a
/// returned or held line is paid to it by the next run or re-issue). Confirming the payee after
/// a bank return lets the grant be paid again.
pub async fn set_payee(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    expected_version: i32,
    payee: &Payee,
) -> Result<GrantView, Refusal> {
    who.require(&[Role::TownshipClerk, Role::DistrictOfficer])?;
    payee.validate("")?;
    let current = find_visible(tx, who, id).await?;
    if current.version != expected_version {
        return Err(Refusal::changed_meanwhile());
    }
    if current.act_first {
        return Err(Refusal::conflict(
            "act-first-paid-in-cash",
            "an act-first grant is paid in cash from the reserve fund, not by the bank",
        ));
    }
    if current.status == "rejected" {
        return Err(Refusal::conflict(
            "wrong-status",
            "a rejected request is not paid",
        ));
    }
    let result = row::Entity::update_many()
        .set(row::ActiveModel {
            payee_name: Set(Some(payee.name.trim().to_owned())),
            payee_bank: Set(Some(payee.bank.trim().to_owned())),
            payee_account: Set(Some(payee.account.clone())),
            payee_source: Set(Some("staff".into())),
            payee_returned_on: Set(None),
            version: Set(expected_version + 1),
            ..Default::default()
        })
        .filter(row::Column::Id.eq(id))
        .filter(row::Column::Version.eq(expected_version))
        .exec(tx)
        .await?;
    if result.rows_affected != 1 {
        return Err(Refusal::changed_meanwhile());
    }
    // The account is personal data: the trail says that it changed, not to what.
    audit::record(
        tx,
        who,
        "set-payee",
        "temporary-assistance",
        &id.to_string(),
        "",
    )
    .await?;
    view(tx, find_visible(tx, who, id).await?).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(status: &str, act_first: bool) -> row::Model {
        let on = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        row::Model {
            id: Uuid::nil(),
            household_id: Uuid::nil(),
            applicant_member_id: Uuid::nil(),
            applicant_ref: String::new(),
            emergency_type: "fire".into(),
            applied_at: "registered_place".into(),
            amount_fen: 10_000,
            act_first,
            township_code: "500112016".into(),
            village_code: "500112016001".into(),
            circumstances: String::new(),
            status: status.into(),
            tier: "township".into(),
            recorded_by: String::new(),
            recorded_on: on,
            approved_by: None,
            approver: None,
            decided_on: Some(on),
            rejection_reasons: None,
            paperwork_due: None,
            paperwork_completed_on: None,
            paperwork_late: false,
            payee_name: Some("张三".into()),
            payee_bank: Some("某银行".into()),
            payee_account: Some("6230520012345678".into()),
            payee_source: Some("request".into()),
            payee_returned_on: None,
            version: 1,
            created_at: kit::clock::now(),
        }
    }

    #[test]
    fn only_granted_grants_are_paid_act_first_in_cash_the_others_by_the_bank() {
        let cases = [
            ("requested", false, None),
            ("rejected", false, None),
            ("requested", true, None),
            ("granted", true, Some(("reserve_fund", "paid", true))),
            ("granted", false, Some(("bank", "awaiting_batch", false))),
        ];
        for (status, act_first, expected) in cases {
            let got = payment_without_lines(&grant(status, act_first));
            let got = got
                .as_ref()
                .map(|p| (p.method.as_str(), p.status.as_str(), p.paid_on.is_some()));
            assert_eq!(got, expected, "{status} act_first={act_first}");
        }
    }

    #[test]
    fn the_view_masks_the_account_to_its_last_four_digits() {
        let view = GrantView::from(grant("granted", false));
        assert_eq!(view.payee.as_deref(), Some("张三 ****5678"));
        let text = serde_json::to_string(&view).unwrap();
        assert!(!text.contains("6230520012345678"), "{text}");
    }
}
