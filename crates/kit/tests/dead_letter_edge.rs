//! Dead letters through a service's edge: listed for auditors and district officers, shown with
//! their payload to auditors (audited), and replayed by a district officer once the cause is
//! fixed — through the same handler and inbox, so the event is applied once.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::Duration,
};

use kit::{
    Role,
    inbox::{Consumers, EventMeta, Handler, HandlerError},
    service::Parts,
    testing::{TestApp, eventually},
};
use sea_orm::DatabaseTransaction;
use sea_orm_migration::MigratorTrait;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;

const SUBJECT: &str = "partner.civil-registry.death.recorded.v1";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
struct Fact(serde_json::Value);

impl contracts::Event for Fact {
    const SUBJECT: &'static str = SUBJECT;
}

struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn sea_orm_migration::MigrationTrait>> {
        kit::db::migrations()
    }
}

/// Fails (as a dependency that is down) while `broken`; counts what it applied.
#[derive(Default)]
struct Flaky {
    broken: AtomicBool,
    applied: AtomicUsize,
}

struct OnFact(Arc<Flaky>);

impl Handler<Fact> for OnFact {
    async fn handle(
        &self,
        _tx: &DatabaseTransaction,
        _event: Fact,
        _meta: &EventMeta,
    ) -> Result<(), HandlerError> {
        if self.0.broken.load(Ordering::SeqCst) {
            return Err(HandlerError::Transient(
                "the registry lookup is down".into(),
            ));
        }
        self.0.applied.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

#[tokio::test]
async fn dead_letters_are_listed_shown_and_replayed_through_the_edge() {
    let flaky = Arc::new(Flaky::default());
    flaky.broken.store(true, Ordering::SeqCst);
    let handler = flaky.clone();
    let app = TestApp::spawn_with::<Migrator>(
        "dl-test",
        "aid",
        &[
            ("CONSUMER_MAX_DELIVER", "2"),
            ("CONSUMER_ACK_WAIT_MS", "1000"),
        ],
        move |_| Parts {
            routes: OpenApiRouter::new(),
            consumers: Consumers::new("dl-test").on(OnFact(handler)),
        },
    )
    .await;
    let example = Fact(contracts::schema(SUBJECT).unwrap()["examples"][0].clone());
    app.publish(&example).await;
    // A fact that lacks a required field: dead-lettered at once, whatever the handler's state.
    let mut poison = example.0.clone();
    poison.as_object_mut().unwrap().remove("id_number");
    app.js
        .publish(SUBJECT, poison.to_string().into())
        .await
        .unwrap()
        .await
        .unwrap();

    let auditor = TestApp::token(Role::Auditor, "500112");
    let officer = TestApp::token(Role::DistrictOfficer, "500112");
    let clerk = TestApp::token(Role::TownshipClerk, "500112016");
    let letters = eventually("two dead letters", Duration::from_secs(30), || async {
        let (_, page) = app.get("/v1/dead-letters?pending=true", &auditor).await;
        let items = page["items"].as_array().cloned().unwrap_or_default();
        (items.len() == 2).then_some(items)
    })
    .await;
    assert_eq!(app.get("/v1/dead-letters", &clerk).await.0, 403);
    let failed = letters
        .iter()
        .find(|l| l["reason"].as_str().unwrap().contains("gave up"))
        .unwrap();
    let invalid = letters
        .iter()
        .find(|l| !l["reason"].as_str().unwrap().contains("gave up"))
        .unwrap();
    assert!(
        failed.get("payload").is_none(),
        "lists never carry payloads"
    );

    let (status, detail) = app
        .get(
            &format!("/v1/dead-letters/{}", failed["id"].as_str().unwrap()),
            &auditor,
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        detail["payload"]
            .as_str()
            .unwrap()
            .contains("record_number")
    );
    assert_eq!(
        app.get(
            &format!("/v1/dead-letters/{}", failed["id"].as_str().unwrap()),
            &officer
        )
        .await
        .0,
        403
    );

    // Still invalid: the replay is refused and the letter stays pending.
    let (status, problem) = app
        .post(
            &format!(
                "/v1/dead-letters/{}/replay",
                invalid["id"].as_str().unwrap()
            ),
            &officer,
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(
        (status, problem["type"].as_str().unwrap()),
        (422, "urn:minzheng:problem:replay-refused")
    );

    // The cause is fixed: the replay applies the event once; a second replay conflicts.
    flaky.broken.store(false, Ordering::SeqCst);
    let path = format!("/v1/dead-letters/{}/replay", failed["id"].as_str().unwrap());
    assert_eq!(
        app.post(&path, &auditor, &serde_json::json!({})).await.0,
        403,
        "auditors read, they do not act"
    );
    let (status, outcome) = app.post(&path, &officer, &serde_json::json!({})).await;
    assert_eq!(
        (status, outcome["outcome"].as_str().unwrap()),
        (200, "applied")
    );
    assert_eq!(flaky.applied.load(Ordering::SeqCst), 1);
    assert_eq!(
        app.post(&path, &officer, &serde_json::json!({})).await.0,
        409
    );
    let (_, pending) = app.get("/v1/dead-letters?pending=true", &auditor).await;
    assert_eq!(
        pending["items"].as_array().unwrap().len(),
        1,
        "only the invalid one is left"
    );
}
