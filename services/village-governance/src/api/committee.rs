//! `/v1/committee-members`, `/v1/deliberations`, `/v1/contact-records`: the village committee's
//! duty pledges and reports, deliberation sessions and contact with the masses.

use axum::extract::{Path, State};
use kit::{Json, Principal, Problem, edge::idempotency::IdempotencyKey, service::Platform};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{Created, idempotent};
use crate::commands::committee::{
    CommitteeMemberView, ContactRecorded, DeliberationView, NewCommitteeMember, NewContactRecord,
    NewDeliberation, NewDutyReport, NewPledge, pledge_duties, record_contact, record_deliberation,
    register_member, report_duties, show_member,
};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(show))
        .routes(routes!(pledge))
        .routes(routes!(report))
        .routes(routes!(deliberation))
        .routes(routes!(contact))
}

/// Registers a committee member for a term.
#[utoipa::path(post, path = "/v1/committee-members", operation_id = "registerCommitteeMember", request_body = NewCommitteeMember, tag = "committee",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = CommitteeMemberView), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn create(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<NewCommitteeMember>,
) -> Result<Created, Problem> {
    idempotent!(p, who, key, input, |tx| register_member(tx, &who, &input)
        .await?)
}

/// Reads a committee member with duty pledges and reports.
#[utoipa::path(get, path = "/v1/committee-members/{id}", operation_id = "getCommitteeMember", tag = "committee",
    responses((status = 200, body = CommitteeMemberView), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn show(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<CommitteeMemberView>, Problem> {
    Ok(axum::Json(show_member(&p.db, &who, id).await?))
}

/// Records a member's duty pledge for a year.
#[utoipa::path(post, path = "/v1/committee-members/{id}/duty-pledges", operation_id = "recordDutyPledge", request_body = NewPledge, tag = "committee",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = CommitteeMemberView), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn pledge(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<NewPledge>,
) -> Result<Created, Problem> {
    idempotent!(p, who, key, (id, &input), |tx| pledge_duties(
        tx, &who, id, &input
    )
    .await?)
}

/// Records a member's annual duty report (after that year's pledge).
#[utoipa::path(post, path = "/v1/committee-members/{id}/duty-reports", operation_id = "recordDutyReport", request_body = NewDutyReport, tag = "committee",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = CommitteeMemberView), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn report(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<NewDutyReport>,
) -> Result<Created, Problem> {
    idempotent!(p, who, key, (id, &input), |tx| report_duties(
        tx, &who, id, &input
    )
    .await?)
}

/// Records a deliberation session and its resolutions.
#[utoipa::path(post, path = "/v1/deliberations", operation_id = "recordDeliberation", request_body = NewDeliberation, tag = "committee",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = DeliberationView), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn deliberation(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<NewDeliberation>,
) -> Result<Created, Problem> {
    idempotent!(p, who, key, input, |tx| record_deliberation(
        tx, &who, &input
    )
    .await?)
}

/// Records a committee member's contact with the masses.
#[utoipa::path(post, path = "/v1/contact-records", operation_id = "recordContact", request_body = NewContactRecord, tag = "committee",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = ContactRecorded), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn contact(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<NewContactRecord>,
) -> Result<Created, Problem> {
    idempotent!(p, who, key, input, |tx| record_contact(tx, &who, &input)
        .await?)
}
