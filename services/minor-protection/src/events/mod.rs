//! Events minor-protection consumes; each handler calls a command inside the inbox transaction
//! (a redelivered event is applied once): death records here, child-welfare's facts in `welfare`.

use contracts::partner::DeathRecorded;
use kit::{
    identity::{IdNumber, PersonRefKey},
    inbox::{Consumers, EventMeta, Handler, HandlerError},
    outbox::Outbox,
    service::Platform,
};
use sea_orm::DatabaseTransaction;

use crate::{SERVICE, commands::parents::record_death};

mod welfare;

/// The subscriptions of this service.
pub fn consumers(platform: &Platform) -> Consumers {
    Consumers::new(SERVICE)
        .on(OnDeathRecorded {
            key: platform.config.person_ref_key.clone(),
            outbox: platform.outbox.clone(),
        })
        .on(welfare::OnChildRegistered)
        .on(welfare::OnAllowanceStarted)
        .on(welfare::OnAllowanceChanged)
        .on(welfare::OnAllowanceEnded)
}

/// `partner.civil-registry.death.recorded.v1`: a parent's death re-assesses the child (and may
/// flag it to child-welfare); a child's death stops visits and escalations.
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
        record_death(
            tx,
            &self.outbox,
            &self.key,
            &id,
            event.date_of_death,
            event.recorded_on,
        )
        .await?;
        Ok(())
    }
}
