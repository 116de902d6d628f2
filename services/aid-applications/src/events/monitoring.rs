//! Partner facts that open active-discovery tasks: households flagged by the rural revitalisation
//! bureau, and disability certificates issued to members of marginal households.

use contracts::partner::{CertificateIssued, HouseholdFlagged};
use kit::{
    identity::{IdNumber, PersonRefKey},
    inbox::{EventMeta, Handler, HandlerError},
};
use sea_orm::DatabaseTransaction;

use crate::{
    commands::monitoring::{on_certificate_issued, on_household_flagged},
    domain::household::DisabilityGrade,
};

/// `partner.rural.household.flagged.v1`: an assess-household task.
pub(super) struct OnHouseholdFlagged {
    pub key: PersonRefKey,
}

impl Handler<HouseholdFlagged> for OnHouseholdFlagged {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        event: HouseholdFlagged,
        _meta: &EventMeta,
    ) -> Result<(), HandlerError> {
        let head = IdNumber::parse(event.head_id_number.as_str())
            .map_err(|e| HandlerError::Permanent(format!("head_id_number: {e}")))?;
        on_household_flagged(tx, &self.key, &head, &event).await?;
        Ok(())
    }
}

/// `partner.dpf.certificate.issued.v1`: a single-person dibao candidate task when it applies.
pub(super) struct OnCertificateIssued {
    pub key: PersonRefKey,
}

impl Handler<CertificateIssued> for OnCertificateIssued {
    async fn handle(
        &self,
        tx: &DatabaseTransaction,
        event: CertificateIssued,
        _meta: &EventMeta,
    ) -> Result<(), HandlerError> {
        let holder = IdNumber::parse(event.id_number.as_str())
            .map_err(|e| HandlerError::Permanent(format!("id_number: {e}")))?;
        let grade = DisabilityGrade::new(event.category.digit(), event.level)
            .map_err(|e| HandlerError::Permanent(format!("grade: {e}")))?;
        on_certificate_issued(tx, &self.key, &holder, grade, &event).await?;
        // The grade is kept for the household view and the single-person dibao reviews.
        let person_ref = self.key.person_ref(&holder);
        crate::commands::monitoring::certificates::on_certificate_issued(
            tx,
            person_ref.as_str(),
            &holder,
            grade,
            event.expires_on,
            event.issued_on,
        )
        .await?;
        Ok(())
    }
}
