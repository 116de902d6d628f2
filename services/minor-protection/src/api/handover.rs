//! Referrals, transfers, escalation and supervision (督办), fallback guardianship: the routes that
//! move work and responsibility between units.

use axum::extract::{Path, State};
use chrono::NaiveDate;
use kit::{Json, Principal, Problem, Role, edge::idempotency::IdempotencyKey, service::Platform};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{Answer, keyed};
use crate::commands::{
    cases::Recorded,
    china_today,
    guardianship::{self, GuardianshipEnd, GuardianshipReview, NewGuardianship},
    handover::{self, NewReferral, NewTransfer, ReferralCompletion, TransferDecision},
    supervision::{self, Escalation, RunReport, SupervisionReport},
};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(refer))
        .routes(routes!(complete_referral))
        .routes(routes!(request_transfer))
        .routes(routes!(decide_transfer))
        .routes(routes!(escalate))
        .routes(routes!(report_supervision))
        .routes(routes!(start_guardianship))
        .routes(routes!(review_guardianship))
        .routes(routes!(end_guardianship))
        .routes(routes!(run_supervision))
}

const KEY: &str = "required: a retry returns the first answer";

/// Refers the case to another agency or unit (the holder); the referred unit works on it without
/// owning it.
#[utoipa::path(post, path = "/v1/cases/{id}/referrals", operation_id = "referCase", request_body = NewReferral, tag = "handover",
    params(("Idempotency-Key" = String, Header, description = KEY)),
    responses((status = 201, body = Recorded), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn refer(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<NewReferral>,
) -> Result<Answer, Problem> {
    keyed!(p, who, key, (id, &input), |tx| handover::refer(
        tx, &who, id, &input
    ))
}

/// The referred unit (or the holder) reports the referral done.
#[utoipa::path(post, path = "/v1/cases/{id}/referrals/{referral_id}/completion", operation_id = "completeReferral", request_body = ReferralCompletion, tag = "handover",
    params(("Idempotency-Key" = String, Header, description = KEY)),
    responses((status = 201, body = Recorded), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn complete_referral(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path((id, referral_id)): Path<(Uuid, Uuid)>,
    Json(input): Json<ReferralCompletion>,
) -> Result<Answer, Problem> {
    keyed!(p, who, key, (id, referral_id, &input), |tx| {
        handover::complete_referral(tx, &who, id, referral_id, &input)
    })
}

/// Asks another unit to take the case over (the holder); ownership moves on acceptance.
#[utoipa::path(post, path = "/v1/cases/{id}/transfers", operation_id = "requestTransfer", request_body = NewTransfer, tag = "handover",
    params(("Idempotency-Key" = String, Header, description = KEY)),
    responses((status = 201, body = Recorded), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn request_transfer(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<NewTransfer>,
) -> Result<Answer, Problem> {
    keyed!(p, who, key, (id, &input), |tx| handover::request_transfer(
        tx, &who, id, &input
    ))
}

/// The receiving unit accepts or declines a pending transfer.
#[utoipa::path(post, path = "/v1/cases/{id}/transfers/{transfer_id}/decision", operation_id = "decideTransfer", request_body = TransferDecision, tag = "handover",
    params(("Idempotency-Key" = String, Header, description = KEY)),
    responses((status = 201, body = Recorded), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn decide_transfer(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path((id, transfer_id)): Path<(Uuid, Uuid)>,
    Json(input): Json<TransferDecision>,
) -> Result<Answer, Problem> {
    keyed!(p, who, key, (id, transfer_id, &input), |tx| {
        handover::decide_transfer(tx, &who, id, transfer_id, &input)
    })
}

/// The holder escalates the case one level up (severity, guardianship intervention, repeated
/// report). Publishes `minor.case.escalated.v1`.
#[utoipa::path(post, path = "/v1/cases/{id}/escalations", operation_id = "escalateCase", request_body = Escalation, tag = "supervision",
    params(("Idempotency-Key" = String, Header, description = KEY)),
    responses((status = 201, body = Recorded), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn escalate(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<Escalation>,
) -> Result<Answer, Problem> {
    keyed!(p, who, key, (id, &input), |tx| supervision::escalate(
        tx, &p.outbox, &who, id, &input
    ))
}

/// The holder reports the supervised matter handled (办结): it leaves the supervision run.
#[utoipa::path(post, path = "/v1/cases/{id}/supervision-report", operation_id = "reportSupervision", request_body = SupervisionReport, tag = "supervision",
    params(("Idempotency-Key" = String, Header, description = KEY)),
    responses((status = 201, body = Recorded), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn report_supervision(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<SupervisionReport>,
) -> Result<Answer, Problem> {
    keyed!(p, who, key, (id, &input), |tx| supervision::complete(
        tx, &who, id, &input
    ))
}

/// The district centre starts fallback guardianship (兜底监护).
#[utoipa::path(post, path = "/v1/cases/{id}/guardianship", operation_id = "startGuardianship", request_body = NewGuardianship, tag = "guardianship",
    params(("Idempotency-Key" = String, Header, description = KEY)),
    responses((status = 201, body = Recorded), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn start_guardianship(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<NewGuardianship>,
) -> Result<Answer, Problem> {
    keyed!(p, who, key, (id, &input), |tx| guardianship::start(
        tx, &who, id, &input
    ))
}

/// Reviews fallback guardianship; the next review falls due a cadence later.
#[utoipa::path(post, path = "/v1/cases/{id}/guardianship/reviews", operation_id = "reviewGuardianship", request_body = GuardianshipReview, tag = "guardianship",
    params(("Idempotency-Key" = String, Header, description = KEY)),
    responses((status = 201, body = Recorded), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn review_guardianship(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<GuardianshipReview>,
) -> Result<Answer, Problem> {
    keyed!(p, who, key, (id, &input), |tx| guardianship::review(
        tx, &who, id, &input
    ))
}

/// Ends fallback guardianship.
#[utoipa::path(post, path = "/v1/cases/{id}/guardianship/end", operation_id = "endGuardianship", request_body = GuardianshipEnd, tag = "guardianship",
    params(("Idempotency-Key" = String, Header, description = KEY)),
    responses((status = 201, body = Recorded), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn end_guardianship(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<GuardianshipEnd>,
) -> Result<Answer, Problem> {
    keyed!(p, who, key, (id, &input), |tx| guardianship::end(
        tx, &who, id, &input
    ))
}

/// A supervision run on a given day.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RunRequest {
    /// The day to run for; today (China) by default, never later.
    pub today: Option<NaiveDate>,
}

/// Runs supervision now: every supervised matter overdue on `today` goes one level up, once per
/// level (district staff and machine callers). The service also runs it periodically.
#[utoipa::path(post, path = "/v1/supervision/runs", operation_id = "runSupervision", request_body = RunRequest, tag = "supervision",
    responses((status = 200, body = RunReport), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn run_supervision(
    State(p): State<Platform>,
    who: Principal,
    Json(input): Json<RunRequest>,
) -> Result<axum::Json<RunReport>, Problem> {
    who.require(&[Role::DistrictOfficer, Role::DistrictApprover, Role::Service])?;
    let today = input.today.unwrap_or_else(china_today);
    if today > china_today() {
        return Err(Problem::invalid("today", "cannot be in the future"));
    }
    Ok(axum::Json(supervision::run(&p.db, &p.outbox, today).await?))
}
