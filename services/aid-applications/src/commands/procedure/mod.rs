//! The application aggregate in the database: loading it within the caller's division, saving it
//! under optimistic concurrency (the `version` column), and turning the state machine's refusals
//! into problems a clerk can act on.

pub mod decision;
pub mod facts;
pub mod publicity;
pub mod steps;
pub mod submission;
pub mod verification;

use chrono::NaiveDate;
use kit::refusal::Class;
use kit::{Principal, Refusal};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};
use serde::Serialize;

use crate::domain::application::{Application, ApplicationError, Status};
use crate::domain::enrollment::EnrollmentError;
use crate::domain::integrity::DutyConflict;
use crate::store::application;

use crate::commands::procedure::facts::HouseholdFacts;
pub use kit::wire::name as snake;

/// Today in China Standard Time (UTC+8), the bureau's calendar day, on the services' clock.
pub use kit::clock::today;

/// The date of a step: the one given (a paper record entered later), never in the future.
pub fn step_date(on: Option<NaiveDate>) -> Result<NaiveDate, Refusal> {
    let today = today();
    match on {
        Some(on) if on > today => Err(Refusal::invalid("on", "cannot be in the future")),
        Some(on) => Ok(on),
        None => Ok(today),
    }
}

/// The stored name of a status (`in_publicity`).
pub fn status_name(status: Status) -> String {
    snake(status)
}

/// Converts between two serde enums with the same snake_case names (contract ↔ domain).
pub fn convert<A: Serialize, B: serde::de::DeserializeOwned>(a: A) -> Result<B, Refusal> {
    serde_json::to_value(a)
        .and_then(serde_json::from_value)
        .map_err(|e| internal("contract and domain names differ", e))
}

/// An application row with its aggregate and findings.
pub struct Loaded {
    pub row: application::Model,
    pub app: Application,
    pub facts: HouseholdFacts,
}

fn corrupt(e: impl std::fmt::Display) -> Refusal {
    tracing::error!(error = %e, "a stored application does not load");
    Refusal::internal()
}

impl Loaded {
    /// Parses a row.
    pub fn from_row(row: application::Model) -> Result<Self, Refusal> {
        let app: Application = serde_json::from_str(&row.state).map_err(corrupt)?;
        let facts = if row.facts.is_empty() {
            HouseholdFacts::default()
        } else {
            serde_json::from_str(&row.facts).map_err(corrupt)?
        };
        Ok(Self { row, app, facts })
    }
}

/// The application `id` if it lies in the caller's division (404 otherwise, so another township
/// cannot even learn that it exists).
pub async fn load(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: uuid::Uuid,
) -> Result<Loaded, Refusal> {
    in_division(application::Entity::find_by_id(id).one(db).await?, who)
}

fn in_division(row: Option<application::Model>, who: &Principal) -> Result<Loaded, Refusal> {
    let row = row
        .filter(|a| who.sees(&a.village_code))
        .ok_or_else(|| Refusal::not_found("no such application in your division"))?;
    Loaded::from_row(row)
}

/// The application `id` for a command of `who`, its row locked until the command's transaction
/// ends (`SELECT … FOR UPDATE` on PostgreSQL; SQLite has one writer at a time): an event handled
/// meanwhile (an objection, say) waits for the command instead of changing the version under it,
/// which failed the command as "changed meanwhile" for a caller who had sent no version.
pub async fn load_for_update(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: uuid::Uuid,
) -> Result<Loaded, Refusal> {
    let row = application::Entity::find_by_id(id)
        .lock_exclusive()
        .one(tx)
        .await?;
    in_division(row, who)
}

/// `load_any` with the row locked for the handler's transaction (as `load_for_update`).
pub async fn load_any_for_update(
    tx: &impl ConnectionTrait,
    id: uuid::Uuid,
) -> Result<Option<Loaded>, Refusal> {
    application::Entity::find_by_id(id)
        .lock_exclusive()
        .one(tx)
        .await?
        .map(Loaded::from_row)
        .transpose()
}

/// The application `id` regardless of division (event handlers act for the whole district).
pub async fn load_any(
    db: &impl ConnectionTrait,
    id: uuid::Uuid,
) -> Result<Option<Loaded>, Refusal> {
    application::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(Loaded::from_row)
        .transpose()
}

/// Writes the aggregate and findings back if nobody changed the row meanwhile; returns the new
/// version.
pub async fn save(db: &impl ConnectionTrait, loaded: &Loaded) -> Result<i32, Refusal> {
    let state = serde_json::to_string(&loaded.app).map_err(corrupt)?;
    let facts = serde_json::to_string(&loaded.facts).map_err(corrupt)?;
    let version = loaded.row.version + 1;
    let result = application::Entity::update_many()
        .set(application::ActiveModel {
            status: Set(status_name(loaded.app.status())),
            state: Set(state),
            facts: Set(facts),
            version: Set(version),
            ..Default::default()
        })
        .filter(application::Column::Id.eq(loaded.row.id))
        .filter(application::Column::Version.eq(loaded.row.version))
        .exec(db)
        .await?;
    if result.rows_affected != 1 {
        return Err(Refusal::changed_meanwhile());
    }
    Ok(version)
}

/// The problem for a refused transition: a stable `type` per rule, the sentence as detail.
pub fn refused(e: ApplicationError) -> Refusal {
    let detail = e.to_string();
    let (class, kind) = match &e {
        ApplicationError::WrongStatus { .. } => (Class::Conflict, "wrong-status"),
        ApplicationError::Duty(DutyConflict::EarlierRole { .. }) => {
            (Class::Forbidden, "separation-of-duties")
        }
        ApplicationError::Duty(DutyConflict::Relative { .. }) => {
            (Class::Forbidden, "staff-relative")
        }
        ApplicationError::WrongOffice { .. } => (Class::Forbidden, "wrong-office"),
        ApplicationError::NoDelegatedAuthority => (Class::Forbidden, "no-delegated-authority"),
        ApplicationError::StaffRelativeNeedsDistrict => {
            (Class::Forbidden, "staff-relative-needs-district")
        }
        ApplicationError::DistrictHomeVisitMissing => {
            (Class::Conflict, "district-home-visit-missing")
        }
        ApplicationError::TooFewInvestigators(_) => {
            return Refusal::invalid("investigators", detail);
        }
        ApplicationError::PublicityNotElapsed { .. } => (Class::Conflict, "publicity-not-elapsed"),
        ApplicationError::ReinvestigationRequired => (Class::Conflict, "reinvestigation-required"),
        ApplicationError::ReasonsRequired => return Refusal::invalid("reasons", detail),
        ApplicationError::TextRequired(what) => {
            let field = if what.contains("objection") {
                "summary"
            } else {
                "reason"
            };
            return Refusal::invalid(field, detail);
        }
        ApplicationError::AssessmentRefused(_) => (Class::Conflict, "assessment-refused"),
        ApplicationError::DateBeforePreviousStep { .. } => return Refusal::invalid("on", detail),
        ApplicationError::AlreadyExtended => (Class::Conflict, "already-extended"),
        ApplicationError::Reference(_) => (Class::Conflict, "reference-data-missing"),
    };
    Refusal::new(class, kind, "The procedure does not allow this").detail(detail)
}

/// The problem for a refused enrollment step.
pub fn enrollment_refused(e: EnrollmentError) -> Refusal {
    let detail = e.to_string();
    match e {
        EnrollmentError::AmountNotPositive | EnrollmentError::OutcomeMismatch { .. } => {
            Refusal::invalid("monthly_amount_fen", detail)
        }
        EnrollmentError::BeforeConfirmation(_) => Refusal::invalid("on", detail),
        EnrollmentError::Ended(_) => Refusal::conflict("enrollment-ended", detail),
        EnrollmentError::GradualExitRunning(_) => Refusal::conflict("gradual-exit-running", detail),
        EnrollmentError::NoGradualExit(_) => Refusal::conflict("no-gradual-exit", detail),
    }
}

/// Logs an internal failure once and answers 500 without internals.
pub fn internal(what: &str, e: impl std::fmt::Display) -> Refusal {
    tracing::error!(what, error = %e, "internal failure");
    Refusal::internal()
}

/// Why an event from the bus cannot be applied: never (`Permanent`, it goes to the dead letters
/// with the reason) or not now (`Refusal`, retried).
#[derive(Debug, thiserror::Error)]
pub enum EventRefused {
    #[error("{0}")]
    Permanent(String),
    #[error("{}", .0.detail.clone().unwrap_or_else(|| .0.title.clone()))]
    Refusal(Refusal),
}

impl From<Refusal> for EventRefused {
    fn from(p: Refusal) -> Self {
        Self::Refusal(p)
    }
}

impl From<sea_orm::DbErr> for EventRefused {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Refusal(e.into())
    }
}

impl From<EventRefused> for kit::inbox::HandlerError {
    fn from(e: EventRefused) -> Self {
        match e {
            EventRefused::Permanent(reason) => Self::Permanent(reason),
            EventRefused::Refusal(p) => Self::Transient(p.detail.unwrap_or(p.title)),
        }
    }
}
