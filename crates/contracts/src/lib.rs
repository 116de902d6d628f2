//! The mesh's event contract in Rust: one type per JSON Schema in `schemas/`, with its subject,
//! the embedded schemas and their validators, and the JetStream streams subjects live in.
//!
//! `schemas/` is the source of truth; the tests in `tests/` prove these types agree with it.

#![warn(missing_docs)]

pub mod aid;
mod catalogue;
pub mod child;
pub mod common;
pub mod compat;
pub mod disability;
pub mod elderly;
pub mod minor;
pub mod money;
pub mod partner;
mod validation;
pub mod village;

pub use catalogue::{EVENT_TYPES, EventType, SCHEMA_FILES, SUBJECTS, SchemaFile};
pub use validation::{SchemaError, schema, tolerant_schema, validate, validate_tolerant};

/// A message on a NATS subject. `SUBJECT` is also the schema's `$id` and names its file under
/// `schemas/` (`aid.application.submitted.v1` → `schemas/aid/application.submitted.v1.json`).
pub trait Event: serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static {
    /// The subject the event is published on, e.g. `aid.application.submitted.v1`.
    const SUBJECT: &'static str;

    /// Whether the event's own dates are plausible for a fact received on `received_on` (the
    /// bureau's day): a fact is never dated after its receipt, a death never before the birth.
    /// `Err` names the field and why. Nothing to check by default.
    fn check_dates(&self, received_on: chrono::NaiveDate) -> Result<(), String> {
        let _ = received_on;
        Ok(())
    }
}

/// A JetStream stream: one per producing context, declared (and kept as declared) by its
/// producer; `PARTNER`, which no service produces, by the services that consume it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamSpec {
    /// Stream name, e.g. `AID`.
    pub name: &'static str,
    /// The stream's subject filter, e.g. `aid.>`.
    pub subjects: &'static str,
    /// How long the stream keeps a message, in days (JetStream's `max_age`): how long a consumer
    /// may be down, or how far back one added later can read, without losing an event.
    pub max_age_days: u32,
}

impl StreamSpec {
    /// Whether the services that consume the stream keep it as declared (no service produces it).
    pub fn kept_by_consumers(&self) -> bool {
        self.name == "PARTNER"
    }
}

/// How long every stream of the mesh keeps its messages: a year and a month, so a consumer added
/// or rebuilt within the year reads the whole year's events (the annual reviews' horizon), and
/// the store stays bounded.
const STREAM_MAX_AGE_DAYS: u32 = 400;

/// Every stream of the mesh: one per context, and `PARTNER` for facts partner agencies publish in.
pub const STREAMS: &[StreamSpec] = &[
    StreamSpec {
        name: "AID",
        subjects: "aid.>",
        max_age_days: STREAM_MAX_AGE_DAYS,
    },
    StreamSpec {
        name: "DISABILITY",
        subjects: "disability.>",
        max_age_days: STREAM_MAX_AGE_DAYS,
    },
    StreamSpec {
        name: "CHILD",
        subjects: "child.>",
        max_age_days: STREAM_MAX_AGE_DAYS,
    },
    StreamSpec {
        name: "ELDERLY",
        subjects: "elderly.>",
        max_age_days: STREAM_MAX_AGE_DAYS,
    },
    StreamSpec {
        name: "MINOR",
        subjects: "minor.>",
        max_age_days: STREAM_MAX_AGE_DAYS,
    },
    StreamSpec {
        name: "VILLAGE",
        subjects: "village.>",
        max_age_days: STREAM_MAX_AGE_DAYS,
    },
    StreamSpec {
        name: "PARTNER",
        subjects: "partner.>",
        max_age_days: STREAM_MAX_AGE_DAYS,
    },
];

/// The stream that holds `subject` (by its first token), or `None` for a subject of no context.
pub fn stream_for(subject: &str) -> Option<&'static StreamSpec> {
    let context = subject.split('.').next()?;
    STREAMS
        .iter()
        .find(|s| s.subjects.strip_suffix(".>") == Some(context))
}

/// The services of the mesh by the context they publish under.
const PRODUCERS: &[(&str, &str)] = &[
    ("aid", "aid-applications"),
    ("disability", "disability-subsidies"),
    ("child", "child-welfare"),
    ("elderly", "elderly-care"),
    ("minor", "minor-protection"),
    ("village", "village-governance"),
];

/// The CloudEvents `ce-source` a subject's events carry: the producing service
/// (`aid-applications` for `aid.*`, …), or `partner.<agency>` for a fact a partner agency
/// publishes (`partner.civil-registry` for `partner.civil-registry.death.recorded.v1`). A consumer
/// refuses any other source.
pub fn source_of(subject: &str) -> Option<String> {
    let mut tokens = subject.split('.');
    let context = tokens.next()?;
    if context == "partner" {
        return tokens.next().map(|agency| format!("partner.{agency}"));
    }
    PRODUCERS
        .iter()
        .find(|(c, _)| *c == context)
        .map(|(_, service)| (*service).to_owned())
}

/// The CloudEvents `ce-dataschema` value for a subject: `urn:minzheng:schema:<subject>` (the
/// schema's `$id` is the subject; CloudEvents wants an absolute URI).
pub fn dataschema_uri(subject: &str) -> String {
    format!("urn:minzheng:schema:{subject}")
}
