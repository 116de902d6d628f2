//! Vagrant relief (流浪乞讨人员救助) at the station and township help points: admission,
//! identification (matched to registered households by `person_ref`), the family-tracing notice
//! for an unidentified person within the time limit, and return or settlement.

use chrono::{DateTime, Duration, FixedOffset, Utc};
use kit::{
    Principal, Refusal, Role, audit,
    identity::{IdNumber, PersonRefKey},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::commands::assistance::clock::local_date;
use crate::{
    domain::vagrant::{ExitOutcome, ReliefRules, Stay, VagrantError},
    store::{
        member,
        vagrant::{rule, stay},
    },
};
use kit::wire::name as snake;

/// Who brought the person in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReferredBy {
    Police,
    CityManagement,
    Public,
    SelfReferral,
    Other,
}

/// Sex as recorded (unknown when it cannot be established).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
    Unknown,
}

/// An admission.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewAdmission {
    /// Time of admission (default now; not in the future).
    #[serde(default)]
    pub admitted_at: Option<DateTime<FixedOffset>>,
    /// Where the person was found.
    pub found_place: String,
    pub referred_by: ReferredBy,
    pub sex: Sex,
    #[serde(default)]
    pub apparent_age: Option<i32>,
    /// Name as stated, if any.
    #[serde(default)]
    pub name: Option<String>,
    /// ID number when the person can give or show it: the person is then identified at admission.
    #[serde(default)]
    pub id_number: Option<String>,
}

/// How an identity was established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IdentificationMethod {
    SelfReport,
    PoliceRecords,
    Biometrics,
    FamilyRecognition,
    TracingNotice,
}

/// An identification.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Identification {
    pub id_number: String,
    #[serde(default)]
    pub name: Option<String>,
    pub method: IdentificationMethod,
    #[serde(default)]
    pub at: Option<DateTime<FixedOffset>>,
}

/// Where the tracing notice was published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoticeChannel {
    /// 全国救助寻亲网.
    NationalTracingPlatform,
    Newspaper,
    SocialMedia,
    Other,
}

/// A published tracing notice.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TracingNotice {
    pub channel: NoticeChannel,
    #[serde(default)]
    pub published_at: Option<DateTime<FixedOffset>>,
}

/// The end of a stay.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Exit {
    /// returned or settled.
    #[schema(value_type = String, example = "returned")]
    pub outcome: ExitOutcome,
    /// Where to: the home division or family for a return, the institution or place for a
    /// settlement.
    pub destination: String,
    #[serde(default)]
    pub at: Option<DateTime<FixedOffset>>,
}

/// A stay as shown; the ID number masked, the name shown to the station's staff.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StayView {
    pub id: Uuid,
    pub division_code: String,
    /// in_station or left.
    pub status: String,
    pub admitted_at: DateTime<Utc>,
    pub found_place: String,
    pub referred_by: String,
    pub sex: String,
    pub apparent_age: Option<i32>,
    pub name: Option<String>,
    pub id_number: Option<String>,
    pub person_ref: Option<String>,
    pub household_id: Option<Uuid>,
    pub identified: bool,
    pub identified_at: Option<DateTime<Utc>>,
    pub identification_method: Option<String>,
    pub tracing_notice_due: Option<DateTime<Utc>>,
    pub tracing_notice_at: Option<DateTime<Utc>>,
    pub tracing_notice_channel: Option<String>,
    pub tracing_notice_late: bool,
    pub tracing_overdue: bool,
    pub exit_outcome: Option<String>,
    pub exited_at: Option<DateTime<Utc>>,
    pub destination: Option<String>,
    pub version: i32,
}

impl StayView {
    /// The view of a row as of `now`.
    pub fn of(m: stay::Model, now: DateTime<Utc>) -> Self {
        let overdue = stay_of(&m).tracing_overdue(now);
        Self {
            id: m.id,
            division_code: m.division_code,
            status: if m.exited_at.is_some() {
                "left"
            } else {
                "in_station"
            }
            .into(),
            admitted_at: m.admitted_at,
            found_place: m.found_place,
            referred_by: m.referred_by,
            sex: m.sex,
            apparent_age: m.apparent_age,
            name: m.name,
            id_number: m
                .id_number
                .and_then(|n| IdNumber::parse(&n).ok().map(|i| i.masked())),
            person_ref: m.person_ref,
            household_id: m.household_id,
            identified: m.identified_at.is_some(),
            identified_at: m.identified_at,
            identification_method: m.identification_method,
            tracing_notice_due: m.tracing_notice_due,
            tracing_notice_at: m.tracing_notice_at,
            tracing_notice_channel: m.tracing_notice_channel,
            tracing_notice_late: m.tracing_notice_late,
            tracing_overdue: overdue,
            exit_outcome: m.exit_outcome,
            exited_at: m.exited_at,
            destination: m.destination,
            version: m.version,
        }
    }
}

const STAFF: [Role; 2] = [Role::DistrictOfficer, Role::TownshipClerk];
const READERS: [Role; 5] = [
    Role::DistrictOfficer,
    Role::DistrictApprover,
    Role::TownshipClerk,
    Role::TownshipApprover,
    Role::Auditor,
];

fn stay_of(m: &stay::Model) -> Stay {
    let exit = match (m.exit_outcome.as_deref(), m.exited_at) {
        (Some("returned"), Some(at)) => Some((ExitOutcome::Returned, at)),
        (Some(_), Some(at)) => Some((ExitOutcome::Settled, at)),
        _ => None,
    };
    Stay {
        admitted_at: m.admitted_at,
        identified_at: m.identified_at,
        tracing_notice_due: m.tracing_notice_due,
        tracing_notice_at: m.tracing_notice_at,
        exit,
    }
}

fn refused(e: VagrantError) -> Refusal {
    let kind = match e {
        VagrantError::Ended => "stay-ended",
        VagrantError::AlreadyIdentified => "already-identified",
        VagrantError::NoticeNotNeeded => "tracing-notice-not-needed",
        VagrantError::NoticeAlreadyPublished => "tracing-notice-already-published",
        VagrantError::ReturnNeedsIdentity => "return-needs-identity",
        VagrantError::BeforeAdmission => {
            return Refusal::invalid("at", e.to_string());
        }
    };
    Refusal::conflict(kind, e.to_string())
}

/// A step's time: the one given (a paper record entered later), never in the future.
fn step_time(field: &str, given: Option<DateTime<FixedOffset>>) -> Result<DateTime<Utc>, Refusal> {
    let now = kit::clock::now();
    match given.map(|t| t.with_timezone(&Utc)) {
        // A minute of slack for the clerk's clock.
        Some(t) if t > now + Duration::minutes(1) => {
            Err(Refusal::invalid(field, "cannot be in the future"))
        }
        Some(t) => Ok(t),
        None => Ok(now),
    }
}

/// The relief rules in force on the Chongqing date of `at`.
async fn rules_at(db: &impl ConnectionTrait, at: DateTime<Utc>) -> Result<ReliefRules, Refusal> {
    let day = local_date(at);
    let row = rule::Entity::find()
        .filter(rule::Column::ValidFrom.lte(day))
        .order_by_desc(rule::Column::ValidFrom)
        .one(db)
        .await?
        .ok_or_else(|| {
            Refusal::invalid(
                "admitted_at",
                format!("no relief rules are in force on {day}"),
            )
        })?;
    Ok(ReliefRules {
        tracing_notice_hours: u32::try_from(row.tracing_notice_hours).unwrap_or(0),
    })
}

/// The person's `person_ref` and the household of a registered member with it.
async fn identity(
    db: &impl ConnectionTrait,
    key: &PersonRefKey,
    raw: &str,
    field: &str,
) -> Result<(IdNumber, String, Option<Uuid>), Refusal> {
    let id = IdNumber::parse_entered(raw, kit::clock::today())
        .map_err(|e| Refusal::invalid(field, e.to_string()))?;
    let person_ref = key.person_ref(&id).as_str().to_owned();
    let household = member::Entity::find()
        .select_only()
        .column(member::Column::HouseholdId)
        .filter(member::Column::PersonRef.eq(person_ref.clone()))
        .into_tuple::<Uuid>()
        .one(db)
        .await?;
    Ok((id, person_ref, household))
}

/// Admits a person at the caller's office (the district station or a township help point).
pub async fn admit(
    tx: &impl ConnectionTrait,
    key: &PersonRefKey,
    who: &Principal,
    input: &NewAdmission,
) -> Result<StayView, Refusal> {
    who.require(&STAFF)?;
    let at = step_time("admitted_at", input.admitted_at)?;
    if input.found_place.trim().is_empty() {
        return Err(Refusal::invalid("found_place", "required"));
    }
    if input.apparent_age.is_some_and(|a| !(0..=120).contains(&a)) {
        return Err(Refusal::invalid("apparent_age", "must be 0–120"));
    }
    let known = match input.id_number.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(raw) => Some(identity(tx, key, raw, "id_number").await?),
        None => None,
    };
    let rules = rules_at(tx, at).await?;
    let stay = Stay::admit(at, known.is_some(), rules);
    let (id_number, person_ref, household_id) = match known {
        Some((id, r, h)) => (Some(id.expose().to_owned()), Some(r), h),
        None => (None, None, None),
    };
    let model = stay::Model {
        id: Uuid::now_v7(),
        division_code: who.division.as_str().to_owned(),
        admitted_at: at,
        found_place: input.found_place.trim().to_owned(),
        referred_by: snake(input.referred_by),
        sex: snake(input.sex),
        apparent_age: input.apparent_age,
        name: input
            .name
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        id_number,
        person_ref,
        household_id,
        identified_at: stay.identified_at,
        identification_method: stay
            .identified_at
            .map(|_| snake(IdentificationMethod::SelfReport)),
        tracing_notice_due: stay.tracing_notice_due,
        tracing_notice_at: None,
        tracing_notice_channel: None,
        tracing_notice_late: false,
        exit_outcome: None,
        exited_at: None,
        destination: None,
        recorded_by: who.subject.clone(),
        version: 1,
    };
    stay::Entity::insert(stay::ActiveModel::from(model.clone()))
        .exec(tx)
        .await?;
    audit::record(
        tx,
        who,
        "admit-vagrant",
        "vagrant-stay",
        &model.id.to_string(),
        if model.identified_at.is_some() {
            "identified"
        } else {
            "unidentified"
        },
    )
    .await?;
    Ok(StayView::of(model, kit::clock::now()))
}

/// A stay of the caller's division.
pub async fn find_visible(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
) -> Result<stay::Model, Refusal> {
    who.require(&READERS)?;
    stay::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|s| who.sees(&s.division_code))
        .ok_or_else(|| Refusal::not_found("no such stay in your division"))
}

/// Saves a changed row if nobody changed it meanwhile.
async fn save(
    db: &impl ConnectionTrait,
    before: i32,
    mut row: stay::Model,
) -> Result<stay::Model, Refusal> {
    row.version = before + 1;
    // `From<Model>` marks every column unchanged; an update must write them.
    let active = stay::ActiveModel::from(row.clone()).reset_all();
    let result = stay::Entity::update_many()
        .set(active)
        .filter(stay::Column::Id.eq(row.id))
        .filter(stay::Column::Version.eq(before))
        .exec(db)
        .await?;
    if result.rows_affected != 1 {
        return Err(Refusal::changed_meanwhile());
    }
    Ok(row)
}

/// Records who the person is; links the stay to a registered household when the person is a
/// member of one.
pub async fn identify(
    tx: &impl ConnectionTrait,
    key: &PersonRefKey,
    who: &Principal,
    id: Uuid,
    input: &Identification,
) -> Result<StayView, Refusal> {
    who.require(&STAFF)?;
    let mut row = find_visible(tx, who, id).await?;
    let at = step_time("at", input.at)?;
    let (number, person_ref, household) = identity(tx, key, &input.id_number, "id_number").await?;
    stay_of(&row).identify(at).map_err(refused)?;
    let before = row.version;
    row.identified_at = Some(at);
    row.identification_method = Some(snake(input.method));
    row.id_number = Some(number.expose().to_owned());
    row.person_ref = Some(person_ref);
    row.household_id = household;
    if let Some(name) = input
        .name
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        row.name = Some(name.to_owned());
    }
    let row = save(tx, before, row).await?;
    audit::record(
        tx,
        who,
        "identify-vagrant",
        "vagrant-stay",
        &id.to_string(),
        &snake(input.method),
    )
    .await?;
    Ok(StayView::of(row, kit::clock::now()))
}

/// Records the family-tracing notice of an unidentified person (late notices are flagged).
pub async fn publish_tracing_notice(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    input: &TracingNotice,
) -> Result<StayView, Refusal> {
    who.require(&STAFF)?;
    let mut row = find_visible(tx, who, id).await?;
    let at = step_time("published_at", input.published_at)?;
    let late = stay_of(&row).publish_tracing_notice(at).map_err(refused)?;
    let before = row.version;
    row.tracing_notice_at = Some(at);
    row.tracing_notice_channel = Some(snake(input.channel));
    row.tracing_notice_late = late;
    let row = save(tx, before, row).await?;
    audit::record(
        tx,
        who,
        "publish-tracing-notice",
        "vagrant-stay",
        &id.to_string(),
        if late { "late" } else { "on time" },
    )
    .await?;
    Ok(StayView::of(row, kit::clock::now()))
}

/// Ends the stay by return or settlement.
pub async fn leave(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    input: &Exit,
) -> Result<StayView, Refusal> {
    who.require(&STAFF)?;
    if input.destination.trim().is_empty() {
        return Err(Refusal::invalid("destination", "required"));
    }
    let mut row = find_visible(tx, who, id).await?;
    let at = step_time("at", input.at)?;
    stay_of(&row).leave(input.outcome, at).map_err(refused)?;
    let before = row.version;
    row.exit_outcome = Some(snake(input.outcome));
    row.exited_at = Some(at);
    row.destination = Some(input.destination.trim().to_owned());
    let row = save(tx, before, row).await?;
    audit::record(
        tx,
        who,
        "end-vagrant-stay",
        "vagrant-stay",
        &id.to_string(),
        &snake(input.outcome),
    )
    .await?;
    Ok(StayView::of(row, kit::clock::now()))
}

/// Stays of the caller's division, oldest first; `in_station` keeps only those not yet left.
pub async fn list(
    db: &impl ConnectionTrait,
    who: &Principal,
    in_station: bool,
    cursor: Option<Uuid>,
    limit: u64,
) -> Result<Vec<StayView>, Refusal> {
    who.require(&READERS)?;
    let mut q =
        stay::Entity::find().filter(stay::Column::DivisionCode.starts_with(who.division.as_str()));
    if in_station {
        q = q.filter(stay::Column::ExitedAt.is_null());
    }
    if let Some(c) = cursor {
        q = q.filter(stay::Column::Id.gt(c));
    }
    let now = kit::clock::now();
    Ok(q.order_by_asc(stay::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(|m| StayView::of(m, now))
        .collect())
}

/// Unidentified people still at the station whose tracing notice is past due at `now`, oldest
/// deadline first.
pub async fn tracing_overdue(
    db: &impl ConnectionTrait,
    who: &Principal,
    now: DateTime<Utc>,
) -> Result<Vec<StayView>, Refusal> {
    who.require(&READERS)?;
    Ok(stay::Entity::find()
        .filter(stay::Column::DivisionCode.starts_with(who.division.as_str()))
        .filter(stay::Column::IdentifiedAt.is_null())
        .filter(stay::Column::TracingNoticeAt.is_null())
        .filter(stay::Column::ExitedAt.is_null())
        .filter(stay::Column::TracingNoticeDue.lt(now))
        .order_by_asc(stay::Column::TracingNoticeDue)
        .limit(500)
        .all(db)
        .await?
        .into_iter()
        .map(|m| StayView::of(m, now))
        .collect())
}
