//! Aid enrollments (`aid.enrollment.*`): kept per enrollment with its members, so a certificate
//! arriving later still finds the dibao household. Dibao with a certified member opens the living
//! subsidy by itself (政策找人); leaving dibao stops it from the month after the last dibao month;
//! extreme-poverty support stops it in the month of the comparison.

use chrono::NaiveDate;
use contracts::{
    aid::{EnrollmentChanged, EnrollmentEnded, EnrollmentStarted, Programme},
    common::{Month, PersonRef},
    disability::{AnomalyKind, SubsidyKind},
};
use kit::outbox::Outbox;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter,
};
use uuid::Uuid;

use super::{
    CommandError, cases,
    discovery::{Prompt, discover},
    facts::{Facts, lock_people},
    findings::{self, NewFinding},
    reference, snake,
};
use crate::{
    domain::months::Stop,
    store::entities::{enrollment, enrollment_member, holder, payment_line},
};

/// The enrollment's state as an event carries it.
struct State<'a> {
    id: Uuid,
    household_id: Uuid,
    programme: Programme,
    township: &'a str,
    village: &'a str,
    start: Option<Month>,
    end: Option<Month>,
    members: &'a [PersonRef],
    beneficiaries: &'a [PersonRef],
}

/// Writes the enrollment and replaces its members. A start never clears an end already known
/// (an ended event may arrive first).
async fn store(db: &impl ConnectionTrait, s: State<'_>) -> Result<(), CommandError> {
    let people: Vec<&str> = s
        .members
        .iter()
        .chain(s.beneficiaries)
        .map(PersonRef::as_str)
        .collect();
    lock_people(db, &people).await?;
    let existing = enrollment::Entity::find_by_id(s.id).one(db).await?;
    let is_new = existing.is_none();
    let mut active = match existing {
        Some(e) => e.into_active_model(),
        None => enrollment::ActiveModel {
            enrollment_id: Set(s.id),
            start_month: Set(None),
            end_month: Set(None),
            ..Default::default()
        },
    };
    active.household_id = Set(s.household_id);
    active.programme = Set(snake(s.programme));
    active.township_code = Set(s.township.to_owned());
    active.village_code = Set(s.village.to_owned());
    if let Some(start) = s.start {
        active.start_month = Set(Some(start.to_string()));
    }
    if let Some(end) = s.end {
        active.end_month = Set(Some(end.to_string()));
    }
    active.updated_at = Set(kit::clock::now());
    if is_new {
        active.insert(db).await?;
    } else {
        active.update(db).await?;
    }
    enrollment_member::Entity::delete_many()
        .filter(enrollment_member::Column::EnrollmentId.eq(s.id))
        .exec(db)
        .await?;
    let mut rows: Vec<enrollment_member::ActiveModel> = Vec::new();
    for m in s.members.iter().chain(s.beneficiaries) {
        if rows.iter().any(|r| r.person_ref.as_ref() == m.as_str()) {
            continue;
        }
        rows.push(enrollment_member::ActiveModel {
            enrollment_id: Set(s.id),
            person_ref: Set(m.as_str().to_owned()),
            beneficiary: Set(s.beneficiaries.contains(m)),
        });
    }
    if !rows.is_empty() {
        enrollment_member::Entity::insert_many(rows)
            .exec(db)
            .await?;
    }
    Ok(())
}

/// The people among `refs` who hold a certificate here.
async fn holders_among(
    db: &impl ConnectionTrait,
    refs: &[PersonRef],
) -> Result<Vec<String>, CommandError> {
    if refs.is_empty() {
        return Ok(Vec::new());
    }
    Ok(holder::Entity::find()
        .filter(holder::Column::PersonRef.is_in(refs.iter().map(|r| r.as_str().to_owned())))
        .all(db)
        .await?
        .into_iter()
        .map(|h| h.person_ref)
        .collect())
}

/// The people whose dibao the enrollment is: those it pays for — every member of a dibao
/// household but one paid extreme-poverty support (one benefit per person), or the single
/// beneficiary of single-person dibao.
fn dibao_people(programme: Programme, beneficiaries: &[PersonRef]) -> &[PersonRef] {
    match programme {
        Programme::Dibao | Programme::SinglePersonDibao => beneficiaries,
        _ => &[],
    }
}

/// `aid.enrollment.started.v1`.
pub async fn enrollment_started(
    db: &impl ConnectionTrait,
    outbox: &Outbox,
    e: &EnrollmentStarted,
) -> Result<(), CommandError> {
    store(
        db,
        State {
            id: e.enrollment_id,
            household_id: e.household_id,
            programme: e.programme,
            township: e.township_code.as_str(),
            village: e.village_code.as_str(),
            start: Some(e.start_month),
            end: None,
            members: &e.members,
            beneficiaries: &e.beneficiaries,
        },
    )
    .await?;
    match e.programme {
        Programme::Dibao | Programme::SinglePersonDibao => {
            let people = dibao_people(e.programme, &e.beneficiaries);
            for person in holders_among(db, people).await? {
                let facts = Facts::load(db, &person).await?;
                let prompt = Prompt {
                    application_month: Month::from_date(e.confirmed_on),
                    eligible_since: Some(e.start_month),
                    household_id: Some(e.household_id),
                    on: e.confirmed_on,
                };
                discover(db, outbox, &facts, SubsidyKind::Living, prompt).await?;
            }
        }
        Programme::ExtremePoverty => {
            let comparison_month = Month::from_date(e.confirmed_on);
            for person in holders_among(db, &e.beneficiaries).await? {
                if let Some(case) = cases::open_case(db, &person, SubsidyKind::Living).await? {
                    let stop = Stop::ExtremePovertySupport { comparison_month };
                    cases::end(db, outbox, case, stop, e.confirmed_on).await?;
                }
                double_benefit(
                    db,
                    outbox,
                    &person,
                    e.start_month,
                    comparison_month,
                    e.confirmed_on,
                )
                .await?;
            }
        }
        Programme::Marginal => {}
    }
    Ok(())
}

/// Living-subsidy months paid while the person was in extreme-poverty support.
async fn double_benefit(
    db: &impl ConnectionTrait,
    outbox: &Outbox,
    person: &str,
    support_from: Month,
    comparison_month: Month,
    today: NaiveDate,
) -> Result<(), CommandError> {
    let lines = payment_line::Entity::find()
        .filter(payment_line::Column::PersonRef.eq(person))
        .filter(payment_line::Column::Kind.eq("living"))
        .filter(payment_line::Column::Status.eq("issued"))
        .filter(payment_line::Column::Month.gte(support_from.to_string()))
        .all(db)
        .await?;
    let Some(first) = lines.first() else {
        return Ok(());
    };
    let rules = reference::rules(db, today).await?;
    findings::raise(
        db,
        outbox,
        NewFinding {
            kind: AnomalyKind::DoubleBenefit,
            subsidy_kind: Some(SubsidyKind::Living),
            subsidy_id: Some(first.subsidy_id),
            person_ref: person.to_owned(),
            comparison_month,
            amount_at_risk_fen: Some(lines.iter().map(|l| l.amount_fen).sum()),
            township_code: first.township_code.clone(),
        },
        &rules,
        today,
    )
    .await?;
    Ok(())
}

/// Stops the living subsidy of `people` who have no dibao after `last_dibao_month`.
async fn stop_left_dibao(
    db: &impl ConnectionTrait,
    outbox: &Outbox,
    people: Vec<String>,
    last_dibao_month: Month,
    on: NaiveDate,
) -> Result<(), CommandError> {
    for person in people {
        let Some(case) = cases::open_case(db, &person, SubsidyKind::Living).await? else {
            continue;
        };
        let facts = Facts::load(db, &person).await?;
        if facts.dibao(last_dibao_month.next()).is_none() {
            cases::end(db, outbox, case, Stop::LeftDibao { last_dibao_month }, on).await?;
        }
    }
    Ok(())
}

/// `aid.enrollment.changed.v1`: members who left a dibao household stop; new members are found.
pub async fn enrollment_changed(
    db: &impl ConnectionTrait,
    outbox: &Outbox,
    e: &EnrollmentChanged,
) -> Result<(), CommandError> {
    let before: Vec<String> = enrollment_member::Entity::find()
        .filter(enrollment_member::Column::EnrollmentId.eq(e.enrollment_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.person_ref)
        .collect();
    store(
        db,
        State {
            id: e.enrollment_id,
            household_id: e.household_id,
            programme: e.programme,
            township: e.township_code.as_str(),
            village: e.village_code.as_str(),
            start: None,
            end: None,
            members: &e.members,
            beneficiaries: &e.beneficiaries,
        },
    )
    .await?;
    if !matches!(e.programme, Programme::Dibao | Programme::SinglePersonDibao) {
        return Ok(());
    }
    let people = dibao_people(e.programme, &e.beneficiaries);
    let left: Vec<String> = before
        .into_iter()
        .filter(|p| !people.iter().any(|m| m.as_str() == p))
        .collect();
    stop_left_dibao(db, outbox, left, e.effective_month.prev(), e.changed_on).await?;
    for person in holders_among(db, people).await? {
        let facts = Facts::load(db, &person).await?;
        let since = facts
            .dibao(e.effective_month)
            .and_then(|d| d.start_month.as_deref().and_then(|m| m.parse().ok()));
        let prompt = Prompt {
            application_month: Month::from_date(e.changed_on),
            eligible_since: since,
            household_id: Some(e.household_id),
            on: e.changed_on,
        };
        discover(db, outbox, &facts, SubsidyKind::Living, prompt).await?;
    }
    Ok(())
}

/// `aid.enrollment.ended.v1`: the living subsidy stops from the month after the last dibao month.
pub async fn enrollment_ended(
    db: &impl ConnectionTrait,
    outbox: &Outbox,
    e: &EnrollmentEnded,
) -> Result<(), CommandError> {
    store(
        db,
        State {
            id: e.enrollment_id,
            household_id: e.household_id,
            programme: e.programme,
            township: e.township_code.as_str(),
            village: e.village_code.as_str(),
            start: None,
            end: Some(e.end_month),
            members: &e.members,
            beneficiaries: &e.beneficiaries,
        },
    )
    .await?;
    let people = dibao_people(e.programme, &e.beneficiaries)
        .iter()
        .map(|p| p.as_str().to_owned())
        .collect();
    stop_left_dibao(db, outbox, people, e.end_month, e.ended_on).await
}
