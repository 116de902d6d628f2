//! The interactive API reference every service serves at `/docs/` (and `/` redirects to): Swagger
//! UI over the service's own `/openapi.json`, its files compiled into the binary (the
//! `utoipa-swagger-ui` crate with its `vendored` feature: nothing is downloaded at build time and
//! the page loads nothing but this service's own URLs). A user pastes a development token under
//! "Authorize" and tries a call; the token stays in the browser's local storage.

use std::sync::Arc;

use axum::{
    Router,
    extract::Path,
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use utoipa_swagger_ui::Config;

/// Where the reference is served.
pub const DOCS: &str = "/docs/";

/// `/` and `/docs` redirect to `/docs/`; `/docs/…` serves the reference's files.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    let config = Arc::new(
        Config::new(["/openapi.json"])
            .try_it_out_enabled(true)
            .persist_authorization(true)
            .display_operation_id(true)
            .filter(true),
    );
    let index = config.clone();
    Router::new()
        .route("/", get(|| async { Redirect::to(DOCS) }))
        .route("/docs", get(|| async { Redirect::to(DOCS) }))
        .route(
            "/docs/",
            get(move || {
                let config = index.clone();
                async move { file("", config) }
            }),
        )
        .route(
            "/docs/{*file}",
            get(move |Path(tail): Path<String>| {
                let config = config.clone();
                async move { file(&tail, config) }
            }),
        )
}

fn file(tail: &str, config: Arc<Config<'static>>) -> Response {
    match utoipa_swagger_ui::serve(tail, config) {
        Ok(Some(file)) => (
            [
                (header::CONTENT_TYPE, file.content_type),
                (header::CACHE_CONTROL, "no-cache".to_owned()),
            ],
            // The compiled-in files are served from the binary as they are, never copied.
            match file.bytes {
                std::borrow::Cow::Borrowed(b) => axum::body::Bytes::from_static(b),
                std::borrow::Cow::Owned(b) => axum::body::Bytes::from(b),
            },
        )
            .into_response(),
        Ok(None) => {
            super::problem::Problem::not_found("no such page of the API reference").into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "serving the API reference");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the API reference failed",
            )
                .into_response()
        }
    }
}
