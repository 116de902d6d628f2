//! Use cases, one transaction each, called by the REST edge, the event handlers and the
//! supervision task.

pub mod access;
pub mod cases;
pub mod guardianship;
pub mod handover;
pub mod left_behind;
pub mod parents;
pub mod reading;
pub mod reference;
pub mod supervision;
pub mod units;
pub mod welfare;

use chrono::NaiveDate;
use kit::{Principal, Refusal, outbox::OutboxError};

/// Today in China (UTC+8): the bureau's dates, on the services' clock.
pub use kit::clock::today as china_today;
/// The stored names of enum values (`kit::wire`).
pub(crate) use kit::wire::{name as wire, parse as from_wire};

/// An event that does not fit its own schema is a bug here, not the caller's fault.
pub(crate) fn outbox_problem(e: OutboxError) -> Refusal {
    match e {
        OutboxError::Db(e) => e.into(),
        OutboxError::Schema { subject, reason } => {
            tracing::error!(subject, %reason, "event does not fit its schema");
            Refusal::internal()
        }
    }
}

/// Refuses a date in the future: a report, visit or decision cannot be recorded ahead of time.
pub(crate) fn not_future(field: &str, date: NaiveDate) -> Result<NaiveDate, Refusal> {
    if date > china_today() {
        Err(Refusal::invalid(field, "cannot be in the future"))
    } else {
        Ok(date)
    }
}

/// The principal the service's own automatic work (supervision runs, partner facts) acts as in
/// the audit trail and the case history.
pub(crate) fn system(subject: &str) -> Principal {
    Principal::system(subject)
}
