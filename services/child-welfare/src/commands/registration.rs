//! Registering a child: a clerk submits the child, guardian, account, schooling and each
//! parent's conditions with evidence; the predicate must hold; a district approver who did not
//! submit it approves, which publishes `child.registered.v1` and starts the allowance from the
//! following month.

use chrono::NaiveDate;
use kit::{
    Principal, Refusal, Role, audit,
    edge::problem::FieldError,
    identity::{DivisionCode, DivisionLevel, IdNumber, PersonRefKey},
    outbox::Outbox,
};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    conditions::{NewCondition, insert_condition},
    lifecycle::{announce_registration, start_allowance},
    records::{self, load_visible, not_in_force},
};
use crate::{
    domain::{
        category::{CareMode, Category, ParentRole, word},
        eligibility::assess,
        entitlement::{SchoolLevel, last_entitled_month, start_month},
    },
    store::{child, enrollment, evaluation, parent},
};

/// A parent as recorded at registration.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewParent {
    /// When known (held here only; masked in responses).
    pub id_number: Option<String>,
    pub name: Option<String>,
    /// Every current condition, each with its evidence; `present` when none.
    pub conditions: Vec<NewCondition>,
}

/// The guardian who raises the child.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Guardian {
    pub name: String,
    /// grandparent, relative, foster_family, institution, …
    pub relationship: String,
    pub id_number: Option<String>,
}

/// The account the allowance is paid into (the child's or the registered guardian's).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BankAccount {
    pub holder: String,
    pub account: String,
}

/// A school enrolment with its proof.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewSchooling {
    /// primary, junior_secondary, senior_secondary, secondary_vocational or higher_education.
    #[schema(value_type = String, example = "primary")]
    pub level: SchoolLevel,
    pub school: String,
    pub full_time: bool,
    pub enrolled_on: NaiveDate,
    /// End of the normal course length.
    pub course_end: NaiveDate,
    pub evidence: String,
}

/// What the clerk submits.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewChild {
    #[schema(example = "500112201506010039")]
    pub id_number: String,
    pub name: String,
    /// 12-digit village or community code.
    pub village_code: String,
    /// institutional or family_based.
    #[schema(value_type = String, example = "family_based")]
    pub care_mode: CareMode,
    /// HIV-infected (paid as an orphan whatever the parents' situation).
    #[serde(default)]
    pub hiv_infected: bool,
    pub guardian: Option<Guardian>,
    pub bank_account: Option<BankAccount>,
    pub school: Option<NewSchooling>,
    pub father: NewParent,
    pub mother: NewParent,
}

/// The submitted registration.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Submitted {
    pub id: Uuid,
    pub status: String,
    pub category: String,
    /// Why the predicate holds.
    pub assessment: String,
}

fn field(errors: &mut Vec<FieldError>, field: impl Into<String>, reason: impl Into<String>) {
    errors.push(FieldError {
        field: field.into(),
        reason: reason.into(),
    });
}

/// Where a registration comes from.
pub enum Origin<'a> {
    /// A clerk's submission.
    Application,
    /// Staff completing the evaluation of a minor-protection flag.
    Flag(&'a evaluation::Model),
}

/// Validates everything, then writes the child pending approval; a refusal writes nothing.
pub async fn submit_registration(
    tx: &impl ConnectionTrait,
    key: &PersonRefKey,
    who: &Principal,
    input: &NewChild,
    origin: Origin<'_>,
    today: NaiveDate,
) -> Result<Submitted, Refusal> {
    who.require(&[Role::TownshipClerk, Role::VillageStaff])?;
    let village = DivisionCode::parse(&input.village_code)
        .ok()
        .filter(|c| c.level() == DivisionLevel::Village)
        .ok_or_else(|| {
            Refusal::invalid(
                "village_code",
                "must be a 12-digit village or community code",
            )
        })?;
    who.require_scope(village.as_str())?;
    let reference = records::reference(tx).await?;
    let mut errors = Vec::new();
    let child_id = IdNumber::parse_entered(&input.id_number, kit::clock::today())
        .map_err(|e| field(&mut errors, "id_number", e.to_string()))
        .ok();
    if input.name.trim().is_empty() {
        field(&mut errors, "name", "required");
    }
    let mut ids = Vec::new();
    let mut conditions = Vec::new();
    for (role, p) in [("father", &input.father), ("mother", &input.mother)] {
        let id = match p
            .id_number
            .as_deref()
            .map(|raw| IdNumber::parse_entered(raw, kit::clock::today()))
        {
            Some(Err(e)) => {
                field(&mut errors, format!("{role}.id_number"), e.to_string());
                None
            }
            Some(Ok(id)) if Some(&id) == child_id.as_ref() => {
                field(&mut errors, format!("{role}.id_number"), "is the child's");
                None
            }
            Some(Ok(id)) => Some(id),
            None => None,
        };
        ids.push(id);
        if p.conditions.is_empty() {
            field(
                &mut errors,
                format!("{role}.conditions"),
                "at least one condition (present when none)",
            );
        }
        let mut parsed = Vec::new();
        for (i, c) in p.conditions.iter().enumerate() {
            match c.validate(&format!("{role}.conditions[{i}]"), today) {
                Ok(c) => parsed.push(c),
                Err(es) => errors.extend(es),
            }
        }
        conditions.push(parsed);
    }
    if ids[0].is_some() && ids[0] == ids[1] {
        field(&mut errors, "mother.id_number", "is the father's");
    }
    let guardian_id = match input.guardian.as_ref().and_then(|g| g.id_number.as_deref()) {
        Some(raw) => IdNumber::parse_entered(raw, kit::clock::today())
            .map_err(|e| field(&mut errors, "guardian.id_number", e.to_string()))
            .ok(),
        None => None,
    };
    if let Some(a) = &input.bank_account {
        if a.holder.trim().is_empty() {
            field(&mut errors, "bank_account.holder", "required");
        }
        if a.account.len() < 8 || !a.account.bytes().all(|b| b.is_ascii_digit()) {
            field(&mut errors, "bank_account.account", "8 or more digits");
        }
    }
    if let Some(s) = &input.school {
        if s.course_end <= s.enrolled_on {
            field(
                &mut errors,
                "school.course_end",
                "must be after enrolled_on",
            );
        }
        if s.evidence.trim().is_empty() {
            field(
                &mut errors,
                "school.evidence",
                "required: proof of enrolment",
            );
        }
    }
    if !errors.is_empty() {
        return Err(Refusal::invalid_fields(errors));
    }
    let child_id = child_id.expect("checked above");
    let person_ref = key.person_ref(&child_id);
    if let Origin::Flag(e) = origin
        && e.person_ref != person_ref.as_str()
    {
        return Err(Refusal::invalid(
            "id_number",
            "is not the child the minor-protection flag names",
        ));
    }
    let rules = reference.age_rules(today).map_err(not_in_force)?;
    let schooling = input
        .school
        .as_ref()
        .map(|s| crate::domain::entitlement::Schooling {
            level: s.level,
            full_time: s.full_time,
            enrolled_on: s.enrolled_on,
            course_end: s.course_end,
        });
    let (last, _) = last_entitled_month(child_id.birth_date(), schooling.as_ref(), &rules);
    if last < start_month(today) {
        return Err(Refusal::invalid(
            "id_number",
            format!("the child's entitlement by age and schooling ended in {last}"),
        ));
    }
    let thresholds = reference.thresholds(today).map_err(not_in_force)?;
    let assessment = assess(&conditions[0], &conditions[1], today, &thresholds);
    let Some(category) = Category::paid_under(assessment.outcome, input.hiv_infected) else {
        let mut errors = Vec::new();
        for (role, standing) in [
            ("father", &assessment.father),
            ("mother", &assessment.mother),
        ] {
            if let crate::domain::eligibility::Standing::DoesNotQualify { reason } = standing {
                field(&mut errors, format!("{role}.conditions"), reason.clone());
            }
        }
        return Err(Refusal::invalid_fields(errors).detail(assessment.reason));
    };
    let open = child::Entity::find()
        .filter(child::Column::PersonRef.eq(person_ref.as_str()))
        .filter(child::Column::Status.is_in(["pending_approval", "registered"]))
        .one(tx)
        .await?;
    if open.is_some() {
        return Err(Refusal::conflict(
            "child-already-registered",
            "this child is already registered or awaiting approval",
        )
        .field("id_number", "already registered"));
    }
    let id = Uuid::now_v7();
    let township = village.township().expect("a village has a township");
    let flag_id = match origin {
        Origin::Flag(e) => Some(e.flag_id),
        Origin::Application => None,
    };
    child::Entity::insert(child::ActiveModel {
        id: Set(id),
        person_ref: Set(person_ref.as_str().to_owned()),
        id_number: Set(Some(child_id.expose().to_owned())),
        name: Set(Some(input.name.trim().to_owned())),
        birth_date: Set(Some(child_id.birth_date())),
        birth_month: Set(None),
        township_code: Set(township.as_str().to_owned()),
        village_code: Set(village.as_str().to_owned()),
        category: Set(word(category)),
        care_mode: Set(word(input.care_mode)),
        hiv_infected: Set(input.hiv_infected),
        status: Set("pending_approval".into()),
        origin: Set(if flag_id.is_some() {
            "at_risk_flag"
        } else {
            "application"
        }
        .into()),
        at_risk_flag_id: Set(flag_id),
        guardian_name: Set(input.guardian.as_ref().map(|g| g.name.trim().to_owned())),
        guardian_relationship: Set(input.guardian.as_ref().map(|g| g.relationship.clone())),
        guardian_id_number: Set(guardian_id.map(|g| g.expose().to_owned())),
        account_holder: Set(input
            .bank_account
            .as_ref()
            .map(|a| a.holder.trim().to_owned())),
        bank_account: Set(input.bank_account.as_ref().map(|a| a.account.clone())),
        submitted_by: Set(who.subject.clone()),
        submitted_on: Set(today),
        decided_by: Set(None),
        decided_on: Set(None),
        decision_reason: Set(None),
        deceased_on: Set(None),
        adopted_on: Set(None),
        evidence_pending: Set(false),
        created_at: Set(kit::clock::now()),
        version: Set(1),
    })
    .exec(tx)
    .await?;
    for ((role, p), (id_number, parsed)) in [
        (ParentRole::Father, &input.father),
        (ParentRole::Mother, &input.mother),
    ]
    .into_iter()
    .zip(ids.into_iter().zip(conditions))
    {
        let parent_id = insert_parent(
            tx,
            id,
            role,
            id_number
                .as_ref()
                .map(|i| key.person_ref(i).as_str().to_owned()),
            id_number.map(|i| i.expose().to_owned()),
            p.name.clone(),
        )
        .await?;
        for (c, raw) in parsed.iter().zip(&p.conditions) {
            insert_condition(tx, parent_id, c, &raw.evidence, &who.subject).await?;
        }
    }
    if let Some(s) = &input.school {
        enrollment::Entity::insert(enrollment::ActiveModel {
            id: Set(Uuid::now_v7()),
            child_id: Set(id),
            level: Set(word(s.level)),
            school: Set(s.school.clone()),
            full_time: Set(s.full_time),
            enrolled_on: Set(s.enrolled_on),
            course_end: Set(s.course_end),
            evidence: Set(s.evidence.clone()),
            recorded_by: Set(who.subject.clone()),
            recorded_at: Set(kit::clock::now()),
        })
        .exec(tx)
        .await?;
    }
    audit::record(
        tx,
        who,
        "submit-registration",
        "child",
        &id.to_string(),
        &assessment.reason,
    )
    .await?;
    Ok(Submitted {
        id,
        status: "pending_approval".into(),
        category: word(category),
        assessment: assessment.reason,
    })
}

/// Writes a parent row.
pub async fn insert_parent(
    tx: &impl ConnectionTrait,
    child_id: Uuid,
    role: ParentRole,
    person_ref: Option<String>,
    id_number: Option<String>,
    name: Option<String>,
) -> Result<Uuid, Refusal> {
    let id = Uuid::now_v7();
    parent::Entity::insert(parent::ActiveModel {
        id: Set(id),
        child_id: Set(child_id),
        role: Set(word(role)),
        person_ref: Set(person_ref),
        id_number: Set(id_number),
        name: Set(name.map(|n| n.trim().to_owned())),
    })
    .exec(tx)
    .await?;
    Ok(id)
}

/// The approver's decision.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Decision {
    pub approve: bool,
    /// Required to reject: the written reason.
    pub reason: Option<String>,
}

/// The outcome of a decision.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Decided {
    pub id: Uuid,
    pub status: String,
    pub category: String,
    /// First month paid, when approved.
    pub start_month: Option<String>,
    pub monthly_amount_fen: Option<i64>,
}

/// Approves or rejects a pending registration; the submitter may not decide it.
pub async fn decide_registration(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    id: Uuid,
    input: &Decision,
    today: NaiveDate,
) -> Result<Decided, Refusal> {
    who.require(&[Role::DistrictApprover])?;
    let record = load_visible(tx, who, id).await?;
    let c = &record.child;
    if c.status != "pending_approval" {
        return Err(Refusal::conflict(
            "not-pending-approval",
            format!("the registration is {}", c.status),
        ));
    }
    if c.submitted_by == who.subject {
        return Err(Refusal::forbidden(
            "whoever submitted a registration cannot decide it",
        ));
    }
    if !input.approve {
        let reason = input
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .ok_or_else(|| Refusal::invalid("reason", "a rejection carries a written reason"))?;
        set_decision(tx, c, "rejected", &c.category, who, reason, today).await?;
        audit::record(
            tx,
            who,
            "reject-registration",
            "child",
            &id.to_string(),
            reason,
        )
        .await?;
        return Ok(Decided {
            id,
            status: "rejected".into(),
            category: c.category.clone(),
            start_month: None,
            monthly_amount_fen: None,
        });
    }
    let reference = records::reference(tx).await?;
    let assessment = record.assess(&reference, today)?;
    let category = Category::paid_under(assessment.outcome, c.hiv_infected)
        .ok_or_else(|| Refusal::conflict("no-longer-eligible", assessment.reason.clone()))?;
    set_decision(
        tx,
        c,
        "registered",
        &word(category),
        who,
        &assessment.reason,
        today,
    )
    .await?;
    let mut registered = record.clone();
    registered.child.status = "registered".into();
    registered.child.category = word(category);
    announce_registration(tx, outbox, &registered.child, category, today).await?;
    let allowance = start_allowance(
        tx,
        outbox,
        &reference,
        &registered,
        category,
        start_month(today),
        today,
    )
    .await?;
    let amount = reference
        .standard(
            crate::domain::reference::Standard::for_child(category, registered.care_mode()),
            start_month(today).first_day().unwrap_or(today),
        )
        .ok();
    audit::record(
        tx,
        who,
        "approve-registration",
        "child",
        &id.to_string(),
        &assessment.reason,
    )
    .await?;
    Ok(Decided {
        id,
        status: "registered".into(),
        category: word(category),
        start_month: allowance.map(|a| a.start_month),
        monthly_amount_fen: amount,
    })
}

async fn set_decision(
    tx: &impl ConnectionTrait,
    c: &child::Model,
    status: &str,
    category: &str,
    who: &Principal,
    reason: &str,
    today: NaiveDate,
) -> Result<(), Refusal> {
    child::Entity::update(child::ActiveModel {
        id: Set(c.id),
        status: Set(status.into()),
        category: Set(category.into()),
        decided_by: Set(Some(who.subject.clone())),
        decided_on: Set(Some(today)),
        decision_reason: Set(Some(reason.to_owned())),
        version: Set(c.version + 1),
        ..Default::default()
    })
    .exec(tx)
    .await?;
    Ok(())
}
