//! Events aid-applications consumes; each handler calls a command inside the inbox transaction.

use contracts::partner::DeathRecorded;
use kit::{
    identity::{IdNumber, PersonRefKey},
    inbox::{Consumers, EventMeta, Handler, HandlerError, HandlerFuture},
    service::Platform,
};
use sea_orm::DatabaseTransaction;

use crate::{SERVICE, commands::deaths::record_death};

/// The subscriptions of this service.
pub fn consumers(platform: &Platform) -> Consumers {
    Consumers::new(SERVICE).on(OnDeathRecorded {
        key: platform.config.person_ref_key.clone(),
    })
}

/// `partner.civil-registry.death.recorded.v1`: mark the member deceased.
struct OnDeathRecorded {
    key: PersonRefKey,
}

impl Handler<DeathRecorded> for OnDeathRecorded {
    fn handle<'a>(
        &'a self,
        tx: &'a DatabaseTransaction,
        event: DeathRecorded,
        _meta: &'a EventMeta,
    ) -> HandlerFuture<'a> {
        Box::pin(async move {
            let id = IdNumber::parse(event.id_number.as_str())
                .map_err(|e| HandlerError::Permanent(format!("id_number: {e}")))?;
            record_death(tx, &self.key, &id, event.date_of_death).await?;
            Ok(())
        })
    }
}
