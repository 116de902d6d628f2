//! What this service knows about a person, gathered from its tables: certificate, death,
//! enrollments, work-injury allowance. Facts are kept per person_ref whatever order they arrive
//! in, so a later fact reconciles with the earlier ones.

use chrono::NaiveDate;
use contracts::{common::Month, partner::DisabilityCategory};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Statement};

use super::parse_snake;
use crate::{
    domain::{certificate::Certificate, eligibility::Situation},
    store::entities::{death, enrollment, enrollment_member, holder, work_injury},
};

/// A person's facts.
#[derive(Debug, Clone)]
pub struct Facts {
    pub person_ref: String,
    pub holder: Option<holder::Model>,
    pub certificate: Option<Certificate>,
    pub death: Option<death::Model>,
    /// Enrollments the person belongs to, with whether they are a beneficiary.
    pub enrollments: Vec<(enrollment::Model, bool)>,
    pub work_injury: Vec<work_injury::Model>,
}

/// The certificate of a holder row, when the row has its details (a revocation may come first).
pub fn certificate_of(h: &holder::Model) -> Option<Certificate> {
    certificate_from(
        h.category.clone(),
        h.level,
        h.issued_on,
        h.expires_on,
        h.revoked_on,
        h.reassessment_since,
    )
}

/// The certificate in a holder's columns (as `certificate_of`, from a joined row).
pub fn certificate_from(
    category: Option<String>,
    level: Option<i32>,
    issued_on: Option<NaiveDate>,
    expires_on: Option<NaiveDate>,
    revoked_on: Option<NaiveDate>,
    reassessment_since: Option<NaiveDate>,
) -> Option<Certificate> {
    Some(Certificate {
        category: parse_snake::<DisabilityCategory>(category.as_deref()?)?,
        level: u8::try_from(level?).ok()?,
        issued_on: issued_on?,
        expires_on: expires_on?,
        revoked_on,
        reassessment_since,
    })
}

fn month_of(s: &Option<String>) -> Option<Month> {
    s.as_deref().and_then(|m| m.parse().ok())
}

/// Whether an enrollment covers `month` (it has started and not ended before).
pub fn covers(e: &enrollment::Model, month: Month) -> bool {
    month_of(&e.start_month).is_some_and(|s| s <= month)
        && month_of(&e.end_month).is_none_or(|end| month <= end)
}

/// Whether membership of this enrollment puts the person in dibao: a person it pays for — every
/// member of a dibao household but one paid extreme-poverty support instead (one benefit per
/// person), the beneficiary of single-person dibao.
pub fn is_dibao(e: &enrollment::Model, beneficiary: bool) -> bool {
    beneficiary && (e.programme == "dibao" || e.programme == "single_person_dibao")
}

impl Facts {
    /// Loads everything known about `person_ref`.
    pub async fn load(db: &impl ConnectionTrait, person_ref: &str) -> Result<Self, DbErr> {
        let holder = holder::Entity::find_by_id(person_ref.to_owned())
            .one(db)
            .await?;
        let death = death::Entity::find_by_id(person_ref.to_owned())
            .one(db)
            .await?;
        let memberships = enrollment_member::Entity::find()
            .filter(enrollment_member::Column::PersonRef.eq(person_ref))
            .all(db)
            .await?;
        let ids: Vec<_> = memberships.iter().map(|m| m.enrollment_id).collect();
        let enrollments = if ids.is_empty() {
            Vec::new()
        } else {
            enrollment::Entity::find()
                .filter(enrollment::Column::EnrollmentId.is_in(ids))
                .all(db)
                .await?
        };
        let enrollments = enrollments
            .into_iter()
            .map(|e| {
                let beneficiary = memberships
                    .iter()
                    .any(|m| m.enrollment_id == e.enrollment_id && m.beneficiary);
                (e, beneficiary)
            })
            .collect();
        let work_injury = work_injury::Entity::find()
            .filter(work_injury::Column::PersonRef.eq(person_ref))
            .all(db)
            .await?;
        Ok(Self {
            person_ref: person_ref.to_owned(),
            certificate: holder.as_ref().and_then(certificate_of),
            holder,
            death,
            enrollments,
            work_injury,
        })
    }

    /// The dibao enrollment covering `month`.
    pub fn dibao(&self, month: Month) -> Option<&enrollment::Model> {
        self.enrollments
            .iter()
            .find(|(e, b)| is_dibao(e, *b) && covers(e, month))
            .map(|(e, _)| e)
    }

    /// Whether the person is supported as in extreme poverty in `month`.
    pub fn extreme_poverty(&self, month: Month) -> bool {
        self.enrollments
            .iter()
            .any(|(e, b)| e.programme == "extreme_poverty" && *b && covers(e, month))
    }

    /// Whether the person is in the low-income population (dibao, marginal, extreme poverty).
    pub fn low_income(&self, month: Month) -> bool {
        self.enrollments.iter().any(|(e, _)| covers(e, month))
    }

    /// Whether a work-injury care allowance is paid in `month`.
    pub fn work_injury(&self, month: Month) -> bool {
        self.work_injury.iter().any(|w| {
            w.from_month.parse::<Month>().is_ok_and(|f| f <= month)
                && month_of(&w.to_month).is_none_or(|t| month <= t)
        })
    }

    /// Whether the certificate's 户籍 place is in this district.
    pub fn registered_here(&self) -> bool {
        self.holder
            .as_ref()
            .and_then(|h| h.registration_division.as_deref())
            .is_some_and(|d| d.starts_with(kit::divisions::YUBEI))
    }

    /// The person's situation in `month`.
    pub fn situation(&self, month: Month) -> Situation<'_> {
        Situation {
            certificate: self.certificate.as_ref(),
            registered_here: self.registered_here(),
            deceased: self.death.is_some(),
            in_dibao: self.dibao(month).is_some(),
            in_extreme_poverty: self.extreme_poverty(month),
            work_injury_care_allowance: self.work_injury(month),
        }
    }

    /// Township and village of the person: the certificate's 户籍 place when it names them, else
    /// the latest enrollment's household.
    pub fn place(&self) -> (Option<String>, Option<String>) {
        let latest = self
            .enrollments
            .iter()
            .max_by_key(|(e, _)| e.updated_at)
            .map(|(e, _)| e);
        let h = self.holder.as_ref();
        let township = h
            .and_then(|h| h.township_code.clone())
            .or_else(|| latest.map(|e| e.township_code.clone()));
        let village = h.and_then(|h| h.village_code.clone()).or_else(|| {
            latest
                .filter(|e| township.as_deref() == Some(e.township_code.as_str()))
                .map(|e| e.village_code.clone())
        });
        (township, village)
    }
}

/// Serialises the reconciliation of these people with any other transaction doing the same: the
/// row written here stays locked until commit, and a concurrent handler waits for it, then reads
/// what the first one committed. Taken in a stable order so two handlers never deadlock.
pub async fn lock_people(db: &impl ConnectionTrait, people: &[&str]) -> Result<(), DbErr> {
    let mut sorted: Vec<&str> = people.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    for person in sorted {
        db.execute_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "INSERT INTO person_locks (person_ref, touched_at) VALUES ($1, $2) \
             ON CONFLICT (person_ref) DO UPDATE SET touched_at = excluded.touched_at",
            [person.into(), kit::clock::now().into()],
        ))
        .await?;
    }
    Ok(())
}
