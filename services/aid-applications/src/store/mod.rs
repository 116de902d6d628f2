//! The service's own tables: households, members, applications; migrations run on PostgreSQL and
//! SQLite.

pub mod application;
pub mod household;
pub mod member;
mod migrations;

pub use migrations::Migrator;
