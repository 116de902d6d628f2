//! The payment run on SQLite (one machine): the same join as on PostgreSQL, read a page at a
//! time by case id instead of through a cursor.

use chrono::NaiveDate;
use contracts::common::Month;
use disability_subsidies::{
    commands::{applications::sealed_columns::*, payments},
    store::{
        Migrator,
        entities::{holder, payee, subsidy},
        sealed::{DataKeys, binding},
    },
};
use kit::{Principal, Role, identity::DivisionCode, outbox::Outbox};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, TransactionTrait};
use sea_orm_migration::MigratorTrait;
use uuid::Uuid;

const TOWNSHIP: &str = "500112016";

fn date(s: &str) -> NaiveDate {
    s.parse().expect("a date")
}

async fn case(db: &impl sea_orm::ConnectionTrait, n: u32, keys: &DataKeys, account: bool) -> Uuid {
    let person_ref = format!("{n:032x}");
    holder::ActiveModel {
        person_ref: Set(person_ref.clone()),
        category: Set(Some("physical".into())),
        level: Set(Some(1)),
        issued_on: Set(Some(date("2020-01-01"))),
        expires_on: Set(Some(date("2031-01-01"))),
        registration_division: Set(Some(format!("{TOWNSHIP}001"))),
        township_code: Set(Some(TOWNSHIP.into())),
        village_code: Set(Some(format!("{TOWNSHIP}001"))),
        revoked_on: Set(None),
        revocation_reason: Set(None),
        reassessment_since: Set(None),
        as_of: Set(date("2024-01-01")),
        updated_at: Set(kit::clock::now()),
        version: Set(1),
    }
    .insert(db)
    .await
    .expect("holder");
    if account {
        let seal = |column: &str, v: &str| keys.seal(&binding(column, &person_ref), v);
        payee::ActiveModel {
            person_ref: Set(person_ref.clone()),
            name: Set(seal(PAYEE_NAME, "张三")),
            bank_code: Set(Some("102".into())),
            account_number: Set(Some(seal(PAYEE_ACCOUNT, "6222020000000000001"))),
            account_holder_name: Set(Some(seal(PAYEE_HOLDER, "张三"))),
            updated_at: Set(kit::clock::now()),
            version: Set(1),
        }
        .insert(db)
        .await
        .expect("payee");
    }
    let id = Uuid::now_v7();
    subsidy::ActiveModel {
        id: Set(id),
        person_ref: Set(person_ref.clone()),
        kind: Set("nursing".into()),
        origin: Set("application".into()),
        status: Set("granted".into()),
        open_key: Set(Some(format!("{person_ref}|nursing"))),
        township_code: Set(TOWNSHIP.into()),
        village_code: Set(format!("{TOWNSHIP}001")),
        household_id: Set(None),
        received_at: Set("township".into()),
        cross_province: Set(false),
        applied_on: Set(date("2026-10-10")),
        application_month: Set("2026-10".into()),
        start_month: Set("2026-10".into()),
        end_month: Set(None),
        end_reason: Set(None),
        rate_level: Set(1),
        previous_rate_level: Set(None),
        rate_level_from: Set(None),
        monthly_amount_fen: Set(11_000),
        next_unpaid_month: Set("2026-10".into()),
        submitted_by: Set("clerk".into()),
        reviewed_by: Set(Some("approver".into())),
        reviewed_on: Set(Some(date("2026-10-12"))),
        decided_by: Set(Some("district".into())),
        decided_on: Set(Some(date("2026-10-15"))),
        decision_reason: Set(None),
        created_at: Set(kit::clock::now()),
        version: Set(1),
    }
    .insert(db)
    .await
    .expect("case");
    id
}

#[tokio::test]
async fn the_payment_run_on_sqlite_pays_arrears_and_holds_a_case_without_an_account() {
    let db = kit::db::connect("sqlite::memory:", std::time::Duration::from_secs(5))
        .await
        .expect("SQLite in memory");
    Migrator::up(&db, None).await.expect("migrations");
    let keys = DataKeys::development();
    let paid = case(&db, 1, &keys, true).await;
    let held = case(&db, 2, &keys, false).await;
    let who = Principal {
        subject: "officer@500112".into(),
        role: Role::DistrictOfficer,
        division: DivisionCode::parse("500112").expect("division"),
    };
    let month: Month = "2026-11".parse().expect("month");
    let tx = db.begin().await.expect("begin");
    let batch = payments::run(&tx, &Outbox::new(), &keys, &who, month, date("2026-11-28"))
        .await
        .expect("the run");
    tx.commit().await.expect("commit");
    // October in arrears and November, for the case with an account; both months held for the
    // other, whose next run pays them.
    assert_eq!(
        (batch.line_count, batch.total_fen, batch.held_count),
        (2, 22_000, 2)
    );
    let next = |id| {
        let db = &db;
        async move {
            subsidy::Entity::find_by_id(id)
                .one(db)
                .await
                .expect("read")
                .expect("the case")
                .next_unpaid_month
        }
    };
    assert_eq!(next(paid).await, "2026-12");
    assert_eq!(next(held).await, "2026-10");
}
