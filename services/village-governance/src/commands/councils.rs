//! 一约三会: councils per village with their members and meetings, and the coverage report that
//! shows which villages lack their rules or any of the three councils.

use chrono::NaiveDate;
use kit::{Principal, Refusal, Role, audit};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{internal, not_in_future, required_text, villages};
use crate::{
    domain::councils::{self, CouncilKind, Coverage, VillageHoldings},
    store::{
        councils::{council, meeting, member},
        rules::document,
    },
};

const RECORDERS: &[Role] = &[Role::VillageStaff, Role::TownshipClerk];

/// A council being established.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewCouncil {
    pub village_code: String,
    pub kind: CouncilKind,
    pub established_on: NaiveDate,
}

/// A member joining a council.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewCouncilMember {
    pub name: String,
    /// `chair` or `member`.
    pub role: CouncilRole,
    pub joined_on: NaiveDate,
}

/// A member's role on a council.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CouncilRole {
    Chair,
    Member,
}

/// A meeting held.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewMeeting {
    pub held_on: NaiveDate,
    pub topic: String,
    pub attendees: i32,
    /// What the meeting resolved.
    #[serde(default)]
    pub resolutions: Vec<String>,
}

/// A council member as shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CouncilMemberView {
    pub id: Uuid,
    pub name: String,
    pub role: String,
    pub joined_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
}

/// A meeting as shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MeetingView {
    pub id: Uuid,
    pub held_on: NaiveDate,
    pub topic: String,
    pub attendees: i32,
    pub resolutions: Vec<String>,
}

/// A council with its members and meetings.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CouncilView {
    pub id: Uuid,
    pub village_code: String,
    pub kind: String,
    pub established_on: NaiveDate,
    pub dissolved_on: Option<NaiveDate>,
    pub members: Vec<CouncilMemberView>,
    pub meetings: Vec<MeetingView>,
}

/// Establishes a council; a village has one active council of each kind.
pub async fn establish_council(
    tx: &impl ConnectionTrait,
    who: &Principal,
    input: &NewCouncil,
) -> Result<CouncilView, Refusal> {
    who.require(RECORDERS)?;
    let village = villages::find_village(tx, who, &input.village_code, "village_code").await?;
    let on = not_in_future(input.established_on, "established_on")?;
    let active = council::Entity::find()
        .filter(council::Column::VillageCode.eq(&village.code))
        .filter(council::Column::Kind.eq(input.kind.as_str()))
        .filter(council::Column::DissolvedOn.is_null())
        .one(tx)
        .await?;
    if let Some(a) = active {
        return Err(Refusal::conflict(
            "council-exists",
            format!("the village's {} council is {}", input.kind.as_str(), a.id),
        )
        .field("kind", "the village already has this council"));
    }
    let id = Uuid::now_v7();
    council::Entity::insert(council::ActiveModel::from(council::Model {
        id,
        village_code: village.code,
        township_code: village.township_code,
        kind: input.kind.as_str().to_owned(),
        established_on: on,
        dissolved_on: None,
        created_at: kit::clock::now(),
    }))
    .exec_without_returning(tx)
    .await?;
    audit::record(
        tx,
        who,
        "establish-council",
        "council",
        &id.to_string(),
        input.kind.as_str(),
    )
    .await?;
    show_council(tx, who, id).await
}

async fn find(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
) -> Result<council::Model, Refusal> {
    council::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|c| who.sees(&c.village_code))
        .ok_or_else(|| Refusal::not_found("no such council in your division"))
}

/// Adds a member to a council.
pub async fn add_council_member(
    tx: &impl ConnectionTrait,
    who: &Principal,
    council_id: Uuid,
    input: &NewCouncilMember,
) -> Result<CouncilView, Refusal> {
    who.require(RECORDERS)?;
    let c = find(tx, who, council_id).await?;
    let name = required_text(&input.name, "name", 64)?;
    let on = not_in_future(input.joined_on, "joined_on")?;
    let role = match input.role {
        CouncilRole::Chair => "chair",
        CouncilRole::Member => "member",
    };
    member::Entity::insert(member::ActiveModel::from(member::Model {
        id: Uuid::now_v7(),
        council_id: c.id,
        name,
        role: role.to_owned(),
        joined_on: on,
        left_on: None,
    }))
    .exec_without_returning(tx)
    .await?;
    show_council(tx, who, council_id).await
}

/// Records a council meeting.
pub async fn record_meeting(
    tx: &impl ConnectionTrait,
    who: &Principal,
    council_id: Uuid,
    input: &NewMeeting,
) -> Result<CouncilView, Refusal> {
    who.require(RECORDERS)?;
    let c = find(tx, who, council_id).await?;
    let topic = required_text(&input.topic, "topic", 200)?;
    let on = not_in_future(input.held_on, "held_on")?;
    if on < c.established_on {
        return Err(Refusal::invalid(
            "held_on",
            "before the council was established",
        ));
    }
    if input.attendees < 1 {
        return Err(Refusal::invalid("attendees", "at least 1"));
    }
    let resolutions = input
        .resolutions
        .iter()
        .enumerate()
        .map(|(i, r)| required_text(r, &format!("resolutions[{i}]"), 2_000))
        .collect::<Result<Vec<_>, _>>()?;
    meeting::Entity::insert(meeting::ActiveModel::from(meeting::Model {
        id: Uuid::now_v7(),
        council_id: c.id,
        held_on: on,
        topic,
        attendees: input.attendees,
        resolutions: serde_json::to_string(&resolutions).map_err(|_| internal("resolutions"))?,
        recorded_by: who.subject.clone(),
    }))
    .exec_without_returning(tx)
    .await?;
    show_council(tx, who, council_id).await
}

/// Reads a council of the caller's division with its members and meetings.
pub async fn show_council(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
) -> Result<CouncilView, Refusal> {
    let c = find(db, who, id).await?;
    let members = member::Entity::find()
        .filter(member::Column::CouncilId.eq(id))
        .order_by_asc(member::Column::Id)
        .all(db)
        .await?;
    let meetings = meeting::Entity::find()
        .filter(meeting::Column::CouncilId.eq(id))
        .order_by_asc(meeting::Column::HeldOn)
        .all(db)
        .await?;
    Ok(CouncilView {
        id: c.id,
        village_code: c.village_code,
        kind: c.kind,
        established_on: c.established_on,
        dissolved_on: c.dissolved_on,
        members: members
            .into_iter()
            .map(|m| CouncilMemberView {
                id: m.id,
                name: m.name,
                role: m.role,
                joined_on: m.joined_on,
                left_on: m.left_on,
            })
            .collect(),
        meetings: meetings
            .into_iter()
            .map(|m| MeetingView {
                id: m.id,
                held_on: m.held_on,
                topic: m.topic,
                attendees: m.attendees,
                resolutions: serde_json::from_str(&m.resolutions).unwrap_or_default(),
            })
            .collect(),
    })
}

/// The coverage report of 一约三会.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CoverageReport {
    pub villages: usize,
    pub complete: usize,
    /// Villages lacking their rules or any council (all villages when `only_missing` is false).
    pub items: Vec<CoverageItem>,
}

/// One village's coverage.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CoverageItem {
    pub village_code: String,
    pub name: String,
    pub has_rules: bool,
    pub missing_councils: Vec<CouncilKind>,
    pub complete: bool,
}

/// Which villages of the caller's division (or of one township) lack published rules or any of
/// the three councils.
pub async fn council_coverage(
    db: &impl ConnectionTrait,
    who: &Principal,
    township: Option<&str>,
    only_missing: bool,
) -> Result<CoverageReport, Refusal> {
    let all = villages::villages_in_scope(db, who, township).await?;
    let prefix = township.unwrap_or(who.division.as_str());
    let active = council::Entity::find()
        .filter(council::Column::VillageCode.starts_with(prefix))
        .filter(council::Column::DissolvedOn.is_null())
        .all(db)
        .await?;
    let published = document::Entity::find()
        .filter(document::Column::VillageCode.starts_with(prefix))
        .filter(document::Column::PublishedVersion.is_not_null())
        .all(db)
        .await?;
    let holdings: Vec<VillageHoldings> = all
        .iter()
        .map(|v| VillageHoldings {
            village_code: v.code.clone(),
            has_rules: published.iter().any(|d| d.village_code == v.code),
            councils: active
                .iter()
                .filter(|c| c.village_code == v.code)
                .filter_map(|c| CouncilKind::parse(&c.kind))
                .collect(),
        })
        .collect();
    let coverage: Vec<Coverage> = councils::coverage(&holdings);
    let complete = coverage.iter().filter(|c| c.complete).count();
    let items = coverage
        .into_iter()
        .zip(&all)
        .filter(|(c, _)| !only_missing || !c.complete)
        .map(|(c, v)| CoverageItem {
            village_code: c.village_code,
            name: v.name.clone(),
            has_rules: c.has_rules,
            missing_councils: c.missing_councils,
            complete: c.complete,
        })
        .collect();
    Ok(CoverageReport {
        villages: all.len(),
        complete,
        items,
    })
}
