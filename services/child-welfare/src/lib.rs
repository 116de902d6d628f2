//! child-welfare: orphans (孤儿, HIV-infected children included) and de facto unsupported children
//! (事实无人抚养儿童), their monthly basic living allowance, payment batches and programmes.

pub mod api;
pub mod commands;
pub mod domain;
pub mod events;
pub mod store;

use kit::service::{Parts, Platform};

/// The service's name (log field, `ce-source`, durable-name prefix).
pub const SERVICE: &str = "child-welfare";
/// Default HTTP port.
pub const PORT: u16 = 8083;
/// The context whose stream this service declares.
pub const CONTEXT: &str = "child";

/// Routes and consumers, given the platform.
pub fn parts(platform: &Platform) -> Parts {
    Parts {
        routes: api::routes(platform),
        consumers: events::consumers(platform),
    }
}
