//! disability-subsidies: the living and nursing subsidies (残疾人两项补贴) from the 残联's
//! certificates to the monthly payment, the comparison that keeps them accurate, and the
//! disability programmes (福康工程, 精康融合, care services).

pub mod api;
pub mod commands;
pub mod domain;
pub mod events;
pub mod store;

use kit::service::{Parts, Platform};
use store::sealed::DataKeys;

/// The service's name (log field, `ce-source`, durable-name prefix).
pub const SERVICE: &str = "disability-subsidies";
/// Default HTTP port.
pub const PORT: u16 = 8082;
/// The context whose stream this service declares.
pub const CONTEXT: &str = "disability";

/// Routes and consumers, given the platform, with the data keys of the environment (the
/// development key outside production; `main` checks them before starting).
pub fn parts(platform: &Platform) -> Parts {
    let keys = DataKeys::from_env().unwrap_or_else(|e| panic!("{e}"));
    parts_with(platform, keys)
}

/// Routes and consumers sealing personal data with `keys`.
pub fn parts_with(platform: &Platform, keys: DataKeys) -> Parts {
    Parts {
        routes: api::routes(platform, &keys),
        consumers: events::consumers(platform, &keys),
    }
}
