//! The service's own tables: households, members, applications; migrations run on PostgreSQL and
//! SQLite.

pub mod application;
pub mod assistance;
mod assistance_migration;
pub mod benefits;
mod benefits_migration;
pub mod enrollment;
pub mod enrollment_amount;
mod enrollment_migration;
pub mod household;
pub mod household_register;
mod household_register_migration;
pub mod member;
mod migrations;
pub mod monitoring;
mod monitoring_migration;
mod payment_arrears_migration;
pub mod payment_batch;
mod payment_grant_migration;
mod payment_index_migration;
pub mod payment_line;
mod payment_migration;
mod procedure_migration;
pub mod procedure_publicity;
pub mod procedure_verification;
pub mod reference_authority;
pub mod reference_holiday;
mod reference_migration;
pub mod reference_parameter;
pub mod relatives;
mod relatives_migration;
pub mod vagrant;
mod vagrant_migration;

pub use migrations::Migrator;
