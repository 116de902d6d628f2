//! Use cases: one transaction each, called by the REST edge and by event handlers alike.

pub mod certificates;
pub mod committee;
pub mod councils;
pub mod lists;
pub mod publicity;
pub mod reference;
pub mod rules;
pub mod service_centres;
pub mod villages;
pub mod workers;

use chrono::NaiveDate;
use kit::Refusal;

/// Refuses a date in the future (in China): records are made of what happened.
pub(crate) fn not_in_future(date: NaiveDate, field: &str) -> Result<NaiveDate, Refusal> {
    if date > kit::clock::today() {
        Err(Refusal::invalid(field, "cannot be in the future"))
    } else {
        Ok(date)
    }
}

/// Refuses blank or over-long free text; returns it trimmed.
pub(crate) fn required_text(value: &str, field: &str, max_chars: usize) -> Result<String, Refusal> {
    let v = value.trim();
    if v.is_empty() {
        Err(Refusal::invalid(field, "required"))
    } else if v.chars().count() > max_chars {
        Err(Refusal::invalid(
            field,
            format!("at most {max_chars} characters"),
        ))
    } else {
        Ok(v.to_owned())
    }
}

/// Logs a stored value that does not fit the contract (a bug or corrupted row) and answers 500.
pub(crate) fn internal(what: &str) -> Refusal {
    tracing::error!(what, "stored data does not fit the contract");
    Refusal::internal()
}
