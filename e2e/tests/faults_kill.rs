//! Each service killed with SIGKILL in the middle of a flow and started again: the flow completes,
//! each effect is applied exactly once (on the bus and in the owning service's view), and every
//! flow runs to completion afterwards.

use e2e::{
    Mesh,
    interrupted::*,
    people::{Sex, aged},
};

#[tokio::test]
async fn aid_applications_killed_after_each_step_still_asks_once_and_posts_the_publicity_once() {
    let mut mesh = Mesh::start().await;
    let a = aid_application(&mesh).await;
    investigate(&mesh, &a).await;
    // The verification request may still sit in the outbox.
    mesh.kill("aid-applications");
    mesh.restart("aid-applications").await;
    let request = verification_request(&mesh, &a).await;
    // The answer arrives while aid-applications is down.
    mesh.kill("aid-applications");
    answer_verification(&mesh, &request).await;
    mesh.restart("aid-applications").await;
    verification_recorded(&mesh, &a).await;
    open_publicity(&mesh, &a).await;
    mesh.kill("aid-applications");
    mesh.restart("aid-applications").await;
    let opened = assert_publicity_posted_once(&mesh, &a).await;
    let objection = object(&mesh, &opened).await;
    mesh.kill("aid-applications");
    mesh.restart("aid-applications").await;
    assert_objection_reopened_once(&mesh, &a, &objection).await;
    every_flow_completes(&mesh, &[&a.head]).await;
}

#[tokio::test]
async fn village_governance_killed_around_the_publicity_posts_it_once_and_raises_the_objection_once()
 {
    let mut mesh = Mesh::start().await;
    let a = aid_application(&mesh).await;
    investigate(&mesh, &a).await;
    let request = verification_request(&mesh, &a).await;
    answer_verification(&mesh, &request).await;
    verification_recorded(&mesh, &a).await;
    // The publicity is opened while the village board's service is down.
    mesh.kill("village-governance");
    open_publicity(&mesh, &a).await;
    mesh.restart("village-governance").await;
    let opened = assert_publicity_posted_once(&mesh, &a).await;
    // Killed right after the objection is recorded: its event may still be in the outbox.
    let objection = object(&mesh, &opened).await;
    mesh.kill("village-governance");
    mesh.restart("village-governance").await;
    assert_objection_reopened_once(&mesh, &a, &objection).await;
    every_flow_completes(&mesh, &[&a.head]).await;
}

#[tokio::test]
async fn minor_protection_killed_right_after_flagging_publishes_the_flag_once() {
    let mut mesh = Mesh::start().await;
    let c = open_case(&mesh).await;
    record_parents(&mesh, &c).await;
    mesh.kill("minor-protection");
    mesh.restart("minor-protection").await;
    assert_child_registered_once(&mesh, &c).await;
    every_flow_completes(&mesh, &[&c.child, &c.father]).await;
}

#[tokio::test]
async fn child_welfare_down_while_the_flag_is_published_registers_the_child_once() {
    let mut mesh = Mesh::start().await;
    let c = open_case(&mesh).await;
    mesh.kill("child-welfare");
    record_parents(&mesh, &c).await;
    mesh.restart("child-welfare").await;
    assert_child_registered_once(&mesh, &c).await;
    // Killed again while it may be handling a second child's flag.
    let d = open_case(&mesh).await;
    record_parents(&mesh, &d).await;
    mesh.kill("child-welfare");
    mesh.restart("child-welfare").await;
    assert_child_registered_once(&mesh, &d).await;
    every_flow_completes(&mesh, &[&c.child, &c.father, &d.child, &d.father]).await;
}

#[tokio::test]
async fn disability_subsidies_killed_around_the_certificate_and_the_death_grants_and_ends_once() {
    let mut mesh = Mesh::start().await;
    let holder = aged(50, Sex::Male);
    mesh.kill("disability-subsidies");
    issue_certificate(&mesh, &holder).await;
    mesh.restart("disability-subsidies").await;
    assert_nursing_granted_once(&mesh, &holder).await;
    // Killed while the death record is (maybe) being handled.
    record_death(&mesh, &holder).await;
    mesh.kill("disability-subsidies");
    mesh.restart("disability-subsidies").await;
    assert_subsidy_ended_once(&mesh, &holder).await;
    every_flow_completes(&mesh, &[&holder]).await;
}

#[tokio::test]
async fn elderly_care_killed_after_installing_and_around_the_death_establishes_and_closes_once() {
    let mut mesh = Mesh::start().await;
    let bed = home_bed_assessed(&mesh).await;
    install(&mesh, &bed).await;
    mesh.kill("elderly-care");
    mesh.restart("elderly-care").await;
    assert_bed_established_once(&mesh, &bed).await;
    mesh.kill("elderly-care");
    record_death(&mesh, &bed.elder).await;
    mesh.restart("elderly-care").await;
    assert_bed_closed_once(&mesh, &bed).await;
    every_flow_completes(&mesh, &[&bed.elder]).await;
}
