//! Events aid-applications consumes; each handler calls a command inside the inbox transaction.

use contracts::partner::DeathRecorded;
use kit::{
    identity::{IdNumber, PersonRefKey},
    inbox::{Consumers, EventMeta, Handler, HandlerError, HandlerFuture},
    service::Platform,
};
use sea_orm::DatabaseTransaction;

use crate::{
    SERVICE, commands::enrollment::steps::apply_death, commands::households::deaths::record_death,
};

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
            let person_ref = self.key.person_ref(&id);
            let registry = kit::Principal {
                subject: "partner:civil-registry".into(),
                role: kit::Role::Service,
                division: kit::identity::DivisionCode::parse(event.registering_division.as_str())
                    .map_err(|e| {
                    HandlerError::Permanent(format!("registering_division: {e}"))
                })?,
            };
            apply_death(
                tx,
                &self.outbox,
                &registry,
                person_ref.as_str(),
                event.date_of_death,
                event.recorded_on,
            )
            .await
            .map_err(|p| {
                // A refusal will never apply; a concurrent change (412) or a failure may pass
                // on redelivery.
                let reason = p.detail.clone().unwrap_or(p.title.clone());
                if p.status < 500 && p.status != 412 {
                    HandlerError::Permanent(reason)
                } else {
                    HandlerError::Transient(reason)
                }
            })?;
            Ok(())
        })
    }
}
