//! Flow 2 (docs/architecture.md (cross-service flows)): one death record → every service ends what it pays or schedules for that
//! person, in the month its rules say; nothing keeps paying a dead person.

use e2e::{Mesh, flows::death};

#[tokio::test]
async fn one_death_record_ends_the_subsidy_the_home_bed_and_turns_the_son_into_an_orphan() {
    let mesh = Mesh::start().await;
    death::run(&mesh).await;
}
