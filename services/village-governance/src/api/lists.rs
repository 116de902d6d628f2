//! `/v1/lists` (the township's lists, versioned) and `/v1/certificates` (requests decided by them;
//! a refusal is problem+json carrying the list version that refused it).

use axum::{
    extract::{Path, Query, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use kit::{
    Json, Principal, Problem, audit,
    edge::idempotency::{self, Begin, IdempotencyKey},
    service::Platform,
};
use sea_orm::TransactionTrait;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{Created, idempotent};
use crate::{
    commands::{
        certificates::{
            CertificateRequest, CertificateView, ListRef, Refused, request_certificate,
            show_certificate,
        },
        lists::{NewListVersion, add_list_version, list_versions},
    },
    domain::lists::{ListKind, ListVersion},
};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(create_version, list))
        .routes(routes!(create_certificate))
        .routes(routes!(show))
}

/// Adds the next version of a township's list (self-governance matters, matters assisting the
/// government, negative list, certificate items).
#[utoipa::path(post, path = "/v1/lists", operation_id = "publishListVersion", request_body = NewListVersion, tag = "lists",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = ListVersion), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn create_version(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<NewListVersion>,
) -> Result<Created, Problem> {
    idempotent!(p, who, key, input, |tx| add_list_version(tx, &who, &input)
        .await?)
}

#[derive(Debug, Deserialize, IntoParams)]
struct ListQuery {
    township_code: String,
    kind: Option<ListKind>,
}

/// Every version of a township's lists (villages read their township's).
#[utoipa::path(get, path = "/v1/lists", operation_id = "listLists", params(ListQuery), tag = "lists",
    responses((status = 200, body = Vec<ListVersion>), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn list(
    State(p): State<Platform>,
    who: Principal,
    Query(q): Query<ListQuery>,
) -> Result<axum::Json<Vec<ListVersion>>, Problem> {
    Ok(axum::Json(
        list_versions(&p.db, &who, &q.township_code, q.kind).await?,
    ))
}

/// A refusal: the problem with the list version that refused (RFC 9457 extension member `list`).
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct ListRefusal {
    #[serde(flatten)]
    problem: Problem,
    list: Option<ListRef>,
}

impl IntoResponse for ListRefusal {
    fn into_response(self) -> Response {
        let status = self.problem.status();
        let mut response = (status, axum::Json(self)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}

/// Issues a certificate a resident asked for if the township's certificate list in force names it
/// (and its negative list does not); otherwise 422 naming the list and version that refused it.
#[utoipa::path(post, path = "/v1/certificates", operation_id = "issueCertificate", request_body = CertificateRequest, tag = "lists",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = CertificateView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = ListRefusal)),
    security(("bearer" = [])))]
async fn create_certificate(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<CertificateRequest>,
) -> Result<Response, Problem> {
    let tx = p.db.begin().await?;
    let fingerprint = idempotency::fingerprint(&input);
    if let Begin::Replay { status, body } =
        idempotency::begin(&tx, &who.key(), &key, &fingerprint).await?
    {
        let status = axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::OK);
        return Ok((status, axum::Json(body)).into_response());
    }
    match request_certificate(&tx, &who, &input).await? {
        Ok(issued) => {
            let body = serde_json::to_value(&issued).unwrap_or_default();
            idempotency::complete(&tx, &who.key(), &key, &fingerprint, 201, &body).await?;
            tx.commit().await?;
            Ok((axum::http::StatusCode::CREATED, axum::Json(body)).into_response())
        }
        Err(Refused { problem, list }) => {
            // Nothing of the request is kept but the decision itself, in the audit trail.
            tx.rollback().await?;
            let detail = list.as_ref().map_or_else(
                || "no certificate list in force".to_owned(),
                |l| {
                    format!(
                        "{} refused by list {} version {}",
                        input.item_code, l.id, l.version
                    )
                },
            );
            audit::record(
                &p.db,
                &who,
                "refuse-certificate",
                "village",
                &input.village_code,
                &detail,
            )
            .await?;
            Ok(ListRefusal {
                problem: problem.into(),
                list,
            }
            .into_response())
        }
    }
}

/// Reads an issued certificate of the caller's division.
#[utoipa::path(get, path = "/v1/certificates/{id}", operation_id = "getCertificate", tag = "lists",
    responses((status = 200, body = CertificateView), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn show(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<CertificateView>, Problem> {
    Ok(axum::Json(show_certificate(&p.db, &who, id).await?))
}
