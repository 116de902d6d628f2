//! Migration: the index the monthly run's living-member check needs (one lookup per enrollment
//! by household instead of a scan of every member).

use sea_orm::DbErr;
use sea_orm_migration::{MigrationTrait, prelude::*};

/// Indexes `members(household_id)`.
pub struct IndexMembersByHousehold;

impl MigrationName for IndexMembersByHousehold {
    fn name(&self) -> &str {
        "m20261129_000205_members_by_household"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for IndexMembersByHousehold {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("members_household")
                .table("members")
                .col("household_id")
                .if_not_exists()
                .to_owned(),
        )
        .await
    }
}
