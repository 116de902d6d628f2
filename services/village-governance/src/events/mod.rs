//! Events village-governance consumes; each handler calls a command inside the inbox transaction.

use contracts::aid::PublicityOpened;
use kit::{
    inbox::{Consumers, EventMeta, Handler, HandlerError},
    service::Platform,
};
use sea_orm::DatabaseTransaction;

use crate::{
    SERVICE,
    commands::publicity::{PostingRefused, post_publicity},
};

/// The subscriptions of this service.
pub fn consumers(_platform: &Platform) -> Consumers {
    Consumers::new(SERVICE).on(OnPublicityOpened)
}

/// `aid.publicity.opened.v1`: post the publicity on its village's board (once per publicity).
struct OnPublicityOpened;

impl Handler<PublicityOpened> for OnPublicityOpened {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        event: PublicityOpened,
        _meta: &EventMeta,
    ) -> Result<(), HandlerError> {
        match post_publicity(tx, &event).await {
            Ok(new) => {
                if !new {
                    tracing::info!(publicity_id = %event.publicity_id, "publicity already on the board");
                }
                Ok(())
            }
            Err(PostingRefused::Db(e)) => Err(e.into()),
            Err(e) => Err(HandlerError::Permanent(e.to_string())),
        }
    }
}
