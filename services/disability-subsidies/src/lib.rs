//! disability-subsidies: the living and nursing subsidies (残疾人两项补贴) from the 残联's
//! certificates to the monthly payment, the comparison that keeps them accurate, and the
//! disability programmes (福康工程, 精康融合, care services).

pub mod api;
pub mod commands;
pub mod domain;
pub mod events;
pub mod store;

use kit::service::{Parts, Platform};

/// The service's name (log field, `ce-source`, durable-name prefix).
pub const SERVICE: &str = "disability-subsidies";
/// Default HTTP port.
pub const PORT: u16 = 8082;
/// The context whose stream this service declares.
pub const CONTEXT: &str = "disability";

/// Routes and consumers, given the platform.
pub fn parts(platform: &Platform) -> Parts {
    Parts {
        routes: api::routes(platform),
        consumers: events::consumers(platform),
    }
}
