//! elderly-care: home care beds, dispersed-support and left-behind visits with overdue alerts,
//! nursing homes, service centres, rehabilitation stations, retrofits and progress against targets.

pub mod api;
pub mod commands;
pub mod domain;
pub mod events;
pub mod store;

use kit::service::{Parts, Platform};

/// The service's name (log field, `ce-source`, durable-name prefix).
pub const SERVICE: &str = "elderly-care";
/// Default HTTP port.
pub const PORT: u16 = 8084;
/// The context whose stream this service declares.
pub const CONTEXT: &str = "elderly";

/// Routes, consumers, and the periodic overdue check (started here; it stops with the service).
pub fn parts(platform: &Platform) -> Parts {
    events::overdue_check::spawn(platform, events::overdue_check::interval_from_env());
    Parts {
        routes: api::routes(platform),
        consumers: events::consumers(platform),
    }
}
