//! The service's own tables — children, their parents and conditions, schooling, evaluations of
//! flags, allowances, payment batches and lines, programme grants, certificates seen, reference
//! values, extreme-poverty support periods and allowance holds — with migrations that run on
//! PostgreSQL and SQLite.

pub mod allowance;
pub mod certificate;
pub mod child;
pub mod condition;
pub mod enrollment;
pub mod evaluation;
pub mod grant;
mod m003_basis;
mod m004_support;
mod migrations;
pub mod parent;
pub mod payment_batch;
pub mod payment_line;
pub mod reference_value;
pub mod support;

pub use migrations::Migrator;
