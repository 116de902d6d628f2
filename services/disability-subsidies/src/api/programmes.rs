//! `/v1/fukang-applications` (福康工程), `/v1/rehabilitation-enrollments` (精康融合, pilot
//! streets) with their service records, `/v1/care-services` (poor severely disabled people).

use axum::extract::{Path, State};
use kit::{Json, Principal, edge::idempotency::IdempotencyKey, service::Platform};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{Created, idempotent};
use crate::commands::programmes::{
    NewProgrammeCase, NewServiceRecord, Programme, ProgrammeCaseView, open_programme_case,
    record_service,
};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
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
        open_programme_case(&tx, &p.config.person_ref_key, &who, programme, &input).await?
    })
}

/// Records a 福康工程 application (assistive device or surgery).
#[utoipa::path(post, path = "/v1/fukang-applications", request_body = NewProgrammeCase, tag = "programmes",
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
#[utoipa::path(post, path = "/v1/rehabilitation-enrollments", request_body = NewProgrammeCase, tag = "programmes",
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

/// Records a 精康融合 service by training type.
#[utoipa::path(post, path = "/v1/rehabilitation-enrollments/{id}/service-records", request_body = NewServiceRecord, tag = "programmes",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201), (status = 404, body = kit::Problem), (status = 422, body = kit::Problem)),
    security(("bearer" = [])))]
async fn service_record(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<NewServiceRecord>,
) -> Created {
    idempotent!(p, who, key, &(id, &input), 201, |tx| {
        serde_json::json!({ "id": record_service(&tx, &who, id, &input).await? })
    })
}

/// Opens care services for a poor severely disabled person.
#[utoipa::path(post, path = "/v1/care-services", request_body = NewProgrammeCase, tag = "programmes",
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
