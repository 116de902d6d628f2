//! Events village-governance consumes; each handler calls a command inside the inbox transaction.

use kit::{inbox::Consumers, service::Platform};

use crate::SERVICE;

/// The subscriptions of this service.
pub fn consumers(_platform: &Platform) -> Consumers {
    Consumers::new(SERVICE)
}
