//! Events aid-applications consumes; each handler calls a command inside the inbox transaction.

use contracts::partner::DeathRecorded;
use kit::{
    identity::PersonRefKey,
    inbox::{Consumers, EventMeta, Handler, HandlerError},
    service::Platform,
};
use sea_orm::DatabaseTransaction;

use crate::{SERVICE, commands::households::deaths::death_recorded};

mod benefits;
mod monitoring;
mod payment;
mod procedure;

/// The subscriptions of this service.
pub fn consumers(platform: &Platform) -> Consumers {
    Consumers::new(SERVICE)
        .on(OnDeathRecorded {
            key: platform.config.person_ref_key.clone(),
            outbox: platform.outbox.clone(),
        })
        .on(procedure::OnVerificationCompleted)
        .on(procedure::OnObjectionRaised)
        .on(payment::OnPaymentReturned)
        .on(monitoring::OnHouseholdFlagged {
            key: platform.config.person_ref_key.clone(),
        })
        .on(monitoring::OnCertificateIssued {
            key: platform.config.person_ref_key.clone(),
        })
        .on::<contracts::child::Registered, _>(benefits::OnOtherBenefit)
        .on::<contracts::child::AllowanceStarted, _>(benefits::OnOtherBenefit)
        .on::<contracts::child::AllowanceChanged, _>(benefits::OnOtherBenefit)
        .on::<contracts::child::AllowanceEnded, _>(benefits::OnOtherBenefit)
        .on::<contracts::disability::SubsidyGranted, _>(benefits::OnOtherBenefit)
        .on::<contracts::disability::SubsidyChanged, _>(benefits::OnOtherBenefit)
        .on::<contracts::disability::SubsidyEnded, _>(benefits::OnOtherBenefit)
        .on::<contracts::partner::CertificateChanged, _>(benefits::OnCertificateFact {
            key: platform.config.person_ref_key.clone(),
        })
        .on::<contracts::partner::CertificateRevoked, _>(benefits::OnCertificateFact {
            key: platform.config.person_ref_key.clone(),
        })
}

/// `partner.civil-registry.death.recorded.v1`: mark the member deceased and end or change the
/// enrollments they were in.
struct OnDeathRecorded {
    key: PersonRefKey,
    outbox: kit::outbox::Outbox,
}

impl Handler<DeathRecorded> for OnDeathRecorded {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        event: DeathRecorded,
        _meta: &EventMeta,
    ) -> Result<(), HandlerError> {
        death_recorded(tx, &self.outbox, &self.key, &event)
            .await
            .map_err(HandlerError::from)
    }
}
