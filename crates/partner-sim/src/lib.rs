//! A partner agency's client for the mesh, and the simulator the e2e suite drives: builds the
//! `partner.*` facts (death records, disability certificates, verification results, bank returns,
//! flagged households), checks each against its schema, and publishes it as a partner must —
//! CloudEvents binary headers, `Nats-Msg-Id` = `ce-id` so a retried publish is dropped by JetStream.
//! Partner agencies can read this crate as the reference for what to send.

use std::{path::PathBuf, time::Duration};

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

pub mod examples;

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

/// How an agency reaches the mesh's NATS: the server, its account's user and password (the
/// accounts in `infra/nats/accounts.conf` are generated per agency, the user named after it), and
/// TLS when the server requires it (the CA that signed the server's certificate, and the client
/// certificate and key when it verifies clients). Against the open development server none is
/// needed.
#[derive(Debug, Clone, Default)]
pub struct Connection {
    pub url: String,
    pub user: Option<String>,
    pub password: Option<String>,
    pub ca_file: Option<PathBuf>,
    pub cert_file: Option<PathBuf>,
    pub key_file: Option<PathBuf>,
}

impl Connection {
    /// The development server at `url`: no credentials, no TLS.
    pub fn open(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            ..Default::default()
        }
    }

    /// From the environment, with the names the services use: `NATS_URL` (default
    /// `nats://127.0.0.1:4222`), `NATS_USER` and `NATS_PASSWORD`, `NATS_CA_FILE`,
    /// `NATS_CERT_FILE` and `NATS_KEY_FILE`.
    pub fn from_env() -> Result<Self, SimError> {
        let get = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let connection = Self {
            url: get("NATS_URL").unwrap_or_else(|| "nats://127.0.0.1:4222".to_owned()),
            user: get("NATS_USER"),
            password: get("NATS_PASSWORD"),
            ca_file: get("NATS_CA_FILE").map(PathBuf::from),
            cert_file: get("NATS_CERT_FILE").map(PathBuf::from),
            key_file: get("NATS_KEY_FILE").map(PathBuf::from),
        };
        if connection.user.is_some() != connection.password.is_some() {
            return Err(SimError::Value(
                "NATS_USER and NATS_PASSWORD go together".into(),
            ));
        }
        if connection.cert_file.is_some() != connection.key_file.is_some() {
            return Err(SimError::Value(
                "NATS_CERT_FILE and NATS_KEY_FILE go together".into(),
            ));
        }
        Ok(connection)
    }
}

/// Where a partner account sees the mesh's JetStream API (imported into its account under this
/// prefix: only its own feed consumer's `INFO` and `MSG.NEXT` are exported to it).
pub const MESH_JS_PREFIX: &str = "$JS.MESH.API";

/// The stream holding `agency`'s feed (`FEED_MEDICAL_INSURANCE`); its pull consumer is named
/// after the agency.
pub fn feed_stream(agency: &str) -> String {
    format!("FEED_{}", agency.to_uppercase().replace('-', "_"))
}

/// A connection publishing and reading as one partner agency.
#[derive(Clone)]
pub struct Partner {
    client: async_nats::Client,
    js: jetstream::Context,
    agency: String,
    clock: fn() -> DateTime<Utc>,
}

/// A message of an agency's feed, as the partner reads it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FeedMessage {
    /// `feed.<agency>.<event subject>`.
    pub subject: String,
    /// The position in the feed: a partner that lost its place replays from a sequence.
    pub sequence: u64,
    /// The CloudEvents headers (`ce-id`, `ce-type`, `ce-time`, …).
    pub headers: std::collections::BTreeMap<String, String>,
    /// The event's fields the agency is approved to receive.
    pub data: serde_json::Value,
}

impl Partner {
    /// Connects to the open development server at `nats_url` as `agency` (e.g.
    /// `civil-registry`, `dpf`, `verification`, `bank`, `rural`).
    pub async fn connect(nats_url: &str, agency: &str) -> Result<Self, SimError> {
        Self::connect_with(&Connection::open(nats_url), agency).await
    }

    /// Connects as `agency` with its account's credentials and TLS (see [`Connection`]).
    pub async fn connect_with(connection: &Connection, agency: &str) -> Result<Self, SimError> {
        let mut options = async_nats::ConnectOptions::new()
            .name(format!("partner-{agency}"))
            .retry_on_initial_connect()
            .connection_timeout(Duration::from_secs(5));
        if let (Some(user), Some(password)) = (&connection.user, &connection.password) {
            options = options.user_and_password(user.clone(), password.clone());
        }
        if let Some(ca) = &connection.ca_file {
            options = options.require_tls(true).add_root_certificates(ca.clone());
        }
        if let (Some(cert), Some(key)) = (&connection.cert_file, &connection.key_file) {
            options = options.add_client_certificate(cert.clone(), key.clone());
        }
        let client =
            tokio::time::timeout(Duration::from_secs(15), options.connect(&connection.url))
                .await
                .map_err(|_| {
                    SimError::Nats(format!("{}: no connection within 15 s", connection.url))
                })?
                .map_err(|e| SimError::Nats(e.to_string()))?;
        let mut js = jetstream::new(client.clone());
        js.set_timeout(Duration::from_secs(5));
        Ok(Self {
            client,
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

    /// Publishes `fact` with a chosen event id (a retry re-sends the same id) and waits for
    /// JetStream's acknowledgement. The fact is checked against its schema first, and refused
    /// here when this agency is not its source. The stream that stores it belongs to the mesh
    /// (its services create it): a partner never creates or alters one, and its account may not.
    pub async fn publish_with_id<E: Event>(&self, fact: &E, id: &str) -> Result<(), SimError> {
        let value = serde_json::to_value(fact).map_err(|e| SimError::Value(e.to_string()))?;
        contracts::validate(E::SUBJECT, &value)?;
        let source = format!("partner.{}", self.agency);
        if contracts::source_of(E::SUBJECT).as_deref() != Some(source.as_str()) {
            return Err(SimError::Value(format!(
                "{} is published by {}, not by {source}",
                E::SUBJECT,
                contracts::source_of(E::SUBJECT).unwrap_or_else(|| "nobody".into())
            )));
        }
        let mut headers = async_nats::HeaderMap::new();
        headers.insert("Nats-Msg-Id", id);
        headers.insert("ce-specversion", "1.0");
        headers.insert("ce-id", id);
        headers.insert("ce-source", source.as_str());
        headers.insert("ce-type", E::SUBJECT);
        headers.insert("ce-time", (self.clock)().to_rfc3339().as_str());
        headers.insert(
            "ce-dataschema",
            contracts::dataschema_uri(E::SUBJECT).as_str(),
        );
        headers.insert("Content-Type", "application/json");
        let no_stream = |e: String| {
            if e.contains("no stream found") || e.contains("no responders") {
                SimError::Nats(format!(
                    "no stream stores {} yet (the mesh's services create it when they start): {e}",
                    E::SUBJECT
                ))
            } else {
                SimError::Nats(e)
            }
        };
        self.js
            .publish_with_headers(E::SUBJECT, headers, value.to_string().into())
            .await
            .map_err(|e| no_stream(e.to_string()))?
            .await
            .map_err(|e| no_stream(e.to_string()))?;
        Ok(())
    }

    /// Reads up to `max` messages of this agency's feed (waiting at most `wait` for the first),
    /// acknowledging each once it is read: an unacknowledged message comes again after the
    /// feed's acknowledgement wait. Through the agency's own account, where only its feed
    /// consumer is reachable.
    pub async fn read_feed(
        &self,
        max: usize,
        wait: Duration,
    ) -> Result<Vec<FeedMessage>, SimError> {
        use futures::StreamExt;
        let js = jetstream::with_prefix(self.client.clone(), MESH_JS_PREFIX);
        let nats = |e: String| SimError::Nats(format!("feed of {}: {e}", self.agency));
        let consumer: jetstream::consumer::PullConsumer = js
            .get_consumer_from_stream(&self.agency, feed_stream(&self.agency))
            .await
            .map_err(|e| nats(e.to_string()))?;
        let mut batch = consumer
            .fetch()
            .max_messages(max)
            .expires(wait)
            .messages()
            .await
            .map_err(|e| nats(e.to_string()))?;
        let mut read = Vec::new();
        while let Some(message) = batch.next().await {
            let message = message.map_err(|e| nats(e.to_string()))?;
            let sequence = message
                .info()
                .map(|i| i.stream_sequence)
                .unwrap_or_default();
            let headers = message
                .headers
                .iter()
                .flat_map(|h| h.iter())
                .filter_map(|(name, values)| {
                    Some((name.to_string(), values.first()?.as_str().to_owned()))
                })
                .collect();
            let data = serde_json::from_slice(&message.payload)
                .map_err(|e| SimError::Value(format!("feed message {sequence}: {e}")))?;
            message
                .double_ack()
                .await
                .map_err(|e| nats(e.to_string()))?;
            read.push(FeedMessage {
                subject: message.subject.to_string(),
                sequence,
                headers,
                data,
            });
        }
        Ok(read)
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
