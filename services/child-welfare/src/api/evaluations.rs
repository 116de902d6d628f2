//! `/v1/evaluations`: the evaluations minor-protection flags opened; staff complete an open one
//! with the child's identity and dated evidence, or close it with a reason.

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
};
use kit::{
    Json, Principal, Problem,
    edge::{
        idempotency::IdempotencyKey,
        page::{Page, PageQuery},
    },
    service::Platform,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{Answer, idempotent};
use crate::{
    commands::{
        flags::{Closure, close_evaluation, complete_evaluation},
        records::today,
        registration::NewChild,
    },
    store::evaluation,
};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(show))
        .routes(routes!(complete))
        .routes(routes!(close))
}

/// An evaluation as shown (no personal data: situations and references only).
#[derive(Debug, Serialize, ToSchema)]
struct EvaluationView {
    id: Uuid,
    flag_id: Uuid,
    person_ref: String,
    case_id: Option<Uuid>,
    township_code: String,
    village_code: String,
    father_situation: String,
    mother_situation: String,
    /// When each flagged situation began and, for a restriction of liberty, is expected to end.
    father_since: Option<chrono::NaiveDate>,
    father_expected_end: Option<chrono::NaiveDate>,
    mother_since: Option<chrono::NaiveDate>,
    mother_expected_end: Option<chrono::NaiveDate>,
    /// `YYYY-MM`, when the flag carries it.
    birth_month: Option<String>,
    flagged_on: chrono::NaiveDate,
    /// open, registered, submitted, closed or already_registered.
    status: String,
    /// The predicate's reason, or the closing reason.
    outcome: String,
    child_id: Option<Uuid>,
}

impl From<evaluation::Model> for EvaluationView {
    fn from(e: evaluation::Model) -> Self {
        Self {
            id: e.id,
            flag_id: e.flag_id,
            person_ref: e.person_ref,
            case_id: e.case_id,
            township_code: e.township_code,
            village_code: e.village_code,
            father_situation: e.father_situation,
            mother_situation: e.mother_situation,
            father_since: e.father_since,
            father_expected_end: e.father_expected_end,
            mother_since: e.mother_since,
            mother_expected_end: e.mother_expected_end,
            birth_month: e.birth_month,
            flagged_on: e.flagged_on,
            status: e.status,
            outcome: e.outcome,
            child_id: e.child_id,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
struct ListQuery {
    /// Filter by status.
    status: Option<String>,
    cursor: Option<Uuid>,
    /// Page size, 1–200 (default 50); another number is refused (400 naming `limit`).
    #[serde(default, deserialize_with = "kit::edge::page::limit_in_range")]
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// Lists the evaluations of the caller's division, oldest first.
#[utoipa::path(get, path = "/v1/evaluations", operation_id = "listEvaluations", params(ListQuery), tag = "evaluations",
    responses((status = 200, body = Page<EvaluationView>), (status = 401, body = Problem)),
    security(("bearer" = [])))]
async fn list(
    State(p): State<Platform>,
    who: Principal,
    Query(q): Query<ListQuery>,
) -> Result<axum::Json<Page<EvaluationView>>, Problem> {
    let page = PageQuery {
        cursor: q.cursor,
        limit: q.limit,
    };
    let mut query = evaluation::Entity::find()
        .filter(evaluation::Column::VillageCode.starts_with(who.division.as_str()))
        .order_by_asc(evaluation::Column::Id)
        .limit(page.limit());
    if let Some(c) = page.cursor {
        query = query.filter(evaluation::Column::Id.gt(c));
    }
    if let Some(s) = &q.status {
        query = query.filter(evaluation::Column::Status.eq(s.as_str()));
    }
    let items = query
        .all(&p.db)
        .await?
        .into_iter()
        .map(EvaluationView::from)
        .collect();
    Ok(axum::Json(Page::new(items, page.limit(), |e| e.id)))
}

/// Reads an evaluation of the caller's division.
#[utoipa::path(get, path = "/v1/evaluations/{id}", operation_id = "getEvaluation", tag = "evaluations",
    responses((status = 200, body = EvaluationView), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn show(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<EvaluationView>, Problem> {
    evaluation::Entity::find_by_id(id)
        .one(&p.db)
        .await?
        .filter(|e| who.sees(&e.village_code))
        .map(|e| axum::Json(e.into()))
        .ok_or_else(|| Problem::not_found("no such evaluation in your division"))
}

/// Completes an open evaluation: a registration pending approval for the flagged child.
#[utoipa::path(post, path = "/v1/evaluations/{id}/completion", operation_id = "completeEvaluation", request_body = NewChild, tag = "evaluations",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, body = crate::commands::registration::Submitted), (status = 409, body = Problem),
        (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn complete(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<NewChild>,
) -> Result<Answer, Problem> {
    let k = p.config.person_ref_key.clone();
    idempotent!(p, who, key, (id, &input), StatusCode::CREATED, |tx| {
        complete_evaluation(tx, &k, &who, id, &input, today()).await?
    })
}

/// Closes an open evaluation without registering.
#[utoipa::path(post, path = "/v1/evaluations/{id}/closure", operation_id = "closeEvaluation", request_body = Closure, tag = "evaluations",
    responses((status = 204), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn close(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
    Json(input): Json<Closure>,
) -> Result<StatusCode, Problem> {
    let tx = p.db.begin().await?;
    close_evaluation(&tx, &who, id, &input).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
