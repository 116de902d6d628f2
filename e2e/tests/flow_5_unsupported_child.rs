//! Flow 5 (docs/architecture.md (cross-service flows)): minor-protection finds both parents meet the de facto unsupported
//! conditions → child-welfare registers the child and starts the allowance at the right standard;
//! no other service reacts.

use e2e::{Mesh, flows::unsupported_child};

#[tokio::test]
async fn a_child_flagged_by_minor_protection_is_registered_and_paid_the_family_based_orphan_standard()
 {
    let mesh = Mesh::start().await;
    unsupported_child::run(&mesh).await;
}
