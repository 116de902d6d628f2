//! Events elderly-care consumes (each handler calls a command inside the inbox transaction), and
//! the clock: the periodic overdue check that publishes `elderly.visit.overdue.v1`.

pub mod overdue_check;

use contracts::{
    aid::{EnrollmentChanged, EnrollmentEnded, EnrollmentStarted},
    partner::DeathRecorded,
};
use kit::{
    identity::{IdNumber, PersonRefKey},
    inbox::{Consumers, EventMeta, Handler, HandlerError},
    outbox::Outbox,
    service::Platform,
};
use sea_orm::DatabaseTransaction;

use crate::{
    SERVICE,
    commands::{deaths, enrollments},
};

/// The subscriptions of this service.
pub fn consumers(platform: &Platform) -> Consumers {
    Consumers::new(SERVICE)
        .on(OnEnrollmentStarted)
        .on(OnEnrollmentChanged)
        .on(OnEnrollmentEnded)
        .on(OnDeathRecorded {
            key: platform.config.person_ref_key.clone(),
            outbox: platform.outbox.clone(),
        })
}

/// `aid.enrollment.started.v1`: dispersed extreme poverty gets visit plans.
struct OnEnrollmentStarted;

impl Handler<EnrollmentStarted> for OnEnrollmentStarted {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        event: EnrollmentStarted,
        _meta: &EventMeta,
    ) -> Result<(), HandlerError> {
        enrollments::enrollment_started(tx, &event).await?;
        Ok(())
    }
}

/// `aid.enrollment.changed.v1`: plans follow support mode, beneficiaries and place.
struct OnEnrollmentChanged;

impl Handler<EnrollmentChanged> for OnEnrollmentChanged {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        event: EnrollmentChanged,
        _meta: &EventMeta,
    ) -> Result<(), HandlerError> {
        enrollments::enrollment_changed(tx, &event).await?;
        Ok(())
    }
}

/// `aid.enrollment.ended.v1`: the enrollment's plans are cancelled.
struct OnEnrollmentEnded;

impl Handler<EnrollmentEnded> for OnEnrollmentEnded {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        event: EnrollmentEnded,
        _meta: &EventMeta,
    ) -> Result<(), HandlerError> {
        enrollments::enrollment_ended(tx, &event).await?;
        Ok(())
    }
}

/// `partner.civil-registry.death.recorded.v1`: plans cancelled, bed closed, registration ended.
struct OnDeathRecorded {
    key: PersonRefKey,
    outbox: Outbox,
}

impl Handler<DeathRecorded> for OnDeathRecorded {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        event: DeathRecorded,
        _meta: &EventMeta,
    ) -> Result<(), HandlerError> {
        let id = IdNumber::parse(event.id_number.as_str())
            .map_err(|e| HandlerError::Permanent(format!("id_number: {e}")))?;
        let person_ref = self.key.person_ref(&id);
        deaths::record_death(tx, &self.outbox, person_ref.as_str(), event.date_of_death).await?;
        Ok(())
    }
}
