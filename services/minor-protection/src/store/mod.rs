//! The service's own tables: the protection units of the three levels, cases and everything done on
//! them, flags to child-welfare, the left-behind register and its visits, reference parameters,
//! and what child-welfare announces about children. Migrations run on PostgreSQL and SQLite.

pub mod action;
pub mod case;
pub mod escalation;
pub mod flag;
pub mod guardianship;
pub mod left_behind;
mod m002_welfare;
mod migrations;
pub mod parameter;
pub mod parent;
pub mod referral;
mod seed;
pub mod transfer;
pub mod unit;
pub mod visit;
pub mod welfare_allowance;
pub mod welfare_child;

pub use migrations::Migrator;
