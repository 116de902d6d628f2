//! Migrations: the kit's tables first, then this service's tables, then the reference data,
//! then the sealing in place of personal data written before encryption at rest, then the
//! payment run's storage (HOT updates of `next_unpaid_month`).

use sea_orm_migration::{MigrationTrait, MigratorTrait};

use super::{
    m001_tables::CreateTables, m002_reference::SeedReference, m003_sealed::SealPersonalData,
    m004_payment_run::PaymentRunStorage,
};

/// Every migration of disability-subsidies, oldest first.
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        let mut all = kit::db::migrations();
        all.push(Box::new(CreateTables));
        all.push(Box::new(SeedReference));
        all.push(Box::new(SealPersonalData));
        all.push(Box::new(PaymentRunStorage));
        all
    }
}
