//! The life of a case: report intake (mandatory reporters), risk assessment, emergency response,
//! assessment and support plan, notes, closure with a reason. `minor.case.opened.v1` and
//! `.closed.v1` are written in the command's transaction and carry no person data at all.

use chrono::NaiveDate;
use contracts::{
    common::{TownshipCode, VillageCode},
    minor::{CaseClosed, CaseFunction, CaseOpened, CaseOutcome},
};
use kit::{
    Principal, Refusal, audit,
    identity::{IdNumber, PersonRefKey},
    outbox::Outbox,
};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    access::{Loaded, caller, load},
    china_today, not_future, outbox_problem, reference, units, wire,
};
use crate::domain::{
    access::Access,
    case::{Reporter, RiskLevel, may_close},
    level::Level,
    supervision::deadline,
    unsupported::is_minor,
};
use crate::store::{action, case, referral};

/// The child as reported; the ID number is often unknown at first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewChild {
    pub name: String,
    /// 18-character resident ID number, when known.
    pub id_number: Option<String>,
    /// When the ID number is unknown.
    pub birth_date: Option<NaiveDate>,
    #[serde(default)]
    pub address: String,
}

/// A report taken in.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewCase {
    pub reporter: Reporter,
    /// monitoring_prevention, mandatory_report, emergency_response, assessment_support or
    /// guardianship_intervention; by default mandatory_report for mandatory reporters.
    #[schema(value_type = Option<String>)]
    pub function: Option<CaseFunction>,
    /// The child's village or community (12 digits), inside the caller's division.
    pub village_code: String,
    /// Date of the report; today by default.
    pub reported_on: Option<NaiveDate>,
    /// A major matter, supervised (督办) from the start.
    #[serde(default)]
    pub major: bool,
    pub child: NewChild,
    /// What was reported.
    pub narrative: String,
}

/// The case opened.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Opened {
    pub id: Uuid,
    pub owner_unit: String,
    #[schema(value_type = String)]
    pub level: Level,
    pub due_on: Option<NaiveDate>,
    pub version: i32,
}

/// The unit the caller works for, as a case owner.
fn own_unit(who: &Principal) -> Result<(String, Level), Refusal> {
    let level = caller(who)
        .staff_level
        .ok_or_else(|| Refusal::forbidden("only protection staff take reports in"))?;
    Ok((who.division.as_str().to_owned(), level))
}

/// Takes a report in: the caller's unit holds the case.
pub async fn open_case(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    key: &PersonRefKey,
    who: &Principal,
    input: &NewCase,
) -> Result<Opened, Refusal> {
    let (owner, level) = own_unit(who)?;
    if Level::of_code(&input.village_code) != Some(Level::Village) {
        return Err(Refusal::invalid(
            "village_code",
            "must be a 12-digit village or community code",
        ));
    }
    if !input.village_code.starts_with(&owner) {
        return Err(Refusal::invalid(
            "village_code",
            "lies outside your division",
        ));
    }
    units::existing(tx, &owner, "village_code").await?;
    let opened_on = not_future("reported_on", input.reported_on.unwrap_or_else(china_today))?;
    if input.child.name.trim().is_empty() {
        return Err(Refusal::invalid("child.name", "required"));
    }
    if input.narrative.trim().is_empty() {
        return Err(Refusal::invalid("narrative", "say what was reported"));
    }
    let id_number = match &input.child.id_number {
        Some(raw) => Some(
            IdNumber::parse_entered(raw, kit::clock::today())
                .map_err(|e| Refusal::invalid("child.id_number", e.to_string()))?,
        ),
        None => None,
    };
    let birth = id_number
        .as_ref()
        .map(IdNumber::birth_date)
        .or(input.child.birth_date);
    let refs = reference::load(tx).await?;
    let minor = match birth {
        Some(birth) => is_minor(&refs, birth, opened_on).map_err(reference::missing)?,
        None => true,
    };
    if !minor {
        let field = if id_number.is_some() {
            "child.id_number"
        } else {
            "child.birth_date"
        };
        return Err(Refusal::invalid(
            field,
            "the child is not a minor on the date of the report",
        ));
    }
    let due_on = if input.major {
        Some(deadline(&refs, level, opened_on).map_err(reference::missing)?)
    } else {
        None
    };
    let function = input
        .function
        .unwrap_or_else(|| input.reporter.default_function());
    let id = Uuid::now_v7();
    let township = input.village_code[..9].to_owned();
    case::Entity::insert(case::ActiveModel {
        id: Set(id),
        function: Set(wire(function)),
        reporter: Set(wire(input.reporter)),
        township_code: Set(township.clone()),
        village_code: Set(input.village_code.clone()),
        owner_unit: Set(owner.clone()),
        status: Set("open".into()),
        major: Set(input.major),
        risk_level: Set(None),
        due_on: Set(due_on),
        supervision_done_on: Set(None),
        opened_on: Set(opened_on),
        closed_on: Set(None),
        outcome: Set(None),
        closure_reason: Set(None),
        child_name: Set(input.child.name.trim().to_owned()),
        child_id_number: Set(id_number.as_ref().map(|i| i.expose().to_owned())),
        child_person_ref: Set(id_number
            .as_ref()
            .map(|i| key.person_ref(i).as_str().to_owned())),
        child_birth_date: Set(birth),
        child_address: Set(input.child.address.trim().to_owned()),
        narrative: Set(input.narrative.trim().to_owned()),
        child_deceased_on: Set(None),
        guardianship_active: Set(false),
        opened_by: Set(who.subject.clone()),
        created_at: Set(kit::clock::now()),
        version: Set(1),
    })
    .exec(tx)
    .await?;
    let event = CaseOpened {
        case_id: id,
        function,
        source: input.reporter.source(),
        level: level.contract(),
        township_code: TownshipCode::parse(&township)
            .map_err(|e| Refusal::invalid("village_code", e.to_string()))?,
        village_code: VillageCode::parse(&input.village_code).ok(),
        due_on,
        opened_on,
    };
    outbox.enqueue(tx, &event).await.map_err(outbox_problem)?;
    audit::record(
        tx,
        who,
        "open-case",
        "case",
        &id.to_string(),
        &wire(input.reporter),
    )
    .await?;
    Ok(Opened {
        id,
        owner_unit: owner,
        level,
        due_on,
        version: 1,
    })
}

/// Writes `changes` to the case if it is still at `version`, bumping the version; 412 otherwise.
pub async fn save(
    tx: &impl ConnectionTrait,
    id: Uuid,
    version: i32,
    mut changes: case::ActiveModel,
) -> Result<i32, Refusal> {
    changes.version = Set(version + 1);
    let updated = case::Entity::update_many()
        .set(changes)
        .filter(case::Column::Id.eq(id))
        .filter(case::Column::Version.eq(version))
        .exec(tx)
        .await?;
    if updated.rows_affected == 0 {
        return Err(Refusal::changed_meanwhile());
    }
    Ok(version + 1)
}

/// Appends work done on a case. `summary` is shown to every viewer and must hold no personal
/// data; `detail` only in the full view.
pub(crate) async fn record_action(
    tx: &impl ConnectionTrait,
    who: &Principal,
    case_id: Uuid,
    kind: &str,
    on: NaiveDate,
    summary: &str,
    detail: &str,
) -> Result<Uuid, Refusal> {
    let id = Uuid::now_v7();
    action::Entity::insert(action::ActiveModel {
        id: Set(id),
        case_id: Set(case_id),
        kind: Set(kind.to_owned()),
        on_date: Set(on),
        actor: Set(who.subject.clone()),
        actor_division: Set(who.division.as_str().to_owned()),
        summary: Set(summary.to_owned()),
        detail: Set(detail.to_owned()),
        created_at: Set(kit::clock::now()),
    })
    .exec(tx)
    .await?;
    audit::record(tx, who, kind, "case", &case_id.to_string(), summary).await?;
    Ok(id)
}

/// The answer to work recorded on a case.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Recorded {
    pub id: Uuid,
    pub case_id: Uuid,
    pub version: i32,
    pub due_on: Option<NaiveDate>,
}

/// A risk assessment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RiskAssessment {
    pub risk_level: RiskLevel,
    pub assessed_on: NaiveDate,
    #[serde(default)]
    pub notes: String,
}

/// Records a risk assessment (the holder only). High risk or danger makes the case a major matter
/// under supervision from the assessment date, if it was not already.
pub async fn assess_risk(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    input: &RiskAssessment,
) -> Result<Recorded, Refusal> {
    let loaded = load(tx, who, id).await?;
    loaded.require(Access::Owner, "assess the risk")?;
    loaded.require_open()?;
    let on = not_future("assessed_on", input.assessed_on)?;
    let c = &loaded.case;
    let mut changes = case::ActiveModel {
        risk_level: Set(Some(wire(input.risk_level))),
        ..Default::default()
    };
    let mut due_on = c.due_on;
    if input.risk_level.is_major() && !c.major {
        let level = Level::of_code(&c.owner_unit).unwrap_or(Level::District);
        let refs = reference::load(tx).await?;
        due_on = Some(deadline(&refs, level, on).map_err(reference::missing)?);
        changes.major = Set(true);
        changes.due_on = Set(due_on);
    }
    let version = save(tx, id, c.version, changes).await?;
    let action = record_action(
        tx,
        who,
        id,
        "risk_assessment",
        on,
        &wire(input.risk_level),
        &input.notes,
    )
    .await?;
    Ok(Recorded {
        id: action,
        case_id: id,
        version,
        due_on,
    })
}

/// What was done at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EmergencyAction {
    /// Taken into the district protection centre (temporary care).
    PlacedInProtectionCentre,
    MedicalTreatment,
    PoliceProtection,
    TemporaryCareByRelative,
    Other,
}

/// An emergency response.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EmergencyResponse {
    pub action: EmergencyAction,
    pub taken_on: NaiveDate,
    #[serde(default)]
    pub notes: String,
}

/// Records an emergency response (the holder, or a unit the case was referred to).
pub async fn respond_to_emergency(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    input: &EmergencyResponse,
) -> Result<Recorded, Refusal> {
    let loaded = load(tx, who, id).await?;
    loaded.require(Access::Referred, "record an emergency response")?;
    loaded.require_open()?;
    let on = not_future("taken_on", input.taken_on)?;
    let version = save(tx, id, loaded.case.version, case::ActiveModel::default()).await?;
    let action = record_action(
        tx,
        who,
        id,
        "emergency_response",
        on,
        &wire(input.action),
        &input.notes,
    )
    .await?;
    Ok(Recorded {
        id: action,
        case_id: id,
        version,
        due_on: loaded.case.due_on,
    })
}

/// A support measure of a plan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Measure {
    /// e.g. counselling, schooling, medical, living_assistance, guardian_supervision.
    pub kind: String,
    /// Who carries it out (an agency or unit, not a person's name).
    pub responsible: String,
    pub due_on: Option<NaiveDate>,
}

/// An assessment and support plan (评估帮扶).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SupportPlan {
    pub assessed_on: NaiveDate,
    /// Needs found, e.g. guardianship, education, health, psychological, living.
    pub needs: Vec<String>,
    pub measures: Vec<Measure>,
    pub review_on: NaiveDate,
    #[serde(default)]
    pub notes: String,
}

/// Records an assessment and support plan (the holder only).
pub async fn plan_support(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    input: &SupportPlan,
) -> Result<Recorded, Refusal> {
    let loaded = load(tx, who, id).await?;
    loaded.require(Access::Owner, "set the support plan")?;
    loaded.require_open()?;
    let on = not_future("assessed_on", input.assessed_on)?;
    if input.measures.is_empty() {
        return Err(Refusal::invalid(
            "measures",
            "a plan has at least one measure",
        ));
    }
    if input.review_on < on {
        return Err(Refusal::invalid(
            "review_on",
            "must not be before the assessment",
        ));
    }
    let summary = format!(
        "needs: {}; measures: {}",
        input.needs.join(", "),
        input.measures.len()
    );
    let detail = serde_json::to_string(input).unwrap_or_default();
    let version = save(tx, id, loaded.case.version, case::ActiveModel::default()).await?;
    let action = record_action(tx, who, id, "support_plan", on, &summary, &detail).await?;
    Ok(Recorded {
        id: action,
        case_id: id,
        version,
        due_on: loaded.case.due_on,
    })
}

/// A note on the case.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Note {
    pub on: NaiveDate,
    pub text: String,
}

/// Adds a note (the holder, or a referred unit working on the case).
pub async fn add_note(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    input: &Note,
) -> Result<Recorded, Refusal> {
    let loaded = load(tx, who, id).await?;
    loaded.require(Access::Referred, "add notes")?;
    loaded.require_open()?;
    let on = not_future("on", input.on)?;
    if input.text.trim().is_empty() {
        return Err(Refusal::invalid("text", "required"));
    }
    let version = save(tx, id, loaded.case.version, case::ActiveModel::default()).await?;
    let action = record_action(tx, who, id, "note", on, "note", &input.text).await?;
    Ok(Recorded {
        id: action,
        case_id: id,
        version,
        due_on: loaded.case.due_on,
    })
}

/// Closing a case.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Closure {
    /// resolved, referred_to_child_welfare, fallback_guardianship, guardianship_restored,
    /// unfounded or other.
    #[schema(value_type = String, example = "resolved")]
    pub outcome: CaseOutcome,
    pub closed_on: NaiveDate,
    /// Why (required).
    pub reason: String,
}

/// Closes the case with a reason (the holder only, at the version it read).
pub async fn close_case(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    id: Uuid,
    version: i32,
    input: &Closure,
) -> Result<Recorded, Refusal> {
    let loaded: Loaded = load(tx, who, id).await?;
    loaded.require(Access::Owner, "close the case")?;
    loaded.require_open()?;
    let c = &loaded.case;
    let on = not_future("closed_on", input.closed_on)?;
    if on < c.opened_on {
        return Err(Refusal::invalid(
            "closed_on",
            "must not be before the case was opened",
        ));
    }
    if input.reason.trim().is_empty() {
        return Err(Refusal::invalid("reason", "a closure needs its reason"));
    }
    may_close(
        input.outcome,
        c.guardianship_active,
        loaded.pending_transfer.is_some(),
    )
    .map_err(|e| {
        Refusal::conflict("case-not-closable", e.to_string()).field("outcome", e.to_string())
    })?;
    let version = save(
        tx,
        id,
        version,
        case::ActiveModel {
            status: Set("closed".into()),
            closed_on: Set(Some(on)),
            outcome: Set(Some(wire(input.outcome))),
            closure_reason: Set(Some(input.reason.trim().to_owned())),
            ..Default::default()
        },
    )
    .await?;
    referral::Entity::update_many()
        .set(referral::ActiveModel {
            status: Set("closed".into()),
            completed_on: Set(Some(on)),
            ..Default::default()
        })
        .filter(referral::Column::CaseId.eq(id))
        .filter(referral::Column::Status.eq("open"))
        .exec(tx)
        .await?;
    let event = CaseClosed {
        case_id: id,
        outcome: input.outcome,
        township_code: TownshipCode::parse(&c.township_code).map_err(|_| Refusal::internal())?,
        closed_on: on,
    };
    outbox.enqueue(tx, &event).await.map_err(outbox_problem)?;
    let action = record_action(
        tx,
        who,
        id,
        "closure",
        on,
        &wire(input.outcome),
        &input.reason,
    )
    .await?;
    Ok(Recorded {
        id: action,
        case_id: id,
        version,
        due_on: None,
    })
}
