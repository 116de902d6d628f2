//! `/v1/cases`: report intake, reading (full for the holder, restricted otherwise, always
//! audited), the work on a case, the parents' situation, closure, and the audit trail of reads.

use axum::extract::{Path, Query, State};
use chrono::NaiveDate;
use kit::{
    Json, Principal, Problem,
    audit::AuditEntry,
    edge::{
        concurrency::{IfMatch, etag},
        idempotency::IdempotencyKey,
        page::{Page, PageQuery},
    },
    service::Platform,
};
use sea_orm::TransactionTrait;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{Answer, keyed};
use crate::commands::{
    cases::{
        self, Closure, EmergencyResponse, NewCase, Note, Opened, Recorded, RiskAssessment,
        SupportPlan,
    },
    parents::{self, Assessed, ParentsInput},
    reading::{self, CaseView},
};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(open, list))
        .routes(routes!(show))
        .routes(routes!(audit_trail))
        .routes(routes!(risk_assessment))
        .routes(routes!(emergency_response))
        .routes(routes!(support_plan))
        .routes(routes!(note))
        .routes(routes!(record_parents))
        .routes(routes!(close))
}

/// Takes a report in; the caller's unit holds the case. Publishes `minor.case.opened.v1`.
#[utoipa::path(post, path = "/v1/cases", operation_id = "openCase", request_body = NewCase, tag = "cases",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = Opened), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn open(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<NewCase>,
) -> Result<Answer, Problem> {
    keyed!(p, who, key, input, |tx| cases::open_case(
        tx,
        &p.outbox,
        &p.config.person_ref_key,
        &who,
        &input
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
struct ListQuery {
    /// open or closed.
    status: Option<String>,
    /// Only supervised matters overdue on this day (督办 list).
    overdue_on: Option<NaiveDate>,
    cursor: Option<Uuid>,
    /// Page size, 1–200 (default 50); another number is refused (400 naming `limit`).
    #[serde(default, deserialize_with = "kit::edge::page::limit_in_range")]
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// Cases the caller may see, as summaries without personal data. Each listed case is audited.
#[utoipa::path(get, path = "/v1/cases", operation_id = "listCases", params(ListQuery), tag = "cases",
    responses((status = 200, body = Page<CaseView>), (status = 401, body = Problem)),
    security(("bearer" = [])))]
async fn list(
    State(p): State<Platform>,
    who: Principal,
    Query(q): Query<ListQuery>,
) -> Result<axum::Json<Page<CaseView>>, Problem> {
    let page = PageQuery {
        cursor: q.cursor,
        limit: q.limit,
    };
    let tx = p.db.begin().await?;
    let items = reading::list_cases(
        &tx,
        &who,
        q.status.as_deref(),
        q.overdue_on,
        page.cursor,
        page.limit(),
    )
    .await?;
    tx.commit().await?;
    Ok(axum::Json(Page::new(items, page.limit(), |c| c.id)))
}

#[derive(Debug, Deserialize, IntoParams)]
struct ShowQuery {
    /// Full ID numbers (the holder's staff only).
    #[serde(default)]
    unmasked: bool,
}

/// One case: full for the holder's staff, restricted for everyone else. Audited.
#[utoipa::path(get, path = "/v1/cases/{id}", operation_id = "getCase", params(ShowQuery), tag = "cases",
    responses((status = 200, body = CaseView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn show(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
    Query(q): Query<ShowQuery>,
) -> Result<
    (
        [(axum::http::HeaderName, axum::http::HeaderValue); 1],
        axum::Json<CaseView>,
    ),
    Problem,
> {
    let tx = p.db.begin().await?;
    let view = reading::read_case(&tx, &who, id, q.unmasked).await?;
    tx.commit().await?;
    Ok((
        [(axum::http::header::ETAG, etag(view.version))],
        axum::Json(view),
    ))
}

/// Who did or read what on the case (district approvers and auditors).
#[utoipa::path(get, path = "/v1/cases/{id}/audit", operation_id = "getCaseAuditTrail", tag = "cases",
    responses((status = 200, body = Vec<AuditEntry>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn audit_trail(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<Vec<AuditEntry>>, Problem> {
    Ok(axum::Json(reading::case_audit(&p.db, &who, id).await?))
}

/// Records a risk assessment (the holder); high risk makes the case a supervised major matter.
#[utoipa::path(post, path = "/v1/cases/{id}/risk-assessments", operation_id = "assessRisk", request_body = RiskAssessment, tag = "cases",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, body = Recorded), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn risk_assessment(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<RiskAssessment>,
) -> Result<Answer, Problem> {
    keyed!(p, who, key, (id, &input), |tx| cases::assess_risk(
        tx, &who, id, &input
    ))
}

/// Records an emergency response (the holder or a referred unit).
#[utoipa::path(post, path = "/v1/cases/{id}/emergency-responses", operation_id = "recordEmergencyResponse", request_body = EmergencyResponse, tag = "cases",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, body = Recorded), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn emergency_response(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<EmergencyResponse>,
) -> Result<Answer, Problem> {
    keyed!(p, who, key, (id, &input), |tx| cases::respond_to_emergency(
        tx, &who, id, &input
    ))
}

/// Records the assessment and support plan (the holder).
#[utoipa::path(post, path = "/v1/cases/{id}/support-plans", operation_id = "addSupportPlan", request_body = SupportPlan, tag = "cases",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, body = Recorded), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn support_plan(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<SupportPlan>,
) -> Result<Answer, Problem> {
    keyed!(p, who, key, (id, &input), |tx| cases::plan_support(
        tx, &who, id, &input
    ))
}

/// Adds a note (the holder or a referred unit).
#[utoipa::path(post, path = "/v1/cases/{id}/notes", operation_id = "addCaseNote", request_body = Note, tag = "cases",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, body = Recorded), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn note(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<Note>,
) -> Result<Answer, Problem> {
    keyed!(p, who, key, (id, &input), |tx| cases::add_note(
        tx, &who, id, &input
    ))
}

/// Records both parents' situations (the holder); flags the child to child-welfare
/// (`minor.child.at-risk.flagged.v1`) when the pair may meet the de facto unsupported conditions.
#[utoipa::path(post, path = "/v1/cases/{id}/parents", operation_id = "recordParents", request_body = ParentsInput, tag = "cases",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, body = Assessed), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn record_parents(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<ParentsInput>,
) -> Result<Answer, Problem> {
    keyed!(p, who, key, (id, &input), |tx| parents::record_parents(
        tx,
        &p.outbox,
        &p.config.person_ref_key,
        &who,
        id,
        &input
    ))
}

/// Closes the case with its outcome and reason (the holder, with `If-Match`). Publishes
/// `minor.case.closed.v1`.
#[utoipa::path(post, path = "/v1/cases/{id}/closure", operation_id = "closeCase", request_body = Closure, tag = "cases",
    params(("If-Match" = String, Header, description = "the ETag of the case as read")),
    responses((status = 200, body = Recorded), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("bearer" = [])))]
async fn close(
    State(p): State<Platform>,
    who: Principal,
    IfMatch(version): IfMatch,
    Path(id): Path<Uuid>,
    Json(input): Json<Closure>,
) -> Result<axum::Json<Recorded>, Problem> {
    let tx = p.db.begin().await?;
    let out = cases::close_case(&tx, &p.outbox, &who, id, version, &input).await?;
    tx.commit().await?;
    p.outbox.wake();
    Ok(axum::Json(out))
}
