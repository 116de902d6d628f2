//! `/v1/fukang-applications` (福康工程) and their decision, `/v1/rehabilitation-enrollments`
//! (精康融合, pilot streets) with their service records, `/v1/care-services` (poor severely
//! disabled people), and `/v1/programme-cases` listing them all.

use axum::{
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
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{Created, idempotent};
use crate::{
    commands::programmes::{
        FukangDecision, NewProgrammeCase, NewServiceRecord, Programme, ProgrammeCaseView,
        decide_fukang, open_programme_case, record_service,
    },
    store::entities::programme_case,
};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(show))
        .routes(routes!(decide))
        .routes(routes!(fukang))
        .routes(routes!(rehabilitation))
        .routes(routes!(service_record))
        .routes(routes!(care_service))
}

async fn open(
    p: Platform,
    who: Principal,
    key: IdempotencyKey,
    programme: Programme,
    input: NewProgrammeCase,
) -> Created {
    idempotent!(p, who, key, &(programme, &input), 201, |tx| {
        open_programme_case(tx, &p.config.person_ref_key, &who, programme, &input).await?
    })
}

/// Records a 福康工程 application (assistive device or surgery).
#[utoipa::path(post, path = "/v1/fukang-applications", operation_id = "applyFukang", request_body = NewProgrammeCase, tag = "programmes",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, body = ProgrammeCaseView), (status = 403, body = kit::Problem), (status = 422, body = kit::Problem)),
    security(("bearer" = [])))]
async fn fukang(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<NewProgrammeCase>,
) -> Created {
    open(p, who, key, Programme::Fukang, input).await
}

/// Enrolls a person in 精康融合 community mental-health rehabilitation (pilot streets only).
#[utoipa::path(post, path = "/v1/rehabilitation-enrollments", operation_id = "enrollRehabilitation", request_body = NewProgrammeCase, tag = "programmes",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, body = ProgrammeCaseView), (status = 403, body = kit::Problem), (status = 409, body = kit::Problem), (status = 422, body = kit::Problem)),
    security(("bearer" = [])))]
async fn rehabilitation(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<NewProgrammeCase>,
) -> Created {
    open(p, who, key, Programme::Rehabilitation, input).await
}

/// A recorded rehabilitation service.
#[derive(Debug, Serialize, ToSchema)]
struct ServiceRecorded {
    id: Uuid,
}

/// Records a 精康融合 service by training type.
#[utoipa::path(post, path = "/v1/rehabilitation-enrollments/{id}/service-records", operation_id = "recordRehabilitationService", request_body = NewServiceRecord, tag = "programmes",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, description = "Recorded", body = ServiceRecorded), (status = 404, body = kit::Problem), (status = 422, body = kit::Problem)),
    security(("bearer" = [])))]
async fn service_record(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<NewServiceRecord>,
) -> Created {
    idempotent!(p, who, key, &(id, &input), 201, |tx| {
        ServiceRecorded {
            id: record_service(tx, &who, id, &input).await?,
        }
    })
}

/// Opens care services for a poor severely disabled person.
#[utoipa::path(post, path = "/v1/care-services", operation_id = "recordCareService", request_body = NewProgrammeCase, tag = "programmes",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, body = ProgrammeCaseView), (status = 409, body = kit::Problem), (status = 422, body = kit::Problem)),
    security(("bearer" = [])))]
async fn care_service(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<NewProgrammeCase>,
) -> Created {
    open(p, who, key, Programme::CareService, input).await
}

#[derive(Debug, Deserialize, IntoParams)]
struct ListQuery {
    /// fukang, rehabilitation or care_service.
    programme: Option<String>,
    status: Option<String>,
    person_ref: Option<String>,
    cursor: Option<Uuid>,
    /// Page size, 1–200 (default 50); another number is refused (400 naming `limit`).
    #[serde(default, deserialize_with = "kit::edge::page::limit_in_range")]
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// Lists the programme cases of the caller's division (a village sees its own).
#[utoipa::path(get, path = "/v1/programme-cases", operation_id = "listProgrammeCases", params(ListQuery), tag = "programmes",
    responses((status = 200, body = Page<ProgrammeCaseView>), (status = 401, body = Problem)),
    security(("bearer" = [])))]
async fn list(
    State(p): State<Platform>,
    who: Principal,
    Query(q): Query<ListQuery>,
) -> Result<axum::Json<Page<ProgrammeCaseView>>, Problem> {
    let page = PageQuery {
        cursor: q.cursor,
        limit: q.limit,
    };
    let mut find = programme_case::Entity::find()
        .filter(programme_case::Column::VillageCode.starts_with(who.division.as_str()))
        .order_by_asc(programme_case::Column::Id)
        .limit(page.limit());
    if let Some(c) = page.cursor {
        find = find.filter(programme_case::Column::Id.gt(c));
    }
    for (col, v) in [
        (programme_case::Column::Programme, &q.programme),
        (programme_case::Column::Status, &q.status),
        (programme_case::Column::PersonRef, &q.person_ref),
    ] {
        if let Some(v) = v {
            find = find.filter(col.eq(v.as_str()));
        }
    }
    let items: Vec<ProgrammeCaseView> =
        find.all(&p.db).await?.into_iter().map(Into::into).collect();
    Ok(axum::Json(Page::new(items, page.limit(), |c| c.id)))
}

/// Reads a programme case (its `ETag` is the version to send as `If-Match`).
#[utoipa::path(get, path = "/v1/programme-cases/{id}", operation_id = "getProgrammeCase", tag = "programmes",
    responses((status = 200, body = ProgrammeCaseView), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn show(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
) -> Result<impl IntoResponse, Problem> {
    let c = programme_case::Entity::find_by_id(id)
        .one(&p.db)
        .await?
        .filter(|c| who.sees(&c.village_code))
        .ok_or_else(|| Problem::not_found("no such programme case in your division"))?;
    Ok((
        [(header::ETAG, etag(c.version))],
        axum::Json(ProgrammeCaseView::from(c)),
    ))
}

/// Approves or refuses a 福康工程 application (township or district approver, not whoever
/// recorded it; a refusal with its reason).
#[utoipa::path(post, path = "/v1/fukang-applications/{id}/decision", operation_id = "decideFukang", request_body = FukangDecision, tag = "programmes",
    params(("If-Match" = String, Header, description = "the ETag of the case as read")),
    responses((status = 200, body = ProgrammeCaseView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("bearer" = [])))]
async fn decide(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
    IfMatch(version): IfMatch,
    Json(d): Json<FukangDecision>,
) -> Result<impl IntoResponse, Problem> {
    let tx = p.db.begin().await?;
    let view = decide_fukang(&tx, &who, id, version, &d).await?;
    tx.commit().await?;
    Ok(([(header::ETAG, etag(view.version))], axum::Json(view)))
}
