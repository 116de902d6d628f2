//! Use cases: one transaction each, called by the REST edge, the event handlers and the periodic
//! overdue check alike.

pub mod deaths;
pub mod divisions;
pub mod enrollments;
pub mod facilities;
pub mod home_beds;
pub mod left_behind;
pub mod providers;
pub mod reference;
pub mod reports;
pub mod visits;

use kit::{Refusal, inbox::HandlerError, outbox::OutboxError};

/// Today in China Standard Time (UTC+8, no daylight saving), on the services' clock: due dates
/// are local dates, and a visit due today is not late until the bureau's day is over.
pub use kit::clock::today;

/// Why applying an event or running the overdue check failed.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The database failed; trying again may work.
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    /// Reference data does not cover the date: the bureau must add a value first.
    #[error(transparent)]
    Reference(#[from] reference::NotInForce),
    /// An event did not fit its contract, or the outbox could not be written.
    #[error(transparent)]
    Outbox(#[from] OutboxError),
    /// Stored data does not fit the contract (a bug, never the caller's fault).
    #[error("stored {0} does not fit the contract")]
    Contract(&'static str),
    /// A row was changed by another writer between its read and its save; trying again reads it
    /// anew.
    #[error("the {0} changed meanwhile")]
    Changed(&'static str),
}

impl From<ApplyError> for HandlerError {
    fn from(e: ApplyError) -> Self {
        match e {
            ApplyError::Db(e) | ApplyError::Outbox(OutboxError::Db(e)) => {
                HandlerError::Transient(e.to_string())
            }
            ApplyError::Changed(_) => HandlerError::Transient(e.to_string()),
            other => HandlerError::Permanent(other.to_string()),
        }
    }
}

impl From<ApplyError> for Refusal {
    fn from(e: ApplyError) -> Self {
        match e {
            ApplyError::Db(e) => e.into(),
            ApplyError::Reference(e) => e.into(),
            ApplyError::Changed(_) => Refusal::changed_meanwhile(),
            other => {
                tracing::error!(error = %other, "command failed");
                Refusal::internal()
            }
        }
    }
}
