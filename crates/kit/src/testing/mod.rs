//! Test support: a fresh PostgreSQL database per test, `nats-server` processes of the test's own on
//! free ports (for isolation and fault injection), and — with the `containers` feature, when a
//! Docker engine answers — PostgreSQL and NATS in testcontainers instead of the local servers.

pub mod app;
#[cfg(feature = "containers")]
pub mod containers;
pub mod nats_server;
pub mod nats_tls;
pub mod pg;

use std::{future::Future, time::Duration};

pub use app::TestApp;
pub use nats_server::NatsServer;
pub use nats_tls::{NatsTls, dev_password};
pub use pg::TestDatabase;

/// Pins the day this test lives on, for the test's own code and for the service it starts: a
/// `#[tokio::test]` runs both on the test's thread (see [`crate::clock::pin_thread`]). A test
/// whose expectations depend on where in the calendar it runs states that day with this; the
/// others follow the clock of the run (`MESH_CLOCK`, else the real one).
pub fn set_today(day: chrono::NaiveDate) {
    crate::clock::pin_thread(crate::clock::at_ten(day));
}

/// Polls `check` until it returns `Some`, or panics with `what` after `timeout`. Tests wait on
/// conditions, never on fixed sleeps.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out after {timeout:?} waiting for: {what}");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// The NATS server shared by tests that need no fault injection: `NATS_URL`, else a container
/// (feature `containers`, Docker reachable), else the machine's server on 127.0.0.1:4222.
pub async fn shared_nats_url() -> String {
    if let Ok(url) = std::env::var("NATS_URL") {
        return url;
    }
    #[cfg(feature = "containers")]
    if let Some(url) = containers::nats_url().await {
        return url;
    }
    "nats://127.0.0.1:4222".to_owned()
}

/// Makes an identifier unique to this test run (for streams, subjects and durables on a shared
/// server).
pub fn unique(prefix: &str) -> String {
    format!("{prefix}{}", uuid::Uuid::now_v7().simple())
}
