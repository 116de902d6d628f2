//! child-welfare's announcements about children (`child.registered.v1`, `child.allowance.*`):
//! each handler records the fact in the inbox transaction through commands::welfare.

use contracts::child::{AllowanceChanged, AllowanceEnded, AllowanceStarted, Registered};
use kit::inbox::{EventMeta, Handler, HandlerError};
use sea_orm::DatabaseTransaction;

use crate::commands::welfare::{
    record_allowance_changed, record_allowance_ended, record_allowance_started, record_registration,
};

/// `child.registered.v1`: keeps the registration, notes it on the child's open cases.
pub(super) struct OnChildRegistered;

impl Handler<Registered> for OnChildRegistered {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        event: Registered,
        _meta: &EventMeta,
    ) -> Result<(), HandlerError> {
        record_registration(tx, &event)
            .await
            .map_err(HandlerError::from)?;
        Ok(())
    }
}

/// `child.allowance.started.v1`: the child's allowance runs.
pub(super) struct OnAllowanceStarted;

impl Handler<AllowanceStarted> for OnAllowanceStarted {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        event: AllowanceStarted,
        _meta: &EventMeta,
    ) -> Result<(), HandlerError> {
        Ok(record_allowance_started(tx, &event).await?)
    }
}

/// `child.allowance.changed.v1`: a new category or care mode.
pub(super) struct OnAllowanceChanged;

impl Handler<AllowanceChanged> for OnAllowanceChanged {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        event: AllowanceChanged,
        _meta: &EventMeta,
    ) -> Result<(), HandlerError> {
        Ok(record_allowance_changed(tx, &event).await?)
    }
}

/// `child.allowance.ended.v1`: the allowance ended, noted on the child's open cases.
pub(super) struct OnAllowanceEnded;

impl Handler<AllowanceEnded> for OnAllowanceEnded {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        event: AllowanceEnded,
        _meta: &EventMeta,
    ) -> Result<(), HandlerError> {
        record_allowance_ended(tx, &event)
            .await
            .map_err(HandlerError::from)?;
        Ok(())
    }
}
