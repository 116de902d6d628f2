//! Parents' conditions with their evidence: validating what staff record, writing it, and
//! re-evaluating a registered child when a condition starts or ends (a release from prison ends
//! eligibility from the following month).

use chrono::NaiveDate;
use contracts::partner::DisabilityCategory;
use kit::{Principal, Refusal, Role, audit, edge::problem::FieldError, outbox::Outbox};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    lifecycle::{Reevaluated, reevaluate},
    records::{self, load_visible},
};
use crate::{
    domain::{
        category::{ParentRole, word},
        eligibility::{Condition, Disability, Situation},
    },
    store::{condition, parent},
};

/// A condition as staff record it, with the evidence cited (judgment, police statement,
/// certificate, death record).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewCondition {
    /// dead, missing, severe_disability, severe_illness, imprisoned, compulsory_detox,
    /// deprived_of_liberty, out_of_contact, custody_revoked, deported or present.
    #[schema(value_type = String, example = "dead")]
    pub situation: Situation,
    /// Start: date of death, of the court declaration, of custody, of the police report, …
    #[schema(example = "2025-03-01")]
    pub since: Option<NaiveDate>,
    /// Expected end of a term of custody.
    pub expected_end: Option<NaiveDate>,
    /// For severe_disability: the certificate's category (visual … multiple).
    #[schema(value_type = Option<String>)]
    pub disability_category: Option<DisabilityCategory>,
    /// For severe_disability: the certificate's level, 1–4.
    pub disability_level: Option<u8>,
    /// The document cited (number and issuer of the judgment, statement, certificate…).
    #[serde(default)]
    #[schema(example = "居民死亡医学证明（推断）书 渝北 2025-0001")]
    pub evidence: String,
}

impl NewCondition {
    /// Validates against `today`; errors name `prefix.field`.
    pub fn validate(&self, prefix: &str, today: NaiveDate) -> Result<Condition, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut err = |field: &str, reason: &str| {
            errors.push(FieldError {
                field: format!("{prefix}.{field}"),
                reason: reason.into(),
            });
        };
        let s = self.situation;
        if s != Situation::Present {
            match self.since {
                None => err("since", "required: the date the situation began"),
                Some(d) if d > today => err("since", "cannot be in the future"),
                Some(_) => {}
            }
            if self.evidence.trim().is_empty() {
                err("evidence", "required: the document proving the situation");
            }
        }
        match (s.has_term(), self.expected_end, self.since) {
            (false, Some(_), _) => err("expected_end", "only a term of custody has an end"),
            (true, Some(end), Some(since)) if end <= since => {
                err("expected_end", "must be after since")
            }
            _ => {}
        }
        let disability = match (s, self.disability_category, self.disability_level) {
            (Situation::SevereDisability, Some(category), Some(level @ 1..=4)) => {
                Some(Disability { category, level })
            }
            (Situation::SevereDisability, None, _) => {
                err("disability_category", "required for severe_disability");
                None
            }
            (Situation::SevereDisability, _, _) => {
                err("disability_level", "required for severe_disability: 1 to 4");
                None
            }
            (_, None, None) => None,
            _ => {
                err(
                    "disability_category",
                    "only severe_disability carries a certificate category and level",
                );
                None
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Condition {
            situation: s,
            since: self.since,
            expected_end: self.expected_end,
            ended_on: None,
            disability,
        })
    }
}

/// Writes a condition of a parent.
pub async fn insert_condition(
    tx: &impl ConnectionTrait,
    parent_id: Uuid,
    c: &Condition,
    evidence: &str,
    recorded_by: &str,
) -> Result<Uuid, Refusal> {
    let id = Uuid::now_v7();
    condition::Entity::insert(condition::ActiveModel {
        id: Set(id),
        parent_id: Set(parent_id),
        situation: Set(word(c.situation)),
        since: Set(c.since),
        expected_end: Set(c.expected_end),
        ended_on: Set(c.ended_on),
        disability_category: Set(c.disability.map(|d| word(d.category))),
        disability_level: Set(c.disability.map(|d| i32::from(d.level))),
        evidence: Set(evidence.trim().to_owned()),
        recorded_by: Set(recorded_by.to_owned()),
        recorded_at: Set(kit::clock::now()),
    })
    .exec(tx)
    .await?;
    Ok(id)
}

/// Ends every open condition of `parent_id` asserted without dates (by a flag), as of `on`:
/// dated evidence replaces what the flag asserted.
pub async fn supersede_asserted(
    tx: &impl ConnectionTrait,
    parent_id: Uuid,
    on: NaiveDate,
) -> Result<(), Refusal> {
    condition::Entity::update_many()
        .set(condition::ActiveModel {
            ended_on: Set(Some(on)),
            ..Default::default()
        })
        .filter(condition::Column::ParentId.eq(parent_id))
        .filter(condition::Column::Since.is_null())
        .filter(condition::Column::EndedOn.is_null())
        .exec(tx)
        .await?;
    Ok(())
}

/// What recording or ending a condition did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConditionChanged {
    pub condition_id: Uuid,
    /// The predicate's answer now.
    pub assessment: String,
    /// unchanged, ended or recategorised.
    pub allowance: String,
}

fn describe(r: &Reevaluated) -> String {
    match r {
        Reevaluated::Unchanged => "unchanged".into(),
        Reevaluated::Ended(reason) => format!("ended: {}", word(reason)),
        Reevaluated::Recategorised(c) => format!("recategorised: {}", word(c)),
    }
}

async fn parent_of(
    tx: &impl ConnectionTrait,
    child_id: Uuid,
    role: ParentRole,
) -> Result<parent::Model, Refusal> {
    parent::Entity::find()
        .filter(parent::Column::ChildId.eq(child_id))
        .filter(parent::Column::Role.eq(word(role)))
        .one(tx)
        .await?
        .ok_or_else(|| Refusal::not_found("no such parent on record"))
}

/// Records a new condition of a parent and re-evaluates the child as of today.
pub async fn record_condition(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    child_id: Uuid,
    role: ParentRole,
    input: &NewCondition,
    today: NaiveDate,
) -> Result<ConditionChanged, Refusal> {
    who.require(&[Role::TownshipClerk, Role::DistrictOfficer])?;
    let record = load_visible(tx, who, child_id).await?;
    if !matches!(
        record.child.status.as_str(),
        "pending_approval" | "registered"
    ) {
        return Err(Refusal::conflict(
            "child-not-open",
            "the child's registration is closed",
        ));
    }
    let c = input
        .validate("condition", today)
        .map_err(Refusal::invalid_fields)?;
    let p = parent_of(tx, child_id, role).await?;
    supersede_asserted(tx, p.id, today).await?;
    let id = insert_condition(tx, p.id, &c, &input.evidence, &who.subject).await?;
    audit::record(
        tx,
        who,
        "record-parent-condition",
        "child",
        &child_id.to_string(),
        &format!("{} {}", word(role), word(c.situation)),
    )
    .await?;
    changed(tx, outbox, who, child_id, id, today, today).await
}

/// The end of a condition: release, contact restored, recovery.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ConditionEnd {
    pub ended_on: NaiveDate,
    /// The document cited (release certificate, police statement…).
    pub evidence: String,
}

/// Ends a condition on `ended_on` and re-evaluates the child as of that date.
pub async fn end_condition(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    child_id: Uuid,
    condition_id: Uuid,
    input: &ConditionEnd,
    today: NaiveDate,
) -> Result<ConditionChanged, Refusal> {
    who.require(&[Role::TownshipClerk, Role::DistrictOfficer])?;
    let record = load_visible(tx, who, child_id).await?;
    let found = [&record.father, &record.mother]
        .into_iter()
        .flatten()
        .flat_map(|(_, cs)| cs.iter())
        .find(|c| c.id == condition_id)
        .cloned()
        .ok_or_else(|| Refusal::not_found("no such condition of this child's parents"))?;
    if found.ended_on.is_some() {
        return Err(Refusal::conflict(
            "condition-already-ended",
            "the condition has already ended",
        ));
    }
    let mut errors = Vec::new();
    if input.ended_on > today {
        errors.push(("ended_on", "cannot be in the future"));
    }
    if found.since.is_some_and(|s| input.ended_on < s) {
        errors.push(("ended_on", "cannot be before the condition began"));
    }
    if input.evidence.trim().is_empty() {
        errors.push(("evidence", "required: the document proving the end"));
    }
    if !errors.is_empty() {
        return Err(Refusal::invalid_fields(
            errors
                .into_iter()
                .map(|(f, r)| FieldError {
                    field: f.into(),
                    reason: r.into(),
                })
                .collect(),
        ));
    }
    condition::Entity::update(condition::ActiveModel {
        id: Set(condition_id),
        ended_on: Set(Some(input.ended_on)),
        evidence: Set(format!(
            "{}; ended: {}",
            found.evidence,
            input.evidence.trim()
        )),
        ..Default::default()
    })
    .exec(tx)
    .await?;
    audit::record(
        tx,
        who,
        "end-parent-condition",
        "child",
        &child_id.to_string(),
        &format!("{} ended on {}", found.situation, input.ended_on),
    )
    .await?;
    changed(
        tx,
        outbox,
        who,
        child_id,
        condition_id,
        input.ended_on,
        today,
    )
    .await
}

async fn changed(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    child_id: Uuid,
    condition_id: Uuid,
    as_of: NaiveDate,
    today: NaiveDate,
) -> Result<ConditionChanged, Refusal> {
    let reference = records::reference(tx).await?;
    let record = records::load(tx, child_id)
        .await?
        .ok_or_else(|| Refusal::not_found("no such child"))?;
    let assessment = record.assess(&reference, as_of)?;
    let result = reevaluate(tx, outbox, who, &reference, &record, as_of, today).await?;
    Ok(ConditionChanged {
        condition_id,
        assessment: assessment.reason,
        allowance: describe(&result),
    })
}
