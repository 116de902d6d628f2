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
            .map_err(retry_or_refuse)
    }
}

/// The NATS edge's reading of a command's refusal: one that will never apply (bad input, a rule)
/// is permanent and dead-lettered; a concurrent change (412) or a failure may pass on
/// redelivery.
fn retry_or_refuse(p: kit::Problem) -> HandlerError {
    let reason = p.detail.clone().unwrap_or(p.title.clone());
    if p.status < 500 && p.status != 412 {
        HandlerError::Permanent(reason)
    } else {
        HandlerError::Transient(reason)
    }
}
