//! The one list of subjects: each subject's schema file (embedded at compile time) and its Rust
//! type. Tests prove the list matches `schemas/` on disk and each type's `SUBJECT`.

use crate::{Event, aid, child, disability, elderly, minor, partner, village};

/// A schema file embedded in the binary, so validation needs no file access at run time.
#[derive(Debug, Clone, Copy)]
pub struct SchemaFile {
    /// The schema's `$id`: the subject for event schemas, `defs.json` for the shared definitions.
    pub id: &'static str,
    /// Path under `schemas/`, e.g. `aid/application.submitted.v1.json`.
    pub path: &'static str,
    /// The file's text.
    pub text: &'static str,
}

/// One event type: its subject, its Rust name and a type-erased round trip through it.
#[derive(Debug, Clone, Copy)]
pub struct EventType {
    /// The type's `Event::SUBJECT`.
    pub subject: &'static str,
    /// The type's path in this crate, e.g. `aid::ApplicationSubmitted`.
    pub type_name: &'static str,
    /// Deserialises a JSON value into the type and serialises it back: what a consumer reads and
    /// a producer would send.
    pub round_trip: fn(&serde_json::Value) -> Result<serde_json::Value, serde_json::Error>,
}

fn round_trip<E: Event>(value: &serde_json::Value) -> Result<serde_json::Value, serde_json::Error> {
    let event: E = serde_json::from_value(value.clone())?;
    serde_json::to_value(&event)
}

macro_rules! catalogue {
    ($($path:literal => $module:ident::$ty:ident;)*) => {
        /// Every subject of the mesh, sorted.
        pub const SUBJECTS: &[&str] = &[$(<$module::$ty as Event>::SUBJECT),*];

        /// Every event type, in the order of [`SUBJECTS`].
        pub const EVENT_TYPES: &[EventType] = &[$(EventType {
            subject: <$module::$ty as Event>::SUBJECT,
            type_name: concat!(stringify!($module), "::", stringify!($ty)),
            round_trip: round_trip::<$module::$ty>,
        }),*];

        /// Every schema file: the event schemas in the order of [`SUBJECTS`], then `defs.json`.
        pub const SCHEMA_FILES: &[SchemaFile] = &[
            $(SchemaFile {
                id: <$module::$ty as Event>::SUBJECT,
                path: $path,
                text: include_str!(concat!("../../../schemas/", $path)),
            },)*
            SchemaFile { id: DEFS_ID, path: DEFS_ID, text: include_str!("../../../schemas/defs.json") },
        ];
    };
}

/// `$id` and path of the shared definitions.
pub(crate) const DEFS_ID: &str = "defs.json";

catalogue! {
    "aid/application.decided.v1.json" => aid::ApplicationDecided;
    "aid/application.submitted.v1.json" => aid::ApplicationSubmitted;
    "aid/enrollment.changed.v1.json" => aid::EnrollmentChanged;
    "aid/enrollment.ended.v1.json" => aid::EnrollmentEnded;
    "aid/enrollment.started.v1.json" => aid::EnrollmentStarted;
    "aid/payment.batch.issued.v1.json" => aid::PaymentBatchIssued;
    "aid/publicity.opened.v1.json" => aid::PublicityOpened;
    "aid/referral.requested.v1.json" => aid::ReferralRequested;
    "aid/temporary-assistance.granted.v1.json" => aid::TemporaryAssistanceGranted;
    "aid/verification.requested.v1.json" => aid::VerificationRequested;
    "child/allowance.changed.v1.json" => child::AllowanceChanged;
    "child/allowance.ended.v1.json" => child::AllowanceEnded;
    "child/allowance.started.v1.json" => child::AllowanceStarted;
    "child/payment.batch.issued.v1.json" => child::PaymentBatchIssued;
    "child/registered.v1.json" => child::Registered;
    "disability/anomaly.detected.v1.json" => disability::AnomalyDetected;
    "disability/payment.batch.issued.v1.json" => disability::PaymentBatchIssued;
    "disability/subsidy.changed.v1.json" => disability::SubsidyChanged;
    "disability/subsidy.ended.v1.json" => disability::SubsidyEnded;
    "disability/subsidy.granted.v1.json" => disability::SubsidyGranted;
    "elderly/home-bed.closed.v1.json" => elderly::HomeBedClosed;
    "elderly/home-bed.established.v1.json" => elderly::HomeBedEstablished;
    "elderly/visit.overdue.v1.json" => elderly::VisitOverdue;
    "minor/case.closed.v1.json" => minor::CaseClosed;
    "minor/case.escalated.v1.json" => minor::CaseEscalated;
    "minor/case.opened.v1.json" => minor::CaseOpened;
    "minor/child.at-risk.flagged.v1.json" => minor::ChildAtRiskFlagged;
    "partner/bank.payment.returned.v1.json" => partner::PaymentReturned;
    "partner/civil-registry.death.recorded.v1.json" => partner::DeathRecorded;
    "partner/dpf.certificate.changed.v1.json" => partner::CertificateChanged;
    "partner/dpf.certificate.issued.v1.json" => partner::CertificateIssued;
    "partner/dpf.certificate.revoked.v1.json" => partner::CertificateRevoked;
    "partner/rural.household.flagged.v1.json" => partner::HouseholdFlagged;
    "partner/verification.completed.v1.json" => partner::VerificationCompleted;
    "village/publicity.objection.raised.v1.json" => village::PublicityObjectionRaised;
    "village/rules.filed.v1.json" => village::RulesFiled;
}
