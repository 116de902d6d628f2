//! The allowance's lifecycle, shared by every command that changes a child: start it (with its
//! event), end it (with its event), and re-evaluate a registered child when a parent's status,
//! the schooling or the month changes.

use chrono::NaiveDate;
use contracts::{
    child::{AllowanceEndReason, AllowanceEnded, AllowanceStarted, Registered, RegistrationOrigin},
    common::{Month, PersonRef, TownshipCode, VillageCode},
};
use kit::{Principal, Refusal, audit, outbox::Outbox};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

use super::records::{ChildRecord, not_in_force, outbox_failed};
use crate::{
    domain::{
        category::{Category, word},
        entitlement::{end_month_for, last_entitled_month},
        reference::{Reference, Standard},
    },
    store::{allowance, child},
};

struct Wire {
    person_ref: PersonRef,
    township: TownshipCode,
    village: VillageCode,
}

fn wire(c: &child::Model) -> Result<Wire, Refusal> {
    let bad = |what: &str| {
        tracing::error!(what, "stored child data does not fit the contract");
        Refusal::internal()
    };
    Ok(Wire {
        person_ref: PersonRef::parse(&c.person_ref).map_err(|_| bad("person_ref"))?,
        township: TownshipCode::parse(&c.township_code).map_err(|_| bad("township"))?,
        village: VillageCode::parse(&c.village_code).map_err(|_| bad("village"))?,
    })
}

/// Publishes `child.registered.v1` for a child whose registration was just approved.
pub async fn announce_registration(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    c: &child::Model,
    category: Category,
    registered_on: NaiveDate,
) -> Result<(), Refusal> {
    let w = wire(c)?;
    let origin = if c.origin == "at_risk_flag" {
        RegistrationOrigin::AtRiskFlag
    } else {
        RegistrationOrigin::Application
    };
    outbox
        .enqueue(
            tx,
            &Registered {
                child_id: c.id,
                person_ref: w.person_ref,
                category: category.wire(),
                care_mode:
                    crate::domain::category::parse_word::<crate::domain::category::CareMode>(
                        &c.care_mode,
                    )
                    .unwrap_or(crate::domain::category::CareMode::FamilyBased)
                    .wire(),
                origin,
                at_risk_flag_id: c.at_risk_flag_id,
                township_code: w.township,
                village_code: w.village,
                registered_on,
            },
        )
        .await
        .map_err(outbox_failed)?;
    Ok(())
}

/// Starts an allowance for `record` under `category` from `start` with its event; refuses when
/// the child is no longer entitled by age in that month. `None` when the child is supported as
/// extreme poverty in that month: the allowance is held and starts when the support ends
/// (commands::holds).
pub async fn start_allowance(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    reference: &Reference,
    record: &ChildRecord,
    category: Category,
    start: Month,
    approved_on: NaiveDate,
) -> Result<Option<allowance::Model>, Refusal> {
    let c = &record.child;
    if let Some(birth) = record.birth() {
        let rules = reference.age_rules(approved_on).map_err(not_in_force)?;
        let (last, _) = last_entitled_month(birth, record.schooling().as_ref(), &rules);
        if last < start {
            return Err(Refusal::conflict(
                "no-longer-entitled",
                format!("the child's entitlement by age and schooling ends in {last}"),
            ));
        }
    }
    if super::holds::hold_at_start(tx, c, start, approved_on).await? {
        return Ok(None);
    }
    let first_day = start.first_day().unwrap_or(approved_on);
    let standard = Standard::for_child(category, record.care_mode());
    let amount = reference
        .standard(standard, first_day)
        .map_err(not_in_force)?;
    let model = allowance::Model {
        id: Uuid::now_v7(),
        child_id: c.id,
        category: word(category),
        care_mode: c.care_mode.clone(),
        previous_care_mode: None,
        care_mode_from: None,
        start_month: start.to_string(),
        end_month: None,
        end_reason: None,
        approved_on,
        ended_on: None,
        township_code: c.township_code.clone(),
        village_code: c.village_code.clone(),
        created_at: kit::clock::now(),
    };
    allowance::Entity::insert(allowance::ActiveModel {
        id: Set(model.id),
        child_id: Set(model.child_id),
        category: Set(model.category.clone()),
        care_mode: Set(model.care_mode.clone()),
        previous_care_mode: Set(None),
        care_mode_from: Set(None),
        start_month: Set(model.start_month.clone()),
        end_month: Set(None),
        end_reason: Set(None),
        approved_on: Set(approved_on),
        ended_on: Set(None),
        township_code: Set(model.township_code.clone()),
        village_code: Set(model.village_code.clone()),
        created_at: Set(model.created_at),
    })
    .exec(tx)
    .await?;
    let w = wire(c)?;
    outbox
        .enqueue(
            tx,
            &AllowanceStarted {
                allowance_id: model.id,
                child_id: c.id,
                person_ref: w.person_ref,
                category: category.wire(),
                care_mode: record.care_mode().wire(),
                start_month: start,
                monthly_amount_fen: amount,
                township_code: w.township,
                village_code: w.village,
                approved_on,
            },
        )
        .await
        .map_err(outbox_failed)?;
    Ok(Some(model))
}

/// Why and when an allowance ends.
#[derive(Debug, Clone, Copy)]
pub struct Ending {
    pub reason: AllowanceEndReason,
    /// The last month paid.
    pub end_month: Month,
    /// The date the end is decided.
    pub ended_on: NaiveDate,
}

/// Ends `a` with its event and an audit entry.
pub async fn end_allowance(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    c: &child::Model,
    a: &allowance::Model,
    ending: Ending,
) -> Result<(), Refusal> {
    let Ending {
        reason,
        end_month,
        ended_on,
    } = ending;
    allowance::Entity::update(allowance::ActiveModel {
        id: Set(a.id),
        end_month: Set(Some(end_month.to_string())),
        end_reason: Set(Some(word(reason))),
        ended_on: Set(Some(ended_on)),
        ..Default::default()
    })
    .exec(tx)
    .await?;
    let w = wire(c)?;
    outbox
        .enqueue(
            tx,
            &AllowanceEnded {
                allowance_id: a.id,
                child_id: c.id,
                person_ref: w.person_ref,
                reason,
                end_month,
                township_code: w.township,
                village_code: w.village,
                ended_on,
            },
        )
        .await
        .map_err(outbox_failed)?;
    audit::record(
        tx,
        who,
        "end-allowance",
        "allowance",
        &a.id.to_string(),
        &format!("{}; last month paid {end_month}", word(reason)),
    )
    .await?;
    Ok(())
}

/// Marks the child's registration ended (nothing more is paid).
pub async fn close_child(
    tx: &impl ConnectionTrait,
    c: &child::Model,
    reason: &str,
) -> Result<(), Refusal> {
    child::Entity::update(child::ActiveModel {
        id: Set(c.id),
        status: Set("ended".into()),
        decision_reason: Set(Some(reason.to_owned())),
        version: Set(c.version + 1),
        ..Default::default()
    })
    .exec(tx)
    .await?;
    Ok(())
}

/// What a re-evaluation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reevaluated {
    /// Nothing changed (or the child is not being paid).
    Unchanged,
    /// The allowance ended; the child's registration is closed.
    Ended(AllowanceEndReason),
    /// The category changed: the old allowance ended, a new one started.
    Recategorised(Category),
}

/// Re-evaluates a registered child after a change effective on `as_of` (a release, a death, a
/// certificate): the conditions ending ends the allowance with `as_of`'s month as the last month
/// paid; a change of category ends it (`category_changed`) and starts the new one from the
/// following month — one allowance per category, as the funds are accounted by category — rather
/// than publishing `child.allowance.changed.v1`.
pub async fn reevaluate(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    reference: &Reference,
    record: &ChildRecord,
    as_of: NaiveDate,
    today: NaiveDate,
) -> Result<Reevaluated, Refusal> {
    let c = &record.child;
    let Some(active) = record.active_allowance().cloned() else {
        return Ok(Reevaluated::Unchanged);
    };
    if c.status != "registered" {
        return Ok(Reevaluated::Unchanged);
    }
    let start: Month = active
        .start_month
        .parse()
        .unwrap_or(Month::from_date(today));
    let assessment = record.assess(reference, as_of)?;
    let decided = Category::paid_under(assessment.outcome, c.hiv_infected);
    audit::record(
        tx,
        who,
        "reevaluate",
        "child",
        &c.id.to_string(),
        &assessment.reason,
    )
    .await?;
    match decided {
        None => {
            let reason = AllowanceEndReason::ConditionsEnded;
            let end = end_month_for(as_of, start);
            let ending = Ending {
                reason,
                end_month: end,
                ended_on: today,
            };
            end_allowance(tx, outbox, who, c, &active, ending).await?;
            close_child(tx, c, &assessment.reason).await?;
            Ok(Reevaluated::Ended(reason))
        }
        Some(category) if word(category) != active.category => {
            let end = end_month_for(as_of, start);
            end_allowance(
                tx,
                outbox,
                who,
                c,
                &active,
                Ending {
                    reason: AllowanceEndReason::CategoryChanged,
                    end_month: end,
                    ended_on: today,
                },
            )
            .await?;
            child::Entity::update(child::ActiveModel {
                id: Set(c.id),
                category: Set(word(category)),
                version: Set(c.version + 1),
                ..Default::default()
            })
            .exec(tx)
            .await?;
            let mut updated = record.clone();
            updated.child.category = word(category);
            start_allowance(tx, outbox, reference, &updated, category, end.next(), today).await?;
            Ok(Reevaluated::Recategorised(category))
        }
        Some(_) => {
            close_if_aged_out(
                tx,
                outbox,
                who,
                reference,
                record,
                Month::from_date(today),
                today,
            )
            .await
        }
    }
}

/// Ends the allowance when the child's entitlement by age and schooling ended before `month`.
pub async fn close_if_aged_out(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    reference: &Reference,
    record: &ChildRecord,
    month: Month,
    today: NaiveDate,
) -> Result<Reevaluated, Refusal> {
    let (Some(active), Some(birth)) = (record.active_allowance(), record.birth()) else {
        return Ok(Reevaluated::Unchanged);
    };
    let rules = reference.age_rules(today).map_err(not_in_force)?;
    let (last, reason) = last_entitled_month(birth, record.schooling().as_ref(), &rules);
    if last >= month {
        return Ok(Reevaluated::Unchanged);
    }
    let start: Month = active.start_month.parse().unwrap_or(month);
    let end = last.max(start.prev());
    let ending = Ending {
        reason,
        end_month: end,
        ended_on: today,
    };
    end_allowance(tx, outbox, who, &record.child, active, ending).await?;
    close_child(tx, &record.child, &word(reason)).await?;
    Ok(Reevaluated::Ended(reason))
}
