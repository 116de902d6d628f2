//! Referral versus transfer: who owns the case, who may work on it.

use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn a_referred_unit_works_on_the_case_without_owning_it() {
    let app = spawn().await;
    let holder = township(YUFENGSHAN);
    let referred = township(TONGJING);
    let id = open(&app, &holder, &report(YUFENGSHAN_VILLAGE, false)).await;
    let referral = json!({ "agency": "protection_unit", "to_unit": TONGJING, "purpose": "孩子在统景镇上学，请协助评估", "referred_on": "2022-10-09" });
    let (status, r) = app
        .post(&format!("/v1/cases/{id}/referrals"), &referred, &referral)
        .await;
    assert_eq!(
        status, 404,
        "a unit that cannot see the case cannot refer it: {r}"
    );
    let (status, r) = app
        .post(&format!("/v1/cases/{id}/referrals"), &holder, &referral)
        .await;
    assert_eq!(status, 201, "{r}");

    let (status, seen) = case(&app, &referred, &id).await;
    assert_eq!(
        (status, seen["access"].as_str(), seen["view"].as_str()),
        (200, Some("referred"), Some("restricted"))
    );
    assert_eq!(seen["owner_unit"], YUFENGSHAN);
    assert!(!seen.to_string().contains("张小明"));
    let note = json!({ "on": "2022-10-10", "text": "已联系学校心理老师" });
    assert_eq!(
        app.post(&format!("/v1/cases/{id}/notes"), &referred, &note)
            .await
            .0,
        201
    );
    let emergency = json!({ "action": "medical_treatment", "taken_on": "2022-10-10" });
    assert_eq!(
        app.post(
            &format!("/v1/cases/{id}/emergency-responses"),
            &referred,
            &emergency
        )
        .await
        .0,
        201
    );
    // The holder's decisions stay with the holder.
    let close = json!({ "outcome": "resolved", "closed_on": "2022-10-11", "reason": "x" });
    assert_eq!(
        post_if_match(
            &app,
            &format!("/v1/cases/{id}/closure"),
            &referred,
            Some(4),
            &close
        )
        .await
        .0,
        403
    );
    let transfer = json!({ "to_unit": TONGJING, "to_village_code": TONGJING_VILLAGE, "reason": "搬家", "requested_on": "2022-10-10" });
    assert_eq!(
        app.post(&format!("/v1/cases/{id}/transfers"), &referred, &transfer)
            .await
            .0,
        403
    );
    let risk = json!({ "risk_level": "high", "assessed_on": "2022-10-10" });
    assert_eq!(
        app.post(
            &format!("/v1/cases/{id}/risk-assessments"),
            &referred,
            &risk
        )
        .await
        .0,
        403
    );

    let (_, full) = case(&app, &holder, &id).await;
    assert_eq!(full["access"], "owner");
    let kinds: Vec<&str> = full["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["referral", "note", "emergency_response"]);
    assert_eq!(
        full["actions"][1]["detail"], "已联系学校心理老师",
        "the holder reads the referred unit's notes"
    );
    // The referred unit reports its part done and stops working on the case.
    let rid = full["referrals"][0]["id"].as_str().unwrap();
    let done = json!({ "completed_on": "2022-10-12" });
    assert_eq!(
        app.post(
            &format!("/v1/cases/{id}/referrals/{rid}/completion"),
            &referred,
            &done
        )
        .await
        .0,
        201
    );
    assert_eq!(
        app.post(&format!("/v1/cases/{id}/notes"), &referred, &note)
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn a_transfer_moves_ownership_only_when_the_receiving_unit_accepts() {
    let app = spawn().await;
    let holder = township(YUFENGSHAN);
    let receiver = township(TONGJING);
    let id = open(&app, &holder, &report(YUFENGSHAN_VILLAGE, true)).await;
    let path = format!("/v1/cases/{id}/transfers");
    let no_village = json!({ "to_unit": TONGJING, "reason": "孩子随祖母迁居统景镇", "requested_on": "2022-10-09" });
    let (status, p) = app.post(&path, &holder, &no_village).await;
    assert_eq!(
        (status, p["errors"][0]["field"].as_str()),
        (422, Some("to_village_code"))
    );
    let body = json!({ "to_unit": TONGJING, "to_village_code": TONGJING_VILLAGE, "reason": "孩子随祖母迁居统景镇", "requested_on": "2022-10-09" });
    let (status, t) = app.post(&path, &holder, &body).await;
    assert_eq!(status, 201, "{t}");
    let tid = t["id"].as_str().unwrap();
    assert_eq!(
        app.post(&path, &holder, &body).await.0,
        409,
        "one pending transfer at a time"
    );

    // Pending: still the holder's; the receiver sees enough to decide.
    let (_, pending) = case(&app, &receiver, &id).await;
    assert_eq!(
        (pending["owner_unit"].as_str(), pending["view"].as_str()),
        (Some(YUFENGSHAN), Some("restricted"))
    );
    assert_eq!(pending["pending_transfer"]["to_unit"], TONGJING);
    let decision = format!("/v1/cases/{id}/transfers/{tid}/decision");
    let accept = json!({ "accept": true, "decided_on": "2022-10-10" });
    assert_eq!(
        app.post(&decision, &holder, &accept).await.0,
        403,
        "the sender cannot accept for the receiver"
    );
    let (status, accepted) = app.post(&decision, &receiver, &accept).await;
    assert_eq!(status, 201, "{accepted}");
    assert_eq!(
        accepted["due_on"], "2022-10-16",
        "the receiving level's deadline from acceptance"
    );

    let (_, now) = case(&app, &receiver, &id).await;
    assert_eq!(
        (now["owner_unit"].as_str(), now["view"].as_str()),
        (Some(TONGJING), Some("full"))
    );
    assert_eq!(now["village_code"], TONGJING_VILLAGE);
    assert_eq!(
        case(&app, &holder, &id).await.0,
        404,
        "the former holder's area no longer covers the case"
    );
    assert_eq!(
        app.post(&decision, &receiver, &accept).await.0,
        409,
        "answered once"
    );
}

#[tokio::test]
async fn a_declined_transfer_leaves_the_case_with_its_holder() {
    let app = spawn().await;
    let holder = township(YUFENGSHAN);
    let id = open(&app, &holder, &report(YUFENGSHAN_VILLAGE, false)).await;
    let body =
        json!({ "to_unit": DISTRICT, "reason": "需要临时监护", "requested_on": "2022-10-09" });
    let (_, t) = app
        .post(&format!("/v1/cases/{id}/transfers"), &holder, &body)
        .await;
    let decision = format!(
        "/v1/cases/{id}/transfers/{}/decision",
        t["id"].as_str().unwrap()
    );
    let bare = json!({ "accept": false, "decided_on": "2022-10-10" });
    let (status, p) = app.post(&decision, &district(), &bare).await;
    assert_eq!(
        (status, p["errors"][0]["field"].as_str()),
        (422, Some("reason"))
    );
    let decline = json!({ "accept": false, "decided_on": "2022-10-10", "reason": "乡镇可处置" });
    assert_eq!(app.post(&decision, &district(), &decline).await.0, 201);
    let (_, v) = case(&app, &holder, &id).await;
    assert_eq!(
        (v["owner_unit"].as_str(), v["access"].as_str()),
        (Some(YUFENGSHAN), Some("owner"))
    );
    assert!(v["pending_transfer"].is_null());
}
