//! Flow 1 (docs/architecture.md (cross-service flows)): dibao approved for a household with a certified disabled member →
//! disability opens the living subsidy by itself; dibao ended → it stops from the next month.

use e2e::{Mesh, flows::dibao_disability};

#[tokio::test]
async fn dibao_for_a_certified_member_opens_the_living_subsidy_by_itself_and_its_end_stops_it_the_next_month()
 {
    let mesh = Mesh::start().await;
    dibao_disability::run(&mesh).await;
}
