//! aid's enrollments (`aid.enrollment.*`): extreme-poverty support of a registered child stops
//! its allowance and the end of the support lets it start again (commands::support).

use contracts::aid::{EnrollmentChanged, EnrollmentEnded, EnrollmentStarted};
use kit::{
    inbox::{EventMeta, Handler, HandlerError},
    outbox::Outbox,
};
use sea_orm::DatabaseTransaction;

use crate::commands::{
    records::today,
    support::{record_changed, record_ended, record_started},
};

/// The three enrollment subjects share one handler.
#[derive(Clone)]
pub(super) struct OnEnrollment {
    pub outbox: Outbox,
}

impl Handler<EnrollmentStarted> for OnEnrollment {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        event: EnrollmentStarted,
        _meta: &EventMeta,
    ) -> Result<(), HandlerError> {
        record_started(tx, &self.outbox, &event, today())
            .await
            .map_err(HandlerError::from)
    }
}

impl Handler<EnrollmentChanged> for OnEnrollment {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        event: EnrollmentChanged,
        _meta: &EventMeta,
    ) -> Result<(), HandlerError> {
        record_changed(tx, &self.outbox, &event, today())
            .await
            .map_err(HandlerError::from)
    }
}

impl Handler<EnrollmentEnded> for OnEnrollment {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        event: EnrollmentEnded,
        _meta: &EventMeta,
    ) -> Result<(), HandlerError> {
        record_ended(tx, &self.outbox, &event, today())
            .await
            .map_err(HandlerError::from)
    }
}
