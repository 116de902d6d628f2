//! Why a command did not do what it was asked: the one error type of `commands/`, typed by what
//! the caller can do about it. Each edge reads the class, never a status code: the HTTP edge turns
//! a refusal into problem+json ([`Problem`]), the NATS edge into a retry or a dead letter
//! ([`HandlerError`]).

use axum::http::StatusCode;

use crate::{
    edge::problem::{FieldError, Problem},
    inbox::HandlerError,
};

/// What kind of refusal, and so what each edge does with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// The input is not acceptable (a field, a value): 422; an event carrying it never applies.
    Invalid,
    /// The request itself is malformed: 400; never applies.
    Malformed,
    /// The caller may not do this: 403; never applies.
    Forbidden,
    /// No such record (in the caller's scope): 404; never applies.
    NotFound,
    /// The state or a rule does not allow it: 409; never applies as it is.
    Conflict,
    /// The record changed since the caller read it: 412; passes on a fresh read, so retried.
    Stale,
    /// A fact this one needs is not there yet (a reference value not yet in force): 409 to a
    /// caller; an event waits for it (retried until the redelivery limit).
    NotYet,
    /// The database did not answer: 503; retried.
    Unavailable,
    /// Stored state this service cannot read, a bug: 500 without internals; retried, then dead
    /// lettered by the limit.
    Internal,
}

impl Class {
    /// The HTTP status the REST edge answers with.
    pub fn status(self) -> StatusCode {
        match self {
            Class::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            Class::Malformed => StatusCode::BAD_REQUEST,
            Class::Forbidden => StatusCode::FORBIDDEN,
            Class::NotFound => StatusCode::NOT_FOUND,
            Class::Conflict | Class::NotYet => StatusCode::CONFLICT,
            Class::Stale => StatusCode::PRECONDITION_FAILED,
            Class::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Class::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Whether an event refused this way may apply when delivered again.
    pub fn may_pass_later(self) -> bool {
        matches!(
            self,
            Class::Stale | Class::NotYet | Class::Unavailable | Class::Internal
        )
    }
}

/// A command's refusal: its class, a stable kind (the suffix of the problem `type`), a title, an
/// explanation of this occurrence and the fields at fault.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{kind}: {}", .detail.as_deref().unwrap_or(.title))]
pub struct Refusal {
    pub class: Class,
    pub kind: String,
    pub title: String,
    pub detail: Option<String>,
    pub errors: Vec<FieldError>,
}

impl Refusal {
    /// A refusal of class `class` and kind `kind`.
    pub fn new(class: Class, kind: &str, title: impl Into<String>) -> Self {
        Self {
            class,
            kind: kind.to_owned(),
            title: title.into(),
            detail: None,
            errors: Vec::new(),
        }
    }

    /// Adds a human-readable explanation of this occurrence.
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Adds a field at fault.
    pub fn field(mut self, field: impl Into<String>, reason: impl Into<String>) -> Self {
        self.errors.push(FieldError {
            field: field.into(),
            reason: reason.into(),
        });
        self
    }

    /// A field is not acceptable.
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::new(Class::Invalid, "invalid-field", "A field is not valid").field(field, reason)
    }

    /// Several fields are not acceptable.
    pub fn invalid_fields(errors: Vec<FieldError>) -> Self {
        let mut r = Self::new(Class::Invalid, "invalid-field", "Fields are not valid");
        r.errors = errors;
        r
    }

    /// The request is malformed.
    pub fn bad_request(kind: &str, detail: impl Into<String>) -> Self {
        Self::new(Class::Malformed, kind, "The request is malformed").detail(detail)
    }

    /// The caller may not do this.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(Class::Forbidden, "forbidden", "Not allowed").detail(detail)
    }

    /// No such record in the caller's scope.
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::new(Class::NotFound, "not-found", "Not found").detail(what)
    }

    /// The state of the record does not allow it.
    pub fn conflict(kind: &str, detail: impl Into<String>) -> Self {
        Self::new(Class::Conflict, kind, "Conflict with the current state").detail(detail)
    }

    /// A fact this one needs is not there yet.
    pub fn not_yet(kind: &str, detail: impl Into<String>) -> Self {
        Self::new(Class::NotYet, kind, "Conflict with the current state").detail(detail)
    }

    /// The record changed since the caller read it.
    pub fn changed_meanwhile() -> Self {
        Self::new(Class::Stale, "version-mismatch", "Changed meanwhile")
            .detail("the resource was changed since you read it; read it again and retry")
    }

    /// Stored state this service cannot read (logged by the caller).
    pub fn internal() -> Self {
        Self::new(Class::Internal, "internal", "Internal error")
            .detail("The error was logged; try again later")
    }

    /// The database did not answer.
    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(Class::Unavailable, "unavailable", "Temporarily unavailable").detail(detail)
    }
}

impl From<sea_orm::DbErr> for Refusal {
    fn from(e: sea_orm::DbErr) -> Self {
        // A value the caller sent that the database cannot store (SQLSTATE class 22) is the
        // caller's fault, not an outage.
        if crate::edge::problem::is_data_exception(&e) {
            tracing::info!(error = %e, "value refused by the database");
            return Refusal::new(Class::Invalid, "invalid-value", "A value cannot be stored")
                .detail(
                    "a value is outside what can be stored (out of range, or a NUL character)",
                );
        }
        tracing::error!(error = %e, "database error");
        Refusal::unavailable("The database did not answer; try again")
    }
}

/// The HTTP edge's one reading of a refusal.
impl From<Refusal> for Problem {
    fn from(r: Refusal) -> Self {
        let mut p = Problem::new(r.class.status(), &r.kind, r.title);
        p.detail = r.detail;
        p.errors = r.errors;
        p
    }
}

/// The NATS edge's one reading of a refusal: one that may pass later is retried, anything else is
/// dead-lettered at once with its reason.
impl From<Refusal> for HandlerError {
    fn from(r: Refusal) -> Self {
        let reason = r.to_string();
        if r.class.may_pass_later() {
            HandlerError::Transient(reason)
        } else {
            HandlerError::Permanent(reason)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_http_edge_keeps_kind_detail_and_fields() {
        let p = Problem::from(Refusal::invalid("on", "cannot be in the future"));
        assert_eq!(p.status, 422);
        assert_eq!(p.kind, "urn:minzheng:problem:invalid-field");
        assert_eq!(p.errors[0].field, "on");
        let p = Problem::from(Refusal::changed_meanwhile());
        assert_eq!(
            (p.status, p.kind.as_str()),
            (412, "urn:minzheng:problem:version-mismatch")
        );
        let p = Problem::from(Refusal::not_yet("reference-not-in-force", "no standard"));
        assert_eq!(p.status, 409);
    }

    #[test]
    fn the_nats_edge_retries_only_what_may_pass_later() {
        let retried = |r: Refusal| matches!(HandlerError::from(r), HandlerError::Transient(_));
        assert!(retried(Refusal::changed_meanwhile()));
        assert!(retried(Refusal::unavailable("down")));
        assert!(retried(Refusal::not_yet("reference-not-in-force", "none")));
        assert!(retried(Refusal::internal()));
        assert!(!retried(Refusal::invalid("id_number", "checksum")));
        assert!(!retried(Refusal::conflict("already-ended", "ended")));
        assert!(!retried(Refusal::not_found("no such enrollment")));
        assert!(!retried(Refusal::forbidden("scope")));
        match HandlerError::from(Refusal::conflict("already-ended", "ended on 2026-01-31")) {
            HandlerError::Permanent(reason) => {
                assert_eq!(reason, "already-ended: ended on 2026-01-31")
            }
            other => panic!("{other:?}"),
        }
    }
}
