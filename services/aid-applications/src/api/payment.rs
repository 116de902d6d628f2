//! `/v1/payment-batches`: the monthly run (enrollments and temporary-assistance grants approved
//! without act-first), the bank file (CSV, streamed in pages), re-issues of returned lines (and
//! held grant lines). District staff only: a batch spans every township.

use axum::{
    body::Body,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use futures::StreamExt as _;
use kit::{
    Json, Principal, Problem, Role, audit, edge::idempotency::IdempotencyKey, service::Platform,
};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, QueryOrder, Statement};
use serde_json::Value;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::{
    commands::{
        payments::{BatchView, RunInput, reissue, run_month, view},
        procedure::internal,
    },
    store::payment_batch,
};
use kit::edge::idempotency::once;

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(run, list))
        .routes(routes!(show))
        .routes(routes!(bank_file))
        .routes(routes!(reissue_route))
}

const READERS: [Role; 3] = [Role::DistrictOfficer, Role::DistrictApprover, Role::Auditor];

/// Issues the monthly batch (one per month).
#[utoipa::path(post, path = "/v1/payment-batches", operation_id = "runPaymentBatch", request_body = RunInput, tag = "payments",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, body = BatchView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn run(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<RunInput>,
) -> Result<(StatusCode, axum::Json<Value>), Problem> {
    let outbox = p.outbox.clone();
    once(&p, &who, &key, &input, StatusCode::CREATED, async |tx| {
        run_month(tx, &outbox, &who, &input).await
    })
    .await
}

/// Every batch, newest first.
#[utoipa::path(get, path = "/v1/payment-batches", operation_id = "listPaymentBatches", tag = "payments",
    responses((status = 200, body = Vec<BatchView>), (status = 403, body = Problem)),
    security(("bearer" = [])))]
async fn list(
    State(p): State<Platform>,
    who: Principal,
) -> Result<axum::Json<Vec<BatchView>>, Problem> {
    who.require(&READERS)?;
    let mut views = Vec::new();
    for b in payment_batch::Entity::find()
        .order_by_desc(payment_batch::Column::Id)
        .all(&p.db)
        .await?
    {
        views.push(view(&p.db, b).await?);
    }
    Ok(axum::Json(views))
}

/// A batch with its township totals.
#[utoipa::path(get, path = "/v1/payment-batches/{id}", operation_id = "getPaymentBatch", tag = "payments",
    responses((status = 200, body = BatchView), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn show(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<BatchView>, Problem> {
    who.require(&READERS)?;
    let b = payment_batch::Entity::find_by_id(id)
        .one(&p.db)
        .await?
        .ok_or_else(|| Problem::not_found("no such batch"))?;
    Ok(axum::Json(view(&p.db, b).await?))
}

/// Re-issues the batch's returned lines whose enrollment or temporary-assistance grant has an
/// account again, and its held grant lines whose grant has an account now.
#[utoipa::path(post, path = "/v1/payment-batches/{id}/reissue", operation_id = "reissuePaymentBatch", tag = "payments",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, body = BatchView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
async fn reissue_route(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
) -> Result<(StatusCode, axum::Json<Value>), Problem> {
    let outbox = p.outbox.clone();
    once(&p, &who, &key, &id, StatusCode::CREATED, async |tx| {
        reissue(tx, &outbox, &who, id).await
    })
    .await
}

const PAGE: i64 = 5_000;

fn csv_field(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

async fn csv_page(
    db: &DatabaseConnection,
    batch: Uuid,
    after: Uuid,
) -> Result<(String, Option<Uuid>), sea_orm::DbErr> {
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "SELECT l.id, l.month, l.kind, l.township_code, l.amount_fen, \
             COALESCE(e.payee_name, g.payee_name) AS payee_name, \
             COALESCE(e.payee_bank, g.payee_bank) AS payee_bank, \
             COALESCE(e.payee_account, g.payee_account) AS payee_account \
             FROM payment_lines l LEFT JOIN enrollments e ON e.id = l.enrollment_id \
             LEFT JOIN temporary_grants g ON g.id = l.grant_id \
             WHERE l.batch_id = $1 AND l.status = 'issued' AND l.id > $2 ORDER BY l.id LIMIT $3",
            [batch.into(), after.into(), PAGE.into()],
        ))
        .await?;
    let mut out = String::with_capacity(rows.len() * 128);
    let mut last = None;
    for r in &rows {
        let id: Uuid = r.try_get("", "id")?;
        let month: i32 = r.try_get("", "month")?;
        let kind: String = r.try_get("", "kind")?;
        let township: String = r.try_get("", "township_code")?;
        let amount: i64 = r.try_get("", "amount_fen")?;
        let name: Option<String> = r.try_get("", "payee_name")?;
        let bank: Option<String> = r.try_get("", "payee_bank")?;
        let account: Option<String> = r.try_get("", "payee_account")?;
        out.push_str(&format!(
            "{id},{batch},{:04}-{:02},{kind},{township},{},{},{},{}.{:02}\n",
            month / 100,
            month % 100,
            csv_field(name.as_deref().unwrap_or_default()),
            csv_field(bank.as_deref().unwrap_or_default()),
            csv_field(account.as_deref().unwrap_or_default()),
            amount / 100,
            amount % 100,
        ));
        last = Some(id);
    }
    let more = if rows.len() as i64 == PAGE {
        last
    } else {
        None
    };
    Ok((out, more))
}

/// The bank file of a batch (CSV: line id, batch, the month the line pays, its kind — `month`,
/// `arrears`, `top_up` or `grant` —, township, account holder, bank, account, amount in yuan);
/// streamed page by page. Holds bank accounts: the download is audited.
#[utoipa::path(get, path = "/v1/payment-batches/{id}/bank-file", operation_id = "getPaymentBatchBankFile", tag = "payments",
    responses((status = 200, content_type = "text/csv", description = "the bank file"), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn bank_file(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
) -> Result<Response, Problem> {
    who.require(&[Role::DistrictOfficer])?;
    payment_batch::Entity::find_by_id(id)
        .one(&p.db)
        .await?
        .ok_or_else(|| Problem::not_found("no such batch"))?;
    audit::record(
        &p.db,
        &who,
        "export-bank-file",
        "payment-batch",
        &id.to_string(),
        "",
    )
    .await?;
    let header_line =
        "line_id,batch_id,month,kind,township_code,account_holder,bank,account,amount_yuan\n";
    let db = p.db.clone();
    let pages = futures::stream::unfold(Some(Uuid::nil()), move |cursor| {
        let db = db.clone();
        async move {
            let after = cursor?;
            match csv_page(&db, id, after).await {
                Ok((chunk, next)) => Some((Ok::<_, std::io::Error>(chunk), next)),
                Err(e) => {
                    let _ = internal("bank file", &e);
                    Some((Err(std::io::Error::other(e.to_string())), None))
                }
            }
        }
    });
    let body =
        futures::stream::iter([Ok::<_, std::io::Error>(header_line.to_owned())]).chain(pages);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"aid-batch-{id}.csv\""),
            ),
        ],
        Body::from_stream(body),
    )
        .into_response())
}
