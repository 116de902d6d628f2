//! Reading a child's whole record in a transaction and turning stored rows into the domain's
//! terms (conditions, schooling, category), so every command assesses a child the same way.

use chrono::NaiveDate;
use contracts::partner::DisabilityCategory;
use kit::{Principal, Refusal, outbox::OutboxError};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{
    domain::{
        basis::{birth_from_month, mode_in},
        category::{CareMode, Category, ParentRole, parse_word, word},
        eligibility::{Assessment, Condition, Disability, Situation, assess},
        entitlement::Schooling,
        reference::{NotInForce, Reference},
    },
    store::{allowance, child, condition, enrollment, parent, reference_value},
};

/// A child with everything the rules read.
#[derive(Debug, Clone)]
pub struct ChildRecord {
    pub child: child::Model,
    pub father: Option<(parent::Model, Vec<condition::Model>)>,
    pub mother: Option<(parent::Model, Vec<condition::Model>)>,
    pub enrollment: Option<enrollment::Model>,
    pub allowances: Vec<allowance::Model>,
}

impl ChildRecord {
    /// The registered category.
    pub fn category(&self) -> Category {
        parse_word(&self.child.category).unwrap_or(Category::DeFactoUnsupported)
    }

    /// The current care mode.
    pub fn care_mode(&self) -> CareMode {
        parse_word(&self.child.care_mode).unwrap_or(CareMode::FamilyBased)
    }

    /// The date the age rules count from: the birth date, or the first of the month of birth a
    /// flag carried while the identity is not complete.
    pub fn birth(&self) -> Option<NaiveDate> {
        self.child.birth_date.or_else(|| {
            self.child
                .birth_month
                .as_deref()
                .and_then(|m| m.parse().ok())
                .and_then(birth_from_month)
        })
    }

    /// The allowance being paid (no end month yet), if any.
    pub fn active_allowance(&self) -> Option<&allowance::Model> {
        self.allowances.iter().find(|a| a.end_month.is_none())
    }

    /// The current schooling, as the entitlement rules read it.
    pub fn schooling(&self) -> Option<Schooling> {
        self.enrollment.as_ref().and_then(schooling)
    }

    /// The parents' conditions in domain terms.
    pub fn conditions(&self, role: ParentRole) -> Vec<Condition> {
        let side = match role {
            ParentRole::Father => &self.father,
            ParentRole::Mother => &self.mother,
        };
        side.as_ref()
            .map(|(_, cs)| cs.iter().filter_map(domain_condition).collect())
            .unwrap_or_default()
    }

    /// The predicate on `as_of` with the thresholds then in force.
    pub fn assess(&self, reference: &Reference, as_of: NaiveDate) -> Result<Assessment, Refusal> {
        let t = reference.thresholds(as_of).map_err(not_in_force)?;
        Ok(assess(
            &self.conditions(ParentRole::Father),
            &self.conditions(ParentRole::Mother),
            as_of,
            &t,
        ))
    }
}

/// A stored condition in domain terms (`None` for a row that no longer parses).
pub fn domain_condition(c: &condition::Model) -> Option<Condition> {
    let disability = match (&c.disability_category, c.disability_level) {
        (Some(cat), Some(level)) => Some(Disability {
            category: parse_word::<DisabilityCategory>(cat)?,
            level: u8::try_from(level).ok()?,
        }),
        _ => None,
    };
    Some(Condition {
        situation: parse_word::<Situation>(&c.situation)?,
        since: c.since,
        expected_end: c.expected_end,
        ended_on: c.ended_on,
        disability,
    })
}

/// The care mode an allowance pays `month` at.
pub fn allowance_mode(a: &allowance::Model, month: contracts::common::Month) -> CareMode {
    mode_in(
        month,
        parse_word(&a.care_mode).unwrap_or(CareMode::FamilyBased),
        a.previous_care_mode.as_deref().and_then(parse_word),
        a.care_mode_from.as_deref().and_then(|m| m.parse().ok()),
    )
}

/// A stored enrolment in domain terms.
pub fn schooling(e: &enrollment::Model) -> Option<Schooling> {
    Some(Schooling {
        level: parse_word(&e.level)?,
        full_time: e.full_time,
        enrolled_on: e.enrolled_on,
        course_end: e.course_end,
    })
}

/// Loads a child's record; `None` when there is no such child.
pub async fn load(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<ChildRecord>, Refusal> {
    let Some(child) = child::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    let parents = parent::Entity::find()
        .filter(parent::Column::ChildId.eq(id))
        .all(db)
        .await?;
    let ids: Vec<Uuid> = parents.iter().map(|p| p.id).collect();
    let conditions = condition::Entity::find()
        .filter(condition::Column::ParentId.is_in(ids))
        .order_by_asc(condition::Column::Id)
        .all(db)
        .await?;
    let side = |role: ParentRole| {
        parents.iter().find(|p| p.role == word(role)).map(|p| {
            let cs = conditions
                .iter()
                .filter(|c| c.parent_id == p.id)
                .cloned()
                .collect();
            (p.clone(), cs)
        })
    };
    let enrollment = enrollment::Entity::find()
        .filter(enrollment::Column::ChildId.eq(id))
        .order_by_desc(enrollment::Column::Id)
        .one(db)
        .await?;
    let allowances = allowance::Entity::find()
        .filter(allowance::Column::ChildId.eq(id))
        .order_by_asc(allowance::Column::Id)
        .all(db)
        .await?;
    Ok(Some(ChildRecord {
        father: side(ParentRole::Father),
        mother: side(ParentRole::Mother),
        child,
        enrollment,
        allowances,
    }))
}

/// Loads a child the caller may see, or 404.
pub async fn load_visible(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
) -> Result<ChildRecord, Refusal> {
    load(db, id)
        .await?
        .filter(|r| who.sees(&r.child.village_code))
        .ok_or_else(|| Refusal::not_found("no such child in your division"))
}

/// Every reference value.
pub async fn reference(db: &impl ConnectionTrait) -> Result<Reference, Refusal> {
    let rows = reference_value::Entity::find().all(db).await?;
    Ok(Reference::new(
        rows.into_iter().map(|r| (r.name, r.valid_from, r.value)),
    ))
}

/// Reference data missing for a date: the bureau must enter it.
pub fn not_in_force(e: NotInForce) -> Refusal {
    Refusal::not_yet("reference-not-in-force", e.to_string())
}

/// An event that does not fit its contract is a bug: logged once, answered as internal.
pub fn outbox_failed(e: OutboxError) -> Refusal {
    tracing::error!(error = %e, "outbox");
    Refusal::internal()
}

/// The principal decisions taken on an event are recorded under.
pub fn system(reason: &str) -> Principal {
    Principal::system(format!("child-welfare:{reason}"))
}

/// Today in the bureau's time zone (UTC+8), on the services' clock.
pub use kit::clock::today;
