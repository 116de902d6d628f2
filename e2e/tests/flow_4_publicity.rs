//! Flow 4 (docs/architecture.md (cross-service flows)): publicity opened → on the village board with masked data for 7 days →
//! an objection filed at the village edge → the aid application goes back to investigation.

use e2e::{Mesh, flows::publicity};

#[tokio::test]
async fn a_publicity_shows_masked_on_the_village_board_for_seven_days_and_an_objection_reopens_the_investigation()
 {
    let mesh = Mesh::start().await;
    publicity::run(&mesh).await;
}
