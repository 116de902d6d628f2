//! Flow 3 (docs/architecture.md (cross-service flows)): a dispersed extreme-poverty enrollment → elderly care plans monthly
//! visits → a missed visit raises `elderly.visit.overdue.v1`.

use e2e::{Mesh, flows::visits};

#[tokio::test]
async fn a_dispersed_extreme_poverty_enrollment_plans_monthly_visits_and_a_missed_one_is_raised_once()
 {
    let mesh = Mesh::start().await;
    visits::run(&mesh).await;
}
