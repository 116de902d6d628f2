//! disability-subsidies through NATS and its REST edge, against real PostgreSQL and a nats-server
//! of the test's own: partner and aid facts arrive (in order, out of order, twice) and the cases,
//! stops, findings and payments that follow are asserted.

use chrono::NaiveDate;
use contracts::{
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
use disability_subsidies::{CONTEXT, SERVICE, parts, store::Migrator};
use kit::{
    Role,
    config::DEV_PERSON_REF_KEY,
    identity::{IdNumber, PersonRefKey},
    testing::{TestApp, eventually},
};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use uuid::Uuid;

const LIANGLU: &str = "500112016";
const LIANGLU_VILLAGE: &str = "500112016001";

/// A valid ID number from 17 digits (computes the GB 11643 check character).
fn id_number(first17: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .bytes()
        .zip(W)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    format!("{first17}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

fn person_ref(id: &str) -> String {
    let key = PersonRefKey::new(DEV_PERSON_REF_KEY.as_bytes().to_vec()).unwrap();
    key.person_ref(&IdNumber::parse(id).unwrap())
        .as_str()
        .to_owned()
}

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn month(s: &str) -> Month {
    s.parse().unwrap()
}

async fn spawn() -> TestApp {
    TestApp::spawn::<Migrator>(SERVICE, CONTEXT, parts).await
}

fn certificate(id: &str, level: u8, issued_on: &str, division: &str) -> CertificateIssued {
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

fn dibao(household: Uuid, members: &[&str], start: &str, confirmed: &str) -> EnrollmentStarted {
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

fn death(id: &str, died: &str, recorded: &str) -> DeathRecorded {
    DeathRecorded {
        record_number: "SW-2026-0001".into(),
        id_number: WireId::parse(id).unwrap(),
        date_of_death: date(died),
        source: DeathSource::HouseholdRegister,
        registering_division: DivisionCode::parse(LIANGLU).unwrap(),
        recorded_on: date(recorded),
    }
}

fn granted_for(
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

async fn wait_granted(app: &TestApp, id: &str, kind: SubsidyKind) -> SubsidyGranted {
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

fn officer() -> String {
    TestApp::token(Role::DistrictOfficer, "500112")
}

#[tokio::test]
async fn a_dibao_enrollment_with_a_certified_member_opens_the_living_subsidy_by_itself() {
    let app = spawn().await;
    let holder = id_number("50011219700101123");
    app.publish(&certificate(&holder, 1, "2026-01-10", LIANGLU_VILLAGE))
        .await;
    let nursing = wait_granted(&app, &holder, SubsidyKind::Nursing).await;
    assert_eq!(
        (
            nursing.origin,
            nursing.start_month,
            nursing.monthly_amount_fen
        ),
        (SubsidyOrigin::ActiveDiscovery, month("2026-01"), 11_000)
    );

    let household = Uuid::now_v7();
    app.publish(&dibao(
        household,
        &[&holder, &id_number("50011220100101456")],
        "2026-03",
        "2026-02-20",
    ))
    .await;
    let living = wait_granted(&app, &holder, SubsidyKind::Living).await;
    assert_eq!(living.origin, SubsidyOrigin::ActiveDiscovery);
    assert_eq!(
        living.start_month,
        month("2026-03"),
        "the living subsidy starts with dibao"
    );
    assert_eq!(
        (living.monthly_amount_fen, living.household_id),
        (10_000, Some(household))
    );
    for (raw, _) in app.events::<SubsidyGranted>().await {
        assert!(
            !raw.contains(&holder) && !raw.contains(&holder[6..14]),
            "personal data leaked: {raw}"
        );
    }
}

#[tokio::test]
async fn an_enrollment_before_the_certificate_opens_the_living_subsidy_when_the_certificate_arrives()
 {
    let app = spawn().await;
    let holder = id_number("50011219700202123");
    app.publish(&dibao(Uuid::now_v7(), &[&holder], "2026-03", "2026-02-20"))
        .await;
    app.publish(&certificate(&holder, 4, "2026-01-10", LIANGLU_VILLAGE))
        .await;
    let living = wait_granted(&app, &holder, SubsidyKind::Living).await;
    assert_eq!(living.start_month, month("2026-03"));
    let (_, cases) = app
        .get(
            &format!("/v1/subsidies?person_ref={}", person_ref(&holder)),
            &officer(),
        )
        .await;
    let kinds: Vec<&str> = cases["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["living"],
        "level 4 does not qualify for the nursing subsidy"
    );
}

#[tokio::test]
async fn a_death_record_before_the_certificate_opens_no_case() {
    let app = spawn().await;
    let holder = id_number("50011219500303123");
    app.publish(&death(&holder, "2026-02-01", "2026-02-03"))
        .await;
    // The death is applied before the certificate is even published.
    let db = sea_orm::Database::connect(&app.database_url).await.unwrap();
    let r = person_ref(&holder);
    eventually(
        "the death is recorded",
        std::time::Duration::from_secs(20),
        || async {
            let row = db
                .query_one_raw(sea_orm::Statement::from_sql_and_values(
                    db.get_database_backend(),
                    "SELECT person_ref FROM deaths WHERE person_ref = $1",
                    [r.clone().into()],
                ))
                .await
                .unwrap();
            row.map(|_| ())
        },
    )
    .await;
    app.publish(&certificate(&holder, 1, "2026-01-10", LIANGLU_VILLAGE))
        .await;
    let path = format!("/v1/holders/{}", person_ref(&holder));
    let view = eventually(
        "the holder is recorded",
        std::time::Duration::from_secs(20),
        || async {
            let (status, body) = app.get(&path, &officer()).await;
            (status == 200 && body["level"] == 1).then_some(body)
        },
    )
    .await;
    assert_eq!(
        view["id_number"],
        format!("{}********{}", &holder[..6], &holder[14..]),
        "masked by default"
    );
    let (_, cases) = app
        .get(
            &format!("/v1/subsidies?person_ref={}", person_ref(&holder)),
            &officer(),
        )
        .await;
    assert_eq!(
        cases["items"],
        json!([]),
        "nothing is opened for a dead person"
    );
    assert!(
        granted_for(
            &app.events::<SubsidyGranted>().await,
            &holder,
            SubsidyKind::Nursing
        )
        .is_empty()
    );
}

#[tokio::test]
async fn a_death_stops_both_subsidies_in_the_month_of_the_comparison() {
    let app = spawn().await;
    let holder = id_number("50011219600404123");
    app.publish(&certificate(&holder, 2, "2026-01-10", LIANGLU_VILLAGE))
        .await;
    app.publish(&dibao(Uuid::now_v7(), &[&holder], "2026-02", "2026-01-20"))
        .await;
    wait_granted(&app, &holder, SubsidyKind::Living).await;
    app.publish(&death(&holder, "2026-04-28", "2026-05-10"))
        .await;
    let ended = app.expect_events::<SubsidyEnded>(2).await;
    for (_, e) in &ended {
        assert_eq!(
            (e.reason, e.end_month),
            (SubsidyEndReason::Death, month("2026-04")),
            "{:?}",
            e.kind
        );
    }
}

#[tokio::test]
async fn leaving_dibao_stops_only_the_living_subsidy_from_the_next_month() {
    let app = spawn().await;
    let holder = id_number("50011219600505123");
    app.publish(&certificate(&holder, 1, "2026-01-10", LIANGLU_VILLAGE))
        .await;
    let started = dibao(Uuid::now_v7(), &[&holder], "2026-02", "2026-01-20");
    app.publish(&started).await;
    wait_granted(&app, &holder, SubsidyKind::Living).await;
    app.publish(&EnrollmentEnded {
        enrollment_id: started.enrollment_id,
        household_id: started.household_id,
        programme: Programme::Dibao,
        reason: EndReason::IncomeAboveLine,
        members: started.members.clone(),
        beneficiaries: started.beneficiaries.clone(),
        end_month: month("2026-06"),
        ended_on: date("2026-06-12"),
        township_code: started.township_code.clone(),
        village_code: started.village_code.clone(),
    })
    .await;
    let ended = app.expect_events::<SubsidyEnded>(1).await;
    assert_eq!(
        (ended[0].1.kind, ended[0].1.reason, ended[0].1.end_month),
        (
            SubsidyKind::Living,
            SubsidyEndReason::LeftDibao,
            month("2026-06")
        )
    );
    let (_, cases) = app
        .get(
            &format!(
                "/v1/subsidies?person_ref={}&kind=nursing",
                person_ref(&holder)
            ),
            &officer(),
        )
        .await;
    assert_eq!(
        cases["items"][0]["status"], "granted",
        "the nursing subsidy goes on"
    );
}

#[tokio::test]
async fn extreme_poverty_support_stops_the_living_subsidy_in_the_month_of_the_comparison() {
    let app = spawn().await;
    let holder = id_number("50011219600606123");
    app.publish(&certificate(&holder, 3, "2026-01-10", LIANGLU_VILLAGE))
        .await;
    app.publish(&dibao(Uuid::now_v7(), &[&holder], "2026-02", "2026-01-20"))
        .await;
    wait_granted(&app, &holder, SubsidyKind::Living).await;
    let mut support = dibao(Uuid::now_v7(), &[&holder], "2026-05", "2026-04-15");
    support.programme = Programme::ExtremePoverty;
    support.support_mode = Some(contracts::aid::SupportMode::Dispersed);
    support.care_level = Some(contracts::aid::CareLevel::FullSelfCare);
    app.publish(&support).await;
    let ended = app.expect_events::<SubsidyEnded>(1).await;
    assert_eq!(
        (ended[0].1.reason, ended[0].1.end_month),
        (SubsidyEndReason::ExtremePovertySupport, month("2026-03"))
    );
}

#[tokio::test]
async fn a_duplicated_enrollment_opens_one_case() {
    let app = spawn().await;
    let holder = id_number("50011219600707123");
    app.publish(&certificate(&holder, 4, "2026-01-10", LIANGLU_VILLAGE))
        .await;
    let started = dibao(Uuid::now_v7(), &[&holder], "2026-02", "2026-01-20");
    let event_id = Uuid::now_v7().to_string();
    app.publish_with_id(&started, &event_id).await;
    app.publish_with_id(&started, &event_id).await;
    app.publish(&started).await;
    // A later enrollment on the same consumer shows the earlier ones were handled.
    let sentinel = id_number("50011219600708123");
    app.publish(&certificate(&sentinel, 4, "2026-01-10", LIANGLU_VILLAGE))
        .await;
    app.publish(&dibao(
        Uuid::now_v7(),
        &[&sentinel],
        "2026-02",
        "2026-01-20",
    ))
    .await;
    wait_granted(&app, &sentinel, SubsidyKind::Living).await;
    assert_eq!(
        granted_for(
            &app.events::<SubsidyGranted>().await,
            &holder,
            SubsidyKind::Living
        )
        .len(),
        1
    );
}

async fn apply(
    app: &TestApp,
    clerk: &str,
    id: &str,
    kind: &str,
    applied_on: &str,
    holder_name: &str,
) -> (u16, Value) {
    let body = json!({
        "id_number": id, "name": "张三", "kind": kind, "village_code": LIANGLU_VILLAGE, "applied_on": applied_on,
        "payee": { "bank_code": "CQRCB", "account_number": "6228480000000001", "account_holder_name": holder_name }
    });
    app.post("/v1/subsidies", clerk, &body).await
}

async fn decide(app: &TestApp, path: &str, token: &str, version: i64, body: Value) -> (u16, Value) {
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
async fn grant_by_application(
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

#[tokio::test]
async fn an_application_is_reviewed_by_the_township_and_approved_by_the_district_with_refusals_naming_the_field()
 {
    let app = spawn().await;
    let holder = id_number("50011219800808123");
    // Registered to the township only: the village is unknown, so the case is not opened by
    // itself but handed to the township as "eligible but not claiming".
    app.publish(&certificate(&holder, 1, "2025-12-05", LIANGLU))
        .await;
    let finding = app.expect_events::<AnomalyDetected>(1).await;
    assert_eq!(finding[0].1.kind, AnomalyKind::EligibleNotClaiming);

    let submitter = TestApp::token_for("clerk-a", Role::TownshipClerk, LIANGLU);
    let (status, problem) = apply(&app, &submitter, &holder, "living", "2026-01-15", "张三").await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (409, Some("kind")),
        "{problem}"
    );
    assert_eq!(problem["errors"][0]["reason"], "not_in_dibao");
    let (status, problem) = apply(
        &app,
        &submitter,
        "500112198008081230",
        "nursing",
        "2026-01-15",
        "张三",
    )
    .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("id_number")),
        "{problem}"
    );

    let (status, case) = apply(&app, &submitter, &holder, "nursing", "2026-01-15", "张三").await;
    assert_eq!(status, 201, "{case}");
    assert_eq!(
        case["start_month"], "2025-12",
        "back-paid to the certificate's month"
    );
    let path = format!("/v1/subsidies/{}", case["id"].as_str().unwrap());
    let (status, _) = decide(
        &app,
        &format!("{path}/review"),
        &submitter,
        1,
        json!({ "approve": true }),
    )
    .await;
    assert_eq!(status, 403, "whoever submitted cannot review");
    let reviewer = TestApp::token_for("clerk-b", Role::TownshipApprover, LIANGLU);
    let (status, problem) = decide(
        &app,
        &format!("{path}/review"),
        &reviewer,
        1,
        json!({ "approve": false }),
    )
    .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("reason"))
    );
    let (status, _) = decide(
        &app,
        &format!("{path}/review"),
        &reviewer,
        7,
        json!({ "approve": true }),
    )
    .await;
    assert_eq!(status, 412, "a stale version is refused");
    let other_township = TestApp::token_for("clerk-c", Role::TownshipApprover, "500112017");
    let (status, _) = decide(
        &app,
        &format!("{path}/review"),
        &other_township,
        1,
        json!({ "approve": true }),
    )
    .await;
    assert_eq!(status, 404, "another township does not see the case");
    let (status, _) = decide(
        &app,
        &format!("{path}/review"),
        &reviewer,
        1,
        json!({ "approve": true }),
    )
    .await;
    assert_eq!(status, 200);
    let approver = TestApp::token_for("approver", Role::DistrictApprover, "500112");
    let (status, case) = decide(
        &app,
        &format!("{path}/approval"),
        &approver,
        2,
        json!({ "approve": true }),
    )
    .await;
    assert_eq!(
        (status, case["status"].as_str()),
        (200, Some("granted")),
        "{case}"
    );
    let granted = wait_granted(&app, &holder, SubsidyKind::Nursing).await;
    assert_eq!(
        (
            granted.origin,
            granted.start_month,
            granted.monthly_amount_fen
        ),
        (SubsidyOrigin::Application, month("2025-12"), 10_000)
    );
}

#[tokio::test]
async fn the_monthly_run_pays_each_month_at_its_standard_holds_a_mismatched_account_and_reissues_a_return()
 {
    let app = spawn().await;
    let paid = id_number("50011219800909123");
    let mismatched = id_number("50011219800910123");
    for id in [&paid, &mismatched] {
        app.publish(&certificate(id, 1, "2025-11-20", LIANGLU))
            .await;
    }
    app.expect_events::<AnomalyDetected>(2).await;
    grant_by_application(&app, &paid, "nursing", "2026-01-15", "张三").await;
    grant_by_application(&app, &mismatched, "nursing", "2026-01-15", "王五").await;

    let (status, batch) = app
        .post(
            "/v1/payment-batches",
            &officer(),
            &json!({ "month": "2026-02" }),
        )
        .await;
    assert_eq!(status, 201, "{batch}");
    // 2025-11 and 2025-12 at the (placeholder) 2022 standard, 2026-01 and 2026-02 at the 2026 one.
    assert_eq!(
        (
            batch["line_count"].as_i64(),
            batch["total_fen"].as_i64(),
            batch["held_count"].as_i64()
        ),
        (Some(4), Some(42_000), Some(4))
    );
    let issued = app.expect_events::<PaymentBatchIssued>(1).await;
    assert_eq!(issued[0].1.total_fen, 42_000);
    assert_eq!(issued[0].1.townships[0].township_code.as_str(), LIANGLU);
    let findings = app.expect_events::<AnomalyDetected>(3).await;
    assert!(
        findings
            .iter()
            .any(|(_, f)| f.kind == AnomalyKind::CardNameMismatch
                && f.person_ref.as_str() == person_ref(&mismatched))
    );
    for (raw, _) in &findings {
        assert!(
            !raw.contains("王五") && !raw.contains("6228480000000001"),
            "personal data leaked: {raw}"
        );
    }

    let batch_id = batch["id"].as_str().unwrap();
    let (_, lines) = app
        .get(&format!("/v1/payment-batches/{batch_id}/lines"), &officer())
        .await;
    let lines = lines["items"].as_array().unwrap().clone();
    let ours: Vec<&Value> = lines
        .iter()
        .filter(|l| l["person_ref"] == person_ref(&paid))
        .collect();
    let months: Vec<(&str, i64)> = ours
        .iter()
        .map(|l| {
            (
                l["month"].as_str().unwrap(),
                l["amount_fen"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        months,
        [
            ("2025-11", 10_000),
            ("2025-12", 10_000),
            ("2026-01", 11_000),
            ("2026-02", 11_000)
        ]
    );
    assert!(
        ours[0]["trail"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t.as_str().unwrap().contains("placeholder"))
    );
    assert!(
        lines
            .iter()
            .filter(|l| l["person_ref"] == person_ref(&mismatched))
            .all(|l| l["status"] == "held")
    );

    let resp = app
        .http
        .get(format!(
            "{}/v1/payment-batches/{batch_id}/bank-file",
            app.base
        ))
        .bearer_auth(officer())
        .send()
        .await
        .unwrap();
    let csv = resp.text().await.unwrap();
    assert_eq!(csv.lines().count(), 5, "{csv}");
    assert!(!csv.contains("王五"), "a held line is not sent to the bank");
    let clerk = TestApp::token(Role::TownshipClerk, LIANGLU);
    let (status, _) = app
        .get(&format!("/v1/payment-batches/{batch_id}/bank-file"), &clerk)
        .await;
    assert_eq!(status, 403);

    // The bank returns January: the next run pays it again with March.
    let january = ours[2]["id"].as_str().unwrap().parse::<Uuid>().unwrap();
    app.publish(&PaymentReturned {
        return_id: Uuid::now_v7(),
        payer: Payer::Disability,
        batch_id: batch_id.parse().unwrap(),
        line_id: january,
        amount_fen: 11_000,
        reason_code: ReturnReason::AccountFrozen,
        returned_on: date("2026-02-20"),
    })
    .await;
    eventually(
        "the line is failed",
        std::time::Duration::from_secs(20),
        || async {
            let (_, lines) = app
                .get(&format!("/v1/payment-batches/{batch_id}/lines"), &officer())
                .await;
            lines["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l["id"] == january.to_string() && l["status"] == "failed")
                .then_some(())
        },
    )
    .await;
    let (status, again) = app
        .post(
            "/v1/payment-batches",
            &officer(),
            &json!({ "month": "2026-02" }),
        )
        .await;
    assert_eq!(
        (status, again["type"].as_str()),
        (409, Some("urn:minzheng:problem:batch-exists"))
    );
    let (_, march) = app
        .post(
            "/v1/payment-batches",
            &officer(),
            &json!({ "month": "2026-03" }),
        )
        .await;
    assert_eq!(
        (march["line_count"].as_i64(), march["total_fen"].as_i64()),
        (Some(2), Some(22_000)),
        "{march}"
    );
}
