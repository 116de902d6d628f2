//! The service's own tables and reference data, and the sealing of the personal data they hold;
//! migrations run on PostgreSQL and SQLite.

pub mod entities;
mod m001_tables;
mod m002_reference;
pub mod m003_sealed;
mod m004_payment_run;
mod migrations;
pub mod sealed;

pub use migrations::Migrator;
