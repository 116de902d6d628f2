//! The service's own tables (sea-orm entities) and their migrations; every migration runs on
//! PostgreSQL and SQLite.

pub mod centres;
pub mod committee;
pub mod councils;
pub mod lists;
mod migrations;
pub mod publicity;
pub mod reference;
pub mod rules;
pub mod villages;
pub mod workers;

pub use migrations::Migrator;
