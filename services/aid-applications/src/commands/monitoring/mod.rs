//! Low-income monitoring (动态监测): active-discovery tasks opened by partner facts — a household
//! flagged by the rural revitalisation bureau, a severe disability certificate issued to an adult
//! of a marginal household (a single-person dibao candidate) — their closure, and the low-income
//! population view (dibao, extreme poverty, marginal, partner-flagged).

pub mod benefits;
pub mod certificates;
pub mod referrals;

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use contracts::{
    aid::{Assistance, ReferralSource},
    partner::{CertificateIssued, HouseholdFlagged},
};
use kit::{
    Principal, Refusal, Role, audit,
    identity::{IdNumber, PersonRefKey},
    outbox::Outbox,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::commands::assistance::clock::today;
use crate::commands::monitoring::referrals::{NewReferral, refer};
use crate::commands::reference::severe_disability;
use crate::{
    domain::{
        household::DisabilityGrade,
        monitoring::{
            LowIncomeCategory, TaskError, TaskKind, TaskOutcome, categories, close_task,
            single_person_dibao_candidate,
        },
        programme::Programme,
    },
    store::{enrollment, household, member, monitoring::task},
};
use kit::wire::name as snake;

/// Enrollment statuses that still count (a gradual exit is still paid).
const CURRENT: [&str; 2] = ["active", "exiting"];

/// Inserts a task unless one exists for the same fact; returns whether it was opened.
async fn open(tx: &impl ConnectionTrait, model: task::Model) -> Result<bool, DbErr> {
    let result = task::Entity::insert(task::ActiveModel::from(model))
        .on_conflict_do_nothing_on([task::Column::Source, task::Column::SourceKey])
        .exec(tx)
        .await?;
    Ok(matches!(result, sea_orm::TryInsertResult::Inserted(_)))
}

/// `partner.rural.household.flagged.v1`: an assess-household task for the village, linked to the
/// registered household whose member is the flagged head (if any). A re-sent flag (same
/// `flag_id`) opens nothing new.
pub async fn on_household_flagged(
    tx: &impl ConnectionTrait,
    key: &PersonRefKey,
    head: &IdNumber,
    event: &HouseholdFlagged,
) -> Result<bool, DbErr> {
    let person_ref = key.person_ref(head).as_str().to_owned();
    let registered = member::Entity::find()
        .filter(member::Column::PersonRef.eq(person_ref.clone()))
        .one(tx)
        .await?;
    let household = match &registered {
        Some(m) => {
            household::Entity::find_by_id(m.household_id)
                .one(tx)
                .await?
        }
        None => None,
    };
    let village = household.as_ref().map_or_else(
        || event.village_code.as_str().to_owned(),
        |h| h.village_code.clone(),
    );
    open(
        tx,
        task::Model {
            id: Uuid::now_v7(),
            kind: snake(TaskKind::AssessHousehold),
            source: "partner_flag".into(),
            source_key: event.flag_id.to_string(),
            household_id: household.map(|h| h.id),
            person_ref,
            township_code: village[..9].to_owned(),
            village_code: village,
            risk: Some(snake(event.risk)),
            disability_grade: None,
            opened_on: event.flagged_on,
            status: "open".into(),
            outcome: None,
            note: None,
            closed_on: None,
            closed_by: None,
            referral_id: None,
            version: 1,
        },
    )
    .await
}

/// `partner.dpf.certificate.issued.v1`: when the holder is a living adult member of a household
/// enrolled as marginal and the grade is 重残 under the single-person dibao rule, a candidate task
/// (flow 6). Anyone else's certificate is not this service's concern.
pub async fn on_certificate_issued(
    tx: &impl ConnectionTrait,
    key: &PersonRefKey,
    holder: &IdNumber,
    grade: DisabilityGrade,
    event: &CertificateIssued,
) -> Result<bool, DbErr> {
    let severe = severe_disability(tx, event.issued_on).await?;
    if !single_person_dibao_candidate(
        grade,
        holder.birth_date(),
        event.issued_on,
        severe.single_person_dibao,
    ) {
        return Ok(false);
    }
    let person_ref = key.person_ref(holder).as_str().to_owned();
    let Some(m) = member::Entity::find()
        .filter(member::Column::PersonRef.eq(person_ref.clone()))
        .filter(member::Column::DeceasedOn.is_null())
        .one(tx)
        .await?
    else {
        return Ok(false);
    };
    let marginal = enrollment::Entity::find()
        .filter(enrollment::Column::HouseholdId.eq(m.household_id))
        .filter(enrollment::Column::Programme.eq(snake(Programme::Marginal)))
        .filter(enrollment::Column::Status.is_in(CURRENT))
        .one(tx)
        .await?;
    let (Some(marginal), Some(h)) = (
        marginal,
        household::Entity::find_by_id(m.household_id)
            .one(tx)
            .await?,
    ) else {
        return Ok(false);
    };
    open(
        tx,
        task::Model {
            id: Uuid::now_v7(),
            kind: snake(TaskKind::SinglePersonDibaoCandidate),
            source: "certificate".into(),
            source_key: format!("{person_ref}:{}:{}", grade.level(), event.issued_on),
            household_id: Some(marginal.household_id),
            person_ref,
            township_code: h.township_code,
            village_code: h.village_code,
            risk: None,
            disability_grade: Some(format!("{}/{}", snake(grade.category()), grade.level())),
            opened_on: event.issued_on,
            status: "open".into(),
            outcome: None,
            note: None,
            closed_on: None,
            closed_by: None,
            referral_id: None,
            version: 1,
        },
    )
    .await
}

/// A task as shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TaskView {
    pub id: Uuid,
    pub kind: String,
    pub source: String,
    pub household_id: Option<Uuid>,
    pub person_ref: String,
    pub township_code: String,
    pub village_code: String,
    pub risk: Option<String>,
    pub disability_grade: Option<String>,
    pub opened_on: NaiveDate,
    pub status: String,
    pub outcome: Option<String>,
    pub note: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub referral_id: Option<Uuid>,
}

impl From<task::Model> for TaskView {
    fn from(t: task::Model) -> Self {
        Self {
            id: t.id,
            kind: t.kind,
            source: t.source,
            household_id: t.household_id,
            person_ref: t.person_ref,
            township_code: t.township_code,
            village_code: t.village_code,
            risk: t.risk,
            disability_grade: t.disability_grade,
            opened_on: t.opened_on,
            status: t.status,
            outcome: t.outcome,
            note: t.note,
            closed_on: t.closed_on,
            referral_id: t.referral_id,
        }
    }
}

/// How a task is closed; `referred` names the assistance and a referral is requested with it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Closure {
    /// application_submitted, referred, not_eligible or already_assisted.
    #[schema(value_type = String, example = "not_eligible")]
    pub outcome: TaskOutcome,
    /// What the visit found (evidence).
    pub note: String,
    /// For `referred`: medical, education, housing or employment.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub assistance: Option<Assistance>,
}

/// A task of the caller's division.
pub async fn find_visible(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
) -> Result<task::Model, Refusal> {
    in_division(task::Entity::find_by_id(id).one(db).await?, who)
}

fn in_division(task: Option<task::Model>, who: &Principal) -> Result<task::Model, Refusal> {
    task.filter(|t| who.sees(&t.village_code))
        .ok_or_else(|| Refusal::not_found("no such task in your division"))
}

/// Closes a task after the visit; a referral outcome requests the referral in the same
/// transaction.
pub async fn close(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    id: Uuid,
    input: &Closure,
) -> Result<TaskView, Refusal> {
    who.require(&[Role::VillageStaff, Role::TownshipClerk])?;
    // Locked: the disabled persons' federation's fact closing the same task waits, and this
    // closure then meets it as "already closed" rather than as "changed meanwhile".
    let t = in_division(
        task::Entity::find_by_id(id)
            .lock_exclusive()
            .one(tx)
            .await?,
        who,
    )?;
    close_task(t.status == "closed", input.outcome, &input.note).map_err(|e| match e {
        TaskError::AlreadyClosed => Refusal::conflict("task-closed", e.to_string()),
        TaskError::NoteRequired => Refusal::invalid("note", e.to_string()),
    })?;
    let referral_id = match (input.outcome, input.assistance) {
        (TaskOutcome::Referred, None) => {
            return Err(Refusal::invalid(
                "assistance",
                "name the assistance referred to",
            ));
        }
        (TaskOutcome::Referred, Some(assistance)) => {
            let household_id = t.household_id.ok_or_else(|| {
                Refusal::invalid(
                    "outcome",
                    "the household is not registered yet: register it, then refer it",
                )
            })?;
            let member_id = member::Entity::find()
                .select_only()
                .column(member::Column::Id)
                .filter(member::Column::PersonRef.eq(t.person_ref.clone()))
                .into_tuple::<Uuid>()
                .one(tx)
                .await?;
            let source = if t.source == "partner_flag" {
                ReferralSource::PartnerFlag
            } else {
                ReferralSource::Monitoring
            };
            let referral = NewReferral {
                household_id,
                member_id,
                assistance,
                source,
                note: input.note.clone(),
            };
            Some(refer(tx, outbox, who, &referral, Some(t.id)).await?.id)
        }
        _ => None,
    };
    let result = task::Entity::update_many()
        .set(task::ActiveModel {
            status: Set("closed".into()),
            outcome: Set(Some(snake(input.outcome))),
            note: Set(Some(input.note.trim().to_owned())),
            closed_on: Set(Some(today())),
            closed_by: Set(Some(who.subject.clone())),
            referral_id: Set(referral_id),
            version: Set(t.version + 1),
            ..Default::default()
        })
        .filter(task::Column::Id.eq(id))
        .filter(task::Column::Version.eq(t.version))
        .exec(tx)
        .await?;
    if result.rows_affected != 1 {
        return Err(Refusal::changed_meanwhile());
    }
    audit::record(
        tx,
        who,
        "close-discovery-task",
        "discovery-task",
        &id.to_string(),
        &snake(input.outcome),
    )
    .await?;
    Ok(find_visible(tx, who, id).await?.into())
}

/// Tasks of the caller's division, oldest first; optionally only open ones or one kind.
pub async fn list(
    db: &impl ConnectionTrait,
    who: &Principal,
    open_only: bool,
    kind: Option<&str>,
    cursor: Option<Uuid>,
    limit: u64,
) -> Result<Vec<TaskView>, Refusal> {
    let mut q =
        task::Entity::find().filter(task::Column::VillageCode.starts_with(who.division.as_str()));
    if open_only {
        q = q.filter(task::Column::Status.eq("open"));
    }
    if let Some(k) = kind {
        q = q.filter(task::Column::Kind.eq(k));
    }
    if let Some(c) = cursor {
        q = q.filter(task::Column::Id.gt(c));
    }
    Ok(q.order_by_asc(task::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// One household of the low-income population.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LowIncomeHousehold {
    pub household_id: Uuid,
    pub township_code: String,
    pub village_code: String,
    #[schema(value_type = Vec<String>)]
    pub categories: Vec<LowIncomeCategory>,
}

/// The low-income population of the caller's division, by household id: households with a
/// current dibao, extreme-poverty, marginal or single-person dibao enrollment, and registered
/// households a partner flagged. Flagged households not registered here appear as open
/// discovery tasks instead.
pub async fn population(
    db: &impl ConnectionTrait,
    who: &Principal,
    cursor: Option<Uuid>,
    limit: u64,
) -> Result<Vec<LowIncomeHousehold>, Refusal> {
    let scope = who.division.as_str();
    let after = cursor.unwrap_or(Uuid::nil());
    let enrolled: Vec<Uuid> = enrollment::Entity::find()
        .select_only()
        .column(enrollment::Column::HouseholdId)
        .distinct()
        .filter(enrollment::Column::VillageCode.starts_with(scope))
        .filter(enrollment::Column::Status.is_in(CURRENT))
        .filter(enrollment::Column::HouseholdId.gt(after))
        .order_by_asc(enrollment::Column::HouseholdId)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    let flagged: Vec<Uuid> = task::Entity::find()
        .select_only()
        .column(task::Column::HouseholdId)
        .distinct()
        .filter(task::Column::VillageCode.starts_with(scope))
        .filter(task::Column::Source.eq("partner_flag"))
        .filter(task::Column::HouseholdId.gt(after))
        .order_by_asc(task::Column::HouseholdId)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    let flagged: BTreeSet<Uuid> = flagged.into_iter().collect();
    let page: Vec<Uuid> = enrolled
        .iter()
        .copied()
        .chain(flagged.iter().copied())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .collect();
    if page.is_empty() {
        return Ok(Vec::new());
    }
    let mut programmes: BTreeMap<Uuid, Vec<Programme>> = BTreeMap::new();
    for e in enrollment::Entity::find()
        .filter(enrollment::Column::HouseholdId.is_in(page.clone()))
        .filter(enrollment::Column::Status.is_in(CURRENT))
        .all(db)
        .await?
    {
        if let Ok(p) = serde_json::from_value(serde_json::Value::String(e.programme)) {
            programmes.entry(e.household_id).or_default().push(p);
        }
    }
    let households = household::Entity::find()
        .filter(household::Column::Id.is_in(page))
        .order_by_asc(household::Column::Id)
        .all(db)
        .await?;
    Ok(households
        .into_iter()
        .map(|h| LowIncomeHousehold {
            categories: categories(
                programmes.get(&h.id).map_or(&[][..], Vec::as_slice),
                flagged.contains(&h.id),
            ),
            household_id: h.id,
            township_code: h.township_code,
            village_code: h.village_code,
        })
        .filter(|h| !h.categories.is_empty())
        .collect())
}
