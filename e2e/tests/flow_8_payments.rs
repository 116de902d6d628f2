//! Flow 8 (docs/architecture.md (cross-service flows)): payments exactly as owed — a month held
//! for want of an account, a standard raised back to a paid month, the next run paying the held
//! month, the top-up and the current month once; one benefit per person across aid and
//! disability.

use e2e::{Mesh, flows::payments};

#[tokio::test]
async fn the_next_run_pays_a_held_month_and_a_top_up_once_and_one_benefit_per_person_holds_across_services()
 {
    let mesh = Mesh::start().await;
    payments::run(&mesh).await;
}
