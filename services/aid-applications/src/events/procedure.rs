//! The procedure's inputs from the bus: the verification platform's answer and an objection filed
//! at the village board. Both apply inside the inbox transaction; what can never apply goes to the
//! dead letters with its reason.

use contracts::{partner::VerificationCompleted, village::PublicityObjectionRaised};
use kit::inbox::{EventMeta, Handler, HandlerError};
use sea_orm::DatabaseTransaction;

use crate::commands::{
    procedure::publicity::objection_raised, procedure::verification::verification_completed,
};

/// `partner.verification.completed.v1`: record the answer on its request.
pub struct OnVerificationCompleted;

impl Handler<VerificationCompleted> for OnVerificationCompleted {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        event: VerificationCompleted,
        _meta: &EventMeta,
    ) -> Result<(), HandlerError> {
        Ok(verification_completed(tx, &event).await?)
    }
}

/// `village.publicity.objection.raised.v1`: back to investigation.
pub struct OnObjectionRaised;

impl Handler<PublicityObjectionRaised> for OnObjectionRaised {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        event: PublicityObjectionRaised,
        meta: &EventMeta,
    ) -> Result<(), HandlerError> {
        let source = meta.source.as_deref().unwrap_or("village-governance");
        Ok(objection_raised(tx, &event, source).await?)
    }
}
