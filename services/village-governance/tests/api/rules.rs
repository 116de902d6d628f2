//! Village rules through reviews, vote, filing and publication; 一约三会 coverage.

use super::*;

/// Takes the village's rules through the procedure up to the assembly vote (not yet voted).
async fn rules_ready_for_vote(app: &TestApp, village: &str) -> (String, String) {
    let staff = TestApp::token(Role::VillageStaff, village);
    let township = TestApp::token(Role::TownshipClerk, &village[..9]);
    let (status, rules) = app
        .post("/v1/rules", &staff, &json!({ "village_code": village, "title": "村规民约", "text": "第一条 ……", "drafted_on": "2022-06-01" }))
        .await;
    assert_eq!(status, 201, "{rules}");
    let path = format!("/v1/rules/{}", rules["id"].as_str().unwrap());
    let (s, v, etag) = step(app, &format!("{path}/legal-review"), &staff, &etag_of(&rules),
        &json!({ "adviser": "法律顾问", "approved": true, "opinion": "无异议", "reviewed_on": "2022-07-01" })).await;
    assert_eq!(s, 200, "{v}");
    let (s, v, etag) = step(
        app,
        &format!("{path}/legality-review"),
        &township,
        &etag,
        &json!({ "lawful": true, "findings": [], "reviewed_on": "2022-08-01" }),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    (path, etag)
}

/// Votes (passed), files with the township and the district, and publishes.
async fn adopt(app: &TestApp, village: &str, path: &str, etag: &str) {
    let staff = TestApp::token(Role::VillageStaff, village);
    let township = TestApp::token(Role::TownshipClerk, &village[..9]);
    let tally = json!({ "entitled": 900, "present": 600, "votes_for": 550, "votes_against": 30, "abstentions": 20 });
    let (s, v, etag) = step(app, &format!("{path}/votes"), &staff, etag,
        &json!({ "body": "villagers_assembly_households", "held_on": "2022-09-01", "tally": tally })).await;
    assert_eq!(
        (s, v["outcome"]["result"].as_str()),
        (200, Some("passed")),
        "{v}"
    );
    let (s, _, etag) = step(
        app,
        &format!("{path}/filings"),
        &township,
        &etag,
        &json!({ "with": "township", "filed_on": "2022-09-20" }),
    )
    .await;
    assert_eq!(s, 200);
    let (s, _, etag) = step(
        app,
        &format!("{path}/filings"),
        &district(),
        &etag,
        &json!({ "with": "district", "filed_on": "2022-09-28" }),
    )
    .await;
    assert_eq!(s, 200);
    let (s, v, _) = step(
        app,
        &format!("{path}/publication"),
        &staff,
        &etag,
        &json!({ "published_on": "2022-10-01" }),
    )
    .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("published")), "{v}");
}

#[tokio::test]
async fn rules_go_through_reviews_vote_and_filing_and_the_district_filing_is_published() {
    let app = spawn().await;
    register_village(&app, VILLAGE, "village", 900).await;
    let staff = village_staff();
    let (s, rules) = app
        .post("/v1/rules", &staff, &json!({ "village_code": VILLAGE, "title": "某村村规民约", "text": "第一条 ……", "drafted_on": "2022-06-01" }))
        .await;
    assert_eq!(
        (s, rules["kind"].as_str(), rules["status"].as_str()),
        (201, Some("village_rules"), Some("drafted")),
        "{rules}"
    );
    let id = rules["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/rules/{id}");
    let (s, _, etag) = step(&app, &format!("{path}/legal-review"), &staff, &etag_of(&rules),
        &json!({ "adviser": "李律师", "approved": true, "opinion": "同意", "reviewed_on": "2022-06-20" })).await;
    assert_eq!(s, 200);
    // Village staff may not do the township's legality review; unlawful provisions send it back.
    let (s, _, _) = step(
        &app,
        &format!("{path}/legality-review"),
        &staff,
        &etag,
        &json!({ "lawful": true, "reviewed_on": "2022-07-01" }),
    )
    .await;
    assert_eq!(s, 403);
    let (s, p, _) = step(
        &app,
        &format!("{path}/legality-review"),
        &clerk(),
        &etag,
        &json!({ "lawful": false, "reviewed_on": "2022-07-01" }),
    )
    .await;
    assert_eq!(
        (s, p["errors"][0]["field"].as_str()),
        (422, Some("findings")),
        "{p}"
    );
    let findings = json!([{ "clause": "第七条", "finding": "不得限制外嫁女的土地承包权益" }]);
    let (s, v, etag) = step(
        &app,
        &format!("{path}/legality-review"),
        &clerk(),
        &etag,
        &json!({ "lawful": false, "findings": findings, "reviewed_on": "2022-07-01" }),
    )
    .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("drafted")), "{v}");
    let returned = v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "legality_review")
        .unwrap();
    assert_eq!(returned["detail"]["findings"], findings);
    // A stale ETag is refused.
    let (s, _, _) = step(
        &app,
        &format!("{path}/amendments"),
        &staff,
        &etag_of(&rules),
        &json!({ "text": "x" }),
    )
    .await;
    assert_eq!(s, 412);
    let (s, _, etag) = step(
        &app,
        &format!("{path}/amendments"),
        &staff,
        &etag,
        &json!({ "text": "第一条 …… 第七条（已修改）" }),
    )
    .await;
    assert_eq!(s, 200);
    let (s, _, etag) = step(&app, &format!("{path}/legal-review"), &staff, &etag,
        &json!({ "adviser": "李律师", "approved": true, "opinion": "同意", "reviewed_on": "2022-07-10" })).await;
    assert_eq!(s, 200);
    let (s, _, etag) = step(
        &app,
        &format!("{path}/legality-review"),
        &clerk(),
        &etag,
        &json!({ "lawful": true, "reviewed_on": "2022-08-05" }),
    )
    .await;
    assert_eq!(s, 200);
    // Filing before the vote is refused.
    let (s, p, _) = step(
        &app,
        &format!("{path}/filings"),
        &clerk(),
        &etag,
        &json!({ "with": "township", "filed_on": "2022-08-06" }),
    )
    .await;
    assert_eq!(
        (s, p["type"].as_str()),
        (409, Some("urn:minzheng:problem:rules-step-not-allowed"))
    );

    let tally = |entitled, present, yes, no| json!({ "entitled": entitled, "present": present, "votes_for": yes, "votes_against": no, "abstentions": 0 });
    let vote = |body: &str, t: Value| json!({ "body": body, "held_on": "2022-09-20", "tally": t });
    let (s, p, _) = step(
        &app,
        &format!("{path}/votes"),
        &staff,
        &etag,
        &vote("villager_representatives", tally(40, 35, 30, 5)),
    )
    .await;
    assert_eq!(
        (s, p["errors"][0]["field"].as_str()),
        (422, Some("body")),
        "representatives may not adopt rules: {p}"
    );
    let (s, p, _) = step(
        &app,
        &format!("{path}/votes"),
        &staff,
        &etag,
        &vote("residents_assembly", tally(900, 600, 500, 0)),
    )
    .await;
    assert_eq!(
        (s, p["errors"][0]["field"].as_str()),
        (422, Some("body")),
        "{p}"
    );
    let (s, p, _) = step(
        &app,
        &format!("{path}/votes"),
        &staff,
        &etag,
        &vote("villagers_assembly", tally(900, 600, 500, 200)),
    )
    .await;
    assert_eq!(
        (s, p["errors"][0]["field"].as_str()),
        (422, Some("tally.votes_for")),
        "{p}"
    );
    let (s, v, etag) = step(
        &app,
        &format!("{path}/votes"),
        &staff,
        &etag,
        &vote("villagers_assembly_households", tally(300, 199, 199, 0)),
    )
    .await;
    assert_eq!(
        (
            s,
            v["outcome"]["result"].as_str(),
            v["outcome"]["quorum_met"].as_bool()
        ),
        (200, Some("no_quorum"), Some(false)),
        "{v}"
    );
    assert_eq!(v["rules"]["status"], "legality_reviewed");
    let (s, v, etag) = step(
        &app,
        &format!("{path}/votes"),
        &staff,
        &etag,
        &vote("villagers_assembly_households", tally(300, 200, 100, 100)),
    )
    .await;
    assert_eq!(
        (s, v["outcome"]["result"].as_str()),
        (200, Some("not_carried")),
        "{v}"
    );
    let (s, v, etag) = step(
        &app,
        &format!("{path}/votes"),
        &staff,
        &etag,
        &vote("villagers_assembly_households", tally(300, 200, 101, 99)),
    )
    .await;
    assert_eq!(
        (
            s,
            v["outcome"]["result"].as_str(),
            v["rules"]["status"].as_str()
        ),
        (200, Some("passed"), Some("voted")),
        "{v}"
    );
    let recorded = v["rules"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|s| s["step"] == "vote")
        .unwrap()
        .clone();
    assert_eq!(recorded["detail"]["tally"]["present"], 200);
    assert_eq!(
        recorded["detail"]["threshold"]["quorum"],
        json!({ "numerator": 2, "denominator": 3, "strictly_more": false })
    );

    // Township first, by township staff; then the district.
    let (s, _, _) = step(
        &app,
        &format!("{path}/filings"),
        &district(),
        &etag,
        &json!({ "with": "district", "filed_on": "2022-09-28" }),
    )
    .await;
    assert_eq!(s, 409);
    let (s, _, _) = step(
        &app,
        &format!("{path}/filings"),
        &staff,
        &etag,
        &json!({ "with": "township", "filed_on": "2022-09-25" }),
    )
    .await;
    assert_eq!(s, 403);
    let (s, _, etag) = step(
        &app,
        &format!("{path}/filings"),
        &clerk(),
        &etag,
        &json!({ "with": "township", "filed_on": "2022-09-25" }),
    )
    .await;
    assert_eq!(s, 200);
    let (s, v, etag) = step(
        &app,
        &format!("{path}/filings"),
        &district(),
        &etag,
        &json!({ "with": "district", "filed_on": "2022-09-28" }),
    )
    .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("filed")), "{v}");

    let events = app.expect_events::<RulesFiled>(1).await;
    let (_, filed) = &events[0];
    assert_eq!(filed.rules_id.to_string(), id);
    assert_eq!(filed.version, 1);
    assert_eq!(filed.village_code.as_str(), VILLAGE);
    assert_eq!(filed.legality_reviewed_on.to_string(), "2022-08-05");
    assert_eq!(filed.voted_on.to_string(), "2022-09-20");
    assert_eq!(filed.filed_on.to_string(), "2022-09-28");
    assert_eq!(
        filed.next_review_due_on.map(|d| d.to_string()).as_deref(),
        Some("2025-09-28")
    );

    let (s, v, etag) = step(
        &app,
        &format!("{path}/publication"),
        &staff,
        &etag,
        &json!({ "published_on": "2022-10-01" }),
    )
    .await;
    assert_eq!((s, v["published_version"].as_i64()), (200, Some(1)), "{v}");
    // The periodic review falls due; a revision starts version 2 while version 1 stays in force.
    let (s, due) = app
        .get("/v1/reports/rules-reviews-due?on=2025-10-01", &clerk())
        .await;
    assert_eq!((s, due.as_array().map(Vec::len)), (200, Some(1)), "{due}");
    let (s, v, _) = step(
        &app,
        &format!("{path}/periodic-reviews"),
        &staff,
        &etag,
        &json!({ "reviewed_on": today(), "outcome": "revise", "text": "第二版" }),
    )
    .await;
    assert_eq!(
        (
            s,
            v["latest_version"].as_i64(),
            v["published_version"].as_i64(),
            v["status"].as_str()
        ),
        (200, Some(2), Some(1), Some("drafted")),
        "{v}"
    );
}

#[tokio::test]
async fn the_coverage_report_shows_villages_missing_rules_or_any_council() {
    let app = spawn().await;
    register_village(&app, VILLAGE, "village", 900).await;
    register_village(&app, OTHER_VILLAGE, "village", 400).await;
    for kind in ["deliberation", "ceremony", "ethics"] {
        let (s, c) = app
            .post(
                "/v1/councils",
                &village_staff(),
                &json!({ "village_code": VILLAGE, "kind": kind, "established_on": "2022-03-01" }),
            )
            .await;
        assert_eq!(s, 201, "{c}");
    }
    let (s, p) = app
        .post(
            "/v1/councils",
            &village_staff(),
            &json!({ "village_code": VILLAGE, "kind": "ethics", "established_on": "2022-04-01" }),
        )
        .await;
    assert_eq!(
        (s, p["type"].as_str()),
        (409, Some("urn:minzheng:problem:council-exists"))
    );
    let other_staff = TestApp::token(Role::VillageStaff, OTHER_VILLAGE);
    let (_, council) = app.post("/v1/councils", &other_staff, &json!({ "village_code": OTHER_VILLAGE, "kind": "deliberation", "established_on": "2022-03-01" })).await;
    let id = council["id"].as_str().unwrap();
    let (s, c) = app
        .post(
            &format!("/v1/councils/{id}/members"),
            &other_staff,
            &json!({ "name": "赵六", "role": "chair", "joined_on": "2022-03-01" }),
        )
        .await;
    assert_eq!(
        (s, c["members"].as_array().map(Vec::len)),
        (201, Some(1)),
        "{c}"
    );
    let (s, c) = app.post(&format!("/v1/councils/{id}/meetings"), &other_staff,
        &json!({ "held_on": "2022-05-01", "topic": "修路", "attendees": 12, "resolutions": ["筹资修建村道"] })).await;
    assert_eq!(
        (s, c["meetings"][0]["resolutions"][0].as_str()),
        (201, Some("筹资修建村道")),
        "{c}"
    );

    let (s, report) = app
        .get(
            &format!("/v1/reports/council-coverage?township_code={YUFENGSHAN}&only_missing=false"),
            &clerk(),
        )
        .await;
    assert_eq!(
        (s, report["villages"].as_i64(), report["complete"].as_i64()),
        (200, Some(2), Some(0)),
        "{report}"
    );
    assert_eq!(report["items"][0]["missing_councils"], json!([]));
    assert_eq!(report["items"][0]["has_rules"], false);

    let (path, etag) = rules_ready_for_vote(&app, VILLAGE).await;
    adopt(&app, VILLAGE, &path, &etag).await;
    let (_, report) = app
        .get(
            &format!("/v1/reports/council-coverage?township_code={YUFENGSHAN}"),
            &clerk(),
        )
        .await;
    assert_eq!(report["complete"], 1, "{report}");
    let items = report["items"].as_array().unwrap();
    assert_eq!(
        items.len(),
        1,
        "only the village missing something: {report}"
    );
    assert_eq!(items[0]["village_code"], OTHER_VILLAGE);
    assert_eq!(items[0]["missing_councils"], json!(["ceremony", "ethics"]));
    // Another township's clerk sees nothing of it.
    let other = TestApp::token(Role::TownshipClerk, LIANGLU);
    assert_eq!(
        app.get(
            &format!("/v1/reports/council-coverage?township_code={YUFENGSHAN}"),
            &other
        )
        .await
        .0,
        403
    );
}
