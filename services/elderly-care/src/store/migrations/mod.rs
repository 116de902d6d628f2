//! Migrations: the kit's tables first, then this service's, oldest first.

mod facilities;
mod home_beds;
mod reference;
mod visits;

use sea_orm_migration::{MigrationTrait, MigratorTrait};

/// Every migration of elderly-care.
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        let mut all = kit::db::migrations();
        all.push(Box::new(reference::CreateReferenceData));
        all.push(Box::new(visits::CreateVisits));
        all.push(Box::new(home_beds::CreateHomeBeds));
        all.push(Box::new(facilities::CreateRegistersAndFacilities));
        all
    }
}
