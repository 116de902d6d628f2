//! Enrollments in the database: started on confirmation, then changed, reviewed, put on gradual
//! exit or ended through the domain `Enrollment`; every step saves the aggregate and its amount
//! rows under the version and publishes the contract event with the whole state after it.

pub mod overlaps;
pub mod standards;
pub mod steps;

use chrono::NaiveDate;
use contracts::{
    aid::{EnrollmentChanged, EnrollmentEnded, EnrollmentStarted},
    common::{Month as ContractMonth, PersonRef, TownshipCode, VillageCode},
};
use kit::{Principal, Refusal, outbox::Outbox};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::commands::procedure::facts::{Register, alive_on, build_household};
use crate::commands::procedure::{Loaded, convert, internal, load_any, snake};
use crate::commands::reference::load_parameters;
use crate::domain::enrollment::{
    Enrollment, EnrollmentEvent, NewEnrollment, review_interval_months,
};
use crate::domain::money::Fen;
use crate::domain::month::Month;
use crate::domain::programme::{Claim, ExtremePovertySupport};
use crate::store::procedure_verification;
use crate::store::{enrollment, enrollment_amount, member};

/// The account a benefit is paid to: the beneficiary's own, a registered agent's, or (for
/// institutional extreme-poverty support) the institution's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Payee {
    /// Account holder's name.
    pub name: String,
    /// Bank and branch.
    #[schema(example = "中国农业银行重庆渝北支行")]
    pub bank: String,
    /// Account number (digits).
    #[schema(example = "6228480469812345678")]
    pub account: String,
}

impl Payee {
    /// Refuses a blank name or an account that is not 8–32 digits.
    pub fn validate(&self, prefix: &str) -> Result<(), Refusal> {
        if self.name.trim().is_empty() {
            return Err(Refusal::invalid(format!("{prefix}name"), "required"));
        }
        if self.bank.trim().is_empty() {
            return Err(Refusal::invalid(format!("{prefix}bank"), "required"));
        }
        let digits = self.account.len();
        if !(8..=32).contains(&digits) || !self.account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Refusal::invalid(
                format!("{prefix}account"),
                "must be 8 to 32 digits",
            ));
        }
        Ok(())
    }
}

/// What is stored in `enrollments.state`: the domain aggregate and who it pays for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnrollmentRecord {
    pub enrollment: Enrollment,
    /// Members the benefit is paid for (empty for marginal households).
    pub beneficiaries: Vec<Uuid>,
    /// Extreme poverty: support mode and care level as they stand.
    pub support: Option<ExtremePovertySupport>,
}

/// `2026-12` as the integer 202612 (ordered like months).
pub fn yyyymm(m: Month) -> i32 {
    m.year() * 100 + i32::try_from(m.month()).unwrap_or(0)
}

/// The contract's month.
pub fn contract_month(m: Month) -> ContractMonth {
    ContractMonth::new(m.year(), m.month())
        .unwrap_or_else(|| ContractMonth::from_date(m.first_day()))
}

/// The stored enrollment with its aggregate.
pub struct StoredEnrollment {
    pub row: enrollment::Model,
    pub record: EnrollmentRecord,
}

impl StoredEnrollment {
    /// Parses a row.
    pub fn from_row(row: enrollment::Model) -> Result<Self, Refusal> {
        let record = serde_json::from_str(&row.state).map_err(|e| internal("enrollment", e))?;
        Ok(Self { row, record })
    }
}

fn status_of(record: &EnrollmentRecord, today: NaiveDate) -> &'static str {
    match (record.enrollment.end(), record.enrollment.gradual_exit()) {
        (Some(end), Some(_))
            if end.reason == crate::domain::enrollment::EndReason::GradualExitCompleted
                && Month::of(today) <= end.last_month =>
        {
            "exiting"
        }
        (Some(_), _) => "ended",
        (None, _) => "active",
    }
}

fn current_amount(record: &EnrollmentRecord, today: NaiveDate) -> Fen {
    let e = &record.enrollment;
    e.amount_for(Month::of(today).max(e.start_month))
        .or_else(|| e.amounts().last().map(|p| p.amount))
        .unwrap_or(Fen::ZERO)
}

/// Writes the aggregate, its columns and its amount rows if nobody changed it meanwhile.
pub async fn save(
    db: &impl ConnectionTrait,
    stored: &mut StoredEnrollment,
    today: NaiveDate,
) -> Result<(), Refusal> {
    let record = &stored.record;
    let version = stored.row.version + 1;
    let state = serde_json::to_string(record).map_err(|e| internal("enrollment", e))?;
    // A change reaching months the run has paid already makes them owed again: the next run
    // tops them up, or flags what was overpaid (never clawed back without a decision).
    let next_unpaid = serde_json::from_str::<EnrollmentRecord>(&stored.row.state)
        .ok()
        .and_then(|old| first_month_changed(&old.enrollment, &record.enrollment))
        .map_or(stored.row.next_unpaid_month, |m| {
            stored.row.next_unpaid_month.min(yyyymm(m))
        });
    let status = status_of(record, today);
    let end_month = record.enrollment.end().map(|e| yyyymm(e.last_month));
    let amount = current_amount(record, today).0;
    let review = yyyymm(record.enrollment.next_review_due());
    let support_mode = record.support.map(|s| snake(s.mode));
    let care_level = record.support.map(|s| snake(s.care_level));
    let result = enrollment::Entity::update_many()
        .set(enrollment::ActiveModel {
            status: Set(status.into()),
            end_month: Set(end_month),
            monthly_amount_fen: Set(amount),
            next_review_due: Set(review),
            support_mode: Set(support_mode.clone()),
            care_level: Set(care_level.clone()),
            state: Set(state.clone()),
            version: Set(version),
            next_unpaid_month: Set(next_unpaid),
            ..Default::default()
        })
        .filter(enrollment::Column::Id.eq(stored.row.id))
        .filter(enrollment::Column::Version.eq(stored.row.version))
        .exec(db)
        .await?;
    if result.rows_affected != 1 {
        return Err(Refusal::changed_meanwhile());
    }
    enrollment_amount::Entity::delete_many()
        .filter(enrollment_amount::Column::EnrollmentId.eq(stored.row.id))
        .exec(db)
        .await?;
    insert_amounts(db, stored.row.id, &record.enrollment).await?;
    stored.row = enrollment::Model {
        status: status.into(),
        end_month,
        monthly_amount_fen: amount,
        next_review_due: review,
        support_mode,
        care_level,
        state,
        version,
        next_unpaid_month: next_unpaid,
        ..stored.row.clone()
    };
    Ok(())
}

/// The first month whose amount differs between two states of an enrollment (a start, an end or
/// an amount moved), if any.
fn first_month_changed(old: &Enrollment, new: &Enrollment) -> Option<Month> {
    let mut months: Vec<Month> = old
        .amounts()
        .iter()
        .chain(new.amounts())
        .map(|p| p.from)
        .chain(
            old.end()
                .into_iter()
                .chain(new.end())
                .map(|e| e.last_month.next()),
        )
        .collect();
    months.sort();
    months.dedup();
    months
        .into_iter()
        .find(|m| old.amount_for(*m) != new.amount_for(*m))
}

async fn insert_amounts(
    db: &impl ConnectionTrait,
    id: Uuid,
    e: &Enrollment,
) -> Result<(), Refusal> {
    let rows = e.amounts().iter().map(|p| enrollment_amount::ActiveModel {
        enrollment_id: Set(id),
        from_month: Set(yyyymm(p.from)),
        amount_fen: Set(p.amount.0),
    });
    enrollment_amount::Entity::insert_many(rows)
        .exec(db)
        .await?;
    Ok(())
}

/// Living members' and beneficiaries' person_refs on `on`.
pub async fn people(
    db: &impl ConnectionTrait,
    household_id: Uuid,
    beneficiaries: &[Uuid],
    on: NaiveDate,
) -> Result<(Vec<PersonRef>, Vec<PersonRef>), Refusal> {
    let members = member::Entity::find()
        .filter(member::Column::HouseholdId.eq(household_id))
        .all(db)
        .await?;
    let parse =
        |m: &member::Model| PersonRef::parse(&m.person_ref).map_err(|e| internal("person_ref", e));
    let living: Vec<&member::Model> = members.iter().filter(|m| alive_on(m, on)).collect();
    let all = living.iter().map(|m| parse(m)).collect::<Result<_, _>>()?;
    let paid = living
        .iter()
        .filter(|m| beneficiaries.contains(&m.id))
        .map(|m| parse(m))
        .collect::<Result<_, _>>()?;
    Ok((all, paid))
}

/// Starts the enrollment of a confirmed application and publishes `aid.enrollment.started.v1`.
pub async fn start_on_confirmation(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    application: &Loaded,
    confirmed_on: NaiveDate,
    amount: Fen,
    payee: Option<&Payee>,
) -> Result<Uuid, Refusal> {
    if let Some(p) = payee {
        p.validate("payee.")?;
    }
    let row = &application.row;
    let register = Register::load(tx, row.household_id).await?;
    let verification = procedure_verification::latest(tx, row.id).await?;
    let household = build_household(
        &register,
        &application.facts,
        verification.as_ref(),
        confirmed_on,
    );
    let h = &register.household;
    let parameters = load_parameters(tx)
        .await?
        .at(confirmed_on)
        .map_err(|e| Refusal::conflict("reference-data-missing", e.to_string()))?;
    let claim = application.app.claim;
    let (beneficiaries, support) = match claim {
        // A member paid extreme-poverty support leaves the list (and the amount) when the
        // overlaps are settled (crate::commands::enrollment::overlaps::settle).
        Claim::Dibao => (household.members.iter().map(|m| m.id).collect(), None),
        Claim::Marginal => (Vec::new(), None),
        Claim::SinglePersonDibao { member } => (vec![member], None),
        Claim::ExtremePoverty(s) => (vec![s.member], Some(s)),
    };
    let id = Uuid::now_v7();
    let (domain, _started) = Enrollment::start(NewEnrollment {
        id,
        application_id: row.id,
        household_id: h.id,
        programme: claim.programme(),
        confirmed_on,
        monthly_amount: amount,
        review_interval_months: review_interval_months(&household, &parameters),
    });
    let record = EnrollmentRecord {
        enrollment: domain,
        beneficiaries,
        support,
    };
    let e = &record.enrollment;
    enrollment::Entity::insert(enrollment::ActiveModel {
        id: Set(id),
        application_id: Set(row.id),
        household_id: Set(h.id),
        programme: Set(row.programme.clone()),
        residence: Set(h.residence.clone()),
        support_mode: Set(support.map(|s| snake(s.mode))),
        care_level: Set(support.map(|s| snake(s.care_level))),
        township_code: Set(row.township_code.clone()),
        village_code: Set(row.village_code.clone()),
        status: Set("active".into()),
        start_month: Set(yyyymm(e.start_month)),
        end_month: Set(None),
        monthly_amount_fen: Set(amount.0),
        next_review_due: Set(yyyymm(e.next_review_due())),
        payee_name: Set(payee.map(|p| p.name.trim().to_owned())),
        payee_account: Set(payee.map(|p| p.account.clone())),
        payee_bank: Set(payee.map(|p| p.bank.trim().to_owned())),
        next_unpaid_month: Set(yyyymm(e.start_month)),
        payee_returned_on: Set(None),
        state: Set(serde_json::to_string(&record).map_err(|err| internal("enrollment", err))?),
        version: Set(1),
        created_at: Set(kit::clock::now()),
    })
    .exec(tx)
    .await?;
    insert_amounts(tx, id, e).await?;
    let (all, paid) = people(tx, h.id, &record.beneficiaries, confirmed_on).await?;
    outbox
        .enqueue(
            tx,
            &EnrollmentStarted {
                enrollment_id: id,
                application_id: row.id,
                household_id: h.id,
                programme: convert(claim.programme())?,
                residence: convert(&h.residence)?,
                support_mode: support.map(|s| convert(s.mode)).transpose()?,
                care_level: support.map(|s| convert(s.care_level)).transpose()?,
                members: all,
                beneficiaries: paid,
                monthly_amount_fen: amount.0,
                township_code: TownshipCode::parse(&row.township_code)
                    .map_err(|err| internal("township", err))?,
                village_code: VillageCode::parse(&row.village_code)
                    .map_err(|err| internal("village", err))?,
                start_month: contract_month(e.start_month),
                confirmed_on,
            },
        )
        .await
        .map_err(|err| internal("outbox", err))?;
    Ok(id)
}

/// Publishes what a step of the domain aggregate caused (`Reviewed` stays internal: audited only).
pub async fn publish(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    stored: &StoredEnrollment,
    event: &EnrollmentEvent,
    decided_on: NaiveDate,
) -> Result<(), Refusal> {
    let row = &stored.row;
    let record = &stored.record;
    // An end names the people as they were in its last paid month (a death included).
    let people_on = match event {
        EnrollmentEvent::Ended { last_month, .. } => last_month
            .first_day()
            .pred_opt()
            .unwrap_or(decided_on)
            .max(record.enrollment.confirmed_on),
        _ => decided_on,
    };
    let (mut all, mut paid) =
        people(tx, row.household_id, &record.beneficiaries, people_on).await?;
    if all.is_empty() {
        // Everyone died before the end's month: name them all rather than nobody.
        (all, paid) = people(tx, row.household_id, &record.beneficiaries, NaiveDate::MIN).await?;
    }
    let township = TownshipCode::parse(&row.township_code).map_err(|e| internal("township", e))?;
    let village = VillageCode::parse(&row.village_code).map_err(|e| internal("village", e))?;
    let programme = convert(record.enrollment.programme)?;
    match event {
        EnrollmentEvent::Changed {
            reason,
            monthly_amount,
            effective_month,
            gradual_exit_last_month,
            ..
        } => {
            outbox
                .enqueue(
                    tx,
                    &EnrollmentChanged {
                        enrollment_id: row.id,
                        household_id: row.household_id,
                        programme,
                        residence: convert(&row.residence)?,
                        support_mode: record.support.map(|s| convert(s.mode)).transpose()?,
                        care_level: record.support.map(|s| convert(s.care_level)).transpose()?,
                        members: all,
                        beneficiaries: paid,
                        monthly_amount_fen: monthly_amount.0,
                        township_code: township,
                        village_code: village,
                        reason: convert(*reason)?,
                        effective_month: contract_month(*effective_month),
                        gradual_exit_last_month: gradual_exit_last_month.map(contract_month),
                        changed_on: decided_on,
                    },
                )
                .await
                .map_err(|e| internal("outbox", e))?;
        }
        EnrollmentEvent::Ended {
            reason, last_month, ..
        } => {
            outbox
                .enqueue(
                    tx,
                    &EnrollmentEnded {
                        enrollment_id: row.id,
                        household_id: row.household_id,
                        programme,
                        reason: convert(*reason)?,
                        members: all,
                        beneficiaries: paid,
                        end_month: contract_month(*last_month),
                        ended_on: decided_on,
                        township_code: township,
                        village_code: village,
                    },
                )
                .await
                .map_err(|e| internal("outbox", e))?;
        }
        EnrollmentEvent::Started { .. } | EnrollmentEvent::Reviewed { .. } => {}
    }
    Ok(())
}

/// The enrollment `id` if it lies in the caller's division.
pub async fn load(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
) -> Result<StoredEnrollment, Refusal> {
    in_division(enrollment::Entity::find_by_id(id).one(db).await?, who)
}

fn in_division(
    row: Option<enrollment::Model>,
    who: &Principal,
) -> Result<StoredEnrollment, Refusal> {
    let row = row
        .filter(|e| who.sees(&e.village_code))
        .ok_or_else(|| Refusal::not_found("no such enrollment in your division"))?;
    StoredEnrollment::from_row(row)
}

/// The enrollment `id` for a command of `who`, its row locked until the command's transaction
/// ends (as `procedure::load_for_update`): a death record or the monthly run handled meanwhile
/// waits for the command instead of failing it as "changed meanwhile".
pub async fn load_for_update(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
) -> Result<StoredEnrollment, Refusal> {
    let row = enrollment::Entity::find_by_id(id)
        .lock_exclusive()
        .one(tx)
        .await?;
    in_division(row, who)
}

/// Enrollments matching `filter`, locked in id order for the transaction: every writer of
/// enrollments that reads several of them (household changes, a death, the monthly run's
/// gradual exits) takes their locks in the same order.
pub async fn lock_all(
    tx: &impl ConnectionTrait,
    filter: sea_orm::Condition,
) -> Result<Vec<enrollment::Model>, sea_orm::DbErr> {
    enrollment::Entity::find()
        .filter(filter)
        .order_by_asc(enrollment::Column::Id)
        .lock_exclusive()
        .all(tx)
        .await
}

/// The application that started an enrollment (its findings give the household's facts).
pub async fn application_of(
    db: &impl ConnectionTrait,
    stored: &StoredEnrollment,
) -> Result<Loaded, Refusal> {
    load_any(db, stored.row.application_id)
        .await?
        .ok_or_else(|| internal("enrollment", "its application is missing"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payee_needs_a_name_a_bank_and_an_account_of_eight_to_thirty_two_digits() {
        let ok = Payee {
            name: "张三".into(),
            bank: "重庆农商行".into(),
            account: "6217000012345678".into(),
        };
        let cases = [
            (ok.clone(), None),
            (
                Payee {
                    name: " ".into(),
                    ..ok.clone()
                },
                Some("payee.name"),
            ),
            (
                Payee {
                    bank: String::new(),
                    ..ok.clone()
                },
                Some("payee.bank"),
            ),
            (
                Payee {
                    account: "1234567".into(),
                    ..ok.clone()
                },
                Some("payee.account"),
            ),
            (
                Payee {
                    account: "62170000123456ab".into(),
                    ..ok.clone()
                },
                Some("payee.account"),
            ),
            (
                Payee {
                    account: "1".repeat(33),
                    ..ok.clone()
                },
                Some("payee.account"),
            ),
        ];
        for (payee, field) in cases {
            let got = payee
                .validate("payee.")
                .err()
                .map(|p| p.errors[0].field.clone());
            assert_eq!(got.as_deref(), field, "{payee:?}");
        }
    }
}
