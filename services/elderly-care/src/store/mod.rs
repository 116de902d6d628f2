//! The service's own tables and their migrations (PostgreSQL and SQLite alike).

pub mod death;
pub mod enrollment;
pub mod facility;
pub mod home_bed;
pub mod home_bed_service;
pub mod left_behind_elder;
mod migrations;
pub mod overdue_alert;
pub mod provider;
pub mod reference_value;
pub mod township;
pub mod visit;
pub mod visit_plan;

pub use migrations::Migrator;
