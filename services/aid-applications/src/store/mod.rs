//! The service's own tables: households, members, applications; migrations run on PostgreSQL and
//! SQLite.

pub mod application;
pub mod household;
pub mod member;
mod migrations;
pub mod relatives;
mod relatives_migration;
pub mod vagrant;
mod vagrant_migration;

pub use migrations::Migrator;
