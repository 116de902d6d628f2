//! aid-applications: social assistance (社会救助) from application to payment.

pub mod api;
pub mod commands;
pub mod domain;
pub mod events;
pub mod store;

use kit::service::{Parts, Platform};

/// The service's name (log field, `ce-source`, durable-name prefix).
pub const SERVICE: &str = "aid-applications";
/// Default HTTP port.
pub const PORT: u16 = 8081;
/// The context whose stream this service declares.
pub const CONTEXT: &str = "aid";

/// Routes and consumers, given the platform.
pub fn parts(platform: &Platform) -> Parts {
    Parts {
        routes: api::routes(platform),
        consumers: events::consumers(platform),
    }
}
