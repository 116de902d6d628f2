//! `/v1/rules`: village rules and residents' conventions through their procedure. Each step is a
//! POST on the document with `If-Match` (the ETag of the document as last read).

use axum::extract::{Path, State};
use kit::{
    Json, Principal, Problem,
    edge::{concurrency::IfMatch, idempotency::IdempotencyKey},
    service::Platform,
};
use sea_orm::TransactionTrait;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{Created, Tagged, idempotent, tagged};
use crate::commands::rules::{
    Amendment, Filing, LegalReview, LegalityReview, NewRules, PeriodicReview, Publication,
    RulesView, VoteRecord, Voted, amend_draft, draft_rules, publish_rules, record_filing,
    record_legal_review, record_legality_review, record_vote, review_rules, show_rules,
};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(show))
        .routes(routes!(amend))
        .routes(routes!(legal_review))
        .routes(routes!(legality_review))
        .routes(routes!(vote))
        .routes(routes!(filing))
        .routes(routes!(publication))
        .routes(routes!(periodic_review))
}

/// Drafts a village's rules (village) or residents' convention (community): version 1.
#[utoipa::path(post, path = "/v1/rules", operation_id = "draftRules", request_body = NewRules, tag = "rules",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = RulesView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn create(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<NewRules>,
) -> Result<Created, Problem> {
    idempotent!(p, who, key, input, |tx| draft_rules(tx, &who, &input)
        .await?)
}

/// Reads rules with every version and step (answers its `ETag`).
#[utoipa::path(get, path = "/v1/rules/{id}", operation_id = "getRules", tag = "rules",
    responses((status = 200, body = RulesView), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn show(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
) -> Result<Tagged<RulesView>, Problem> {
    let v = show_rules(&p.db, &who, id).await?;
    Ok(tagged(v.etag_version, v))
}

/// Runs one step in its own transaction and answers the document with its new `ETag`.
macro_rules! step {
    ($p:expr, |$tx:ident| $call:expr) => {{
        let $tx = $p.db.begin().await?;
        let v = $call.await?;
        $tx.commit().await?;
        $p.outbox.wake();
        Ok(tagged(v.etag_version, v))
    }};
}

/// Changes a draft's text.
#[utoipa::path(post, path = "/v1/rules/{id}/amendments", operation_id = "amendRules", request_body = Amendment, tag = "rules",
    params(("If-Match" = String, Header, description = "the ETag last read")),
    responses((status = 200, body = RulesView), (status = 409, body = Problem), (status = 412, body = Problem), (status = 428, body = Problem)),
    security(("bearer" = [])))]
async fn amend(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
    IfMatch(v): IfMatch,
    Json(input): Json<Amendment>,
) -> Result<Tagged<RulesView>, Problem> {
    step!(p, |tx| amend_draft(&tx, &who, id, v, &input))
}

/// Records the village legal adviser's review (approved, or returned for revision).
#[utoipa::path(post, path = "/v1/rules/{id}/legal-review", operation_id = "recordLegalReview", request_body = LegalReview, tag = "rules",
    params(("If-Match" = String, Header, description = "the ETag last read")),
    responses((status = 200, body = RulesView), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn legal_review(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
    IfMatch(v): IfMatch,
    Json(input): Json<LegalReview>,
) -> Result<Tagged<RulesView>, Problem> {
    step!(p, |tx| record_legal_review(&tx, &who, id, v, &input))
}

/// Records the township's legality review with its findings (township staff).
#[utoipa::path(post, path = "/v1/rules/{id}/legality-review", operation_id = "recordLegalityReview", request_body = LegalityReview, tag = "rules",
    params(("If-Match" = String, Header, description = "the ETag last read")),
    responses((status = 200, body = RulesView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn legality_review(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
    IfMatch(v): IfMatch,
    Json(input): Json<LegalityReview>,
) -> Result<Tagged<RulesView>, Problem> {
    step!(p, |tx| record_legality_review(&tx, &who, id, v, &input))
}

/// Records the assembly vote: quorum and majority under the thresholds in force on the day.
#[utoipa::path(post, path = "/v1/rules/{id}/votes", operation_id = "recordRulesVote", request_body = VoteRecord, tag = "rules",
    params(("If-Match" = String, Header, description = "the ETag last read")),
    responses((status = 200, body = Voted), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn vote(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
    IfMatch(v): IfMatch,
    Json(input): Json<VoteRecord>,
) -> Result<Tagged<Voted>, Problem> {
    let tx = p.db.begin().await?;
    let voted = record_vote(&tx, &who, id, v, &input).await?;
    tx.commit().await?;
    Ok(tagged(voted.rules.etag_version, voted))
}

/// Records filing with the township (township staff) or the district (district staff; publishes
/// `village.rules.filed.v1`).
#[utoipa::path(post, path = "/v1/rules/{id}/filings", operation_id = "fileRules", request_body = Filing, tag = "rules",
    params(("If-Match" = String, Header, description = "the ETag last read")),
    responses((status = 200, body = RulesView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem)),
    security(("bearer" = [])))]
async fn filing(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
    IfMatch(v): IfMatch,
    Json(input): Json<Filing>,
) -> Result<Tagged<RulesView>, Problem> {
    step!(p, |tx| record_filing(&tx, &p.outbox, &who, id, v, &input))
}

/// Publishes the filed version; the version it replaces is superseded.
#[utoipa::path(post, path = "/v1/rules/{id}/publication", operation_id = "publishRules", request_body = Publication, tag = "rules",
    params(("If-Match" = String, Header, description = "the ETag last read")),
    responses((status = 200, body = RulesView), (status = 409, body = Problem), (status = 412, body = Problem)),
    security(("bearer" = [])))]
async fn publication(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
    IfMatch(v): IfMatch,
    Json(input): Json<Publication>,
) -> Result<Tagged<RulesView>, Problem> {
    step!(p, |tx| publish_rules(&tx, &who, id, v, &input))
}

/// Records a periodic review of the published rules: unchanged (next review set) or revise (a new
/// draft version starts).
#[utoipa::path(post, path = "/v1/rules/{id}/periodic-reviews", operation_id = "recordPeriodicReview", request_body = PeriodicReview, tag = "rules",
    params(("If-Match" = String, Header, description = "the ETag last read")),
    responses((status = 200, body = RulesView), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn periodic_review(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
    IfMatch(v): IfMatch,
    Json(input): Json<PeriodicReview>,
) -> Result<Tagged<RulesView>, Problem> {
    step!(p, |tx| review_rules(&tx, &who, id, v, &input))
}
