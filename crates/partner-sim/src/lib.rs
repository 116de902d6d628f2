//! A partner agency's client for the mesh, and the simulator the e2e suite drives: builds the
//! `partner.*` facts (death records, disability certificates, verification results, bank returns,
//! flagged households), checks each against its schema, and publishes it as a partner must —
//! CloudEvents binary headers, `Nats-Msg-Id` = `ce-id` so a retried publish is dropped by JetStream.
//! Partner agencies can read this crate as the reference for what to send.

use std::time::Duration;

use async_nats::jetstream;
use chrono::{DateTime, NaiveDate, Utc};
use contracts::{
    Event,
    common::{CertificateNumber, DivisionCode, IdNumber, VillageCode},
    partner::{
        CertificateIssued, CertificateRevoked, DeathRecorded, DeathSource, DisabilityCategory,
        HouseholdFlagged, Payer, PaymentReturned, PovertyRisk, ReturnReason, RevocationReason,
        VerificationCompleted, VerificationOutcome,
    },
};
use uuid::Uuid;

/// Why a fact was not published.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("the fact does not match its schema: {0}")]
    Schema(#[from] contracts::SchemaError),
    #[error("NATS: {0}")]
    Nats(String),
    #[error("invalid value: {0}")]
    Value(String),
}

/// A connection publishing as one partner agency (`ce-source`).
#[derive(Clone)]
pub struct Partner {
    js: jetstream::Context,
    agency: String,
    clock: fn() -> DateTime<Utc>,
}

impl Partner {
    /// Connects to NATS as `agency` (e.g. `civil-registry`, `dpf`, `verification`, `bank`).
    pub async fn connect(nats_url: &str, agency: &str) -> Result<Self, SimError> {
        let client = async_nats::ConnectOptions::new()
            .name(format!("partner-{agency}"))
            .retry_on_initial_connect()
            .connect(nats_url)
            .await
            .map_err(|e| SimError::Nats(e.to_string()))?;
        let mut js = jetstream::new(client);
        js.set_timeout(Duration::from_secs(5));
        Ok(Self {
            js,
            agency: agency.to_owned(),
            clock: Utc::now,
        })
    }

    /// Stamps `ce-time` from `clock` instead of this machine's clock (a rehearsal of another
    /// day shares the mesh's clock with the simulated partner).
    pub fn with_clock(mut self, clock: fn() -> DateTime<Utc>) -> Self {
        self.clock = clock;
        self
    }

    /// Publishes `fact` with a new event id; returns the id.
    pub async fn publish<E: Event>(&self, fact: &E) -> Result<String, SimError> {
        let id = Uuid::now_v7().to_string();
        self.publish_with_id(fact, &id).await?;
        Ok(id)
    }

    /// Publishes `fact` with a chosen event id (a retry re-sends the same id).
    pub async fn publish_with_id<E: Event>(&self, fact: &E, id: &str) -> Result<(), SimError> {
        let value = serde_json::to_value(fact).map_err(|e| SimError::Value(e.to_string()))?;
        contracts::validate(E::SUBJECT, &value)?;
        let spec = contracts::stream_for(E::SUBJECT)
            .ok_or_else(|| SimError::Value(format!("no stream for {}", E::SUBJECT)))?;
        self.js
            .get_or_create_stream(jetstream::stream::Config {
                name: spec.name.to_owned(),
                subjects: vec![spec.subjects.to_owned()],
                storage: jetstream::stream::StorageType::File,
                duplicate_window: Duration::from_secs(600),
                ..Default::default()
            })
            .await
            .map_err(|e| SimError::Nats(e.to_string()))?;
        let mut headers = async_nats::HeaderMap::new();
        headers.insert("Nats-Msg-Id", id);
        headers.insert("ce-specversion", "1.0");
        headers.insert("ce-id", id);
        headers.insert("ce-source", format!("partner.{}", self.agency).as_str());
        headers.insert("ce-type", E::SUBJECT);
        headers.insert("ce-time", (self.clock)().to_rfc3339().as_str());
        headers.insert(
            "ce-dataschema",
            contracts::dataschema_uri(E::SUBJECT).as_str(),
        );
        headers.insert("Content-Type", "application/json");
        self.js
            .publish_with_headers(E::SUBJECT, headers, value.to_string().into())
            .await
            .map_err(|e| SimError::Nats(e.to_string()))?
            .await
            .map_err(|e| SimError::Nats(e.to_string()))?;
        Ok(())
    }
}

/// Parses an ID number and checks its check character: partners send valid numbers.
fn id(raw: &str) -> Result<IdNumber, SimError> {
    let id = IdNumber::parse(raw).map_err(|e| SimError::Value(format!("id_number: {e}")))?;
    if !id.has_valid_check_char() {
        return Err(SimError::Value("id_number: wrong check character".into()));
    }
    Ok(id)
}

fn division(raw: &str) -> Result<DivisionCode, SimError> {
    DivisionCode::parse(raw).map_err(|e| SimError::Value(format!("division: {e}")))
}

/// A death record as the civil registry sends it.
pub fn death(
    id_number: &str,
    date_of_death: NaiveDate,
    registering_division: &str,
) -> Result<DeathRecorded, SimError> {
    Ok(DeathRecorded {
        record_number: format!("D{}", Uuid::now_v7().simple()),
        id_number: id(id_number)?,
        date_of_death,
        source: DeathSource::HouseholdRegister,
        registering_division: division(registering_division)?,
        recorded_on: date_of_death,
    })
}

/// A disability certificate as the disabled persons' federation issues it; the certificate number
/// is the ID number + category digit + level digit.
pub fn certificate(
    id_number: &str,
    category: DisabilityCategory,
    level: u8,
    issued_on: NaiveDate,
    expires_on: NaiveDate,
    registration_division: &str,
) -> Result<CertificateIssued, SimError> {
    let number = format!("{}{}{level}", id(id_number)?.as_str(), category.digit());
    Ok(CertificateIssued {
        certificate_number: CertificateNumber::parse(&number)
            .map_err(|e| SimError::Value(e.to_string()))?,
        id_number: id(id_number)?,
        category,
        level,
        issued_on,
        expires_on,
        registration_division: division(registration_division)?,
    })
}

/// A certificate revocation.
pub fn revocation(
    certificate: &CertificateIssued,
    reason: RevocationReason,
    on: NaiveDate,
) -> CertificateRevoked {
    CertificateRevoked {
        certificate_number: certificate.certificate_number.clone(),
        id_number: certificate.id_number.clone(),
        reason,
        revoked_on: on,
    }
}

/// The verification platform's answer to `aid.verification.requested.v1`.
pub fn verification(
    request_id: Uuid,
    application_id: Uuid,
    household_id: Uuid,
    monthly_income_fen: i64,
    property_within_limits: bool,
    on: NaiveDate,
) -> VerificationCompleted {
    VerificationCompleted {
        request_id,
        application_id,
        household_id,
        outcome: VerificationOutcome::Complete,
        household_monthly_income_fen: Some(monthly_income_fen),
        property_within_limits: Some(property_within_limits),
        findings: Vec::new(),
        members: Vec::new(),
        completed_on: on,
    }
}

/// A bank's return of a failed payment line.
pub fn bank_return(
    payer: Payer,
    batch_id: Uuid,
    line_id: Uuid,
    amount_fen: i64,
    reason: ReturnReason,
    on: NaiveDate,
) -> PaymentReturned {
    PaymentReturned {
        return_id: Uuid::now_v7(),
        payer,
        batch_id,
        line_id,
        amount_fen,
        reason_code: reason,
        returned_on: on,
    }
}

/// A household the rural-revitalisation bureau flags for monitoring (防返贫监测).
pub fn flagged_household(
    head_id_number: &str,
    village_code: &str,
    risk: PovertyRisk,
    on: NaiveDate,
) -> Result<HouseholdFlagged, SimError> {
    Ok(HouseholdFlagged {
        flag_id: Uuid::now_v7(),
        head_id_number: id(head_id_number)?,
        household_size: None,
        risk,
        village_code: VillageCode::parse(village_code)
            .map_err(|e| SimError::Value(e.to_string()))?,
        flagged_on: on,
    })
}

/// A valid ID number (GB 11643 check character computed) for a division, birth date and sequence:
/// test data that no real person holds is still shaped like real data.
pub fn synthetic_id_number(division: &str, birth: NaiveDate, sequence: u16) -> String {
    let first17 = format!("{division}{}{:03}", birth.format("%Y%m%d"), sequence % 1000);
    let check = contracts::common::id_number_check_char(&first17).unwrap_or('0');
    format!("{first17}{check}")
}
