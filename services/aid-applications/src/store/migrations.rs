//! Migrations: the kit's tables first, then this service's.

use sea_orm::DbErr;
use sea_orm_migration::{MigrationTrait, MigratorTrait, prelude::*, schema::*};

/// Every migration of aid-applications, oldest first.
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        let mut all = kit::db::migrations();
        all.push(Box::new(CreateHouseholds));
        all.push(Box::new(super::relatives_migration::CreateStaffRelatives));
        all.push(Box::new(super::vagrant_migration::CreateVagrantRelief));
        all.push(Box::new(
            super::assistance_migration::CreateTemporaryAssistance,
        ));
        all.push(Box::new(super::monitoring_migration::CreateMonitoring));
        all.push(Box::new(super::procedure_migration::CreateProcedure));
        all.push(Box::new(super::reference_migration::CreateReference));
        all.push(Box::new(super::enrollment_migration::CreateEnrollments));
        all.push(Box::new(super::payment_migration::CreatePayments));
        all.push(Box::new(
            super::payment_index_migration::IndexMembersByHousehold,
        ));
        all.push(Box::new(super::benefits_migration::CreateOtherBenefits));
        all.push(Box::new(
            super::household_register_migration::CreateHouseholdRegister,
        ));
        all.push(Box::new(super::payment_grant_migration::PayTemporaryGrants));
        all.push(Box::new(super::payment_arrears_migration::PayArrears));
        all.push(Box::new(super::reference_migration::SeedNewParameters));
        all
    }
}

struct CreateHouseholds;

impl MigrationName for CreateHouseholds {
    fn name(&self) -> &str {
        "m20261129_000101_households_and_applications"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for CreateHouseholds {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("households")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("township_code", 9))
                .col(string_len("village_code", 12))
                .col(string_len("residence", 16))
                .col(text("address"))
                .col(boolean("staff_relative"))
                .col(timestamp_with_time_zone("created_at"))
                .col(integer("version"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("households_village")
                .table("households")
                .col("village_code")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("members")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("household_id"))
                .col(string_len("id_number", 18))
                .col(string_len("person_ref", 32))
                .col(string("name"))
                .col(string_len("relationship", 16))
                .col(boolean("employed"))
                .col(boolean("able_to_work"))
                .col(big_integer("monthly_income_fen"))
                .col(date_null("deceased_on"))
                .foreign_key(
                    ForeignKey::create()
                        .from("members", "household_id")
                        .to("households", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("members_person_ref")
                .table("members")
                .col("person_ref")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("applications")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("household_id"))
                .col(string_len("programme", 32))
                .col(string_len("channel", 32))
                .col(string_len("status", 32))
                .col(string_len("township_code", 9))
                .col(string_len("village_code", 12))
                .col(string("submitted_by"))
                .col(date("submitted_on"))
                .col(boolean("staff_relative"))
                .col(timestamp_with_time_zone("created_at"))
                .col(integer("version"))
                .foreign_key(
                    ForeignKey::create()
                        .from("applications", "household_id")
                        .to("households", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("applications_household")
                .table("applications")
                .col("household_id")
                .to_owned(),
        )
        .await
    }
}
