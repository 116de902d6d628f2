//! The village committee's records: members with their yearly duty pledges (履职承诺) and annual
//! duty reports (述职), deliberation sessions with their resolutions, and contact-the-masses
//! records (联系群众).

use chrono::{Datelike, NaiveDate};
use kit::wire::name as wire;
use kit::{Principal, Refusal, Role, audit};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{internal, not_in_future, required_text, villages};
use crate::store::committee::{contact, deliberation, member, pledge, report};

const RECORDERS: &[Role] = &[Role::VillageStaff, Role::TownshipClerk];

/// A committee position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    /// 主任.
    Director,
    /// 副主任.
    DeputyDirector,
    /// 委员.
    Member,
}

/// A member elected for a term.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewCommitteeMember {
    pub village_code: String,
    pub name: String,
    pub position: Position,
    pub term_from: NaiveDate,
    #[serde(default)]
    pub term_to: Option<NaiveDate>,
}

/// A duty pledge for a year.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewPledge {
    pub year: i32,
    pub commitments: Vec<String>,
    pub pledged_on: NaiveDate,
}

/// The democratic assessment of a duty report (民主评议).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Assessment {
    Excellent,
    Competent,
    BasicallyCompetent,
    Incompetent,
}

/// An annual duty report.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewDutyReport {
    pub year: i32,
    pub summary: String,
    pub reported_on: NaiveDate,
    #[serde(default)]
    pub assessment: Option<Assessment>,
}

/// A member with pledges and reports.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CommitteeMemberView {
    pub id: Uuid,
    pub village_code: String,
    pub name: String,
    pub position: String,
    pub term_from: NaiveDate,
    pub term_to: Option<NaiveDate>,
    pub pledges: Vec<PledgeView>,
    pub duty_reports: Vec<DutyReportView>,
}

/// A pledge as shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PledgeView {
    pub year: i32,
    pub commitments: Vec<String>,
    pub pledged_on: NaiveDate,
}

/// A duty report as shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DutyReportView {
    pub year: i32,
    pub summary: String,
    pub reported_on: NaiveDate,
    pub assessment: Option<String>,
}

/// Registers a committee member.
pub async fn register_member(
    tx: &impl ConnectionTrait,
    who: &Principal,
    input: &NewCommitteeMember,
) -> Result<CommitteeMemberView, Refusal> {
    who.require(RECORDERS)?;
    let village = villages::find_village(tx, who, &input.village_code, "village_code").await?;
    let name = required_text(&input.name, "name", 64)?;
    if input.term_to.is_some_and(|to| to < input.term_from) {
        return Err(Refusal::invalid("term_to", "before term_from"));
    }
    let id = Uuid::now_v7();
    member::Entity::insert(member::ActiveModel::from(member::Model {
        id,
        village_code: village.code,
        township_code: village.township_code,
        name,
        position: wire(input.position),
        term_from: input.term_from,
        term_to: input.term_to,
        created_at: kit::clock::now(),
    }))
    .exec_without_returning(tx)
    .await?;
    audit::record(
        tx,
        who,
        "register-committee-member",
        "committee-member",
        &id.to_string(),
        "",
    )
    .await?;
    show_member(tx, who, id).await
}

async fn find(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
) -> Result<member::Model, Refusal> {
    member::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|m| who.sees(&m.village_code))
        .ok_or_else(|| Refusal::not_found("no such committee member in your division"))
}

fn check_year(year: i32, m: &member::Model) -> Result<(), Refusal> {
    let in_term = year >= m.term_from.year() && m.term_to.is_none_or(|to| year <= to.year());
    if in_term {
        Ok(())
    } else {
        Err(Refusal::invalid("year", "outside the member's term"))
    }
}

/// Records a member's duty pledge for a year (one per year).
pub async fn pledge_duties(
    tx: &impl ConnectionTrait,
    who: &Principal,
    member_id: Uuid,
    input: &NewPledge,
) -> Result<CommitteeMemberView, Refusal> {
    who.require(RECORDERS)?;
    let m = find(tx, who, member_id).await?;
    check_year(input.year, &m)?;
    not_in_future(input.pledged_on, "pledged_on")?;
    if input.commitments.is_empty() {
        return Err(Refusal::invalid("commitments", "at least one commitment"));
    }
    let commitments = input
        .commitments
        .iter()
        .enumerate()
        .map(|(i, c)| required_text(c, &format!("commitments[{i}]"), 1_000))
        .collect::<Result<Vec<_>, _>>()?;
    let exists = pledge::Entity::find()
        .filter(pledge::Column::MemberId.eq(member_id))
        .filter(pledge::Column::Year.eq(input.year))
        .one(tx)
        .await?;
    if exists.is_some() {
        return Err(Refusal::conflict(
            "pledge-exists",
            format!("the member pledged for {} already", input.year),
        )
        .field("year", "already pledged"));
    }
    pledge::Entity::insert(pledge::ActiveModel::from(pledge::Model {
        id: Uuid::now_v7(),
        member_id,
        year: input.year,
        commitments: serde_json::to_string(&commitments).map_err(|_| internal("commitments"))?,
        pledged_on: input.pledged_on,
    }))
    .exec_without_returning(tx)
    .await?;
    show_member(tx, who, member_id).await
}

/// Records a member's annual duty report, which answers that year's pledge (one per year).
pub async fn report_duties(
    tx: &impl ConnectionTrait,
    who: &Principal,
    member_id: Uuid,
    input: &NewDutyReport,
) -> Result<CommitteeMemberView, Refusal> {
    who.require(RECORDERS)?;
    let m = find(tx, who, member_id).await?;
    check_year(input.year, &m)?;
    not_in_future(input.reported_on, "reported_on")?;
    let summary = required_text(&input.summary, "summary", 10_000)?;
    let pledged = pledge::Entity::find()
        .filter(pledge::Column::MemberId.eq(member_id))
        .filter(pledge::Column::Year.eq(input.year))
        .one(tx)
        .await?;
    if pledged.is_none() {
        return Err(Refusal::conflict(
            "no-duty-pledge",
            format!(
                "a duty report answers the year's pledge; the member made none for {}",
                input.year
            ),
        )
        .field("year", "no duty pledge for this year"));
    }
    let exists = report::Entity::find()
        .filter(report::Column::MemberId.eq(member_id))
        .filter(report::Column::Year.eq(input.year))
        .one(tx)
        .await?;
    if exists.is_some() {
        return Err(Refusal::conflict(
            "duty-report-exists",
            format!("the member reported on {} already", input.year),
        )
        .field("year", "already reported"));
    }
    report::Entity::insert(report::ActiveModel::from(report::Model {
        id: Uuid::now_v7(),
        member_id,
        year: input.year,
        summary,
        reported_on: input.reported_on,
        assessment: input.assessment.map(wire),
    }))
    .exec_without_returning(tx)
    .await?;
    audit::record(
        tx,
        who,
        "duty-report",
        "committee-member",
        &member_id.to_string(),
        &input.year.to_string(),
    )
    .await?;
    show_member(tx, who, member_id).await
}

/// Reads a committee member with pledges and reports.
pub async fn show_member(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
) -> Result<CommitteeMemberView, Refusal> {
    let m = find(db, who, id).await?;
    let pledges = pledge::Entity::find()
        .filter(pledge::Column::MemberId.eq(id))
        .order_by_asc(pledge::Column::Year)
        .all(db)
        .await?;
    let reports = report::Entity::find()
        .filter(report::Column::MemberId.eq(id))
        .order_by_asc(report::Column::Year)
        .all(db)
        .await?;
    Ok(CommitteeMemberView {
        id: m.id,
        village_code: m.village_code,
        name: m.name,
        position: m.position,
        term_from: m.term_from,
        term_to: m.term_to,
        pledges: pledges
            .into_iter()
            .map(|p| PledgeView {
                year: p.year,
                commitments: serde_json::from_str(&p.commitments).unwrap_or_default(),
                pledged_on: p.pledged_on,
            })
            .collect(),
        duty_reports: reports
            .into_iter()
            .map(|r| DutyReportView {
                year: r.year,
                summary: r.summary,
                reported_on: r.reported_on,
                assessment: r.assessment,
            })
            .collect(),
    })
}

/// A resolution of a deliberation session.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Resolution {
    pub text: String,
    pub votes_for: i32,
    pub votes_against: i32,
    #[serde(default)]
    pub abstentions: i32,
    /// As declared by the session.
    pub adopted: bool,
}

/// A deliberation session (村民议事) of the committee.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewDeliberation {
    pub village_code: String,
    pub held_on: NaiveDate,
    pub topic: String,
    pub participants: i32,
    pub resolutions: Vec<Resolution>,
}

/// A deliberation session as shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DeliberationView {
    pub id: Uuid,
    pub village_code: String,
    pub held_on: NaiveDate,
    pub topic: String,
    pub participants: i32,
    pub resolutions: Vec<Resolution>,
}

/// Records a deliberation session and its resolutions; counts cannot exceed those taking part.
pub async fn record_deliberation(
    tx: &impl ConnectionTrait,
    who: &Principal,
    input: &NewDeliberation,
) -> Result<DeliberationView, Refusal> {
    who.require(RECORDERS)?;
    let village = villages::find_village(tx, who, &input.village_code, "village_code").await?;
    let topic = required_text(&input.topic, "topic", 200)?;
    not_in_future(input.held_on, "held_on")?;
    if input.participants < 1 {
        return Err(Refusal::invalid("participants", "at least 1"));
    }
    for (i, r) in input.resolutions.iter().enumerate() {
        required_text(&r.text, &format!("resolutions[{i}].text"), 2_000)?;
        let counts = [r.votes_for, r.votes_against, r.abstentions];
        if counts.iter().any(|c| *c < 0) || counts.iter().sum::<i32>() > input.participants {
            return Err(Refusal::invalid(
                format!("resolutions[{i}].votes_for"),
                "votes cannot be negative nor exceed the participants",
            ));
        }
    }
    let model = deliberation::Model {
        id: Uuid::now_v7(),
        village_code: village.code,
        township_code: village.township_code,
        held_on: input.held_on,
        topic,
        participants: input.participants,
        resolutions: serde_json::to_string(&input.resolutions)
            .map_err(|_| internal("resolutions"))?,
        recorded_by: who.subject.clone(),
    };
    deliberation::Entity::insert(deliberation::ActiveModel::from(model.clone()))
        .exec_without_returning(tx)
        .await?;
    Ok(DeliberationView {
        id: model.id,
        village_code: model.village_code,
        held_on: model.held_on,
        topic: model.topic,
        participants: model.participants,
        resolutions: input.resolutions.clone(),
    })
}

/// How the masses were contacted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Visit,
    Phone,
    Meeting,
    Online,
}

/// A contact-the-masses record.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewContactRecord {
    pub member_id: Uuid,
    pub contacted_on: NaiveDate,
    pub channel: Channel,
    pub households_reached: i32,
    pub issues: String,
    #[serde(default)]
    pub follow_up: String,
}

/// The recorded contact's id.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ContactRecorded {
    pub id: Uuid,
    pub village_code: String,
}

/// Records a committee member's contact with the masses.
pub async fn record_contact(
    tx: &impl ConnectionTrait,
    who: &Principal,
    input: &NewContactRecord,
) -> Result<ContactRecorded, Refusal> {
    who.require(RECORDERS)?;
    let m = find(tx, who, input.member_id)
        .await
        .map_err(|p| p.field("member_id", "unknown"))?;
    not_in_future(input.contacted_on, "contacted_on")?;
    if input.households_reached < 0 {
        return Err(Refusal::invalid("households_reached", "cannot be negative"));
    }
    let issues = required_text(&input.issues, "issues", 5_000)?;
    let id = Uuid::now_v7();
    contact::Entity::insert(contact::ActiveModel::from(contact::Model {
        id,
        village_code: m.village_code.clone(),
        township_code: m.township_code,
        member_id: m.id,
        contacted_on: input.contacted_on,
        channel: wire(input.channel),
        households_reached: input.households_reached,
        issues,
        follow_up: input.follow_up.trim().to_owned(),
    }))
    .exec_without_returning(tx)
    .await?;
    Ok(ContactRecorded {
        id,
        village_code: m.village_code,
    })
}
