//! `child.allowance.changed.v1`: a care-mode change counts from the month after (never for a
//! month already paid) and the batch pays it then; a natural-growth raise is announced for every
//! allowance it reaches; a change of category ends one allowance and starts the other.

use contracts::child::{AllowanceChangeReason, AllowanceChanged, CareMode};
use serde_json::{Value, json};

use crate::support::*;

/// Both parents dead: an orphan, paid by care mode.
fn orphan_body(child: &str) -> Value {
    let mut body = de_facto_body(child);
    body["father"]["conditions"] = json!([
        { "situation": "dead", "since": "2023-03-01", "evidence": "死亡证明 D2023-0301" } ]);
    body
}

async fn put_care(app: &kit::testing::TestApp, id: &str, mode: &str) -> u16 {
    let read = app
        .http
        .get(format!("{}/v1/children/{id}", app.base))
        .bearer_auth(clerk())
        .send()
        .await
        .unwrap();
    let tag = read.headers()["etag"].to_str().unwrap().to_owned();
    app.http
        .put(format!("{}/v1/children/{id}/care", app.base))
        .bearer_auth(clerk())
        .header("If-Match", tag)
        .json(&json!({ "care_mode": mode,
            "guardian": { "name": "王奶奶", "relationship": "grandparent" },
            "bank_account": { "holder": "王奶奶", "account": "6222020200112233445" } }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn batch(app: &kit::testing::TestApp, month: contracts::common::Month) -> Value {
    live_in(month);
    let (status, batch) = app
        .post(
            "/v1/payment-batches",
            &officer(),
            &json!({ "month": month.to_string() }),
        )
        .await;
    assert_eq!(status, 201, "{batch}");
    batch
}

#[tokio::test]
async fn a_care_mode_change_counts_from_the_month_after_the_last_paid_one_and_is_published() {
    let app = spawn().await;
    let (id, decided) = register(&app, &orphan_body(&id_number(CHILD))).await;
    let first = start_month(&decided);
    // The first month is paid family-based before the child moves into an institution.
    let paid = batch(&app, first).await;
    assert_eq!(paid["total_fen"], 120_000);
    assert_eq!(put_care(&app, &id, "institutional").await, 204);
    let changed = app.expect_events::<AllowanceChanged>(1).await;
    let (raw, c) = &changed[0];
    assert_eq!(
        (
            c.reason,
            c.care_mode,
            c.previous_monthly_amount_fen,
            c.monthly_amount_fen,
            c.effective_month
        ),
        (
            AllowanceChangeReason::CareModeChanged,
            CareMode::Institutional,
            120_000,
            160_000,
            first.next()
        ),
        "counted from the month after the one already paid"
    );
    assert_eq!(c.child_id.to_string(), id);
    assert!(
        !raw.contains(&id_number(CHILD)) && !raw.contains("王奶奶"),
        "personal data on the bus: {raw}"
    );
    let next = batch(&app, first.next()).await;
    assert_eq!(next["total_fen"], 160_000, "{next}");

    // Guardian and account only: no change of basis, nothing published.
    assert_eq!(put_care(&app, &id, "institutional").await, 204);
    let (_, view) = app.get(&format!("/v1/children/{id}"), &clerk()).await;
    assert_eq!(view["care_mode"], "institutional");
    assert_eq!(app.events::<AllowanceChanged>().await.len(), 1);
}

#[tokio::test]
async fn a_de_facto_unsupported_child_moving_into_care_keeps_the_family_based_standard() {
    let app = spawn().await;
    let (id, decided) = register(&app, &de_facto_body(&id_number(CHILD))).await;
    assert_eq!(put_care(&app, &id, "institutional").await, 204);
    let changed = app.expect_events::<AllowanceChanged>(1).await;
    let c = &changed[0].1;
    assert_eq!(
        (
            c.care_mode,
            c.previous_monthly_amount_fen,
            c.monthly_amount_fen,
            c.effective_month
        ),
        (
            CareMode::Institutional,
            120_000,
            120_000,
            start_month(&decided)
        ),
        "the basis changes, the amount does not"
    );
}

#[tokio::test]
async fn a_natural_growth_raise_is_announced_for_every_allowance_it_reaches() {
    let app = spawn().await;
    let (family, decided) = register(&app, &orphan_body(&id_number(CHILD))).await;
    let mut institutional = orphan_body(&id_number("50011220140501234"));
    institutional["care_mode"] = json!("institutional");
    let (institutional, _) = register(&app, &institutional).await;
    let (adopted, _) = register(&app, &de_facto_body(&id_number("50011220130401345"))).await;
    let (status, body) = app
        .post(
            &format!("/v1/children/{adopted}/adoption"),
            &clerk(),
            &json!({ "adopted_on": today_text(), "evidence": "收养登记证 2026-001" }),
        )
        .await;
    assert!(status < 300, "{status} {body}");

    let from = start_month(&decided).next();
    let valid_from = from.first_day().unwrap().to_string();
    let (status, raised) = app
        .post(
            "/v1/standards/natural-growth",
            &approver(),
            &json!({ "valid_from": valid_from, "per_mille": 50, "source": "渝民发〔2026〕1号" }),
        )
        .await;
    assert_eq!(status, 201, "{raised}");
    let changed = app.expect_events::<AllowanceChanged>(2).await;
    let mut seen: Vec<(String, i64, i64)> = changed
        .iter()
        .map(|(_, c)| {
            assert_eq!(
                (c.reason, c.effective_month),
                (AllowanceChangeReason::StandardRaised, from)
            );
            (
                c.child_id.to_string(),
                c.previous_monthly_amount_fen,
                c.monthly_amount_fen,
            )
        })
        .collect();
    seen.sort();
    let mut expected = vec![
        (family.clone(), 120_000, 126_000),
        (institutional.clone(), 160_000, 168_000),
    ];
    expected.sort();
    assert_eq!(
        seen, expected,
        "the adopted child's ended allowance is not reached"
    );

    // A raise from the middle of a month counts from the next one.
    let mid = from.next().first_day().unwrap() + chrono::Duration::days(14);
    let (status, _) = app
        .post(
            "/v1/standards/natural-growth",
            &approver(),
            &json!({ "valid_from": mid.to_string(), "per_mille": 10, "source": "test" }),
        )
        .await;
    assert_eq!(status, 201);
    let changed = app.expect_events::<AllowanceChanged>(4).await;
    assert!(
        changed[2..]
            .iter()
            .all(|(_, c)| c.effective_month == from.next().next()),
        "{changed:?}"
    );
}
