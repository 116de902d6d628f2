//! The service's own tables and reference data; migrations run on PostgreSQL and SQLite.

pub mod entities;
mod m001_tables;
mod m002_reference;
mod migrations;

pub use migrations::Migrator;
