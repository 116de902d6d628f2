//! Facts partner agencies publish into the mesh on the `PARTNER` stream: deaths, disability
//! certificates, verification results, anti-poverty flags and bank returns. Some carry ID numbers
//! (only mesh services may read the stream); their types mask them in `Debug`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Event;
use crate::common::{CertificateNumber, DivisionCode, IdNumber, VillageCode};

/// Who recorded a death.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeathSource {
    /// The household register (户籍注销, 公安).
    HouseholdRegister,
    /// The funeral service (火化, 殡葬).
    FuneralService,
    /// A medical death certificate.
    Medical,
    /// A court declaration of death.
    CourtDeclaration,
}

/// A death was recorded (`partner.civil-registry`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeathRecorded {
    /// The registry's own number for the record.
    pub record_number: String,
    /// ID number of the deceased.
    pub id_number: IdNumber,
    /// Date of death.
    pub date_of_death: NaiveDate,
    /// Who recorded it.
    pub source: DeathSource,
    /// Division of the office that recorded the death.
    pub registering_division: DivisionCode,
    /// Date the record was made.
    pub recorded_on: NaiveDate,
}

impl Event for DeathRecorded {
    const SUBJECT: &'static str = "partner.civil-registry.death.recorded.v1";

    fn check_dates(&self, received_on: NaiveDate) -> Result<(), String> {
        not_after("date_of_death", self.date_of_death, received_on)?;
        not_after("recorded_on", self.recorded_on, received_on)?;
        if self.recorded_on < self.date_of_death {
            return Err("recorded_on: before the date of death".into());
        }
        match self.id_number.birth_date() {
            Some(born) if self.date_of_death < born => {
                Err("date_of_death: before the birth date of the ID number".into())
            }
            _ => Ok(()),
        }
    }
}

/// Disability category of a certificate (`defs.json#/$defs/disability_category`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisabilityCategory {
    /// 1 视力.
    Visual,
    /// 2 听力.
    Hearing,
    /// 3 言语.
    Speech,
    /// 4 肢体.
    Physical,
    /// 5 智力.
    Intellectual,
    /// 6 精神.
    Mental,
    /// 7 多重.
    Multiple,
}

impl DisabilityCategory {
    /// The category's digit in a certificate number, 1–7.
    pub fn digit(self) -> u8 {
        match self {
            Self::Visual => 1,
            Self::Hearing => 2,
            Self::Speech => 3,
            Self::Physical => 4,
            Self::Intellectual => 5,
            Self::Mental => 6,
            Self::Multiple => 7,
        }
    }
}

/// A disability certificate was issued (`partner.dpf`, 残联).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateIssued {
    /// The certificate number.
    pub certificate_number: CertificateNumber,
    /// ID number of the holder.
    pub id_number: IdNumber,
    /// Disability category.
    pub category: DisabilityCategory,
    /// Disability level, 1 (most severe) to 4.
    pub level: u8,
    /// Date of issue.
    pub issued_on: NaiveDate,
    /// Date the certificate expires.
    pub expires_on: NaiveDate,
    /// Division of the holder's household registration; that place reviews and pays.
    pub registration_division: DivisionCode,
}

impl Event for CertificateIssued {
    const SUBJECT: &'static str = "partner.dpf.certificate.issued.v1";

    fn check_dates(&self, received_on: NaiveDate) -> Result<(), String> {
        not_after("issued_on", self.issued_on, received_on)?;
        if self.expires_on < self.issued_on {
            return Err("expires_on: before issued_on".into());
        }
        Ok(())
    }
}

impl CertificateIssued {
    /// Whether the certificate number agrees with the ID number, category and level fields
    /// (the schema cannot check that).
    pub fn is_consistent(&self) -> bool {
        consistent(
            &self.certificate_number,
            &self.id_number,
            self.category,
            self.level,
        )
    }
}

fn consistent(
    number: &CertificateNumber,
    id: &IdNumber,
    category: DisabilityCategory,
    level: u8,
) -> bool {
    number.id_number() == *id
        && number.category_digit() == category.digit()
        && number.level_digit() == level
}

/// What changed on a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateChange {
    /// Category or level re-assessed.
    Reassessed,
    /// Card re-issued (`B<n>` suffix).
    Reissued,
    /// Validity renewed.
    Renewed,
    /// The holder's household registration moved.
    RegistrationMoved,
}

/// A disability certificate changed; the certificate as it is now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateChanged {
    /// The certificate number now.
    pub certificate_number: CertificateNumber,
    /// ID number of the holder.
    pub id_number: IdNumber,
    /// Disability category now.
    pub category: DisabilityCategory,
    /// Disability level now.
    pub level: u8,
    /// The number before the change (equal to `certificate_number` when it did not change).
    pub previous_certificate_number: CertificateNumber,
    /// What changed.
    pub change: CertificateChange,
    /// Date the certificate now expires.
    pub expires_on: NaiveDate,
    /// Division of the holder's household registration after the change.
    pub registration_division: DivisionCode,
    /// Date of the change.
    pub changed_on: NaiveDate,
}

impl Event for CertificateChanged {
    const SUBJECT: &'static str = "partner.dpf.certificate.changed.v1";

    fn check_dates(&self, received_on: NaiveDate) -> Result<(), String> {
        not_after("changed_on", self.changed_on, received_on)
    }
}

impl CertificateChanged {
    /// Whether the certificate number agrees with the ID number, category and level fields.
    pub fn is_consistent(&self) -> bool {
        consistent(
            &self.certificate_number,
            &self.id_number,
            self.category,
            self.level,
        ) && self.previous_certificate_number.id_number() == self.id_number
    }
}

/// Why a certificate was revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevocationReason {
    /// The holder died.
    Death,
    /// It expired without renewal.
    Expired,
    /// Re-assessment found no qualifying disability.
    ReassessedNotDisabled,
    /// The holder surrendered it.
    Surrendered,
    /// It was obtained fraudulently.
    Fraudulent,
    /// Another reason.
    Other,
}

/// A disability certificate was revoked or lapsed (注销).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateRevoked {
    /// The certificate number.
    pub certificate_number: CertificateNumber,
    /// ID number of the holder.
    pub id_number: IdNumber,
    /// Why it was revoked.
    pub reason: RevocationReason,
    /// Date of revocation.
    pub revoked_on: NaiveDate,
}

impl Event for CertificateRevoked {
    const SUBJECT: &'static str = "partner.dpf.certificate.revoked.v1";

    fn check_dates(&self, received_on: NaiveDate) -> Result<(), String> {
        not_after("revoked_on", self.revoked_on, received_on)
    }
}

/// How a verification ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationOutcome {
    /// Every source answered.
    Complete,
    /// Some sources did not answer; the figures cover the others.
    Incomplete,
    /// The platform could not check (e.g. authorisation missing).
    Refused,
}

/// An item the investigators must look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationFinding {
    /// A member owns a vehicle.
    VehicleOwned,
    /// A member has a registered business.
    BusinessRegistered,
    /// The household owns several homes.
    MultipleHomes,
    /// Deposits above the limit.
    DepositsAboveLimit,
    /// Securities above the limit.
    SecuritiesAboveLimit,
    /// A member is employed (employment-cost deduction applies).
    EmployedMember,
    /// A member draws a pension.
    PensionIncome,
    /// A data source did not answer.
    SourceUnavailable,
}

/// The verification platform (家庭经济状况核对) answered a verification request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationCompleted {
    /// The request answered.
    pub request_id: Uuid,
    /// The application, as in the request.
    pub application_id: Uuid,
    /// The household, as in the request.
    pub household_id: Uuid,
    /// How the verification ended.
    pub outcome: VerificationOutcome,
    /// Household monthly income found; present unless refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub household_monthly_income_fen: Option<i64>,
    /// Whether the property found is within the local limits; present unless refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property_within_limits: Option<bool>,
    /// Items the investigators must look at.
    pub findings: Vec<VerificationFinding>,
    /// Per-person findings, when the platform gives them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<VerifiedMember>,
    /// Date of the answer.
    pub completed_on: NaiveDate,
}

/// One member's verified income.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifiedMember {
    /// The member, as the claim-check details named them.
    pub person_ref: crate::common::PersonRef,
    /// Verified monthly income.
    pub monthly_income_fen: i64,
    /// True when the income is from work.
    pub employed: bool,
}

impl Event for VerificationCompleted {
    const SUBJECT: &'static str = "partner.verification.completed.v1";

    fn check_dates(&self, received_on: NaiveDate) -> Result<(), String> {
        not_after("completed_on", self.completed_on, received_on)
    }
}

/// Main risk of a household flagged for anti-poverty monitoring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PovertyRisk {
    /// 因病.
    Illness,
    /// 因残.
    Disability,
    /// 因学.
    Education,
    /// 因灾.
    Disaster,
    /// 因意外.
    Accident,
    /// 因失业.
    Unemployment,
    /// Income dropped.
    IncomeDrop,
    /// Another risk.
    Other,
}

/// The rural revitalisation bureau flagged a household (防返贫监测对象).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdFlagged {
    /// The flag.
    pub flag_id: Uuid,
    /// ID number of the head of household.
    pub head_id_number: IdNumber,
    /// Household size as the bureau knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub household_size: Option<u32>,
    /// Main risk.
    pub risk: PovertyRisk,
    /// Village where the household lives.
    pub village_code: VillageCode,
    /// Date of the flag.
    pub flagged_on: NaiveDate,
}

impl Event for HouseholdFlagged {
    const SUBJECT: &'static str = "partner.rural.household.flagged.v1";

    fn check_dates(&self, received_on: NaiveDate) -> Result<(), String> {
        not_after("flagged_on", self.flagged_on, received_on)
    }
}

/// Context whose payment batch a returned line belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Payer {
    /// aid-applications.
    Aid,
    /// disability-subsidies.
    Disability,
    /// child-welfare.
    Child,
}

/// Why the bank returned a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnReason {
    /// The account is closed.
    AccountClosed,
    /// The account is frozen.
    AccountFrozen,
    /// No such account.
    AccountNotFound,
    /// The account holder's name does not match.
    NameMismatch,
    /// The account is dormant.
    AccountDormant,
    /// Another reason.
    Other,
}

/// The bank returned one line of a payment batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentReturned {
    /// The return.
    pub return_id: Uuid,
    /// Context whose batch the line belongs to.
    pub payer: Payer,
    /// The batch.
    pub batch_id: Uuid,
    /// The line within the batch.
    pub line_id: Uuid,
    /// Amount returned.
    pub amount_fen: i64,
    /// Why the bank returned it.
    pub reason_code: ReturnReason,
    /// Date of the return.
    pub returned_on: NaiveDate,
}

impl Event for PaymentReturned {
    const SUBJECT: &'static str = "partner.bank.payment.returned.v1";

    fn check_dates(&self, received_on: NaiveDate) -> Result<(), String> {
        not_after("returned_on", self.returned_on, received_on)
    }
}

/// A fact's date is never after the day it is received: a partner cannot know the future.
fn not_after(field: &str, date: NaiveDate, received_on: NaiveDate) -> Result<(), String> {
    if date > received_on {
        Err(format!(
            "{field}: {date} is after the day the fact was received ({received_on})"
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example<E: Event>() -> E {
        serde_json::from_value(crate::schema(E::SUBJECT).unwrap()["examples"][0].clone()).unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn refused<E: Event>(e: &E, on: &str) -> String {
        e.check_dates(d(on)).unwrap_err()
    }

    #[test]
    fn every_partner_fact_dated_after_its_receipt_is_implausible_naming_the_date() {
        let far = "2099-01-01";
        let mut death: DeathRecorded = example();
        assert_eq!(death.check_dates(d(far)), Ok(()));
        death.date_of_death = d("2030-01-01");
        death.recorded_on = d("2030-01-02");
        assert!(refused(&death, "2029-12-31").starts_with("date_of_death:"));
        death.recorded_on = d("2029-12-31");
        assert!(refused(&death, far).starts_with("recorded_on: before the date of death"));
        death.date_of_death = d("1901-01-01");
        death.recorded_on = d("1901-01-01");
        assert!(refused(&death, far).contains("before the birth date"));

        let mut issued: CertificateIssued = example();
        assert_eq!(issued.check_dates(d(far)), Ok(()));
        let day_before = issued.issued_on.pred_opt().unwrap().to_string();
        assert!(refused(&issued, &day_before).starts_with("issued_on:"));
        issued.expires_on = issued.issued_on.pred_opt().unwrap();
        assert!(refused(&issued, far).starts_with("expires_on:"));

        let changed: CertificateChanged = example();
        let before = changed.changed_on.pred_opt().unwrap().to_string();
        assert!(refused(&changed, &before).starts_with("changed_on:"));
        let revoked: CertificateRevoked = example();
        let before = revoked.revoked_on.pred_opt().unwrap().to_string();
        assert!(refused(&revoked, &before).starts_with("revoked_on:"));
        let completed: VerificationCompleted = example();
        let before = completed.completed_on.pred_opt().unwrap().to_string();
        assert!(refused(&completed, &before).starts_with("completed_on:"));
        let flagged: HouseholdFlagged = example();
        let before = flagged.flagged_on.pred_opt().unwrap().to_string();
        assert!(refused(&flagged, &before).starts_with("flagged_on:"));
        let returned: PaymentReturned = example();
        let before = returned.returned_on.pred_opt().unwrap().to_string();
        assert!(refused(&returned, &before).starts_with("returned_on:"));
    }
}
