//! `/v1/payment-batches`: run the month's batch, read it with each line's rule trail, download
//! the bank file (CSV; account data, so district officers only, audited).

use axum::{
    Extension,
    extract::{Path, Query, State},
    http::header,
    response::IntoResponse,
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

use super::{Created, findings::MonthInput, idempotent};
use crate::{
    commands::{
        open_opt,
        payments::{BatchView, LINE_ACCOUNT, LINE_HOLDER, run},
        today,
    },
    store::{
        entities::{payment_batch, payment_line},
        sealed::DataKeys,
    },
};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(show))
        .routes(routes!(lines))
        .routes(routes!(bank_file))
}

/// Runs the payment of a month: comparison first, then one line per unpaid month of each case.
#[utoipa::path(post, path = "/v1/payment-batches", operation_id = "runPaymentBatch", request_body = MonthInput, tag = "payments",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = BatchView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn create(
    State(p): State<Platform>,
    Extension(keys): Extension<DataKeys>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<MonthInput>,
) -> Created {
    who.require(&[Role::DistrictOfficer])?;
    idempotent!(p, who, key, &input, 201, |tx| {
        run(tx, &p.outbox, &keys, &who, input.month, today()).await?
    })
}

async fn batch(p: &Platform, who: &Principal, id: Uuid) -> Result<payment_batch::Model, Problem> {
    who.require(&[Role::DistrictOfficer, Role::DistrictApprover, Role::Auditor])?;
    payment_batch::Entity::find_by_id(id)
        .one(&p.db)
        .await?
        .ok_or_else(|| Problem::not_found("no such payment batch"))
}

/// Reads a batch's totals.
#[utoipa::path(get, path = "/v1/payment-batches/{id}", operation_id = "getPaymentBatch", tag = "payments",
    responses((status = 200, body = BatchView), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn show(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<BatchView>, Problem> {
    Ok(axum::Json(batch(&p, &who, id).await?.into()))
}

/// A line as shown: amounts and the rule trail, no account data.
#[derive(Debug, Serialize, ToSchema)]
struct LineView {
    id: Uuid,
    subsidy_id: Uuid,
    person_ref: String,
    kind: String,
    month: String,
    amount_fen: i64,
    level: i32,
    status: String,
    hold_reason: Option<String>,
    return_reason: Option<String>,
    arrears: bool,
    township_code: String,
    trail: Vec<String>,
}

/// Lists a batch's lines with their rule trail.
#[utoipa::path(get, path = "/v1/payment-batches/{id}/lines", operation_id = "listPaymentBatchLines", params(PageQuery), tag = "payments",
    responses((status = 200, body = Page<LineView>), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn lines(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
    Query(page): Query<PageQuery>,
) -> Result<axum::Json<Page<LineView>>, Problem> {
    batch(&p, &who, id).await?;
    let mut find = payment_line::Entity::find()
        .filter(payment_line::Column::BatchId.eq(id))
        .order_by_asc(payment_line::Column::Id)
        .limit(page.limit());
    if let Some(c) = page.cursor {
        find = find.filter(payment_line::Column::Id.gt(c));
    }
    let items = find
        .all(&p.db)
        .await?
        .into_iter()
        .map(|l| LineView {
            id: l.id,
            subsidy_id: l.subsidy_id,
            person_ref: l.person_ref,
            kind: l.kind,
            month: l.month,
            amount_fen: l.amount_fen,
            level: l.level,
            status: l.status,
            hold_reason: l.hold_reason,
            return_reason: l.return_reason,
            arrears: l.arrears,
            township_code: l.township_code,
            trail: l.trail.lines().map(str::to_owned).collect(),
        })
        .collect();
    Ok(axum::Json(Page::new(
        items,
        page.limit(),
        |l: &LineView| l.id,
    )))
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The bank file of a batch: the issued lines (CSV: line_id, bank_code, account_number,
/// account_holder_name, amount_fen, month). Account data: district officers only, audited.
#[utoipa::path(get, path = "/v1/payment-batches/{id}/bank-file", operation_id = "getPaymentBatchBankFile", tag = "payments",
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn bank_file(
    State(p): State<Platform>,
    Extension(keys): Extension<DataKeys>,
    who: Principal,
    Path(id): Path<Uuid>,
) -> Result<impl IntoResponse, Problem> {
    who.require(&[Role::DistrictOfficer])?;
    let b = batch(&p, &who, id).await?;
    audit::record(
        &p.db,
        &who,
        "read-bank-file",
        "payment_batch",
        &id.to_string(),
        &b.month,
    )
    .await?;
    let mut csv =
        String::from("line_id,bank_code,account_number,account_holder_name,amount_fen,month\n");
    let issued = payment_line::Entity::find()
        .filter(payment_line::Column::BatchId.eq(id))
        .filter(payment_line::Column::Status.is_in(["issued", "failed"]))
        .order_by_asc(payment_line::Column::Id)
        .all(&p.db)
        .await?;
    for l in issued {
        let row = l.id.to_string();
        let number = open_opt(&keys, LINE_ACCOUNT, &row, l.account_number.as_deref())?;
        let holder = open_opt(&keys, LINE_HOLDER, &row, l.account_holder_name.as_deref())?;
        csv.push_str(&format!(
            "{},{},{},{},{},{}\n",
            l.id,
            csv_field(l.bank_code.as_deref().unwrap_or("")),
            csv_field(number.as_deref().unwrap_or("")),
            csv_field(holder.as_deref().unwrap_or("")),
            l.amount_fen,
            l.month
        ));
    }
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], csv))
}
