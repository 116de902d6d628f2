//! Bank returns (`partner.bank.payment.returned.v1`): aid's lines are marked returned for re-issue;
//! other payers' returns are acknowledged and left alone.

use contracts::partner::PaymentReturned;
use kit::inbox::{EventMeta, Handler, HandlerFuture};
use sea_orm::DatabaseTransaction;

use crate::commands::payments::payment_returned;

/// Marks the returned line.
pub struct OnPaymentReturned;

impl Handler<PaymentReturned> for OnPaymentReturned {
    fn handle<'a>(
        &'a self,
        tx: &'a DatabaseTransaction,
        event: PaymentReturned,
        _meta: &'a EventMeta,
    ) -> HandlerFuture<'a> {
        Box::pin(async move {
            payment_returned(tx, &event).await?;
            Ok(())
        })
    }
}
