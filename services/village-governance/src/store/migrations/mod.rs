//! Migrations: the kit's tables first, then this service's, oldest first. Seeds of reference data
//! are migrations too, so every database starts with the same standards and thresholds.

mod m001_reference;
mod m002_rules;
mod m003_councils_lists;
mod m004_committee_workers_centres;
mod m005_publicity;
mod m006_unique_rules;

use sea_orm::DbErr;
use sea_orm_migration::{MigrationTrait, MigratorTrait, prelude::*};

/// Every migration of village-governance, oldest first.
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        let mut all = kit::db::migrations();
        all.push(Box::new(m001_reference::Migration));
        all.push(Box::new(m002_rules::Migration));
        all.push(Box::new(m003_councils_lists::Migration));
        all.push(Box::new(m004_committee_workers_centres::Migration));
        all.push(Box::new(m005_publicity::Migration));
        all.push(Box::new(m006_unique_rules::Migration));
        all
    }
}

/// Creates an index (unique or not) on `columns` of `table`.
async fn index(
    m: &SchemaManager<'_>,
    table: &'static str,
    name: &'static str,
    columns: &[&'static str],
    unique: bool,
) -> Result<(), DbErr> {
    let mut index = Index::create();
    index.name(name).table(table).if_not_exists();
    for c in columns {
        index.col(*c);
    }
    if unique {
        index.unique();
    }
    m.create_index(index.to_owned()).await
}
