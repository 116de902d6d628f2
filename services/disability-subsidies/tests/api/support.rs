//! Helpers: valid ID numbers, person_refs, the partner and aid facts the tests publish.

pub use chrono::NaiveDate;
pub use contracts::{
    aid::{EndReason, EnrollmentEnded, EnrollmentStarted, Programme, Residence},
    common::{
        CertificateNumber, DivisionCode, IdNumber as WireId, Month, PersonRef, TownshipCode,
        VillageCode,
    },
    disability::{
        AnomalyDetected, AnomalyKind, PaymentBatchIssued, SubsidyEndReason, SubsidyEnded,
        SubsidyGranted, SubsidyKind, SubsidyOrigin,
    },
    partner::{
        CertificateIssued, DeathRecorded, DeathSource, DisabilityCategory, Payer, PaymentReturned,
        ReturnReason,
    },
};
pub use disability_subsidies::{CONTEXT, SERVICE, parts, store::Migrator};
pub use kit::{
    Role,
    config::DEV_PERSON_REF_KEY,
    identity::{IdNumber, PersonRefKey},
    testing::{TestApp, eventually},
};
pub use sea_orm::ConnectionTrait;
pub use serde_json::{Value, json};
pub use uuid::Uuid;

pub const LIANGLU: &str = "500112016";
pub const LIANGLU_VILLAGE: &str = "500112016001";

/// A valid ID number from 17 digits (computes the GB 11643 check character).
pub fn id_number(first17: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .bytes()
        .zip(W)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    format!("{first17}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

pub fn person_ref(id: &str) -> String {
    let key = PersonRefKey::new(DEV_PERSON_REF_KEY.as_bytes().to_vec()).unwrap();
    key.person_ref(&IdNumber::parse(id).unwrap())
        .as_str()
        .to_owned()
}

pub fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub fn month(s: &str) -> Month {
    s.parse().unwrap()
}

pub async fn spawn() -> TestApp {
    TestApp::spawn::<Migrator>(SERVICE, CONTEXT, parts).await
}

pub fn certificate(id: &str, level: u8, issued_on: &str, division: &str) -> CertificateIssued {
    CertificateIssued {
        certificate_number: CertificateNumber::parse(&format!("{id}4{level}")).unwrap(),
        id_number: WireId::parse(id).unwrap(),
        category: DisabilityCategory::Physical,
        level,
        issued_on: date(issued_on),
        expires_on: date("2031-01-01"),
        registration_division: DivisionCode::parse(division).unwrap(),
    }
}

pub fn dibao(household: Uuid, members: &[&str], start: &str, confirmed: &str) -> EnrollmentStarted {
    let refs: Vec<PersonRef> = members
        .iter()
        .map(|m| PersonRef::parse(&person_ref(m)).unwrap())
        .collect();
    EnrollmentStarted {
        enrollment_id: Uuid::now_v7(),
        application_id: Uuid::now_v7(),
        household_id: household,
        programme: Programme::Dibao,
        residence: Residence::Urban,
        support_mode: None,
        care_level: None,
        members: refs.clone(),
        beneficiaries: refs,
        monthly_amount_fen: 50_000,
        township_code: TownshipCode::parse(LIANGLU).unwrap(),
        village_code: VillageCode::parse(LIANGLU_VILLAGE).unwrap(),
        start_month: month(start),
        confirmed_on: date(confirmed),
    }
}

pub fn death(id: &str, died: &str, recorded: &str) -> DeathRecorded {
    DeathRecorded {
        record_number: "SW-2026-0001".into(),
        id_number: WireId::parse(id).unwrap(),
        date_of_death: date(died),
        source: DeathSource::HouseholdRegister,
        registering_division: DivisionCode::parse(LIANGLU).unwrap(),
        recorded_on: date(recorded),
    }
}

pub fn granted_for(
    events: &[(String, SubsidyGranted)],
    id: &str,
    kind: SubsidyKind,
) -> Vec<SubsidyGranted> {
    let r = person_ref(id);
    events
        .iter()
        .filter(|(_, e)| e.person_ref.as_str() == r && e.kind == kind)
        .map(|(_, e)| e.clone())
        .collect()
}

pub async fn wait_granted(app: &TestApp, id: &str, kind: SubsidyKind) -> SubsidyGranted {
    eventually(
        &format!("{kind:?} granted"),
        std::time::Duration::from_secs(20),
        || async {
            granted_for(&app.events::<SubsidyGranted>().await, id, kind)
                .into_iter()
                .next()
        },
    )
    .await
}

pub fn officer() -> String {
    TestApp::token(Role::DistrictOfficer, "500112")
}
