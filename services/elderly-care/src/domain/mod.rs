//! Pure rules of elderly care: visit schedules, home-care-bed and facility lifecycles, targets and
//! the effective-dated reference data they read. Nothing here touches a database or the network.

pub mod facility;
pub mod home_bed;
pub mod reference;
pub mod schedule;
pub mod targets;
