//! `/v1/applications/{id}/…`: the procedure's steps. Each is a POST with an `Idempotency-Key` (a
//! retry returns the first answer); the findings are a PUT under `If-Match`.

use axum::{
    extract::{Path, State},
    http::{StatusCode, header},
    response::IntoResponse,
};
use kit::{
    Json, Principal, Problem,
    edge::idempotency::once,
    edge::{
        concurrency::{IfMatch, etag},
        idempotency::IdempotencyKey,
    },
    service::Platform,
};
use sea_orm::TransactionTrait;
use serde_json::Value;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::commands::{
    procedure::decision::{DecisionInput, decide},
    procedure::facts::HouseholdFacts,
    procedure::publicity::{ObjectionInput, close_publicity, lodge_objection, open_publicity},
    procedure::steps::{
        ExtensionInput, InvestigationInput, StepInput, accept, extend, file,
        record_district_home_visit, record_findings, review, start_investigation, withdraw,
    },
    procedure::submission::ApplicationView,
};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(acceptance))
        .routes(routes!(investigation))
        .routes(routes!(district_home_visit))
        .routes(routes!(findings))
        .routes(routes!(review_step))
        .routes(routes!(publicity))
        .routes(routes!(publicity_close))
        .routes(routes!(objection))
        .routes(routes!(decision))
        .routes(routes!(filing))
        .routes(routes!(extension))
        .routes(routes!(withdrawal))
}

type Answer = Result<(StatusCode, axum::Json<Value>), Problem>;

/// Accepts (受理) the application.
#[utoipa::path(post, path = "/v1/applications/{id}/acceptance", operation_id = "acceptApplication", request_body = StepInput, tag = "procedure",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 200, body = ApplicationView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn acceptance(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<StepInput>,
) -> Answer {
    once(&p, &who, &key, &(id, &input), StatusCode::OK, async |tx| {
        accept(tx, &who, id, &input).await.map(|s| s.view())
    })
    .await
}

/// Starts the investigation (home visit by two staff) and requests verification.
#[utoipa::path(post, path = "/v1/applications/{id}/investigation", operation_id = "recordInvestigation", request_body = InvestigationInput, tag = "procedure",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 200, body = ApplicationView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn investigation(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<InvestigationInput>,
) -> Answer {
    let outbox = p.outbox.clone();
    once(&p, &who, &key, &(id, &input), StatusCode::OK, async |tx| {
        start_investigation(tx, &outbox, &who, id, &input)
            .await
            .map(|s| s.view())
    })
    .await
}

/// Records the district's own home visit (staff-relative cases).
#[utoipa::path(post, path = "/v1/applications/{id}/district-home-visit", operation_id = "recordDistrictHomeVisit", request_body = StepInput, tag = "procedure",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 200, body = ApplicationView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
async fn district_home_visit(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<StepInput>,
) -> Answer {
    once(&p, &who, &key, &(id, &input), StatusCode::OK, async |tx| {
        record_district_home_visit(tx, &who, id, &input)
            .await
            .map(|s| s.view())
    })
    .await
}

/// Replaces the investigation's findings (send `If-Match` with the application's ETag).
#[utoipa::path(put, path = "/v1/applications/{id}/findings", operation_id = "putInvestigationFindings", request_body = HouseholdFacts, tag = "procedure",
    params(("If-Match" = String, Header, description = "the application's ETag")),
    responses((status = 200, body = ApplicationView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("bearer" = [])))]
async fn findings(
    State(p): State<Platform>,
    who: Principal,
    IfMatch(version): IfMatch,
    Path(id): Path<Uuid>,
    Json(input): Json<HouseholdFacts>,
) -> Result<impl IntoResponse, Problem> {
    let tx = p.db.begin().await?;
    let view = record_findings(&tx, &who, id, version, &input).await?;
    tx.commit().await?;
    Ok(([(header::ETAG, etag(view.version))], axum::Json(view)))
}

/// Township review (初审): proposes the assessed amount.
#[utoipa::path(post, path = "/v1/applications/{id}/review", operation_id = "recordReviewStep", request_body = StepInput, tag = "procedure",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 200, body = ApplicationView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
async fn review_step(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<StepInput>,
) -> Answer {
    once(&p, &who, &key, &(id, &input), StatusCode::OK, async |tx| {
        review(tx, &who, id, &input).await.map(|s| s.view())
    })
    .await
}

/// Opens the publicity (公示) on the village board.
#[utoipa::path(post, path = "/v1/applications/{id}/publicity", operation_id = "startPublicity", request_body = StepInput, tag = "procedure",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 200, body = ApplicationView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
async fn publicity(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<StepInput>,
) -> Answer {
    let outbox = p.outbox.clone();
    once(&p, &who, &key, &(id, &input), StatusCode::OK, async |tx| {
        open_publicity(tx, &outbox, &who, id, &input)
            .await
            .map(|s| s.view())
    })
    .await
}

/// Closes the publicity once its days have elapsed.
#[utoipa::path(post, path = "/v1/applications/{id}/publicity/close", operation_id = "closePublicity", request_body = StepInput, tag = "procedure",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 200, body = ApplicationView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
async fn publicity_close(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<StepInput>,
) -> Answer {
    once(&p, &who, &key, &(id, &input), StatusCode::OK, async |tx| {
        close_publicity(tx, &who, id, &input)
            .await
            .map(|s| s.view())
    })
    .await
}

/// Records an objection to the running publicity: back to investigation.
#[utoipa::path(post, path = "/v1/applications/{id}/publicity/objection", operation_id = "raisePublicityObjection", request_body = ObjectionInput, tag = "procedure",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 200, body = ApplicationView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn objection(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<ObjectionInput>,
) -> Answer {
    once(&p, &who, &key, &(id, &input), StatusCode::OK, async |tx| {
        lodge_objection(tx, &who, id, &input)
            .await
            .map(|s| s.view())
    })
    .await
}

/// Confirms (starting the enrollment) or rejects with written reasons.
#[utoipa::path(post, path = "/v1/applications/{id}/decision", operation_id = "decideApplication", request_body = DecisionInput, tag = "procedure",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, description = "the application and the enrollment it started", body = Decided), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn decision(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<DecisionInput>,
) -> Answer {
    let outbox = p.outbox.clone();
    once(
        &p,
        &who,
        &key,
        &(id, &input),
        StatusCode::CREATED,
        async |tx| {
            let decided = decide(tx, &outbox, &who, id, &input).await?;
            Ok::<_, Problem>(Decided {
                application: decided.stepped.view(),
                enrollment_id: decided.enrollment_id,
            })
        },
    )
    .await
}

/// The answer to a decision.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct Decided {
    application: ApplicationView,
    /// The enrollment the approval started (none when the application was refused).
    enrollment_id: Option<Uuid>,
}

/// Files the confirmed decision with the district (备案).
#[utoipa::path(post, path = "/v1/applications/{id}/filing", operation_id = "recordApplicationFiling", request_body = StepInput, tag = "procedure",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 200, body = ApplicationView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
async fn filing(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<StepInput>,
) -> Answer {
    once(&p, &who, &key, &(id, &input), StatusCode::OK, async |tx| {
        file(tx, &who, id, &input).await.map(|s| s.view())
    })
    .await
}

/// Extends the overall time limit once, with a written reason.
#[utoipa::path(post, path = "/v1/applications/{id}/extension", operation_id = "extendApplicationDeadline", request_body = ExtensionInput, tag = "procedure",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 200, body = ApplicationView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn extension(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<ExtensionInput>,
) -> Answer {
    once(&p, &who, &key, &(id, &input), StatusCode::OK, async |tx| {
        extend(tx, &who, id, &input).await.map(|s| s.view())
    })
    .await
}

/// Records the household's withdrawal.
#[utoipa::path(post, path = "/v1/applications/{id}/withdrawal", operation_id = "withdrawApplication", request_body = StepInput, tag = "procedure",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 200, body = ApplicationView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
async fn withdrawal(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<StepInput>,
) -> Answer {
    once(&p, &who, &key, &(id, &input), StatusCode::OK, async |tx| {
        withdraw(tx, &who, id, &input).await.map(|s| s.view())
    })
    .await
}
