//! The parents' situations on a case and the flag to child-welfare: when the pair may meet the de
//! facto unsupported conditions (or the child is an orphan), `minor.child.at-risk.flagged.v1` is
//! written once per child and pair — no names or ID numbers, the child by person_ref. A parent's
//! death record re-assesses every case naming that parent.

use chrono::Datelike;
use chrono::NaiveDate;
use contracts::{
    common::{PersonRef, TownshipCode, VillageCode},
    minor::{ChildAtRiskFlagged, Parent, ParentSituation},
};
use kit::{
    Principal, Refusal, audit,
    edge::problem::FieldError,
    identity::{IdNumber, PersonRefKey},
    outbox::Outbox,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    access::load,
    cases::{record_action, save},
    not_future, outbox_problem, reference, system, wire,
};
use crate::domain::{
    access::Access,
    unsupported::{Finding, ParentRecord, assess, check_evidence, is_minor},
};
use crate::store::{case, flag, left_behind, parent};

/// One parent as recorded.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ParentInput {
    /// dead, missing, severe_disability, severe_illness, imprisoned, compulsory_detox,
    /// deprived_of_liberty, out_of_contact, custody_revoked, deported or present.
    #[schema(value_type = String, example = "dead")]
    pub situation: ParentSituation,
    /// Date of death or declaration, of the police's acceptance of the missing-contact report, or
    /// of the start of detention.
    #[schema(example = "2025-03-01")]
    pub since: Option<NaiveDate>,
    /// Length of a sentence, detox order or other restriction of liberty.
    pub term_months: Option<u32>,
    pub name: Option<String>,
    pub id_number: Option<String>,
}

/// Both parents.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ParentsInput {
    pub father: ParentInput,
    pub mother: ParentInput,
    pub recorded_on: NaiveDate,
}

/// What the record led to.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Assessed {
    pub case_id: Uuid,
    /// de_facto_unsupported, orphan or not_met.
    #[schema(value_type = String)]
    pub finding: Finding,
    /// A flag was sent to child-welfare now.
    pub flagged: bool,
    pub flag_id: Option<Uuid>,
    /// Why no flag was sent although the finding would allow one.
    pub note: Option<String>,
    pub version: i32,
}

fn record_of(p: &parent::Model) -> Option<ParentRecord> {
    Some(ParentRecord {
        situation: super::from_wire(&p.situation)?,
        since: p.since,
        term_months: p.term_months.and_then(|m| u32::try_from(m).ok()),
    })
}

/// Records both parents' situations (the holder only) and flags the child when the pair qualifies.
pub async fn record_parents(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    key: &PersonRefKey,
    who: &Principal,
    id: Uuid,
    input: &ParentsInput,
) -> Result<Assessed, Refusal> {
    let loaded = load(tx, who, id).await?;
    loaded.require(Access::Owner, "record the parents' situation")?;
    loaded.require_open()?;
    let on = not_future("recorded_on", input.recorded_on)?;
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    for (role, p) in [("father", &input.father), ("mother", &input.mother)] {
        let record = ParentRecord {
            situation: p.situation,
            since: p.since,
            term_months: p.term_months,
        };
        if let Err(reason) = check_evidence(&record) {
            let field = if reason.starts_with("term_months") {
                "term_months"
            } else {
                "since"
            };
            errors.push(FieldError {
                field: format!("{role}.{field}"),
                reason: reason.into(),
            });
        }
        let id_number = match p
            .id_number
            .as_deref()
            .map(|raw| IdNumber::parse_entered(raw, kit::clock::today()))
        {
            Some(Err(e)) => {
                errors.push(FieldError {
                    field: format!("{role}.id_number"),
                    reason: e.to_string(),
                });
                None
            }
            Some(Ok(i)) => Some(i),
            None => None,
        };
        rows.push(parent::ActiveModel {
            case_id: Set(id),
            parent: Set(role.into()),
            situation: Set(wire(p.situation)),
            since: Set(p.since),
            term_months: Set(p.term_months.and_then(|m| i32::try_from(m).ok())),
            name: Set(p.name.clone()),
            person_ref: Set(id_number
                .as_ref()
                .map(|i| key.person_ref(i).as_str().to_owned())),
            id_number: Set(id_number.map(|i| i.expose().to_owned())),
            recorded_on: Set(on),
        });
    }
    if !errors.is_empty() {
        return Err(Refusal::invalid_fields(errors));
    }
    parent::Entity::delete_many()
        .filter(parent::Column::CaseId.eq(id))
        .exec(tx)
        .await?;
    parent::Entity::insert_many(rows).exec(tx).await?;
    let version = save(tx, id, loaded.case.version, case::ActiveModel::default()).await?;
    // The parents' custodial or health status is itself sensitive: detail only, never the summary.
    let detail = format!(
        "father {}, mother {}",
        wire(input.father.situation),
        wire(input.mother.situation)
    );
    record_action(
        tx,
        who,
        id,
        "parents_recorded",
        on,
        "parents' situation recorded",
        &detail,
    )
    .await?;
    let mut assessed = assess_and_flag(tx, outbox, who, id, on).await?;
    assessed.version = version;
    Ok(assessed)
}

/// Assesses the case's recorded pair on `on` and writes the flag if it qualifies and was not sent
/// for this child and pair before.
async fn assess_and_flag(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    id: Uuid,
    on: NaiveDate,
) -> Result<Assessed, Refusal> {
    let c = case::Entity::find_by_id(id)
        .one(tx)
        .await?
        .ok_or_else(Refusal::internal)?;
    let parents = parent::Entity::find()
        .filter(parent::Column::CaseId.eq(id))
        .all(tx)
        .await?;
    let find = |role: &str| parents.iter().find(|p| p.parent == role);
    let mut out = Assessed {
        case_id: id,
        finding: Finding::NotMet,
        flagged: false,
        flag_id: None,
        note: None,
        version: c.version,
    };
    let (Some(father), Some(mother)) = (find("father"), find("mother")) else {
        out.note = Some("both parents' situations must be recorded".into());
        return Ok(out);
    };
    let (Some(f), Some(m)) = (record_of(father), record_of(mother)) else {
        return Err(Refusal::internal());
    };
    let refs = reference::load(tx).await?;
    out.finding = assess(&refs, &f, &m, on).map_err(reference::missing)?;
    if !out.finding.flags() {
        return Ok(out);
    }
    let Some(child_ref) = c.child_person_ref.clone() else {
        out.note = Some("record the child's ID number to flag the child to child-welfare".into());
        return Ok(out);
    };
    let minor = match c.child_birth_date {
        Some(birth) => is_minor(&refs, birth, on).map_err(reference::missing)?,
        None => true,
    };
    if !minor || c.child_deceased_on.is_some() {
        out.note = Some("the child is no longer a minor or has died".into());
        return Ok(out);
    }
    if super::welfare::standing(tx, &child_ref).await?.supported() {
        out.note = Some("child-welfare already registers and supports the child".into());
        return Ok(out);
    }
    let (fs, ms) = (wire(f.situation), wire(m.situation));
    let earlier = flag::Entity::find()
        .filter(flag::Column::ChildPersonRef.eq(child_ref.clone()))
        .filter(flag::Column::FatherSituation.eq(fs.clone()))
        .filter(flag::Column::MotherSituation.eq(ms.clone()))
        .one(tx)
        .await?;
    if earlier.is_some() {
        out.note = Some("child-welfare was already told of this situation".into());
        return Ok(out);
    }
    let flag_id = Uuid::now_v7();
    flag::Entity::insert(flag::ActiveModel {
        id: Set(flag_id),
        case_id: Set(Some(id)),
        child_person_ref: Set(child_ref.clone()),
        father_situation: Set(fs),
        mother_situation: Set(ms),
        finding: Set(wire(out.finding)),
        flagged_on: Set(on),
    })
    .exec(tx)
    .await?;
    let person = |p: &parent::Model, r: ParentRecord| Parent {
        situation: r.situation,
        person_ref: p
            .person_ref
            .as_deref()
            .and_then(|s| PersonRef::parse(s).ok()),
        since: r.since,
        expected_end: r
            .since
            .zip(r.term_months)
            .and_then(|(since, months)| since.checked_add_months(chrono::Months::new(months))),
    };
    let event = ChildAtRiskFlagged {
        flag_id,
        person_ref: PersonRef::parse(&child_ref).map_err(|_| Refusal::internal())?,
        father: person(father, f),
        mother: person(mother, m),
        case_id: Some(id),
        birth_month: c
            .child_birth_date
            .and_then(|b| contracts::common::Month::new(b.year(), b.month())),
        township_code: TownshipCode::parse(&c.township_code).map_err(|_| Refusal::internal())?,
        village_code: VillageCode::parse(&c.village_code).map_err(|_| Refusal::internal())?,
        flagged_on: on,
    };
    outbox.enqueue(tx, &event).await.map_err(outbox_problem)?;
    audit::record(
        tx,
        who,
        "flag-child",
        "case",
        &id.to_string(),
        &wire(out.finding),
    )
    .await?;
    out.flagged = true;
    out.flag_id = Some(flag_id);
    Ok(out)
}

/// What a death record changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeathApplied {
    /// Cases where the person was a parent whose situation changed.
    pub parent_of: Vec<Uuid>,
    /// Flags written.
    pub flags: Vec<Uuid>,
    /// Cases and register entries of the person as a child.
    pub child_records: usize,
}

/// A death record from the civil registry: a parent's situation becomes `dead` and the child is
/// re-assessed (on the date the death was recorded); a child's own records stop (no more visits or
/// escalations). A person unknown here is no error.
pub async fn record_death(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    key: &PersonRefKey,
    id_number: &IdNumber,
    died_on: NaiveDate,
    recorded_on: NaiveDate,
) -> Result<DeathApplied, Refusal> {
    let who = system("minor-protection/civil-registry");
    let person_ref = key.person_ref(id_number).as_str().to_owned();
    let mut applied = DeathApplied::default();
    let named = parent::Entity::find()
        .filter(parent::Column::PersonRef.eq(person_ref.clone()))
        .all(tx)
        .await?;
    for p in named
        .into_iter()
        .filter(|p| p.situation != wire(ParentSituation::Dead))
    {
        parent::Entity::update_many()
            .set(parent::ActiveModel {
                situation: Set(wire(ParentSituation::Dead)),
                since: Set(Some(died_on)),
                term_months: Set(None),
                recorded_on: Set(recorded_on),
                ..Default::default()
            })
            .filter(parent::Column::CaseId.eq(p.case_id))
            .filter(parent::Column::Parent.eq(p.parent.clone()))
            .exec(tx)
            .await?;
        let Some(c) = case::Entity::find_by_id(p.case_id)
            .lock_exclusive()
            .one(tx)
            .await?
        else {
            continue;
        };
        save(tx, c.id, c.version, case::ActiveModel::default()).await?;
        record_action(
            tx,
            &who,
            c.id,
            "parent_died",
            recorded_on,
            "a parent's death was recorded",
            &format!("{} died", p.parent),
        )
        .await?;
        let assessed = assess_and_flag(tx, outbox, &who, c.id, recorded_on).await?;
        applied.parent_of.push(c.id);
        applied.flags.extend(assessed.flag_id);
    }
    let cases = case::Entity::update_many()
        .set(case::ActiveModel {
            child_deceased_on: Set(Some(died_on)),
            ..Default::default()
        })
        .filter(case::Column::ChildPersonRef.eq(person_ref.clone()))
        .filter(case::Column::ChildDeceasedOn.is_null())
        .exec(tx)
        .await?;
    let register = left_behind::Entity::update_many()
        .set(left_behind::ActiveModel {
            ended_on: Set(Some(died_on)),
            end_reason: Set(Some("died".into())),
            ..Default::default()
        })
        .filter(left_behind::Column::PersonRef.eq(person_ref))
        .filter(left_behind::Column::EndedOn.is_null())
        .exec(tx)
        .await?;
    applied.child_records =
        usize::try_from(cases.rows_affected + register.rows_affected).unwrap_or(usize::MAX);
    Ok(applied)
}
