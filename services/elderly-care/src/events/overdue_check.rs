//! The clock as an event source: a background task runs the overdue check on today's date (China
//! Standard Time) every `ELDERLY_OVERDUE_CHECK_SECS` seconds (default an hour), the first run one
//! interval after start-up. The check is idempotent, so restarts and several replicas are harmless.

use std::time::Duration;

use kit::service::Platform;

use crate::commands::{today, visits::check_overdue};

/// How often the check runs unless configured.
const DEFAULT_EVERY: Duration = Duration::from_secs(3600);

/// The interval from `ELDERLY_OVERDUE_CHECK_SECS`, or an hour.
pub fn interval_from_env() -> Duration {
    std::env::var("ELDERLY_OVERDUE_CHECK_SECS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .filter(|s| *s > 0)
        .map_or(DEFAULT_EVERY, Duration::from_secs)
}

/// Starts the periodic check on the current runtime; it ends when the service stops.
pub fn spawn(platform: &Platform, every: Duration) -> tokio::task::JoinHandle<()> {
    let platform = platform.clone();
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = platform.stop.cancelled() => break,
                _ = ticks.tick() => {}
            }
            match check_overdue(&platform.db, &platform.outbox, today()).await {
                Ok(report) if report.raised > 0 => {
                    tracing::info!(
                        raised = report.raised,
                        examined = report.examined,
                        "overdue check"
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "overdue check failed; retrying next time"),
            }
        }
    })
}
