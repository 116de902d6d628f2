//! Edge plumbing shared by the assistance routes: a write under `Idempotency-Key` in one
//! transaction (replay the first answer, store this one, commit, wake the relay).

/// `once!(platform, principal, key, fingerprinted request, status, |tx| command(tx, ...).await)`:
/// evaluates to `Result<(StatusCode, Json<Value>), Problem>`.
macro_rules! once {
    ($p:expr, $who:expr, $key:expr, $request:expr, $status:expr, |$tx:ident| $work:expr) => {
        kit::edge::idempotency::once(&$p, &$who, &$key, $request, $status, async |$tx| {
            Ok::<_, kit::Problem>($work)
        })
        .await
    };
}

pub(super) use once;
