//! Bank returns (`partner.bank.payment.returned.v1`): aid's lines are marked returned for re-issue;
//! other payers' returns are acknowledged and left alone.

use contracts::partner::PaymentReturned;
use kit::inbox::{EventMeta, Handler, HandlerError};
use sea_orm::DatabaseTransaction;

use crate::commands::payments::payment_returned;

/// Marks the returned line.
pub struct OnPaymentReturned;

impl Handler<PaymentReturned> for OnPaymentReturned {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        event: PaymentReturned,
        _meta: &EventMeta,
    ) -> Result<(), HandlerError> {
        payment_returned(tx, &event).await?;
        Ok(())
    }
}
