//! The authorization matrix across the six services: every route refuses callers without a valid
//! token; each role may do only its own actions (a village staff member no district action, an
//! auditor no write at all); a township's staff neither see nor touch another township's records.
//! Nothing refused leaves a trace on the bus, and no event carries personal data.

use e2e::{
    Mesh,
    attack::{
        OTHER_TOWNSHIP, OTHER_VILLAGE, TOWNSHIP, VILLAGE, bad_credentials, operations, send, token,
    },
    interrupted::{self, exactly_one},
    leaks::assert_no_leaks,
    people::{Sex, aged, days_ago, months_ago, today},
};
use kit::Role;
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn no_route_of_any_service_opens_to_a_missing_expired_forged_or_edited_token() {
    let mesh = Mesh::start().await;
    let mark = mesh.mark().await;
    let ops = operations(&mesh).await;
    assert!(ops.len() > 100, "the six services document their routes");
    let mut opened = Vec::new();
    for op in &ops {
        let body = op.writes().then(|| b"{}".to_vec());
        for (what, authorization) in bad_credentials() {
            let r = send(
                &mesh,
                op.service,
                op.method.clone(),
                &op.path,
                authorization.as_deref(),
                body.clone(),
            )
            .await;
            if r.status != 401 || !r.is_problem() {
                opened.push(format!(
                    "{} {} {} with {what}: {} {} {}",
                    op.service, op.method, op.template, r.status, r.content_type, r.body
                ));
            }
        }
    }
    assert!(
        opened.is_empty(),
        "answered other than 401 problem+json:\n{}",
        opened.join("\n")
    );
    mesh.assert_only_events(&mark, &[]).await;
}

#[tokio::test]
async fn an_auditor_writes_nothing_anywhere() {
    let mesh = Mesh::start().await;
    let mark = mesh.mark().await;
    let auditor = format!("Bearer {}", token(Role::Auditor));
    let mut written = Vec::new();
    for op in operations(&mesh).await.iter().filter(|o| o.writes()) {
        let r = send(
            &mesh,
            op.service,
            op.method.clone(),
            &op.path,
            Some(&auditor),
            Some(b"{}".to_vec()),
        )
        .await;
        if r.status < 400 || r.status >= 500 || !r.is_problem() {
            written.push(format!(
                "{} {} {}: {} {}",
                op.service, op.method, op.template, r.status, r.body
            ));
        }
    }
    assert!(
        written.is_empty(),
        "an auditor's write answered:\n{}",
        written.join("\n")
    );
    mesh.assert_only_events(&mark, &[]).await;
}

/// An action, the body that makes it valid, and the roles that may take it.
struct Action {
    service: &'static str,
    path: &'static str,
    body: Value,
    allowed: &'static [Role],
}

fn actions() -> Vec<Action> {
    let person = |years| aged(years, Sex::Male).id_number;
    vec![
        Action {
            service: "aid-applications",
            path: "/v1/households",
            body: json!({ "village_code": VILLAGE, "residence": "urban", "address": "两路街道某小区8栋",
                "staff_relative": false, "members": [{ "name": "刘成员", "id_number": person(50),
                "relationship": "head", "monthly_income_fen": 0, "employed": false, "able_to_work": false }] }),
            allowed: &[Role::TownshipClerk, Role::VillageStaff],
        },
        Action {
            service: "aid-applications",
            path: "/v1/payment-batches",
            body: json!({ "month": "2026-01" }),
            allowed: &[Role::DistrictOfficer],
        },
        Action {
            service: "disability-subsidies",
            path: "/v1/subsidies",
            body: json!({ "id_number": person(40), "name": "张三", "kind": "nursing",
                "village_code": VILLAGE, "applied_on": days_ago(1),
                "payee": { "bank_code": "CQRCB", "account_number": "6228480000000001",
                           "account_holder_name": "张三" } }),
            allowed: &[Role::TownshipClerk, Role::DistrictOfficer],
        },
        Action {
            service: "disability-subsidies",
            path: "/v1/comparisons",
            body: json!({ "month": "2026-01" }),
            allowed: &[Role::DistrictOfficer],
        },
        Action {
            service: "disability-subsidies",
            path: "/v1/payment-batches",
            body: json!({ "month": "2026-01" }),
            allowed: &[Role::DistrictOfficer],
        },
        Action {
            service: "child-welfare",
            path: "/v1/children",
            body: json!({ "id_number": aged(9, Sex::Male).id_number, "name": "小明", "village_code": VILLAGE,
                "care_mode": "family_based",
                "guardian": { "name": "王奶奶", "relationship": "grandparent" },
                "bank_account": { "holder": "王奶奶", "account": "6222020200112233445" },
                "father": { "id_number": person(38), "name": "王父", "conditions": [
                    { "situation": "imprisoned", "since": months_ago(12), "expected_end": today() + chrono::Days::new(800),
                      "evidence": "(2025)渝0112刑初123号 判决书" } ] },
                "mother": { "id_number": person(36), "name": "李母", "conditions": [
                    { "situation": "dead", "since": months_ago(20), "evidence": "死亡证明 D2024-0601" } ] } }),
            allowed: &[Role::TownshipClerk, Role::VillageStaff],
        },
        Action {
            service: "child-welfare",
            path: "/v1/payment-batches",
            body: json!({ "month": "2026-01" }),
            allowed: &[Role::DistrictOfficer],
        },
        Action {
            service: "child-welfare",
            path: "/v1/standards/natural-growth",
            body: json!({ "valid_from": "2027-01-01", "per_mille": 50, "source": "渝民发〔2026〕1号" }),
            allowed: &[Role::DistrictApprover],
        },
        Action {
            service: "elderly-care",
            path: "/v1/home-beds",
            body: json!({ "village_code": VILLAGE, "id_number": person(80), "name": "赵大爷",
                "address": "两路街道某小区8栋", "applied_on": days_ago(3) }),
            allowed: &[Role::VillageStaff, Role::TownshipClerk],
        },
        Action {
            service: "elderly-care",
            path: "/v1/providers",
            body: json!({ "name": "渝北区颐养居家服务中心", "contract_from": months_ago(6),
                "contract_to": today() + chrono::Days::new(365) }),
            allowed: &[Role::DistrictOfficer],
        },
        Action {
            service: "elderly-care",
            path: "/v1/overdue-checks",
            body: json!({}),
            allowed: &[Role::DistrictOfficer, Role::Service],
        },
        Action {
            service: "minor-protection",
            path: "/v1/supervision/runs",
            body: json!({ "today": today() }),
            allowed: &[Role::DistrictOfficer, Role::DistrictApprover, Role::Service],
        },
        Action {
            service: "village-governance",
            path: "/v1/certificates",
            body: json!({ "village_code": VILLAGE, "item_code": "ZM-03", "requester_name": "王五",
                "purpose": "办理低保" }),
            allowed: &[Role::VillageStaff],
        },
        Action {
            service: "village-governance",
            path: "/v1/community-workers",
            body: json!({ "village_code": VILLAGE, "name": "社工", "pay_level": "member",
                "qualification": "none", "certificate_number": null, "started_on": months_ago(3) }),
            allowed: &[Role::TownshipClerk, Role::DistrictOfficer],
        },
    ]
}

#[tokio::test]
async fn each_role_at_its_own_division_may_take_only_its_own_actions() {
    let mesh = Mesh::start().await;
    let mut wrong = Vec::new();
    for action in actions() {
        for role in Role::ALL {
            let bearer = format!("Bearer {}", token(role));
            let r = send(
                &mesh,
                action.service,
                Method::POST,
                action.path,
                Some(&bearer),
                Some(action.body.to_string().into_bytes()),
            )
            .await;
            let allowed = action.allowed.contains(&role);
            let ok = if allowed {
                r.status != 401 && r.status != 403 && r.status < 500
            } else {
                r.status == 403 && r.is_problem()
            };
            if !ok {
                wrong.push(format!(
                    "{} POST {} as {} ({}): {} {}",
                    action.service,
                    action.path,
                    role.as_str(),
                    if allowed { "allowed" } else { "not allowed" },
                    r.status,
                    r.body.chars().take(300).collect::<String>()
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "the matrix is broken:\n{}",
        wrong.join("\n")
    );
    assert_no_leaks(
        &mesh.all_mesh_events().await,
        &[
            "刘成员",
            "张三",
            "小明",
            "王奶奶",
            "王父",
            "李母",
            "赵大爷",
            "王五",
            "两路街道某小区8栋",
        ]
        .map(str::to_owned),
    );
}

#[tokio::test]
async fn staff_of_another_township_or_village_neither_see_nor_touch_its_records() {
    let mesh = Mesh::start().await;
    // Records of 两路街道's village: a case, a home bed, a household, a subsidy found by itself.
    let c = interrupted::open_case(&mesh).await;
    let bed = interrupted::home_bed_assessed(&mesh).await;
    let a = interrupted::aid_application(&mesh).await;
    let holder = aged(45, Sex::Female);
    interrupted::issue_certificate(&mesh, &holder).await;
    let r = holder.person_ref();
    let granted =
        exactly_one::<contracts::disability::SubsidyGranted>(&mesh, "the subsidy granted", |e| {
            e.person_ref.as_str() == r
        })
        .await;
    let mark = mesh.mark().await;

    let records = [
        (
            "minor-protection",
            format!("/v1/cases/{}", c.case_id),
            "/v1/cases",
        ),
        (
            "elderly-care",
            format!("/v1/home-beds/{}", bed.id),
            "/v1/home-beds",
        ),
        (
            "aid-applications",
            format!("/v1/applications/{}", a.id),
            "/v1/applications",
        ),
        (
            "disability-subsidies",
            format!("/v1/subsidies/{}", granted.subsidy_id),
            "/v1/subsidies",
        ),
    ];
    let outsiders = [
        (
            "a township clerk of 双凤桥",
            Mesh::token(Role::TownshipClerk, OTHER_TOWNSHIP),
        ),
        (
            "a township approver of 双凤桥",
            Mesh::token(Role::TownshipApprover, OTHER_TOWNSHIP),
        ),
        (
            "village staff of the next village",
            Mesh::token(Role::VillageStaff, OTHER_VILLAGE),
        ),
    ];
    let mut seen = Vec::new();
    for (service, record, list) in &records {
        for (who, t) in &outsiders {
            let (status, body) = mesh.get(service, record, t).await;
            if status != 404 && status != 403 {
                seen.push(format!("{who} GET {service}{record}: {status} {body}"));
            }
            let items = mesh.list_all(service, list, t).await;
            let id = record.rsplit('/').next().unwrap_or_default();
            if items.iter().any(|i| i["id"] == id) {
                seen.push(format!("{who} lists {service}{list} with {id}"));
            }
        }
        // The record's own township sees it (so the refusals above are about scope).
        let own = Mesh::token(Role::TownshipClerk, TOWNSHIP);
        assert_eq!(
            mesh.get(service, record, &own).await.0,
            200,
            "{service}{record}"
        );
    }

    // Writes into 两路街道's village by another township's clerk.
    let clerk = Mesh::token(Role::TownshipClerk, OTHER_TOWNSHIP);
    let writes = [
        (
            "minor-protection",
            format!("/v1/cases/{}/notes", c.case_id),
            json!({ "text": "越权", "on": today() }),
        ),
        (
            "minor-protection",
            "/v1/cases".to_owned(),
            json!({ "reporter": "school", "village_code": VILLAGE,
            "reported_on": today(), "child": { "name": "某童", "id_number": aged(7, Sex::Male).id_number,
            "address": "两路街道某村" }, "narrative": "越权" }),
        ),
        (
            "elderly-care",
            "/v1/home-beds".to_owned(),
            json!({ "village_code": VILLAGE,
            "id_number": aged(81, Sex::Male).id_number, "name": "某老人", "address": "两路街道某小区",
            "applied_on": days_ago(1) }),
        ),
        (
            "aid-applications",
            format!("/v1/applications/{}/investigation", a.id),
            json!({
            "investigators": ["x", "y"], "authorised_on": days_ago(5), "on": days_ago(4) }),
        ),
        (
            "aid-applications",
            "/v1/households".to_owned(),
            json!({ "village_code": VILLAGE,
            "residence": "urban", "address": "两路街道某小区", "staff_relative": false,
            "members": [{ "name": "某户主", "id_number": aged(50, Sex::Male).id_number,
            "relationship": "head", "monthly_income_fen": 0, "employed": false, "able_to_work": false }] }),
        ),
        (
            "child-welfare",
            "/v1/children".to_owned(),
            json!({ "id_number": aged(9, Sex::Female).id_number,
            "name": "某童", "village_code": VILLAGE, "care_mode": "family_based",
            "guardian": { "name": "某人", "relationship": "grandparent" },
            "father": { "conditions": [{ "situation": "dead", "since": months_ago(20), "evidence": "x" }] },
            "mother": { "conditions": [{ "situation": "dead", "since": months_ago(20), "evidence": "x" }] } }),
        ),
        (
            "village-governance",
            "/v1/objections".to_owned(),
            json!({ "publicity_id": uuid::Uuid::now_v7(),
            "grounds": "other", "statement": "越权" }),
        ),
    ];
    for (service, path, body) in &writes {
        let (status, answer) = mesh.post(service, path, &clerk, body).await;
        // Refused as forbidden, as not found, or as a field outside the caller's division.
        let names_the_division = status == 422
            && answer["errors"]
                .as_array()
                .is_some_and(|e| e.iter().any(|e| e["field"] == "village_code"));
        if status != 403 && status != 404 && !names_the_division {
            seen.push(format!(
                "双凤桥's clerk POST {service}{path}: {status} {answer}"
            ));
        }
    }
    assert!(seen.is_empty(), "scope broken:\n{}", seen.join("\n"));
    mesh.assert_only_events(&mark, &[]).await;
    assert_no_leaks(
        &mesh.all_mesh_events().await,
        &interrupted::secrets(&[&c.child, &c.father, &bed.elder, &a.head, &holder]),
    );
}
