//! Flow 6 (docs/architecture.md (cross-service flows)): a level-1 certificate issued → a nursing-subsidy case opened by itself;
//! in a marginal household → a single-person dibao (单人保) candidate in aid.

use e2e::{Mesh, flows::certificate};

#[tokio::test]
async fn a_level_one_certificate_opens_a_nursing_subsidy_and_in_a_marginal_household_a_single_person_dibao_candidate()
 {
    let mesh = Mesh::start().await;
    certificate::run(&mesh).await;
}
