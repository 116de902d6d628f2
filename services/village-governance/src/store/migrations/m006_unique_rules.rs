//! One rules document per village and kind, enforced by the database as well, so two concurrent
//! first drafts cannot both be written.

use sea_orm::DbErr;
use sea_orm_migration::{MigrationTrait, prelude::*};

use super::index;

pub(super) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_080601_unique_rules"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        index(
            m,
            "rules",
            "rules_village_kind",
            &["village_code", "kind"],
            true,
        )
        .await
    }
}
