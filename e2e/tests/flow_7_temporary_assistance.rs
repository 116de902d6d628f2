//! Flow 7 (docs/architecture.md (cross-service flows)): temporary assistance — the township approves within its cap, the district
//! above it; act-first payments draw the township reserve fund, which never goes negative.

use e2e::{Mesh, flows::temporary};

#[tokio::test]
async fn the_township_approves_within_its_cap_the_district_above_and_act_first_never_overdraws_the_reserve_fund()
 {
    let mesh = Mesh::start().await;
    temporary::run(&mesh).await;
}
