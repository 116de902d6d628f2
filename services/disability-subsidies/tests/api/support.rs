//! Helpers: valid ID numbers, person_refs, the partner and aid facts the tests publish.

pub use chrono::NaiveDate;
pub use contracts::{
    aid::{EndReason, EnrollmentEnded, EnrollmentStarted, Programme, Residence},
    common::{
        CertificateNumber, DivisionCode, IdNumber as WireId, Month, PersonRef, TownshipCode,
        VillageCode,
    },
    disability::{
        AnomalyDetected, AnomalyKind, PaymentBatchIssued, SubsidyChangeReason, SubsidyChanged,
        SubsidyEndReason, SubsidyEnded, SubsidyGranted, SubsidyKind, SubsidyOrigin,
    },
    partner::{
        CertificateChange, CertificateChanged, CertificateIssued, CertificateRevoked,
        DeathRecorded, DeathSource, DisabilityCategory, Payer, PaymentReturned, ReturnReason,
        RevocationReason,
    },
};
pub use disability_subsidies::{
    CONTEXT, SERVICE, parts,
    store::{Migrator, sealed::DataKeys},
};
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

/// How long an event or a state may take to show.
pub const WAIT: std::time::Duration = std::time::Duration::from_secs(20);

/// A certificate change (re-assessment by default) of a physical disability.
pub fn changed(id: &str, level: u8, changed_on: &str, expires_on: &str) -> CertificateChanged {
    let number = CertificateNumber::parse(&format!("{id}4{level}")).unwrap();
    CertificateChanged {
        previous_certificate_number: number.clone(),
        certificate_number: number,
        id_number: WireId::parse(id).unwrap(),
        category: DisabilityCategory::Physical,
        level,
        change: CertificateChange::Reassessed,
        expires_on: date(expires_on),
        registration_division: DivisionCode::parse(LIANGLU_VILLAGE).unwrap(),
        changed_on: date(changed_on),
    }
}

/// A direct connection to the service's database, for the checks only a table can show.
pub async fn database(app: &TestApp) -> sea_orm::DatabaseConnection {
    sea_orm::Database::connect(&app.database_url).await.unwrap()
}

/// The text values one query returns (first column of each row; NULLs skipped).
pub async fn texts(
    db: &sea_orm::DatabaseConnection,
    sql: &str,
    values: Vec<sea_orm::Value>,
) -> Vec<String> {
    db.query_all_raw(sea_orm::Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        values,
    ))
    .await
    .unwrap()
    .iter()
    .filter_map(|r| r.try_get_by_index::<Option<String>>(0).unwrap())
    .collect()
}

/// Records the account the holder is paid into, as the township does.
pub async fn set_payee(app: &TestApp, id: &str, name: &str, account: &str, holder_name: &str) {
    let clerk = TestApp::token(Role::TownshipClerk, LIANGLU);
    let (status, body) = app
        .post(
            &format!("/v1/holders/{}/payee", person_ref(id)),
            &clerk,
            &json!({ "name": name, "payee": {
                "bank_code": "CQRCB", "account_number": account, "account_holder_name": holder_name } }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

/// The findings of `kind` about `id` published so far.
pub async fn findings_about(
    app: &TestApp,
    id: &str,
    kind: AnomalyKind,
) -> Vec<(String, AnomalyDetected)> {
    let r = person_ref(id);
    app.events::<AnomalyDetected>()
        .await
        .into_iter()
        .filter(|(_, f)| f.kind == kind && f.person_ref.as_str() == r)
        .collect()
}

/// Waits for a finding of `kind` about `id`.
pub async fn wait_finding(app: &TestApp, id: &str, kind: AnomalyKind) -> (String, AnomalyDetected) {
    eventually(&format!("{kind:?} finding"), WAIT, || async {
        findings_about(app, id, kind).await.into_iter().next()
    })
    .await
}

/// Waits until the case of `kind` of `id` shows `check`; returns it.
pub async fn wait_case(
    app: &TestApp,
    id: &str,
    kind: &str,
    what: &str,
    check: impl Fn(&Value) -> bool,
) -> Value {
    let path = format!("/v1/subsidies?person_ref={}&kind={kind}", person_ref(id));
    eventually(what, WAIT, || async {
        let (_, cases) = app.get(&path, &officer()).await;
        cases["items"]
            .as_array()
            .and_then(|items| items.iter().find(|c| check(c)).cloned())
    })
    .await
}

/// Runs the payment of `month`; returns the batch.
pub async fn pay(app: &TestApp, month: &str) -> Value {
    live_by(month);
    let (status, batch) = app
        .post(
            "/v1/payment-batches",
            &officer(),
            &json!({ "month": month }),
        )
        .await;
    assert_eq!(status, 201, "{batch}");
    batch
}

/// Runs the comparison of `month`; returns its summary.
pub async fn compare(app: &TestApp, month: &str) -> Value {
    live_by(month);
    let (status, summary) = app
        .post("/v1/comparisons", &officer(), &json!({ "month": month }))
        .await;
    assert_eq!(status, 201, "{summary}");
    summary
}

/// The lines of a batch about `id`: (month, amount, level, status).
pub async fn lines_of(app: &TestApp, batch: &Value, id: &str) -> Vec<(String, i64, i64, String)> {
    let (_, lines) = app
        .get(
            &format!(
                "/v1/payment-batches/{}/lines?limit=200",
                batch["id"].as_str().unwrap()
            ),
            &officer(),
        )
        .await;
    let r = person_ref(id);
    lines["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["person_ref"] == r)
        .map(|l| {
            (
                l["month"].as_str().unwrap().to_owned(),
                l["amount_fen"].as_i64().unwrap(),
                l["level"].as_i64().unwrap(),
                l["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// No ID number, name or account of these in any published event.
pub fn assert_no_personal_data(raw: &[String], secrets: &[&str]) {
    for r in raw {
        for s in secrets {
            assert!(!r.contains(s), "personal data leaked ({s}): {r}");
        }
    }
}

pub async fn apply(
    app: &TestApp,
    clerk: &str,
    id: &str,
    kind: &str,
    applied_on: &str,
    holder_name: &str,
) -> (u16, Value) {
    // The application is recorded on the day it is made, or later.
    if date(applied_on) > kit::clock::today() {
        on_day(applied_on);
    }
    let body = json!({
        "id_number": id, "name": "张三", "kind": kind, "village_code": LIANGLU_VILLAGE, "applied_on": applied_on,
        "payee": { "bank_code": "CQRCB", "account_number": "6228480000000001", "account_holder_name": holder_name }
    });
    app.post("/v1/subsidies", clerk, &body).await
}

pub async fn decide(
    app: &TestApp,
    path: &str,
    token: &str,
    version: i64,
    body: Value,
) -> (u16, Value) {
    let resp = app
        .http
        .post(format!("{}{path}", app.base))
        .bearer_auth(token)
        .header("If-Match", format!("\"v{version}\""))
        .json(&body)
        .send()
        .await
        .unwrap();
    (
        resp.status().as_u16(),
        resp.json().await.unwrap_or(Value::Null),
    )
}

/// Applies, reviews and approves; returns the granted case.
pub async fn grant_by_application(
    app: &TestApp,
    id: &str,
    kind: &str,
    applied_on: &str,
    holder_name: &str,
) -> Value {
    let submitter = TestApp::token_for("clerk-a", Role::TownshipClerk, LIANGLU);
    let reviewer = TestApp::token_for("clerk-b", Role::TownshipApprover, LIANGLU);
    let approver = TestApp::token_for("approver", Role::DistrictApprover, "500112");
    let (status, case) = apply(app, &submitter, id, kind, applied_on, holder_name).await;
    assert_eq!(status, 201, "{case}");
    let path = format!("/v1/subsidies/{}", case["id"].as_str().unwrap());
    let (status, case) = decide(
        app,
        &format!("{path}/review"),
        &reviewer,
        1,
        json!({ "approve": true }),
    )
    .await;
    assert_eq!(status, 200, "{case}");
    let (status, case) = decide(
        app,
        &format!("{path}/approval"),
        &approver,
        2,
        json!({ "approve": true }),
    )
    .await;
    assert_eq!(status, 200, "{case}");
    assert_eq!(case["status"], "granted");
    case
}

/// Pins the business clock of the test (and of the service it runs) to `day`: the partner fact
/// published next is received on that day.
pub fn on_day(day: &str) {
    kit::testing::set_today(date(day));
}

/// Moves the clock forward into `month` (the 5th) when the test's day is before the month before
/// it: a month's batch is issued during the month, at the earliest the month before.
fn live_by(month: &str) {
    let month: Month = month.parse().expect("a month");
    if month > Month::from_date(kit::clock::today()).next() {
        kit::testing::set_today(month.first_day().expect("a day") + chrono::Days::new(4));
    }
}
