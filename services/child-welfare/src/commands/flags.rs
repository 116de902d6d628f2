//! Minor-protection flags (`minor.child.at-risk.flagged.v1`): each opens an evaluation. When the
//! flagged situations already satisfy the predicate — checked from the flag's `since` and
//! `expected_end` when it carries them; a claimed 重残 only when a qualifying 残联 certificate of
//! that parent is on record — and the child's month of birth (when given) leaves a month to pay,
//! the child is registered at once (origin `at_risk_flag`, family-based, evidence pending) and the
//! allowance starts the following month; otherwise staff complete the evaluation with dated
//! evidence, or close it.

use chrono::NaiveDate;
use contracts::{
    common::Month,
    minor::{ChildAtRiskFlagged, ParentSituation},
};
use kit::{Principal, Refusal, Role, audit, identity::PersonRefKey, outbox::Outbox};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    conditions::insert_condition,
    lifecycle::{announce_registration, start_allowance},
    records::{self, not_in_force, system},
    registration::{NewChild, Origin, Submitted, insert_parent, submit_registration},
};
use crate::{
    domain::{
        basis::birth_from_month,
        category::{CareMode, Category, ParentRole, parse_word, word},
        eligibility::{Condition, Disability, Situation, assess},
        entitlement::{last_entitled_month, start_month},
        reference::Reference,
    },
    store::{certificate, child, evaluation},
};

/// The domain's name for a flagged situation.
pub fn situation(s: ParentSituation) -> Situation {
    match s {
        ParentSituation::Dead => Situation::Dead,
        ParentSituation::Missing => Situation::Missing,
        ParentSituation::SevereDisability => Situation::SevereDisability,
        ParentSituation::SevereIllness => Situation::SevereIllness,
        ParentSituation::Imprisoned => Situation::Imprisoned,
        ParentSituation::CompulsoryDetox => Situation::CompulsoryDetox,
        ParentSituation::DeprivedOfLiberty => Situation::DeprivedOfLiberty,
        ParentSituation::OutOfContact => Situation::OutOfContact,
        ParentSituation::CustodyRevoked => Situation::CustodyRevoked,
        ParentSituation::Deported => Situation::Deported,
        ParentSituation::Present => Situation::Present,
    }
}

/// Opens the evaluation of a flag (once per flag) and registers the child when the flag
/// already satisfies the predicate.
pub async fn evaluate_flag(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    flag: &ChildAtRiskFlagged,
    today: NaiveDate,
) -> Result<(), Refusal> {
    let seen = evaluation::Entity::find()
        .filter(evaluation::Column::FlagId.eq(flag.flag_id))
        .one(tx)
        .await?;
    if seen.is_some() {
        return Ok(());
    }
    let known = child::Entity::find()
        .filter(child::Column::PersonRef.eq(flag.person_ref.as_str()))
        .filter(child::Column::Status.is_in(["pending_approval", "registered"]))
        .one(tx)
        .await?;
    let model = evaluation::Model {
        id: Uuid::now_v7(),
        flag_id: flag.flag_id,
        person_ref: flag.person_ref.as_str().to_owned(),
        case_id: flag.case_id,
        township_code: flag.township_code.as_str().to_owned(),
        village_code: flag.village_code.as_str().to_owned(),
        father_situation: word(situation(flag.father.situation)),
        father_ref: flag
            .father
            .person_ref
            .as_ref()
            .map(|r| r.as_str().to_owned()),
        mother_situation: word(situation(flag.mother.situation)),
        mother_ref: flag
            .mother
            .person_ref
            .as_ref()
            .map(|r| r.as_str().to_owned()),
        father_since: flag.father.since,
        father_expected_end: flag.father.expected_end,
        mother_since: flag.mother.since,
        mother_expected_end: flag.mother.expected_end,
        birth_month: flag.birth_month.map(|m| m.to_string()),
        flagged_on: flag.flagged_on,
        status: if known.is_some() {
            "already_registered"
        } else {
            "open"
        }
        .into(),
        outcome: String::new(),
        child_id: known.as_ref().map(|c| c.id),
        decided_by: None,
        created_at: kit::clock::now(),
        version: 1,
    };
    evaluation::Entity::insert(evaluation::ActiveModel {
        id: Set(model.id),
        flag_id: Set(model.flag_id),
        person_ref: Set(model.person_ref.clone()),
        case_id: Set(model.case_id),
        township_code: Set(model.township_code.clone()),
        village_code: Set(model.village_code.clone()),
        father_situation: Set(model.father_situation.clone()),
        father_ref: Set(model.father_ref.clone()),
        mother_situation: Set(model.mother_situation.clone()),
        mother_ref: Set(model.mother_ref.clone()),
        father_since: Set(model.father_since),
        father_expected_end: Set(model.father_expected_end),
        mother_since: Set(model.mother_since),
        mother_expected_end: Set(model.mother_expected_end),
        birth_month: Set(model.birth_month.clone()),
        flagged_on: Set(model.flagged_on),
        status: Set(model.status.clone()),
        outcome: Set(String::new()),
        child_id: Set(model.child_id),
        decided_by: Set(None),
        created_at: Set(model.created_at),
        version: Set(1),
    })
    .exec(tx)
    .await?;
    if known.is_some() {
        return Ok(());
    }
    try_register(tx, outbox, &model, today).await
}

/// One parent as the flag gives them.
struct Flagged<'a> {
    situation: Situation,
    person_ref: Option<&'a str>,
    since: Option<NaiveDate>,
    expected_end: Option<NaiveDate>,
}

/// The flagged situation of one parent as a condition: with the flag's dates when it carries
/// them (the 6-month rules are then checked from `since` and `expected_end`), asserted without
/// dates otherwise; a claimed 重残 counts only with the parent's certificate on record.
async fn flagged_condition(
    tx: &impl ConnectionTrait,
    p: Flagged<'_>,
    today: NaiveDate,
) -> Result<Condition, Refusal> {
    let s = p.situation;
    if s != Situation::SevereDisability {
        return Ok(Condition {
            situation: s,
            since: p.since,
            expected_end: p.expected_end.filter(|_| s.has_term()),
            ended_on: None,
            disability: None,
        });
    }
    let Some(r) = p.person_ref else {
        return Ok(Condition::asserted(s));
    };
    let cert = certificate::Entity::find_by_id(r.to_owned())
        .one(tx)
        .await?
        .filter(|c| c.revoked_on.is_none() && c.expires_on >= today);
    Ok(match cert {
        Some(c) => Condition {
            situation: s,
            since: Some(c.issued_on.min(today)),
            expected_end: None,
            ended_on: None,
            disability: parse_word(&c.category).and_then(|category| {
                Some(Disability {
                    category,
                    level: u8::try_from(c.level).ok()?,
                })
            }),
        },
        None => Condition::asserted(s),
    })
}

/// Assesses an open evaluation's flagged situations and registers the child when they satisfy
/// the predicate; otherwise records why not and leaves it open for staff.
pub async fn try_register(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    e: &evaluation::Model,
    today: NaiveDate,
) -> Result<(), Refusal> {
    let who = system(&format!("flag:{}", e.flag_id));
    let reference = records::reference(tx).await?;
    let thresholds = reference.thresholds(today).map_err(not_in_force)?;
    let sides = [
        (
            ParentRole::Father,
            &e.father_situation,
            &e.father_ref,
            e.father_since,
            e.father_expected_end,
        ),
        (
            ParentRole::Mother,
            &e.mother_situation,
            &e.mother_ref,
            e.mother_since,
            e.mother_expected_end,
        ),
    ];
    let mut conditions = Vec::new();
    for (_, s, r, since, expected_end) in sides {
        let flagged = Flagged {
            situation: parse_word::<Situation>(s).unwrap_or(Situation::Present),
            person_ref: r.as_deref(),
            since,
            expected_end,
        };
        conditions.push(flagged_condition(tx, flagged, today).await?);
    }
    // With the month of birth, age-out is known before the identity is complete.
    if let Some(note) = aged_out(&reference, e, today)? {
        update_evaluation(tx, e, "open", &note, None, None).await?;
        audit::record(
            tx,
            &who,
            "evaluate-flag",
            "evaluation",
            &e.id.to_string(),
            &note,
        )
        .await?;
        return Ok(());
    }
    let assessment = assess(
        std::slice::from_ref(&conditions[0]),
        std::slice::from_ref(&conditions[1]),
        today,
        &thresholds,
    );
    let Some(category) = Category::paid_under(assessment.outcome, false) else {
        update_evaluation(tx, e, "open", &assessment.reason, None, None).await?;
        audit::record(
            tx,
            &who,
            "evaluate-flag",
            "evaluation",
            &e.id.to_string(),
            &assessment.reason,
        )
        .await?;
        return Ok(());
    };
    let id = Uuid::now_v7();
    let c = child::Model {
        id,
        person_ref: e.person_ref.clone(),
        id_number: None,
        name: None,
        birth_date: None,
        birth_month: e.birth_month.clone(),
        township_code: e.township_code.clone(),
        village_code: e.village_code.clone(),
        category: word(category),
        care_mode: word(CareMode::FamilyBased),
        hiv_infected: false,
        status: "registered".into(),
        origin: "at_risk_flag".into(),
        at_risk_flag_id: Some(e.flag_id),
        guardian_name: None,
        guardian_relationship: None,
        guardian_id_number: None,
        account_holder: None,
        bank_account: None,
        submitted_by: "minor-protection".into(),
        submitted_on: e.flagged_on,
        decided_by: Some(who.subject.clone()),
        decided_on: Some(today),
        decision_reason: Some(assessment.reason.clone()),
        deceased_on: None,
        adopted_on: None,
        evidence_pending: true,
        created_at: kit::clock::now(),
        version: 1,
    };
    child::Entity::insert(child::ActiveModel::from(c.clone()))
        .exec(tx)
        .await?;
    let evidence = format!(
        "minor-protection flag {}{}",
        e.flag_id,
        e.case_id.map(|c| format!(", case {c}")).unwrap_or_default()
    );
    for ((role, _, r, _, _), condition) in sides.into_iter().zip(&conditions) {
        let parent_id = insert_parent(tx, id, role, r.clone(), None, None).await?;
        insert_condition(tx, parent_id, condition, &evidence, &who.subject).await?;
    }
    update_evaluation(
        tx,
        e,
        "registered",
        &assessment.reason,
        Some(id),
        Some(&who.subject),
    )
    .await?;
    announce_registration(tx, outbox, &c, category, today).await?;
    let record = records::load(tx, id).await?.ok_or_else(Refusal::internal)?;
    start_allowance(
        tx,
        outbox,
        &reference,
        &record,
        category,
        start_month(today),
        today,
    )
    .await?;
    audit::record(
        tx,
        &who,
        "register-from-flag",
        "child",
        &id.to_string(),
        &assessment.reason,
    )
    .await?;
    Ok(())
}

/// Why a flagged child of the evaluation's month of birth can no longer be paid from the month
/// after `today` (18 and not known to be in school), if so.
fn aged_out(
    reference: &Reference,
    e: &evaluation::Model,
    today: NaiveDate,
) -> Result<Option<String>, Refusal> {
    let Some(birth) = e
        .birth_month
        .as_deref()
        .and_then(|m| m.parse::<Month>().ok())
        .and_then(birth_from_month)
    else {
        return Ok(None);
    };
    let rules = reference.age_rules(today).map_err(not_in_force)?;
    let (last, _) = last_entitled_month(birth, None, &rules);
    Ok((last < start_month(today)).then(|| {
        format!(
            "aged out: the allowance by age ended in {last}; register only with full-time schooling"
        )
    }))
}

async fn update_evaluation(
    tx: &impl ConnectionTrait,
    e: &evaluation::Model,
    status: &str,
    outcome: &str,
    child_id: Option<Uuid>,
    decided_by: Option<&str>,
) -> Result<(), Refusal> {
    evaluation::Entity::update(evaluation::ActiveModel {
        id: Set(e.id),
        status: Set(status.into()),
        outcome: Set(outcome.into()),
        child_id: Set(child_id.or(e.child_id)),
        decided_by: Set(decided_by.map(str::to_owned).or(e.decided_by.clone())),
        version: Set(e.version + 1),
        ..Default::default()
    })
    .exec(tx)
    .await?;
    Ok(())
}

async fn open_evaluation(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
) -> Result<evaluation::Model, Refusal> {
    let e = evaluation::Entity::find_by_id(id)
        .one(tx)
        .await?
        .filter(|e| who.sees(&e.village_code))
        .ok_or_else(|| Refusal::not_found("no such evaluation in your division"))?;
    if e.status != "open" {
        return Err(Refusal::conflict(
            "evaluation-not-open",
            format!("the evaluation is {}", e.status),
        ));
    }
    Ok(e)
}

/// Staff complete an open evaluation with the child's identity and each parent's dated evidence:
/// a registration pending approval, as if submitted by the clerk.
pub async fn complete_evaluation(
    tx: &impl ConnectionTrait,
    key: &PersonRefKey,
    who: &Principal,
    id: Uuid,
    input: &NewChild,
    today: NaiveDate,
) -> Result<Submitted, Refusal> {
    who.require(&[Role::TownshipClerk, Role::VillageStaff])?;
    let e = open_evaluation(tx, who, id).await?;
    let submitted = submit_registration(tx, key, who, input, Origin::Flag(&e), today).await?;
    update_evaluation(
        tx,
        &e,
        "submitted",
        &submitted.assessment,
        Some(submitted.id),
        Some(&who.subject),
    )
    .await?;
    Ok(submitted)
}

/// Why staff close an evaluation without registering.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Closure {
    pub reason: String,
}

/// Closes an open evaluation with a written reason.
pub async fn close_evaluation(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    input: &Closure,
) -> Result<(), Refusal> {
    who.require(&[Role::TownshipClerk, Role::DistrictOfficer])?;
    let e = open_evaluation(tx, who, id).await?;
    let reason = input.reason.trim();
    if reason.is_empty() {
        return Err(Refusal::invalid("reason", "required"));
    }
    update_evaluation(tx, &e, "closed", reason, None, Some(&who.subject)).await?;
    audit::record(
        tx,
        who,
        "close-evaluation",
        "evaluation",
        &id.to_string(),
        reason,
    )
    .await?;
    Ok(())
}
