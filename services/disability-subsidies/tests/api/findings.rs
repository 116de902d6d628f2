//! The comparison's findings (数据比对): double benefit, out of scope, dead person still paid,
//! shared account, card-name mismatch — each a case with an owner and a due date, published as
//! `disability.anomaly.detected.v1` with no personal data.

use super::support::*;

const ACCOUNT: &str = "6228480000000001";

/// A holder registered to the township only (village unknown), granted the nursing subsidy by
/// application from 2025-11 with `holder_name` on the account.
async fn nursing_by_application(app: &TestApp, id: &str, holder_name: &str) -> Value {
    app.publish(&certificate(id, 1, "2025-11-20", LIANGLU))
        .await;
    wait_finding(app, id, AnomalyKind::EligibleNotClaiming).await;
    grant_by_application(app, id, "nursing", "2026-01-15", holder_name).await
}

fn owned_by_the_township(f: &AnomalyDetected) {
    assert_eq!(f.township_code.as_str(), LIANGLU);
    assert_eq!(f.due_on, f.detected_on + chrono::Duration::days(30));
}

#[tokio::test]
async fn a_work_injury_allowance_over_months_already_paid_is_a_double_benefit() {
    let app = spawn().await;
    let holder = id_number("50011219800201123");
    let case = nursing_by_application(&app, &holder, "张三").await;
    pay(&app, "2026-02").await;
    let (status, body) = app
        .post(
            "/v1/work-injury-care-allowances",
            &officer(),
            &json!({ "id_number": holder, "from_month": "2026-01" }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let ended = wait_case(&app, &holder, "nursing", "the nursing subsidy ends", |c| {
        c["status"] == "ended"
    })
    .await;
    assert_eq!(
        (ended["end_reason"].as_str(), ended["end_month"].as_str()),
        (Some("work_injury_care_allowance"), Some("2025-12"))
    );

    compare(&app, "2026-03").await;
    let (raw, f) = wait_finding(&app, &holder, AnomalyKind::DoubleBenefit).await;
    assert_eq!(
        (
            f.subsidy_kind,
            f.subsidy_id.map(|s| s.to_string()),
            f.amount_at_risk_fen
        ),
        (
            Some(SubsidyKind::Nursing),
            case["id"].as_str().map(str::to_owned),
            Some(22_000)
        ),
        "January and February were paid twice"
    );
    owned_by_the_township(&f);
    assert_no_personal_data(&[raw], &[&holder, &holder[6..14], "张三", ACCOUNT]);

    let clerk = TestApp::token(Role::TownshipClerk, LIANGLU);
    let (_, list) = app.get("/v1/findings?kind=double_benefit", &clerk).await;
    assert_eq!(list["items"][0]["owner"], "township:500112016");
    assert_eq!(list["items"][0]["status"], "open");
    compare(&app, "2026-04").await;
    assert_eq!(
        findings_about(&app, &holder, AnomalyKind::DoubleBenefit)
            .await
            .len(),
        1,
        "an open finding is not raised twice"
    );
}

#[tokio::test]
async fn a_living_subsidy_paid_for_months_out_of_dibao_is_out_of_scope() {
    let app = spawn().await;
    let holder = id_number("50011219800202123");
    on_day("2026-01-10");
    app.publish(&certificate(&holder, 4, "2026-01-10", LIANGLU_VILLAGE))
        .await;
    let started = dibao(Uuid::now_v7(), &[&holder], "2026-02", "2026-01-20");
    app.publish(&started).await;
    wait_granted(&app, &holder, SubsidyKind::Living).await;
    set_payee(&app, &holder, "李四", "6228480000000202", "李四").await;
    let batch = pay(&app, "2026-04").await;
    assert_eq!(batch["total_fen"], 30_000, "{batch}");

    // The household's dibao is found to have ended with February, after March and April were paid.
    app.publish(&EnrollmentEnded {
        enrollment_id: started.enrollment_id,
        household_id: started.household_id,
        programme: Programme::Dibao,
        reason: EndReason::IncomeAboveLine,
        members: started.members.clone(),
        beneficiaries: started.beneficiaries.clone(),
        end_month: month("2026-02"),
        ended_on: date("2026-04-20"),
        township_code: started.township_code.clone(),
        village_code: started.village_code.clone(),
    })
    .await;
    wait_case(&app, &holder, "living", "the living subsidy ends", |c| {
        c["status"] == "ended"
    })
    .await;
    compare(&app, "2026-05").await;
    let (raw, f) = wait_finding(&app, &holder, AnomalyKind::OutOfScope).await;
    assert_eq!(
        (f.subsidy_kind, f.amount_at_risk_fen),
        (Some(SubsidyKind::Living), Some(20_000))
    );
    owned_by_the_township(&f);
    assert_no_personal_data(&[raw], &[&holder, "李四", "6228480000000202"]);
}

#[tokio::test]
async fn a_death_recorded_after_months_were_paid_is_a_dead_person_still_paid_at_once() {
    let app = spawn().await;
    let holder = id_number("50011219400203123");
    nursing_by_application(&app, &holder, "张三").await;
    pay(&app, "2026-03").await;
    on_day("2026-04-02");
    app.publish(&death(&holder, "2026-01-15", "2026-04-02"))
        .await;
    let (raw, f) = wait_finding(&app, &holder, AnomalyKind::DeceasedStillPaid).await;
    assert_eq!(
        (f.subsidy_kind, f.amount_at_risk_fen, f.comparison_month),
        (Some(SubsidyKind::Nursing), Some(22_000), month("2026-04")),
        "February and March were paid after the death in January"
    );
    owned_by_the_township(&f);
    assert_no_personal_data(&[raw], &[&holder, "张三", ACCOUNT]);
    compare(&app, "2026-04").await;
    assert_eq!(
        findings_about(&app, &holder, AnomalyKind::DeceasedStillPaid)
            .await
            .len(),
        1,
        "the comparison finds the same open finding"
    );
}

#[tokio::test]
async fn one_account_paying_three_people_is_a_shared_account_finding_for_each_of_them() {
    let app = spawn().await;
    let people: Vec<String> = (1..=4)
        .map(|i| id_number(&format!("50011219800207{i}12")))
        .collect();
    for p in &people {
        nursing_by_application(&app, p, "张三").await;
    }
    // The fourth moves to an account of their own.
    set_payee(&app, &people[3], "张三", "6228480000000404", "张三").await;
    compare(&app, "2026-02").await;
    let mut raw = Vec::new();
    for p in &people[..3] {
        let (r, f) = wait_finding(&app, p, AnomalyKind::SharedAccount).await;
        owned_by_the_township(&f);
        raw.push(r);
    }
    assert_no_personal_data(&raw, &[ACCOUNT, "张三", &people[0]]);
    assert!(
        findings_about(&app, &people[3], AnomalyKind::SharedAccount)
            .await
            .is_empty()
    );
}

/// The payment run checks the payees from its own pass over the register (it opens every
/// payee to pay them) instead of the comparison reading them all a second time: the same
/// findings, counted in the batch's comparison summary.
#[tokio::test]
async fn the_payment_run_raises_the_payee_findings_from_its_own_pass() {
    let app = spawn().await;
    let sharing: Vec<String> = (1..=3)
        .map(|i| id_number(&format!("50011219800208{i}12")))
        .collect();
    for p in &sharing {
        nursing_by_application(&app, p, "张三").await;
    }
    let mismatched = id_number("50011219800209123");
    nursing_by_application(&app, &mismatched, "王五").await;
    // An account of their own, in another name than theirs.
    set_payee(&app, &mismatched, "张三", "6228480000000909", "王五").await;
    let batch = pay(&app, "2026-02").await;
    assert_eq!(batch["comparison"]["findings"], 4, "{batch}");
    for p in &sharing {
        let (_, f) = wait_finding(&app, p, AnomalyKind::SharedAccount).await;
        owned_by_the_township(&f);
    }
    let (raw, f) = wait_finding(&app, &mismatched, AnomalyKind::CardNameMismatch).await;
    owned_by_the_township(&f);
    assert_no_personal_data(&[raw], &["王五", "张三", "6228480000000909"]);
    // The lines of the mismatched person are held; the shared account's are paid.
    let held = lines_of(&app, &batch, &mismatched).await;
    assert!(
        !held.is_empty() && held.iter().all(|l| l.3 == "held"),
        "{held:?}"
    );
    let paid = lines_of(&app, &batch, &sharing[0]).await;
    assert!(
        !paid.is_empty() && paid.iter().all(|l| l.3 == "issued"),
        "{paid:?}"
    );
}

#[tokio::test]
async fn an_account_in_another_name_is_a_card_name_mismatch_unless_a_registered_agent_holds_it() {
    let app = spawn().await;
    let mismatched = id_number("50011219800205123");
    let by_agent = id_number("50011219800206123");
    nursing_by_application(&app, &mismatched, "王五").await;
    nursing_by_application(&app, &by_agent, "张三").await;
    let clerk = TestApp::token(Role::TownshipClerk, LIANGLU);
    let (status, body) = app
        .post(
            &format!("/v1/holders/{}/payee", person_ref(&by_agent)),
            &clerk,
            &json!({ "name": "张三", "payee": {
                "bank_code": "CQRCB", "account_number": "6228480000000606", "account_holder_name": "赵 六" },
                "agents": [{ "name": "赵六", "relationship": "guardian" }] }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    compare(&app, "2026-02").await;
    let (raw, f) = wait_finding(&app, &mismatched, AnomalyKind::CardNameMismatch).await;
    owned_by_the_township(&f);
    assert_no_personal_data(&[raw], &["王五", "张三", ACCOUNT]);
    assert!(
        findings_about(&app, &by_agent, AnomalyKind::CardNameMismatch)
            .await
            .is_empty(),
        "the registered agent's account is paid"
    );
    let batch = pay(&app, "2026-03").await;
    let lines = lines_of(&app, &batch, &by_agent).await;
    assert!(lines.iter().all(|l| l.3 == "issued"), "{lines:?}");

    let (status, problem) = app
        .post(
            &format!("/v1/holders/{}/payee", person_ref(&by_agent)),
            &clerk,
            &json!({ "name": "张三", "payee": {
                "bank_code": "CQRCB", "account_number": " ", "account_holder_name": "张三" } }),
        )
        .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("payee.account_number"))
    );
    let (status, _) = app
        .post(
            &format!("/v1/holders/{}/payee", person_ref(&by_agent)),
            &TestApp::token(Role::TownshipClerk, "500112017"),
            &json!({ "name": "张三", "payee": {
                "bank_code": "CQRCB", "account_number": "1", "account_holder_name": "张三" } }),
        )
        .await;
    assert_eq!(status, 404, "another township does not see the holder");
}
