//! Edge plumbing shared by the assistance routes: a write under `Idempotency-Key` in one
//! transaction (replay the first answer, store this one, commit, wake the relay).
//! Candidate for kit (the household and application routes spell the same steps out).

/// `once!(platform, principal, key, fingerprinted request, status, |tx| command(&tx, ...).await)`:
/// evaluates to `Result<(StatusCode, Json<Value>), Problem>`.
macro_rules! once {
    ($p:expr, $who:expr, $key:expr, $request:expr, $status:expr, |$tx:ident| $work:expr) => {{
        use sea_orm::TransactionTrait as _;
        let $tx = $p.db.begin().await?;
        let fingerprint = kit::edge::idempotency::fingerprint($request);
        match kit::edge::idempotency::begin(&$tx, &$who.key(), &$key, &fingerprint).await? {
            kit::edge::idempotency::Begin::Replay { status, body } => Ok((
                axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::OK),
                axum::Json(body),
            )),
            kit::edge::idempotency::Begin::Proceed => {
                let view = $work;
                let body = serde_json::to_value(&view).unwrap_or_default();
                let status: axum::http::StatusCode = $status;
                kit::edge::idempotency::complete(
                    &$tx,
                    &$who.key(),
                    &$key,
                    &fingerprint,
                    status.as_u16(),
                    &body,
                )
                .await?;
                $tx.commit().await?;
                $p.outbox.wake();
                Ok((status, axum::Json(body)))
            }
        }
    }};
}

pub(super) use once;
