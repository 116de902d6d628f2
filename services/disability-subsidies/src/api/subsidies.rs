//! `/v1/subsidies`: apply, review (户籍 township), approve (district), withdraw, read.

use axum::{
    Extension,
    extract::{Path, Query, State},
    http::header,
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
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{Created, idempotent};
use crate::{
    commands::{
        applications::{
            Decision, NewApplication, SubsidyView, approve, review, submit_application,
        },
        withdrawal::{Withdrawal, withdraw},
    },
    store::{entities::subsidy, sealed::DataKeys},
};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(show))
        .routes(routes!(review_case))
        .routes(routes!(approve_case))
        .routes(routes!(withdraw_case))
}

/// Submits an application for the living or the nursing subsidy.
#[utoipa::path(post, path = "/v1/subsidies", operation_id = "applySubsidy", request_body = NewApplication, tag = "subsidies",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = SubsidyView), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn create(
    State(p): State<Platform>,
    Extension(keys): Extension<DataKeys>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<NewApplication>,
) -> Created {
    idempotent!(p, who, key, &input, 201, |tx| {
        submit_application(tx, &p.config.person_ref_key, &keys, &who, &input).await?
    })
}

#[derive(Debug, Deserialize, IntoParams)]
struct ListQuery {
    person_ref: Option<String>,
    kind: Option<String>,
    status: Option<String>,
    cursor: Option<Uuid>,
    /// Page size, 1–200 (default 50); another number is refused (400 naming `limit`).
    #[serde(default, deserialize_with = "kit::edge::page::limit_in_range")]
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// Lists the cases of the caller's division.
#[utoipa::path(get, path = "/v1/subsidies", operation_id = "listSubsidies", params(ListQuery), tag = "subsidies",
    responses((status = 200, body = Page<SubsidyView>), (status = 401, body = Problem)),
    security(("bearer" = [])))]
async fn list(
    State(p): State<Platform>,
    who: Principal,
    Query(q): Query<ListQuery>,
) -> Result<axum::Json<Page<SubsidyView>>, Problem> {
    let page = PageQuery {
        cursor: q.cursor,
        limit: q.limit,
    };
    let mut find = subsidy::Entity::find()
        .filter(subsidy::Column::VillageCode.starts_with(who.division.as_str()))
        .order_by_asc(subsidy::Column::Id)
        .limit(page.limit());
    if let Some(c) = page.cursor {
        find = find.filter(subsidy::Column::Id.gt(c));
    }
    if let Some(r) = &q.person_ref {
        find = find.filter(subsidy::Column::PersonRef.eq(r.as_str()));
    }
    if let Some(k) = &q.kind {
        find = find.filter(subsidy::Column::Kind.eq(k.as_str()));
    }
    if let Some(s) = &q.status {
        find = find.filter(subsidy::Column::Status.eq(s.as_str()));
    }
    let items: Vec<SubsidyView> = find.all(&p.db).await?.into_iter().map(Into::into).collect();
    Ok(axum::Json(Page::new(items, page.limit(), |s| s.id)))
}

/// Reads a case of the caller's division (its `ETag` is the version to send as `If-Match`).
#[utoipa::path(get, path = "/v1/subsidies/{id}", operation_id = "getSubsidy", tag = "subsidies",
    responses((status = 200, body = SubsidyView), (status = 401, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn show(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
) -> Result<impl IntoResponse, Problem> {
    let s = subsidy::Entity::find_by_id(id)
        .one(&p.db)
        .await?
        .filter(|s| who.sees(&s.village_code))
        .ok_or_else(|| Problem::not_found("no such subsidy case in your division"))?;
    Ok((
        [(header::ETAG, etag(s.version))],
        axum::Json(SubsidyView::from(s)),
    ))
}

/// The 户籍 township reviews an application (approve: on to the district; refuse: with reason).
#[utoipa::path(post, path = "/v1/subsidies/{id}/review", operation_id = "reviewSubsidy", request_body = Decision, tag = "subsidies",
    params(("If-Match" = String, Header, description = "the ETag of the case as read")),
    responses((status = 200, body = SubsidyView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 412, body = Problem), (status = 428, body = Problem)),
    security(("bearer" = [])))]
async fn review_case(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
    IfMatch(version): IfMatch,
    Json(d): Json<Decision>,
) -> Result<impl IntoResponse, Problem> {
    let tx = p.db.begin().await?;
    let view = review(&tx, &who, id, version, &d).await?;
    tx.commit().await?;
    Ok(([(header::ETAG, etag(view.version))], axum::Json(view)))
}

/// The district approves (the subsidy is granted) or refuses a reviewed application.
#[utoipa::path(post, path = "/v1/subsidies/{id}/approval", operation_id = "approveSubsidy", request_body = Decision, tag = "subsidies",
    params(("If-Match" = String, Header, description = "the ETag of the case as read")),
    responses((status = 200, body = SubsidyView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 412, body = Problem), (status = 428, body = Problem)),
    security(("bearer" = [])))]
async fn approve_case(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
    IfMatch(version): IfMatch,
    Json(d): Json<Decision>,
) -> Result<impl IntoResponse, Problem> {
    let tx = p.db.begin().await?;
    let view = approve(&tx, &p.outbox, &who, id, version, &d).await?;
    tx.commit().await?;
    p.outbox.wake();
    Ok(([(header::ETAG, etag(view.version))], axum::Json(view)))
}

/// Withdraws a case at the person's request: not yet granted, it is closed; granted, it ends with
/// `withdrawn` (publishing `disability.subsidy.ended.v1`), the month of the request still paid.
#[utoipa::path(post, path = "/v1/subsidies/{id}/withdrawal", operation_id = "withdrawSubsidy", request_body = Withdrawal, tag = "subsidies",
    params(("If-Match" = String, Header, description = "the ETag of the case as read")),
    responses((status = 200, body = SubsidyView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("bearer" = [])))]
async fn withdraw_case(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
    IfMatch(version): IfMatch,
    Json(input): Json<Withdrawal>,
) -> Result<impl IntoResponse, Problem> {
    let tx = p.db.begin().await?;
    let view = withdraw(&tx, &p.outbox, &who, id, version, &input).await?;
    tx.commit().await?;
    p.outbox.wake();
    Ok(([(header::ETAG, etag(view.version))], axum::Json(view)))
}
