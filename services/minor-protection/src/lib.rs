//! minor-protection: the district's minor protection network (未成年人保护) — district centre,
//! township workstations, village child directors — with cases, supervision (督办) and escalation,
//! the left-behind children register, and flags to child-welfare.

pub mod api;
pub mod commands;
pub mod domain;
pub mod events;
pub mod store;

use std::time::Duration;

use kit::service::{Parts, Platform};

/// The service's name (log field, `ce-source`, durable-name prefix).
pub const SERVICE: &str = "minor-protection";
/// Default HTTP port.
pub const PORT: u16 = 8085;
/// The context whose stream this service declares.
pub const CONTEXT: &str = "minor";

/// How often the background supervision run looks for overdue matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    /// Never (tests drive the run through its command with a chosen "today").
    Off,
    /// At start-up and then every interval.
    Every(Duration),
}

impl Schedule {
    /// `SUPERVISION_INTERVAL_SECS` (0 turns it off), default hourly.
    pub fn from_env() -> Self {
        match std::env::var("SUPERVISION_INTERVAL_SECS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
        {
            Some(0) => Self::Off,
            Some(secs) => Self::Every(Duration::from_secs(secs)),
            None => Self::Every(Duration::from_secs(3600)),
        }
    }
}

/// Routes, consumers and the supervision task, with the schedule from the environment.
pub fn parts(platform: &Platform) -> Parts {
    parts_with(platform, Schedule::from_env())
}

/// Routes, consumers and the supervision task on `schedule`.
pub fn parts_with(platform: &Platform, schedule: Schedule) -> Parts {
    if let Schedule::Every(interval) = schedule {
        tokio::spawn(commands::supervision::run_periodically(
            platform.clone(),
            interval,
        ));
    }
    Parts {
        routes: api::routes(platform),
        consumers: events::consumers(platform),
    }
}
