//! Plumbing shared by every service of the mesh and nothing else: configuration, telemetry, NATS
//! provisioning, the transactional outbox and its relay, the inbox and dead letters, the REST edge
//! (problem+json, auth, idempotency, health, metrics, OpenAPI), identity newtypes, and test support.

pub mod audit;
pub mod clock;
pub mod config;
pub mod db;
pub mod dead_letters;
pub mod divisions;
pub mod edge;
pub mod envelope;
pub mod identity;
pub mod inbox;
pub mod nats;
pub mod observe;
pub mod outbox;
pub mod refusal;
pub mod service;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;
pub mod wire;

pub use edge::{
    auth::{Principal, Role},
    json::Json,
    problem::Problem,
};
pub use refusal::Refusal;
