//! Other departments' facts about people aid may assist: child-welfare's registrations and
//! allowances, the disability subsidies, and certificate changes and revocations (whose effect on
//! single-person dibao commands::monitoring::certificates applies).

use contracts::{
    child::{AllowanceChanged, AllowanceEnded, AllowanceStarted, Registered},
    disability::{SubsidyChanged, SubsidyEnded, SubsidyGranted},
    partner::{CertificateChanged, CertificateRevoked},
};
use kit::{
    identity::{IdNumber, PersonRefKey},
    inbox::{EventMeta, Handler, HandlerError},
};
use sea_orm::DatabaseTransaction;

use crate::{
    commands::{
        monitoring::benefits::{
            record_allowance_changed, record_allowance_ended, record_allowance_started,
            record_child_registered, record_subsidy_changed, record_subsidy_ended,
            record_subsidy_granted,
        },
        monitoring::certificates::{on_certificate_changed, on_certificate_revoked},
    },
    domain::household::DisabilityGrade,
};

/// child-welfare's and disability-subsidies' facts: kept per person_ref.
pub(super) struct OnOtherBenefit;

macro_rules! keep {
    ($event:ty, $command:ident) => {
        impl Handler<$event> for OnOtherBenefit {
            async fn handle(
                &self,
                tx: &DatabaseTransaction,
                event: $event,
                _meta: &EventMeta,
            ) -> Result<(), HandlerError> {
                Ok($command(tx, &event).await?)
            }
        }
    };
}

keep!(Registered, record_child_registered);
keep!(AllowanceStarted, record_allowance_started);
keep!(AllowanceChanged, record_allowance_changed);
keep!(AllowanceEnded, record_allowance_ended);
keep!(SubsidyGranted, record_subsidy_granted);
keep!(SubsidyChanged, record_subsidy_changed);
keep!(SubsidyEnded, record_subsidy_ended);

/// `partner.dpf.certificate.changed.v1` / `.revoked.v1`: the grade kept, single-person dibao
/// tasks and reviews.
pub(super) struct OnCertificateFact {
    pub key: PersonRefKey,
}

fn holder(id_number: &str) -> Result<IdNumber, HandlerError> {
    IdNumber::parse(id_number).map_err(|e| HandlerError::Permanent(format!("id_number: {e}")))
}

impl Handler<CertificateChanged> for OnCertificateFact {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        event: CertificateChanged,
        _meta: &EventMeta,
    ) -> Result<(), HandlerError> {
        let id = holder(event.id_number.as_str())?;
        let grade = DisabilityGrade::new(event.category.digit(), event.level)
            .map_err(|e| HandlerError::Permanent(format!("grade: {e}")))?;
        on_certificate_changed(tx, &self.key, &id, grade, &event).await?;
        Ok(())
    }
}

impl Handler<CertificateRevoked> for OnCertificateFact {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        event: CertificateRevoked,
        _meta: &EventMeta,
    ) -> Result<(), HandlerError> {
        let id = holder(event.id_number.as_str())?;
        on_certificate_revoked(tx, &self.key, &id, &event).await?;
        Ok(())
    }
}
