//! Events child-welfare consumes; each handler calls a command inside the inbox transaction, so a
//! redelivered event is applied once.

use contracts::{
    aid::{EnrollmentChanged, EnrollmentEnded, EnrollmentStarted},
    minor::ChildAtRiskFlagged,
    partner::{
        CertificateChanged, CertificateIssued, CertificateRevoked, DeathRecorded, PaymentReturned,
    },
};
use kit::{
    identity::PersonRefKey,
    inbox::{Consumers, EventMeta, Handler, HandlerError},
    outbox::Outbox,
    service::Platform,
};
use sea_orm::DatabaseTransaction;

use crate::{
    SERVICE,
    commands::{
        flags::evaluate_flag,
        partner_facts::{
            Certificate, id_number, record_certificate, record_death, revoke_certificate,
        },
        payments::{ReturnError, record_return},
        records::today,
    },
};

mod support;

/// The subscriptions of this service.
pub fn consumers(platform: &Platform) -> Consumers {
    let on = OnFact {
        key: platform.config.person_ref_key.clone(),
        outbox: platform.outbox.clone(),
    };
    let enrollments = support::OnEnrollment {
        outbox: platform.outbox.clone(),
    };
    Consumers::new(SERVICE)
        .on(OnFlag {
            outbox: platform.outbox.clone(),
        })
        .on::<DeathRecorded, _>(on.clone())
        .on::<CertificateIssued, _>(on.clone())
        .on::<CertificateChanged, _>(on.clone())
        .on::<CertificateRevoked, _>(on)
        .on(OnPaymentReturned)
        .on::<EnrollmentStarted, _>(enrollments.clone())
        .on::<EnrollmentChanged, _>(enrollments.clone())
        .on::<EnrollmentEnded, _>(enrollments)
}

/// `minor.child.at-risk.flagged.v1`: open the evaluation, register when the flag suffices.
struct OnFlag {
    outbox: Outbox,
}

impl Handler<ChildAtRiskFlagged> for OnFlag {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        event: ChildAtRiskFlagged,
        _meta: &EventMeta,
    ) -> Result<(), HandlerError> {
        evaluate_flag(tx, &self.outbox, &event, today())
            .await
            .map_err(HandlerError::from)
    }
}

/// Partner facts about people: deaths and 残联 certificates.
#[derive(Clone)]
struct OnFact {
    key: PersonRefKey,
    outbox: Outbox,
}

impl Handler<DeathRecorded> for OnFact {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        event: DeathRecorded,
        _meta: &EventMeta,
    ) -> Result<(), HandlerError> {
        let id = id_number(event.id_number.as_str()).map_err(HandlerError::Permanent)?;
        record_death(
            tx,
            &self.outbox,
            &self.key,
            &id,
            event.date_of_death,
            &event.record_number,
            today(),
        )
        .await
        .map_err(HandlerError::from)
    }
}

impl Handler<CertificateIssued> for OnFact {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        event: CertificateIssued,
        _meta: &EventMeta,
    ) -> Result<(), HandlerError> {
        if !event.is_consistent() {
            return Err(HandlerError::Permanent(
                "the certificate number disagrees with its fields".into(),
            ));
        }
        let id = id_number(event.id_number.as_str()).map_err(HandlerError::Permanent)?;
        let cert = Certificate::issued(&event, &id);
        record_certificate(tx, &self.outbox, &self.key, &cert, today())
            .await
            .map_err(HandlerError::from)
    }
}

impl Handler<CertificateChanged> for OnFact {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        event: CertificateChanged,
        _meta: &EventMeta,
    ) -> Result<(), HandlerError> {
        if !event.is_consistent() {
            return Err(HandlerError::Permanent(
                "the certificate number disagrees with its fields".into(),
            ));
        }
        let id = id_number(event.id_number.as_str()).map_err(HandlerError::Permanent)?;
        let cert = Certificate::changed(&event, &id);
        record_certificate(tx, &self.outbox, &self.key, &cert, today())
            .await
            .map_err(HandlerError::from)
    }
}

impl Handler<CertificateRevoked> for OnFact {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        event: CertificateRevoked,
        _meta: &EventMeta,
    ) -> Result<(), HandlerError> {
        let id = id_number(event.id_number.as_str()).map_err(HandlerError::Permanent)?;
        revoke_certificate(tx, &self.outbox, &self.key, &event, &id, today())
            .await
            .map_err(HandlerError::from)
    }
}

/// `partner.bank.payment.returned.v1` with payer child: mark the line failed for re-issue.
struct OnPaymentReturned;

impl Handler<PaymentReturned> for OnPaymentReturned {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        event: PaymentReturned,
        _meta: &EventMeta,
    ) -> Result<(), HandlerError> {
        record_return(tx, &event).await.map_err(|e| match e {
            ReturnError::NotApplicable(r) => HandlerError::Permanent(r),
            ReturnError::Db(e) => e.into(),
        })
    }
}
