//! Comparison findings (数据比对): each is a case with an owner (the township office), a due date
//! and a resolution, published as `disability.anomaly.detected.v1` without personal data. The same
//! finding is not raised twice while it is open.

use chrono::{Duration, NaiveDate};
use contracts::{
    common::{Month, PersonRef, TownshipCode},
    disability::{AnomalyDetected, AnomalyKind, SubsidyKind},
};
use kit::outbox::Outbox;
use sea_orm::{ConnectionTrait, Statement};
use uuid::Uuid;

use super::{CommandError, snake};
use crate::domain::reference::Rules;

/// A finding about to be raised.
#[derive(Debug, Clone)]
pub struct NewFinding {
    pub kind: AnomalyKind,
    pub subsidy_kind: Option<SubsidyKind>,
    pub subsidy_id: Option<Uuid>,
    pub person_ref: String,
    pub comparison_month: Month,
    pub amount_at_risk_fen: Option<i64>,
    pub township_code: String,
}

/// The owner of a new finding: the township office that handles the person.
pub fn township_owner(township: &str) -> String {
    format!("township:{township}")
}

/// Raises a finding unless the same one is open; publishes it. Returns its id when raised.
pub async fn raise(
    db: &impl ConnectionTrait,
    outbox: &Outbox,
    f: NewFinding,
    rules: &Rules,
    today: NaiveDate,
) -> Result<Option<Uuid>, CommandError> {
    let (Ok(person_ref), Ok(township_code)) = (
        PersonRef::parse(&f.person_ref),
        TownshipCode::parse(&f.township_code),
    ) else {
        return Err(CommandError::Outbox(format!(
            "a {} finding without a valid person or township",
            snake(f.kind)
        )));
    };
    let id = Uuid::now_v7();
    let key = format!(
        "{}|{}|{}",
        snake(f.kind),
        f.person_ref,
        f.subsidy_id
            .map(|s| s.to_string())
            .or_else(|| f.subsidy_kind.map(snake))
            .unwrap_or_default()
    );
    let due_on = today + Duration::days(rules.finding_due_days);
    let inserted = db
        .execute_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "INSERT INTO findings (id, kind, subsidy_kind, subsidy_id, person_ref, comparison_month, \
             amount_at_risk_fen, township_code, owner, detected_on, due_on, status, open_key, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'open', $12, 1) \
             ON CONFLICT (open_key) DO NOTHING",
            [
                id.into(),
                snake(f.kind).into(),
                f.subsidy_kind.map(snake).into(),
                f.subsidy_id.into(),
                f.person_ref.clone().into(),
                f.comparison_month.to_string().into(),
                f.amount_at_risk_fen.into(),
                f.township_code.clone().into(),
                township_owner(&f.township_code).into(),
                today.into(),
                due_on.into(),
                key.into(),
            ],
        ))
        .await?
        .rows_affected();
    if inserted == 0 {
        return Ok(None);
    }
    outbox
        .enqueue(
            db,
            &AnomalyDetected {
                finding_id: id,
                kind: f.kind,
                subsidy_kind: f.subsidy_kind,
                subsidy_id: f.subsidy_id,
                person_ref,
                comparison_month: f.comparison_month,
                amount_at_risk_fen: f.amount_at_risk_fen,
                township_code,
                detected_on: today,
                due_on,
            },
        )
        .await?;
    Ok(Some(id))
}
