//! `/v1/enrollments`: households in a programme — read, list (reviews due), change, review,
//! gradual exit, end, and the payee account.

use axum::{
    extract::{Path, Query, State},
    http::{StatusCode, header},
    response::IntoResponse,
};
use kit::{
    Json, Principal, Problem,
    edge::{
        concurrency::{IfMatch, etag},
        idempotency::IdempotencyKey,
        page::{Page, PageQuery},
    },
    service::Platform,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::{
    commands::{
        enrollment::steps::{
            ChangeInput, EndInput, GradualExitInput, ReviewInput, change, end, gradual_exit,
            review, set_payee,
        },
        enrollment::{Payee, StoredEnrollment, load, yyyymm},
        payments::parse_month,
    },
    store::{enrollment, payment_line},
};
use kit::edge::idempotency::once;

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(show))
        .routes(routes!(change_route))
        .routes(routes!(review_route))
        .routes(routes!(gradual_exit_route))
        .routes(routes!(end_route))
        .routes(routes!(payee))
        .routes(routes!(payments))
}

fn month_text(m: i32) -> String {
    format!("{:04}-{:02}", m / 100, m % 100)
}

/// An enrollment as shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnrollmentView {
    id: Uuid,
    application_id: Uuid,
    household_id: Uuid,
    programme: String,
    residence: String,
    support_mode: Option<String>,
    care_level: Option<String>,
    township_code: String,
    village_code: String,
    /// active, exiting (gradual exit) or ended.
    status: String,
    start_month: String,
    /// Last paid month, once decided.
    end_month: Option<String>,
    monthly_amount_fen: i64,
    next_review_due: String,
    /// Amount history: first month and amount.
    #[schema(value_type = Vec<Object>)]
    amounts: Value,
    #[schema(value_type = Option<Object>)]
    gradual_exit: Value,
    /// Member ids the benefit is paid for.
    beneficiaries: Vec<Uuid>,
    /// Account holder and the last four digits of the account.
    payee: Option<String>,
    /// The day the bank returned a payment to that account: the enrollment's lines are held
    /// until the payee is confirmed or corrected.
    payee_returned_on: Option<chrono::NaiveDate>,
    /// The first month the next run looks at: months from it that are owed and not paid are paid
    /// then (arrears, top-ups).
    next_unpaid_month: String,
    version: i32,
}

impl From<&StoredEnrollment> for EnrollmentView {
    fn from(s: &StoredEnrollment) -> Self {
        let r = &s.row;
        Self {
            id: r.id,
            application_id: r.application_id,
            household_id: r.household_id,
            programme: r.programme.clone(),
            residence: r.residence.clone(),
            support_mode: r.support_mode.clone(),
            care_level: r.care_level.clone(),
            township_code: r.township_code.clone(),
            village_code: r.village_code.clone(),
            status: r.status.clone(),
            start_month: month_text(r.start_month),
            end_month: r.end_month.map(month_text),
            monthly_amount_fen: r.monthly_amount_fen,
            next_review_due: month_text(r.next_review_due),
            amounts: serde_json::to_value(s.record.enrollment.amounts()).unwrap_or_default(),
            gradual_exit: serde_json::to_value(s.record.enrollment.gradual_exit())
                .unwrap_or_default(),
            beneficiaries: s.record.beneficiaries.clone(),
            payee: match (&r.payee_name, &r.payee_account) {
                (Some(name), Some(account)) if account.len() >= 4 => {
                    Some(format!("{name} ****{}", &account[account.len() - 4..]))
                }
                _ => None,
            },
            payee_returned_on: r.payee_returned_on,
            next_unpaid_month: month_text(r.next_unpaid_month),
            version: r.version,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
struct ListQuery {
    /// active, exiting or ended.
    status: Option<String>,
    household_id: Option<Uuid>,
    /// Only enrollments whose review is due in or before this month (`2027-06`), not ended.
    review_due_by: Option<String>,
    cursor: Option<Uuid>,
    /// Page size, 1–200 (default 50); another number is refused (400 naming `limit`).
    #[serde(default, deserialize_with = "kit::edge::page::limit_in_range")]
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// Lists the enrollments of the caller's division.
#[utoipa::path(get, path = "/v1/enrollments", operation_id = "listEnrollments", params(ListQuery), tag = "enrollments",
    responses((status = 200, description = "a page of enrollments", body = Page<EnrollmentView>), (status = 401, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn list(
    State(p): State<Platform>,
    who: Principal,
    Query(q): Query<ListQuery>,
) -> Result<axum::Json<Page<EnrollmentView>>, Problem> {
    let page = PageQuery {
        cursor: q.cursor,
        limit: q.limit,
    };
    let mut query = enrollment::Entity::find()
        .filter(enrollment::Column::VillageCode.starts_with(who.division.as_str()))
        .order_by_asc(enrollment::Column::Id)
        .limit(page.limit());
    if let Some(cursor) = page.cursor {
        query = query.filter(enrollment::Column::Id.gt(cursor));
    }
    if let Some(status) = q.status {
        query = query.filter(enrollment::Column::Status.eq(status));
    }
    if let Some(household) = q.household_id {
        query = query.filter(enrollment::Column::HouseholdId.eq(household));
    }
    if let Some(month) = q.review_due_by {
        let month = parse_month("review_due_by", &month)?;
        query = query
            .filter(enrollment::Column::NextReviewDue.lte(yyyymm(month)))
            .filter(enrollment::Column::Status.eq("active"));
    }
    let items = query
        .all(&p.db)
        .await?
        .into_iter()
        .map(|row| StoredEnrollment::from_row(row).map(|s| EnrollmentView::from(&s)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(axum::Json(Page::new(items, page.limit(), |v| v.id)))
}

/// Reads an enrollment; the ETag is its version.
#[utoipa::path(get, path = "/v1/enrollments/{id}", operation_id = "getEnrollment", tag = "enrollments",
    responses((status = 200, body = EnrollmentView), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn show(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
) -> Result<impl IntoResponse, Problem> {
    let stored = load(&p.db, &who, id).await?;
    Ok((
        [(header::ETAG, etag(stored.row.version))],
        axum::Json(EnrollmentView::from(&stored)),
    ))
}

/// One payment line of an enrollment.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentLineView {
    id: Uuid,
    batch_id: Uuid,
    /// The month the line pays.
    month: String,
    /// month (the batch's own month), arrears (an earlier month owed and not paid) or top_up
    /// (the difference owed for a month paid before a standard rose).
    kind: String,
    amount_fen: i64,
    /// issued, held, returned, reissued (returned, paid again by `replaced_by`) or released
    /// (held, paid by `replaced_by`).
    status: String,
    /// no_account or account_returned, for a held line.
    hold_reason: Option<String>,
    returned_on: Option<chrono::NaiveDate>,
    /// The batch that paid the line again.
    replaced_by: Option<Uuid>,
}

/// The enrollment's payment history: every line of every batch, oldest month first.
#[utoipa::path(get, path = "/v1/enrollments/{id}/payments", operation_id = "listEnrollmentPayments", tag = "enrollments",
    responses((status = 200, body = Vec<PaymentLineView>), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn payments(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<Vec<PaymentLineView>>, Problem> {
    let stored = load(&p.db, &who, id).await?;
    let lines = payment_line::Entity::find()
        .filter(payment_line::Column::EnrollmentId.eq(stored.row.id))
        .order_by_asc(payment_line::Column::Month)
        .order_by_asc(payment_line::Column::BatchId)
        .all(&p.db)
        .await?;
    Ok(axum::Json(
        lines
            .into_iter()
            .map(|l| PaymentLineView {
                id: l.id,
                batch_id: l.batch_id,
                month: month_text(l.month),
                kind: l.kind,
                amount_fen: l.amount_fen,
                status: l.status,
                hold_reason: l.hold_reason,
                returned_on: l.returned_on,
                replaced_by: l.reissued_in,
            })
            .collect(),
    ))
}

type Answer = Result<(StatusCode, axum::Json<Value>), Problem>;

/// Changes the amount (members, standard, care level, support mode) from the next month.
#[utoipa::path(post, path = "/v1/enrollments/{id}/change", operation_id = "changeEnrollment", request_body = ChangeInput, tag = "enrollments",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 200, body = EnrollmentView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn change_route(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<ChangeInput>,
) -> Answer {
    let outbox = p.outbox.clone();
    once(&p, &who, &key, &(id, &input), StatusCode::OK, async |tx| {
        change(tx, &outbox, &who, id, &input)
            .await
            .map(|s| EnrollmentView::from(&s))
    })
    .await
}

/// Records a periodic review (unchanged, increase, decrease, stop).
#[utoipa::path(post, path = "/v1/enrollments/{id}/reviews", operation_id = "recordEnrollmentReview", request_body = ReviewInput, tag = "enrollments",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 200, body = EnrollmentView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn review_route(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<ReviewInput>,
) -> Answer {
    let outbox = p.outbox.clone();
    once(&p, &who, &key, &(id, &input), StatusCode::OK, async |tx| {
        review(tx, &outbox, &who, id, &input)
            .await
            .map(|s| EnrollmentView::from(&s))
    })
    .await
}

/// Starts a gradual exit (渐退).
#[utoipa::path(post, path = "/v1/enrollments/{id}/gradual-exit", operation_id = "startGradualExit", request_body = GradualExitInput, tag = "enrollments",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 200, body = EnrollmentView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
async fn gradual_exit_route(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<GradualExitInput>,
) -> Answer {
    let outbox = p.outbox.clone();
    once(&p, &who, &key, &(id, &input), StatusCode::OK, async |tx| {
        gradual_exit(tx, &outbox, &who, id, &input)
            .await
            .map(|s| EnrollmentView::from(&s))
    })
    .await
}

/// Ends the enrollment; the decision month is the last paid.
#[utoipa::path(post, path = "/v1/enrollments/{id}/end", operation_id = "endEnrollment", request_body = EndInput, tag = "enrollments",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 200, body = EnrollmentView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn end_route(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<EndInput>,
) -> Answer {
    let outbox = p.outbox.clone();
    once(&p, &who, &key, &(id, &input), StatusCode::OK, async |tx| {
        end(tx, &outbox, &who, id, &input)
            .await
            .map(|s| EnrollmentView::from(&s))
    })
    .await
}

/// Sets the account the benefit is paid to (`If-Match` with the enrollment's ETag).
#[utoipa::path(put, path = "/v1/enrollments/{id}/payee", operation_id = "setEnrollmentPayee", request_body = Payee, tag = "enrollments",
    params(("If-Match" = String, Header, description = "the enrollment's ETag")),
    responses((status = 200, body = EnrollmentView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn payee(
    State(p): State<Platform>,
    who: Principal,
    IfMatch(version): IfMatch,
    Path(id): Path<Uuid>,
    Json(input): Json<Payee>,
) -> Result<impl IntoResponse, Problem> {
    let tx = p.db.begin().await?;
    let stored = set_payee(&tx, &who, id, version, &input).await?;
    tx.commit().await?;
    Ok((
        [(header::ETAG, etag(stored.row.version))],
        axum::Json(EnrollmentView::from(&stored)),
    ))
}
