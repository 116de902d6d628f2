//! `/v1/payment-batches`: issue the month's batch (the current or next month, or an earlier one
//! not yet issued), list the batches with their totals, read one, and export its bank file (CSV,
//! with account numbers: district officers only, audited).

use axum::{
    extract::{Path, Query, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use kit::{
    Json, Principal, Problem, Role, audit,
    edge::{
        idempotency::IdempotencyKey,
        page::{Page, PageQuery},
    },
    service::Platform,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{Answer, idempotent, masked_account};
use crate::{
    commands::{
        payments::{NewBatch, bank_file, issue_batch},
        records::today,
    },
    store::{payment_batch, payment_line},
};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(show))
        .routes(routes!(file))
}

/// Issues the month's batch (once per month), publishing `child.payment.batch.issued.v1`.
#[utoipa::path(post, path = "/v1/payment-batches", operation_id = "runPaymentBatch", request_body = NewBatch, tag = "payments",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, body = crate::commands::payments::BatchIssued), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn create(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<NewBatch>,
) -> Result<Answer, Problem> {
    let o = p.outbox.clone();
    idempotent!(p, who, key, input, StatusCode::CREATED, |tx| {
        issue_batch(tx, &o, &who, input.month, today()).await?
    })
}

/// A batch in the list: its month and totals.
#[derive(Debug, Serialize, ToSchema)]
struct BatchSummary {
    id: Uuid,
    month: String,
    /// Lines sent to the bank.
    line_count: i64,
    total_fen: i64,
    issued_by: String,
    issued_at: chrono::DateTime<chrono::Utc>,
}

/// The batches issued, oldest first, with their totals (district roles).
#[utoipa::path(get, path = "/v1/payment-batches", operation_id = "listPaymentBatches", params(PageQuery), tag = "payments",
    responses((status = 200, body = Page<BatchSummary>), (status = 403, body = Problem)),
    security(("bearer" = [])))]
async fn list(
    State(p): State<Platform>,
    who: Principal,
    Query(page): Query<PageQuery>,
) -> Result<axum::Json<Page<BatchSummary>>, Problem> {
    who.require(&[Role::DistrictOfficer, Role::DistrictApprover, Role::Auditor])?;
    let mut query = payment_batch::Entity::find()
        .order_by_asc(payment_batch::Column::Id)
        .limit(page.limit());
    if let Some(cursor) = page.cursor {
        query = query.filter(payment_batch::Column::Id.gt(cursor));
    }
    let items = query
        .all(&p.db)
        .await?
        .into_iter()
        .map(|b| BatchSummary {
            id: b.id,
            month: b.month,
            line_count: b.line_count,
            total_fen: b.total_fen,
            issued_by: b.issued_by,
            issued_at: b.issued_at,
        })
        .collect();
    Ok(axum::Json(Page::new(items, page.limit(), |b| b.id)))
}

/// A line as shown (account masked).
#[derive(Debug, Serialize, ToSchema)]
struct LineView {
    id: Uuid,
    child_id: Uuid,
    allowance_id: Uuid,
    month: String,
    township_code: String,
    amount_fen: i64,
    /// issued, held, failed or reissued.
    status: String,
    bank_account: Option<String>,
    reissue_of: Option<Uuid>,
    held_reason: Option<String>,
    return_reason: Option<String>,
}

/// A batch as shown.
#[derive(Debug, Serialize, ToSchema)]
struct BatchView {
    id: Uuid,
    month: String,
    line_count: i64,
    total_fen: i64,
    issued_at: chrono::DateTime<chrono::Utc>,
    lines: Vec<LineView>,
}

async fn lines(p: &Platform, id: Uuid) -> Result<Vec<payment_line::Model>, Problem> {
    Ok(payment_line::Entity::find()
        .filter(payment_line::Column::BatchId.eq(id))
        .order_by_asc(payment_line::Column::Id)
        .all(&p.db)
        .await?)
}

/// Reads a batch with its lines (district roles).
#[utoipa::path(get, path = "/v1/payment-batches/{id}", operation_id = "getPaymentBatch", tag = "payments",
    responses((status = 200, body = BatchView), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn show(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<BatchView>, Problem> {
    who.require(&[Role::DistrictOfficer, Role::DistrictApprover, Role::Auditor])?;
    let b = payment_batch::Entity::find_by_id(id)
        .one(&p.db)
        .await?
        .ok_or_else(|| Problem::not_found("no such batch"))?;
    let lines = lines(&p, id)
        .await?
        .into_iter()
        .map(|l| LineView {
            id: l.id,
            child_id: l.child_id,
            allowance_id: l.allowance_id,
            month: l.month,
            township_code: l.township_code,
            amount_fen: l.amount_fen,
            status: l.status,
            bank_account: l.bank_account.as_deref().map(masked_account),
            reissue_of: l.reissue_of,
            held_reason: l.held_reason,
            return_reason: l.return_reason,
        })
        .collect();
    Ok(axum::Json(BatchView {
        id: b.id,
        month: b.month,
        line_count: b.line_count,
        total_fen: b.total_fen,
        issued_at: b.issued_at,
        lines,
    }))
}

/// The bank file of a batch as CSV (full account numbers; audited).
#[utoipa::path(get, path = "/v1/payment-batches/{id}/bank-file", operation_id = "getPaymentBatchBankFile", tag = "payments",
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = Problem),
        (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn file(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
) -> Result<Response, Problem> {
    who.require(&[Role::DistrictOfficer])?;
    payment_batch::Entity::find_by_id(id)
        .one(&p.db)
        .await?
        .ok_or_else(|| Problem::not_found("no such batch"))?;
    let csv = bank_file(&lines(&p, id).await?);
    audit::record(
        &p.db,
        &who,
        "export-bank-file",
        "payment_batch",
        &id.to_string(),
        "",
    )
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"child-welfare-{id}.csv\""),
            ),
        ],
        csv,
    )
        .into_response())
}
