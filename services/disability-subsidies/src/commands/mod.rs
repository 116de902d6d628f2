//! Use cases: one transaction each, called by the REST edge and by event handlers alike.

pub mod applications;
pub mod cases;
pub mod certificates;
pub mod comparison;
pub mod deaths;
pub mod discovery;
pub mod enrollments;
pub mod facts;
pub mod findings;
pub mod payments;
pub mod programmes;
pub mod reference;
pub mod withdrawal;

pub use kit::wire::{name as snake, parse as parse_snake};
use kit::{Refusal, inbox::HandlerError, outbox::OutboxError};
use sea_orm::DbErr;

/// Why a command failed for a reason that is not the caller's input.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Db(#[from] DbErr),
    /// An event did not fit its schema: a bug of this service.
    #[error("{0}")]
    Outbox(String),
    /// Reference data has no value in force.
    #[error("reference data: {0}")]
    Reference(String),
    /// A sealed value did not open (the key is missing or wrong, or the value was altered).
    #[error("sealed {column}: {error}")]
    Sealed {
        column: &'static str,
        error: crate::store::sealed::OpenError,
    },
}

/// Opens a sealed value of `column` bound to `row`.
pub fn open(
    keys: &crate::store::sealed::DataKeys,
    column: &'static str,
    row: &str,
    stored: &str,
) -> Result<String, CommandError> {
    keys.open(&crate::store::sealed::binding(column, row), stored)
        .map_err(|error| CommandError::Sealed { column, error })
}

/// Opens an optional sealed value.
pub fn open_opt(
    keys: &crate::store::sealed::DataKeys,
    column: &'static str,
    row: &str,
    stored: Option<&str>,
) -> Result<Option<String>, CommandError> {
    stored.map(|s| open(keys, column, row, s)).transpose()
}

/// Seals a value of `column` for `row`.
pub fn seal(
    keys: &crate::store::sealed::DataKeys,
    column: &'static str,
    row: &str,
    plain: &str,
) -> String {
    keys.seal(&crate::store::sealed::binding(column, row), plain)
}

impl From<OutboxError> for CommandError {
    fn from(e: OutboxError) -> Self {
        match e {
            OutboxError::Db(db) => Self::Db(db),
            other => Self::Outbox(other.to_string()),
        }
    }
}

impl From<CommandError> for Refusal {
    fn from(e: CommandError) -> Self {
        match e {
            CommandError::Db(db) => db.into(),
            CommandError::Reference(r) => Refusal::conflict("reference-data-missing", r),
            CommandError::Outbox(reason) => {
                tracing::error!(%reason, "an event did not fit its schema");
                Refusal::internal()
            }
            CommandError::Sealed { column, error } => {
                tracing::error!(column, %error, "a sealed value did not open");
                Refusal::internal()
            }
        }
    }
}

impl From<CommandError> for HandlerError {
    fn from(e: CommandError) -> Self {
        match e {
            CommandError::Db(db) => HandlerError::Transient(db.to_string()),
            // A key missing from the configuration can be fixed: retry.
            e @ CommandError::Sealed { .. } => HandlerError::Transient(e.to_string()),
            other => HandlerError::Permanent(other.to_string()),
        }
    }
}

/// Today in China (UTC+8): the date of decisions and detections, on the services' clock.
pub use kit::clock::today;
