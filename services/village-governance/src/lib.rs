//! village-governance: village rules and residents' conventions, 一约三会 councils, the lists
//! (清单制), committee duties, community workers, service centres and the village publicity board.

pub mod api;
pub mod commands;
pub mod domain;
pub mod events;
pub mod store;

use kit::service::{Parts, Platform};

/// The service's name (log field, `ce-source`, durable-name prefix).
pub const SERVICE: &str = "village-governance";
/// Default HTTP port.
pub const PORT: u16 = 8086;
/// The context whose stream this service declares.
pub const CONTEXT: &str = "village";

/// Routes and consumers, given the platform.
pub fn parts(platform: &Platform) -> Parts {
    Parts {
        routes: api::routes(platform),
        consumers: events::consumers(platform),
    }
}
