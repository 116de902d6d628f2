//! The REST edge every service shares: health, metrics, OpenAPI and its interactive reference,
//! the partner agencies' contracts, dead letters, and the layers (body limit, problem+json for
//! every refusal, request metrics, authentication).

mod audit_routes;
pub mod auth;
pub mod concurrency;
mod dead_letter_routes;
pub mod docs;
pub mod examples;
pub mod idempotency;
pub mod json;
pub mod openapi;
pub mod page;
pub mod partners;
pub mod problem;

use std::{sync::Arc, time::Duration};

use axum::{
    Router,
    extract::{MatchedPath, Request, State},
    http::StatusCode,
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use metrics_exporter_prometheus::PrometheusHandle;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use tower_http::{catch_panic::CatchPanicLayer, limit::RequestBodyLimitLayer};
use utoipa::openapi::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use tracing::Instrument;

use crate::{
    inbox::{ConsumerHealth, Consumers},
    outbox::RelayHealth,
    telemetry::TraceContext,
};
use auth::Verifier;
use problem::Problem;

/// What the kit's own routes need.
#[derive(Clone)]
pub struct KitState {
    pub service: String,
    pub db: DatabaseConnection,
    pub nats: async_nats::Client,
    pub relay: Arc<RelayHealth>,
    pub consumer_health: Arc<ConsumerHealth>,
    pub consumers: Arc<Consumers>,
    pub metrics: PrometheusHandle,
}

/// Assembles the edge: the service's routes (documented with utoipa) plus the kit's.
pub fn assemble(
    service_routes: OpenApiRouter,
    kit: KitState,
    verifier: Arc<Verifier>,
    max_body: usize,
) -> (Router, OpenApi) {
    let (service_router, mut api) = service_routes.split_for_parts();
    let (dead_letters, dl_api) = dead_letter_routes::routes()
        .merge(audit_routes::routes())
        .with_state(kit.clone())
        .split_for_parts();
    api.merge(dl_api);
    openapi::finish(&mut api, &kit.service);
    let spec = api.clone();
    let health = Router::new()
        .route("/livez", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route(
            "/metrics",
            get(|State(k): State<KitState>| async move { k.metrics.render() }),
        )
        .with_state(kit);
    let openapi_json = serde_json::to_string(&spec).unwrap_or_default();
    let router = Router::new()
        .merge(service_router)
        .merge(dead_letters)
        .merge(health)
        .merge(docs::routes())
        .merge(partners::routes())
        .route(
            "/openapi.json",
            get(move || {
                let body = openapi_json.clone();
                async move {
                    (
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        body,
                    )
                }
            }),
        )
        .fallback(|| async { Problem::not_found("no such resource") })
        .layer(axum::Extension(verifier))
        .layer(RequestBodyLimitLayer::new(max_body))
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(middleware::from_fn(refuse_unstorable_query))
        .layer(middleware::from_fn(problem_for_bare_errors))
        .layer(middleware::from_fn(record_metrics))
        .layer(middleware::from_fn(trace_context))
        .layer(CatchPanicLayer::custom(|_| {
            tracing::error!("handler panicked");
            Problem::internal().into_response()
        }));
    (router, spec)
}

async fn readyz(State(k): State<KitState>) -> Response {
    let db = k.db.execute_unprepared("SELECT 1").await.is_ok();
    let nats = k.nats.connection_state() == async_nats::connection::State::Connected;
    let relay = k.relay.is_healthy(Duration::from_secs(15));
    let dead_letters = k.consumer_health.is_healthy();
    let body = serde_json::json!({
        "database": db, "nats": nats, "relay": relay, "dead_letters": dead_letters,
    });
    let status = if db && nats && relay && dead_letters {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, axum::Json(body)).into_response()
}

/// Rewrites axum's plain-text refusals (405, 413 from the body limit, …) as problem+json.
async fn problem_for_bare_errors(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return response;
    }
    let problem = match status {
        StatusCode::METHOD_NOT_ALLOWED => {
            Problem::new(status, "method-not-allowed", "Method not allowed")
        }
        StatusCode::PAYLOAD_TOO_LARGE => {
            Problem::new(status, "payload-too-large", "The body is too large")
        }
        StatusCode::NOT_FOUND => Problem::not_found("no such resource"),
        StatusCode::SERVICE_UNAVAILABLE
            if response
                .headers()
                .get("content-type")
                .is_some_and(|v| v == "application/json") =>
        {
            return response;
        }
        s if s.is_client_error() => {
            // axum's own refusal (a query string that does not deserialize, say) says what was
            // wrong in plain text: kept as the detail.
            let text = axum::body::to_bytes(response.into_body(), 4096)
                .await
                .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
                .unwrap_or_default();
            let problem = Problem::new(
                s,
                "bad-request",
                s.canonical_reason().unwrap_or("Bad request"),
            );
            if text.is_empty() {
                problem
            } else {
                problem.detail(text)
            }
        }
        s => Problem::new(s, "internal", s.canonical_reason().unwrap_or("Error")),
    };
    problem.into_response()
}

/// Refuses, in any query string, what no record holds and PostgreSQL cannot store — a NUL
/// character, a date whose year is not four digits, a `year` outside 1–9999 — as a 422 naming the
/// parameter, before any handler runs (the same rules [`json::parse`] applies to bodies).
async fn refuse_unstorable_query(req: Request, next: Next) -> Response {
    if let Some(query) = req.uri().query()
        && let Some((name, reason)) = unstorable_parameter(query)
    {
        return Problem::invalid(name, reason).into_response();
    }
    next.run(req).await
}

/// The first parameter of `query` that cannot be taken, and why.
fn unstorable_parameter(query: &str) -> Option<(String, &'static str)> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).ok()?;
    pairs.into_iter().find_map(|(name, value)| {
        if let Some(reason) = json::unstorable_text(&value).or_else(|| json::unstorable_text(&name))
        {
            return Some((name, reason));
        }
        let out_of_range = name == "year"
            && value
                .trim()
                .parse::<i64>()
                .is_ok_and(|y| !(1..=9999).contains(&y));
        out_of_range.then_some((name, "must be a year from 1 to 9999"))
    })
}

/// Continues the caller's W3C trace (or starts one) for everything the request causes, including
/// the events it writes to the outbox; answers with the `traceparent` of this request.
async fn trace_context(req: Request, next: Next) -> Response {
    let ctx = req
        .headers()
        .get("traceparent")
        .and_then(|v| v.to_str().ok())
        .and_then(TraceContext::parse)
        .map_or_else(TraceContext::new_root, |c| c.child());
    let span =
        tracing::info_span!("request", method = %req.method(), trace_id = %ctx.trace_id_hex());
    let mut response = ctx.scope(next.run(req)).instrument(span).await;
    if let Ok(v) = axum::http::HeaderValue::from_str(&ctx.to_string()) {
        response.headers_mut().insert("traceparent", v);
    }
    response
}

/// `http_requests_total` and `http_request_duration_seconds` by route template (never raw paths,
/// which may hold identifiers), and the access log: one line per request (target `access`: the
/// trace id, method, route template, status, latency).
async fn record_metrics(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().as_str().to_owned();
    let started = std::time::Instant::now();
    let response = next.run(req).await;
    let elapsed = started.elapsed();
    let code = response.status().as_u16();
    tracing::info!(
        target: "access",
        trace_id = %TraceContext::current_or_new().trace_id_hex(),
        method = %method,
        route = %route,
        status = code,
        latency_ms = elapsed.as_secs_f64() * 1000.0,
        "request"
    );
    let labels = [
        ("method", method),
        ("route", route),
        ("status", code.to_string()),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels).record(elapsed.as_secs_f64());
    response
}

/// The process-wide Prometheus recorder (installed once; later calls share it).
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: std::sync::OnceLock<PrometheusHandle> = std::sync::OnceLock::new();
    HANDLE
        .get_or_init(|| {
            // Latencies are histograms with explicit buckets (not summaries): they aggregate
            // across the replicas of a service.
            let recorder = metrics_exporter_prometheus::PrometheusBuilder::new()
                .set_buckets(&crate::observe::LATENCY_BUCKETS)
                .expect("the buckets are not empty")
                .build_recorder();
            let handle = recorder.handle();
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

#[cfg(test)]
mod query_tests {
    use super::unstorable_parameter;

    #[test]
    fn a_query_with_a_nul_an_extended_date_or_an_impossible_year_names_the_parameter() {
        for (query, name) in [
            ("status=a%00b", "status"),
            ("limit=5&on=-200000-01-01", "on"),
            ("overdue_on=%2B20260-01-01", "overdue_on"),
            ("year=-129286", "year"),
            ("year=10000", "year"),
        ] {
            assert_eq!(
                unstorable_parameter(query).map(|(n, _)| n).as_deref(),
                Some(name),
                "{query}"
            );
        }
        for fine in [
            "on=2026-12-07",
            "year=2026",
            "year=abc",
            "limit=5&cursor=x",
            "",
        ] {
            assert_eq!(unstorable_parameter(fine), None, "{fine}");
        }
    }
}
