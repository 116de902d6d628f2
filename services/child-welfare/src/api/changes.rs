//! Changes to a child under `/v1/children/{id}/...`: the approver's decision, parents'
//! conditions and their end, care (If-Match), schooling, identity, adoption and programme grants.

use axum::{
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header},
};
use kit::{
    Json, Principal, Problem,
    edge::{
        concurrency::{IfMatch, etag},
        idempotency::IdempotencyKey,
    },
    service::Platform,
};
use sea_orm::TransactionTrait;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{Answer, idempotent};
use crate::{
    commands::{
        care::{
            Adoption, CareUpdate, Identity, complete_identity, record_adoption, record_enrollment,
            update_care,
        },
        conditions::{ConditionEnd, NewCondition, end_condition, record_condition},
        programmes::{NewGrant, grant_programme},
        records::today,
        registration::{Decision, NewSchooling, decide_registration},
    },
    domain::category::ParentRole,
};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(decide))
        .routes(routes!(add_condition))
        .routes(routes!(finish_condition))
        .routes(routes!(care))
        .routes(routes!(enrollment))
        .routes(routes!(identity))
        .routes(routes!(adoption))
        .routes(routes!(grant))
}

/// Approves (publishing the registration and starting the allowance next month) or rejects a
/// pending registration. Only a district approver who did not submit it.
#[utoipa::path(post, path = "/v1/children/{id}/decision", operation_id = "decideChild", request_body = Decision, tag = "children",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 200, body = crate::commands::registration::Decided), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn decide(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<Decision>,
) -> Result<Answer, Problem> {
    let o = p.outbox.clone();
    idempotent!(p, who, key, (id, &input), StatusCode::OK, |tx| {
        decide_registration(tx, &o, &who, id, &input, today()).await?
    })
}

fn role(raw: &str) -> Result<ParentRole, Problem> {
    match raw {
        "father" => Ok(ParentRole::Father),
        "mother" => Ok(ParentRole::Mother),
        _ => Err(Problem::not_found("a parent is father or mother")),
    }
}

/// Records a condition of a parent with its evidence; a registered child is re-evaluated.
#[utoipa::path(post, path = "/v1/children/{id}/parents/{role}/conditions", operation_id = "addParentCondition", request_body = NewCondition,
    tag = "children", params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, body = crate::commands::conditions::ConditionChanged), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn add_condition(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path((id, parent)): Path<(Uuid, String)>,
    Json(input): Json<NewCondition>,
) -> Result<Answer, Problem> {
    let r = role(&parent)?;
    let o = p.outbox.clone();
    idempotent!(
        p,
        who,
        key,
        (id, &parent, &input),
        StatusCode::CREATED,
        |tx| record_condition(tx, &o, &who, id, r, &input, today()).await?
    )
}

/// Ends a condition (release, contact restored, recovery); eligibility ends from the month
/// after the end date.
#[utoipa::path(post, path = "/v1/children/{id}/conditions/{condition_id}/end", operation_id = "endParentCondition", request_body = ConditionEnd,
    tag = "children", params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 200, body = crate::commands::conditions::ConditionChanged), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn finish_condition(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path((id, condition_id)): Path<(Uuid, Uuid)>,
    Json(input): Json<ConditionEnd>,
) -> Result<Answer, Problem> {
    let o = p.outbox.clone();
    idempotent!(
        p,
        who,
        key,
        (id, condition_id, &input),
        StatusCode::OK,
        |tx| end_condition(tx, &o, &who, id, condition_id, &input, today()).await?
    )
}

/// Replaces care mode, guardian and account; send `If-Match` with the child's ETag.
#[utoipa::path(put, path = "/v1/children/{id}/care", operation_id = "setChildCare", request_body = CareUpdate, tag = "children",
    params(("If-Match" = String, Header, description = "the ETag read")),
    responses((status = 204), (status = 412, body = Problem), (status = 422, body = Problem),
        (status = 428, body = Problem)),
    security(("bearer" = [])))]
async fn care(
    State(p): State<Platform>,
    who: Principal,
    IfMatch(version): IfMatch,
    Path(id): Path<Uuid>,
    Json(input): Json<CareUpdate>,
) -> Result<(StatusCode, HeaderMap), Problem> {
    let tx = p.db.begin().await?;
    let new = update_care(&tx, &p.outbox, &who, id, version, &input, today()).await?;
    tx.commit().await?;
    p.outbox.wake();
    let mut headers = HeaderMap::new();
    headers.insert(header::ETAG, etag(new));
    Ok((StatusCode::NO_CONTENT, headers))
}

/// Records a school enrolment (full-time education extends the allowance past 18).
#[utoipa::path(post, path = "/v1/children/{id}/school-enrollments", operation_id = "recordSchoolEnrollment", request_body = NewSchooling,
    tag = "children", params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, description = "Recorded", body = kit::edge::openapi::Null), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn enrollment(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<NewSchooling>,
) -> Result<Answer, Problem> {
    let o = p.outbox.clone();
    idempotent!(p, who, key, (id, &input), StatusCode::CREATED, |tx| {
        record_enrollment(tx, &o, &who, id, &input, today()).await?
    })
}

/// Completes the identity of a child registered from a flag (the ID number must match).
#[utoipa::path(put, path = "/v1/children/{id}/identity", operation_id = "setChildIdentity", request_body = Identity, tag = "children",
    responses((status = 204), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn identity(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
    Json(input): Json<Identity>,
) -> Result<StatusCode, Problem> {
    let tx = p.db.begin().await?;
    complete_identity(
        &tx,
        &p.outbox,
        &p.config.person_ref_key,
        &who,
        id,
        &input,
        today(),
    )
    .await?;
    tx.commit().await?;
    p.outbox.wake();
    Ok(StatusCode::NO_CONTENT)
}

/// Records an adoption: the allowance ends with the month of adoption.
#[utoipa::path(post, path = "/v1/children/{id}/adoption", operation_id = "recordAdoption", request_body = Adoption, tag = "children",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, description = "Recorded", body = kit::edge::openapi::Null), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn adoption(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<Adoption>,
) -> Result<Answer, Problem> {
    let o = p.outbox.clone();
    idempotent!(p, who, key, (id, &input), StatusCode::CREATED, |tx| {
        record_adoption(tx, &o, &who, id, &input, today()).await?
    })
}

/// Grants a programme (福彩圆梦·孤儿助学, 明天计划, education aid) to a child who may draw it.
#[utoipa::path(post, path = "/v1/children/{id}/programme-grants", operation_id = "grantProgramme", request_body = NewGrant, tag = "programmes",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, body = crate::commands::programmes::GrantView), (status = 409, body = Problem),
        (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn grant(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<NewGrant>,
) -> Result<Answer, Problem> {
    idempotent!(p, who, key, (id, &input), StatusCode::CREATED, |tx| {
        grant_programme(tx, &who, id, &input).await?
    })
}
