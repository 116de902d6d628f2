//! The relay against a real nats-server: what reaches each partner's feed, the pseudonyms, and
//! duplicates.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use kit::testing::NatsServer;
use partner_feeds::{relay, settings::NatsSettings};
use serde_json::{Value, json};
use support::*;

async fn mesh() -> (
    NatsServer,
    async_nats::jetstream::Context,
    partner_feeds::Running,
) {
    let server = NatsServer::start().await;
    let client = async_nats::connect(server.url()).await.unwrap();
    let js = kit::nats::jetstream(client);
    let running = start_relay(settings(NatsSettings {
        url: server.url(),
        ..Default::default()
    }))
    .await;
    (server, js, running)
}

/// Every string anywhere in a JSON value.
fn strings(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::String(s) => {
            out.insert(s.clone());
        }
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn a_partner_feed_carries_only_the_subjects_and_fields_it_is_approved_for() {
    let (_server, js, relay_running) = mesh().await;
    let approvals = approvals();
    let keys = keys(&approvals);
    // Every subject of the mesh is published, enrollment.started once more with a field a newer
    // producer might add, and a referral for every kind of assistance: none of it may leak.
    let mut events: Vec<(String, Value)> = contracts::SUBJECTS
        .iter()
        .map(|s| (s.to_string(), example(s)))
        .collect();
    let mut newer = example("aid.enrollment.started.v1");
    newer["remarks"] = json!("a field added by a newer producer");
    events.push(("aid.enrollment.started.v1".into(), newer));
    for assistance in ["medical", "housing", "employment"] {
        let mut referral = example("aid.referral.requested.v1");
        referral["assistance"] = json!(assistance);
        events.push(("aid.referral.requested.v1".into(), referral));
    }
    let mut published: BTreeMap<String, Value> = BTreeMap::new();
    for (i, (subject, data)) in events.iter().enumerate() {
        let id = format!("0190f3c8-0000-7000-8000-{i:012}");
        publish(&js, subject, &id, &id, data).await;
        published.insert(id, data.clone());
    }
    for subject in approvals.subjects() {
        relayed(&js, subject).await;
    }

    for (partner, partner_approvals) in &approvals.partners {
        let key = &keys[partner];
        let feed = pull_feed(&js, partner).await;
        let expected = events
            .iter()
            .filter(|(subject, data)| {
                partner_approvals
                    .subjects
                    .get(subject)
                    .is_some_and(|a| a.admits(data))
            })
            .count();
        assert!(expected > 0, "{partner} gets something");
        assert_eq!(feed.len(), expected, "{partner}: {feed:#?}");
        for message in &feed {
            let source_subject = message
                .subject
                .strip_prefix(&format!("feed.{partner}."))
                .unwrap_or_else(|| panic!("{partner} got {}", message.subject));
            let approval = partner_approvals
                .subjects
                .get(source_subject)
                .unwrap_or_else(|| panic!("{partner} is not approved for {source_subject}"));
            let allowed: BTreeSet<&str> = approval
                .fields
                .iter()
                .chain(&approval.pseudonymise)
                .map(String::as_str)
                .collect();
            let body = message.body.as_object().expect("object");
            for field in body.keys() {
                assert!(
                    allowed.contains(field.as_str()),
                    "{partner}: {source_subject}.{field}"
                );
            }
            let source = published
                .iter()
                .find(|(id, _)| key.message_id(id) == message.headers["Nats-Msg-Id"])
                .map(|(_, data)| data)
                .expect("the feed message's id derives from a source event id");
            for field in &approval.pseudonymise {
                if let Some(original) = source.get(field) {
                    let expected = match original {
                        Value::Array(items) => json!(
                            items
                                .iter()
                                .map(|v| key.pseudonym(v.as_str().unwrap()))
                                .collect::<Vec<_>>()
                        ),
                        v => json!(key.pseudonym(v.as_str().unwrap())),
                    };
                    assert_eq!(body[field], expected, "{partner}: {source_subject}.{field}");
                }
            }
            for field in &approval.fields {
                assert_eq!(
                    body.get(field),
                    source.get(field),
                    "{partner}: {source_subject}.{field}"
                );
            }
            let header_names: BTreeSet<&str> = message.headers.keys().map(String::as_str).collect();
            assert_eq!(
                header_names,
                BTreeSet::from([
                    "Nats-Msg-Id",
                    "ce-dataschema",
                    "ce-id",
                    "ce-source",
                    "ce-specversion",
                    "ce-type"
                ]),
                "{partner}"
            );
            assert_eq!(message.headers["ce-type"], source_subject);
        }
        // No source identifier (event ids, person_refs, ids that had to be pseudonymised) and no
        // trace id reaches the feed.
        let mut sent = BTreeSet::new();
        for message in &feed {
            strings(&message.body, &mut sent);
            sent.extend(message.headers.values().cloned());
        }
        for (id, data) in &published {
            assert!(!sent.contains(id), "{partner} sees source event id {id}");
            let subject_approvals: Vec<_> = partner_approvals.subjects.values().collect();
            for approval in subject_approvals {
                for field in &approval.pseudonymise {
                    let mut originals = BTreeSet::new();
                    if let Some(v) = data.get(field) {
                        strings(v, &mut originals);
                    }
                    for original in originals {
                        assert!(
                            !sent.contains(&original),
                            "{partner} sees {field} {original}"
                        );
                    }
                }
            }
        }
        assert!(
            !sent
                .iter()
                .any(|s| s.contains("0af7651916cd43dd8448eb211c80319c"))
        );
    }
    relay_running.stop().await;
}

#[tokio::test]
async fn pseudonyms_differ_between_partners_and_are_stable_within_one() {
    let (_server, js, relay_running) = mesh().await;
    let person = "3f8a9c0d2b7e4f61a5c8d9e0f1a2b3c4";
    let mut started = example("aid.enrollment.started.v1");
    started["members"] = json!([person]);
    started["beneficiaries"] = json!([person]);
    publish(&js, "aid.enrollment.started.v1", "e-1", "e-1", &started).await;
    let mut again = started.clone();
    again["enrollment_id"] = json!("0190f3c8-0c1d-7e2f-8a3b-4c5d6e7f8099");
    publish(&js, "aid.enrollment.started.v1", "e-2", "e-2", &again).await;
    for (i, assistance) in ["medical", "employment"].iter().enumerate() {
        let mut referral = example("aid.referral.requested.v1");
        referral["person_ref"] = json!(person);
        referral["assistance"] = json!(assistance);
        let id = format!("r-{i}");
        publish(&js, "aid.referral.requested.v1", &id, &id, &referral).await;
    }
    let mut granted = example("disability.subsidy.granted.v1");
    granted["person_ref"] = json!(person);
    publish(&js, "disability.subsidy.granted.v1", "d-1", "d-1", &granted).await;
    for subject in [
        "aid.enrollment.started.v1",
        "aid.referral.requested.v1",
        "disability.subsidy.granted.v1",
    ] {
        relayed(&js, subject).await;
    }

    let hib = pull_feed(&js, "medical-insurance").await;
    let mut hib_pseudonyms = BTreeSet::new();
    for message in &hib {
        match message.headers["ce-type"].as_str() {
            "aid.enrollment.started.v1" => {
                hib_pseudonyms.insert(
                    message.body["beneficiaries"][0]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                );
            }
            "aid.referral.requested.v1" => {
                assert_eq!(message.body["assistance"], "medical");
                hib_pseudonyms.insert(message.body["person_ref"].as_str().unwrap().to_owned());
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(hib.len(), 3, "two enrollments and the medical referral");
    assert_eq!(
        hib_pseudonyms.len(),
        1,
        "one person, one pseudonym in one feed: {hib_pseudonyms:?}"
    );
    let hib_pseudonym = hib_pseudonyms.into_iter().next().unwrap();
    assert_ne!(hib_pseudonym, person);

    let dpf = pull_feed(&js, "dpf").await;
    assert_eq!(dpf.len(), 1);
    let dpf_pseudonym = dpf[0].body["person_ref"].as_str().unwrap();
    let hr = pull_feed(&js, "human-resources").await;
    assert_eq!(hr.len(), 1);
    let hr_pseudonym = hr[0].body["person_ref"].as_str().unwrap();
    let all = BTreeSet::from([hib_pseudonym.as_str(), dpf_pseudonym, hr_pseudonym, person]);
    assert_eq!(
        all.len(),
        4,
        "every partner has its own pseudonym of the person"
    );
    // The enrollment itself is pseudonymised too, per partner.
    let rural = pull_feed(&js, "rural").await;
    assert_eq!(rural.len(), 2);
    assert_eq!(rural[0].body["household_id"], rural[1].body["household_id"]);
    assert_ne!(rural[0].body["household_id"], started["household_id"]);
    relay_running.stop().await;
}

#[tokio::test]
async fn an_event_relayed_twice_reaches_each_feed_once() {
    let (server, js, relay_running) = mesh().await;
    let data = example("disability.subsidy.granted.v1");
    // The producer re-publishes the same event (same ce-id) after the source stream's own
    // duplicate window: the source stream holds it twice.
    publish(
        &js,
        "disability.subsidy.granted.v1",
        "same-event",
        "first-copy",
        &data,
    )
    .await;
    publish(
        &js,
        "disability.subsidy.granted.v1",
        "same-event",
        "second-copy",
        &data,
    )
    .await;
    relayed(&js, "disability.subsidy.granted.v1").await;
    assert_eq!(feed_len(&js, "dpf").await, 1);

    // The relay loses its position (consumer deleted, relay restarted): it reads the source
    // stream again from the start and republishes; the feed still holds each event once.
    relay_running.stop().await;
    let source = js.get_stream("DISABILITY").await.unwrap();
    source
        .delete_consumer(&kit::nats::durable_name(
            relay::SERVICE,
            "disability.subsidy.granted.v1",
        ))
        .await
        .unwrap();
    let mut other = data.clone();
    other["subsidy_id"] = json!("0190f401-1b2c-7d3e-8f4a-5b6c7d8e9f0b");
    publish(
        &js,
        "disability.subsidy.granted.v1",
        "another-event",
        "another-event",
        &other,
    )
    .await;
    let relay_running = start_relay(settings(NatsSettings {
        url: server.url(),
        ..Default::default()
    }))
    .await;
    relayed(&js, "disability.subsidy.granted.v1").await;
    assert_eq!(feed_len(&js, "dpf").await, 2);
    let feed = pull_feed(&js, "dpf").await;
    let ids: BTreeSet<&str> = feed
        .iter()
        .map(|m| m.headers["Nats-Msg-Id"].as_str())
        .collect();
    assert_eq!(ids.len(), 2);
    relay_running.stop().await;
}

#[tokio::test]
async fn an_invalid_event_is_not_relayed_and_does_not_block_the_next() {
    let (_server, js, relay_running) = mesh().await;
    let mut invalid = example("disability.subsidy.granted.v1");
    invalid["person_ref"] = json!("110101199003074514");
    publish(
        &js,
        "disability.subsidy.granted.v1",
        "bad-1",
        "bad-1",
        &invalid,
    )
    .await;
    publish(
        &js,
        "disability.subsidy.granted.v1",
        "good-1",
        "good-1",
        &example("disability.subsidy.granted.v1"),
    )
    .await;
    relayed(&js, "disability.subsidy.granted.v1").await;
    let feed = pull_feed(&js, "dpf").await;
    assert_eq!(feed.len(), 1);
    assert!(!feed[0].body.to_string().contains("110101199003074514"));
    relay_running.stop().await;
}

/// Feeds the approvals give that `x-partner-feed` in asyncapi.yaml does not list yet: the rural
/// revitalisation bureau's enrollment feed (a contract change requested from the schema owners).
const NOT_YET_IN_ASYNCAPI: &[(&str, &str)] = &[
    ("rural", "aid.enrollment.started.v1"),
    ("rural", "aid.enrollment.ended.v1"),
];

#[test]
fn the_approvals_give_exactly_the_partner_feeds_asyncapi_announces() {
    #[derive(serde::Deserialize)]
    struct Doc {
        channels: BTreeMap<String, Channel>,
    }
    #[derive(serde::Deserialize)]
    struct Channel {
        #[serde(rename = "x-partner-feed", default)]
        partner_feed: Vec<String>,
    }
    let doc: Doc = serde_yaml_ng::from_str(&asyncapi()).unwrap();
    let announced: BTreeSet<(String, String)> = doc
        .channels
        .into_iter()
        .flat_map(|(subject, c)| {
            c.partner_feed
                .into_iter()
                .map(move |p| (p, subject.clone()))
        })
        .collect();
    let approved: BTreeSet<(String, String)> = approvals()
        .partners
        .iter()
        .flat_map(|(p, a)| a.subjects.keys().map(move |s| (p.clone(), s.clone())))
        .filter(|(p, s)| !NOT_YET_IN_ASYNCAPI.contains(&(p.as_str(), s.as_str())))
        .collect();
    assert_eq!(approved, announced);
}
