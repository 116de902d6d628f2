//! Events disability-subsidies consumes; each handler parses what the partner sent and calls a
//! command inside the inbox transaction (so a redelivered event is applied once).

use contracts::{
    aid::{EnrollmentChanged, EnrollmentEnded, EnrollmentStarted},
    common::IdNumber as WireIdNumber,
    partner::{
        CertificateChanged, CertificateIssued, CertificateRevoked, DeathRecorded, PaymentReturned,
    },
};
use kit::{
    identity::{IdNumber, PersonRefKey},
    inbox::{Consumers, EventMeta, Handler, HandlerError},
    outbox::Outbox,
    service::Platform,
};
use sea_orm::DatabaseTransaction;

use crate::{
    SERVICE,
    commands::{
        certificates, deaths, enrollments,
        payments::{ReturnOutcome, payment_returned},
    },
    store::sealed::DataKeys,
};

/// The subscriptions of this service.
pub fn consumers(platform: &Platform, keys: &DataKeys) -> Consumers {
    let on = Listener {
        key: platform.config.person_ref_key.clone(),
        outbox: platform.outbox.clone(),
        keys: keys.clone(),
    };
    Consumers::new(SERVICE)
        .on::<CertificateIssued, _>(on.clone())
        .on::<CertificateChanged, _>(on.clone())
        .on::<CertificateRevoked, _>(on.clone())
        .on::<DeathRecorded, _>(on.clone())
        .on::<EnrollmentStarted, _>(on.clone())
        .on::<EnrollmentChanged, _>(on.clone())
        .on::<EnrollmentEnded, _>(on.clone())
        .on::<PaymentReturned, _>(on)
}

/// Every handler: the mesh's person_ref key, the outbox and the keys sealing personal data.
#[derive(Clone)]
struct Listener {
    key: PersonRefKey,
    outbox: Outbox,
    keys: DataKeys,
}

impl Listener {
    /// The person_ref of an ID number a partner sent; a number that fails GB 11643 can never be
    /// applied.
    fn person_ref(&self, id: &WireIdNumber) -> Result<(IdNumber, String), HandlerError> {
        let id = IdNumber::parse(id.as_str())
            .map_err(|e| HandlerError::Permanent(format!("id_number: {e}")))?;
        let person_ref = self.key.person_ref(&id).as_str().to_owned();
        Ok((id, person_ref))
    }
}

impl Handler<CertificateIssued> for Listener {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        e: CertificateIssued,
        meta: &EventMeta,
    ) -> Result<(), HandlerError> {
        if !e.is_consistent() {
            return Err(HandlerError::Permanent(
                "the certificate number disagrees with the ID number, category or level".into(),
            ));
        }
        let (id, person_ref) = self.person_ref(&e.id_number)?;
        certificates::certificate_issued(
            tx,
            &self.outbox,
            &self.keys,
            &person_ref,
            &id,
            &e,
            meta.day(),
        )
        .await?;
        Ok(())
    }
}

impl Handler<CertificateChanged> for Listener {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        e: CertificateChanged,
        meta: &EventMeta,
    ) -> Result<(), HandlerError> {
        if !e.is_consistent() {
            return Err(HandlerError::Permanent(
                "the certificate number disagrees with the ID number, category or level".into(),
            ));
        }
        let (id, person_ref) = self.person_ref(&e.id_number)?;
        certificates::certificate_changed(
            tx,
            &self.outbox,
            &self.keys,
            &person_ref,
            &id,
            &e,
            meta.day(),
        )
        .await?;
        Ok(())
    }
}

impl Handler<CertificateRevoked> for Listener {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        e: CertificateRevoked,
        _: &EventMeta,
    ) -> Result<(), HandlerError> {
        let (_, person_ref) = self.person_ref(&e.id_number)?;
        certificates::certificate_revoked(tx, &self.outbox, &person_ref, &e).await?;
        Ok(())
    }
}

impl Handler<DeathRecorded> for Listener {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        e: DeathRecorded,
        _: &EventMeta,
    ) -> Result<(), HandlerError> {
        let (_, person_ref) = self.person_ref(&e.id_number)?;
        deaths::death_recorded(
            tx,
            &self.outbox,
            &person_ref,
            e.date_of_death,
            e.recorded_on,
        )
        .await?;
        Ok(())
    }
}

impl Handler<EnrollmentStarted> for Listener {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        e: EnrollmentStarted,
        _: &EventMeta,
    ) -> Result<(), HandlerError> {
        enrollments::enrollment_started(tx, &self.outbox, &e).await?;
        Ok(())
    }
}

impl Handler<EnrollmentChanged> for Listener {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        e: EnrollmentChanged,
        _: &EventMeta,
    ) -> Result<(), HandlerError> {
        enrollments::enrollment_changed(tx, &self.outbox, &e).await?;
        Ok(())
    }
}

impl Handler<EnrollmentEnded> for Listener {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        e: EnrollmentEnded,
        _: &EventMeta,
    ) -> Result<(), HandlerError> {
        enrollments::enrollment_ended(tx, &self.outbox, &e).await?;
        Ok(())
    }
}

impl Handler<PaymentReturned> for Listener {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        e: PaymentReturned,
        _: &EventMeta,
    ) -> Result<(), HandlerError> {
        match payment_returned(tx, &e).await? {
            ReturnOutcome::UnknownLine => Err(HandlerError::Permanent(format!(
                "no line {} in batch {} of disability-subsidies",
                e.line_id, e.batch_id
            ))),
            ReturnOutcome::Failed | ReturnOutcome::NotOurs => Ok(()),
        }
    }
}
