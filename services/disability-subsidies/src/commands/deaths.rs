//! Death records from the civil registry: every subsidy of the person stops in the month of the
//! comparison (the month the record is made), and months already paid after the death become a
//! "dead person still paid" finding to recover. The record is kept even when the person is not
//! known yet, so a certificate arriving later opens nothing.

use chrono::NaiveDate;
use contracts::{
    common::Month,
    disability::{AnomalyKind, SubsidyKind},
};
use kit::outbox::Outbox;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::{
    CommandError, cases,
    facts::lock_people,
    findings::{self, NewFinding},
    parse_snake, reference,
};
use crate::{
    domain::months::Stop,
    store::entities::{death, payment_line},
};

/// Ends every open case of the person for a death recorded on `recorded_on`.
pub async fn stop_all(
    db: &impl ConnectionTrait,
    outbox: &Outbox,
    person_ref: &str,
    recorded_on: NaiveDate,
) -> Result<(), CommandError> {
    let stop = Stop::Death {
        comparison_month: Month::from_date(recorded_on),
    };
    for case in cases::open_cases(db, person_ref).await? {
        cases::end(db, outbox, case, stop, recorded_on).await?;
    }
    Ok(())
}

/// Raises "dead person still paid" for lines issued for months after the death month.
pub async fn compare_paid_after_death(
    db: &impl ConnectionTrait,
    outbox: &Outbox,
    person_ref: &str,
    died_on: NaiveDate,
    comparison_month: Month,
    today: NaiveDate,
) -> Result<(), CommandError> {
    let after = Month::from_date(died_on).to_string();
    let lines = payment_line::Entity::find()
        .filter(payment_line::Column::PersonRef.eq(person_ref))
        .filter(payment_line::Column::Status.eq("issued"))
        .filter(payment_line::Column::Month.gt(after))
        .all(db)
        .await?;
    let Some(first) = lines.first() else {
        return Ok(());
    };
    let rules = reference::rules(db, today).await?;
    for kind in [SubsidyKind::Living, SubsidyKind::Nursing] {
        let of_kind: Vec<_> = lines
            .iter()
            .filter(|l| parse_snake::<SubsidyKind>(&l.kind) == Some(kind))
            .collect();
        let Some(line) = of_kind.first() else {
            continue;
        };
        findings::raise(
            db,
            outbox,
            NewFinding {
                kind: AnomalyKind::DeceasedStillPaid,
                subsidy_kind: Some(kind),
                subsidy_id: Some(line.subsidy_id),
                person_ref: person_ref.to_owned(),
                comparison_month,
                amount_at_risk_fen: Some(of_kind.iter().map(|l| l.amount_fen).sum()),
                township_code: first.township_code.clone(),
            },
            &rules,
            today,
        )
        .await?;
    }
    Ok(())
}

/// `partner.civil-registry.death.recorded.v1`.
pub async fn death_recorded(
    db: &impl ConnectionTrait,
    outbox: &Outbox,
    person_ref: &str,
    died_on: NaiveDate,
    recorded_on: NaiveDate,
) -> Result<(), CommandError> {
    lock_people(db, &[person_ref]).await?;
    death::Entity::insert(death::ActiveModel {
        person_ref: Set(person_ref.to_owned()),
        died_on: Set(died_on),
        recorded_on: Set(recorded_on),
    })
    .on_conflict_do_nothing_on([death::Column::PersonRef])
    .exec(db)
    .await?;
    stop_all(db, outbox, person_ref, recorded_on).await?;
    compare_paid_after_death(
        db,
        outbox,
        person_ref,
        died_on,
        Month::from_date(recorded_on),
        recorded_on,
    )
    .await
}
