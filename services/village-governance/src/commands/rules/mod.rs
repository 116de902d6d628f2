//! Village rules and residents' conventions through their procedure: each step is one transaction
//! that checks the caller's role, the version's status (domain::rules), the document's ETag, and
//! records the step with its evidence; the district filing publishes `village.rules.filed.v1`.

use chrono::{NaiveDate, Utc};
use contracts::{
    common::{TownshipCode, VillageCode},
    village::{RulesFiled, RulesKind as WireKind},
};
use kit::{Principal, Problem, Role, audit, edge::concurrency::changed_meanwhile, outbox::Outbox};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{internal, not_in_future, reference, required_text, villages};
use crate::{
    domain::{
        calendar,
        reference::names,
        rules::{RulesKind, Status, Step, after, next_review_due},
        vote::{self, AssemblyBody, Outcome, Tally},
    },
    store::rules::{document, step, version},
};

/// A first draft of a village's rules.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewRules {
    pub village_code: String,
    pub title: String,
    pub text: String,
    /// Defaults to today.
    #[serde(default)]
    pub drafted_on: Option<NaiveDate>,
}

/// One version as shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VersionView {
    pub number: i32,
    pub status: String,
    pub text: String,
    pub drafted_on: NaiveDate,
    pub legal_reviewed_on: Option<NaiveDate>,
    pub legality_reviewed_on: Option<NaiveDate>,
    pub voted_on: Option<NaiveDate>,
    pub township_filed_on: Option<NaiveDate>,
    pub district_filed_on: Option<NaiveDate>,
    pub published_on: Option<NaiveDate>,
    pub next_review_due_on: Option<NaiveDate>,
}

/// One step as recorded, with its evidence.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StepView {
    pub version_number: i32,
    pub step: String,
    pub outcome: String,
    pub happened_on: NaiveDate,
    pub actor: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

/// A rules document with its versions and steps.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RulesView {
    pub id: Uuid,
    pub kind: String,
    pub township_code: String,
    pub village_code: String,
    pub title: String,
    pub status: String,
    pub latest_version: i32,
    pub published_version: Option<i32>,
    pub next_review_due_on: Option<NaiveDate>,
    /// The concurrency version (the ETag is `"v<etag_version>"`).
    pub etag_version: i32,
    pub versions: Vec<VersionView>,
    pub steps: Vec<StepView>,
}

const DRAFTERS: &[Role] = &[Role::VillageStaff, Role::TownshipClerk];

/// Reads a rules document of the caller's division.
pub async fn show_rules(db: &impl ConnectionTrait, who: &Principal, id: Uuid) -> Result<RulesView, Problem> {
    let doc = find(db, who, id).await?;
    view(db, doc).await
}

async fn find(db: &impl ConnectionTrait, who: &Principal, id: Uuid) -> Result<document::Model, Problem> {
    document::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|d| who.sees(&d.village_code))
        .ok_or_else(|| Problem::not_found("no such rules in your division"))
}

async fn view(db: &impl ConnectionTrait, d: document::Model) -> Result<RulesView, Problem> {
    let versions = version::Entity::find()
        .filter(version::Column::RulesId.eq(d.id))
        .order_by_asc(version::Column::Number)
        .all(db)
        .await?;
    let steps = step::Entity::find()
        .filter(step::Column::RulesId.eq(d.id))
        .order_by_asc(step::Column::Id)
        .all(db)
        .await?;
    Ok(RulesView {
        id: d.id,
        kind: d.kind,
        township_code: d.township_code,
        village_code: d.village_code,
        title: d.title,
        status: d.status,
        latest_version: d.latest_version,
        published_version: d.published_version,
        next_review_due_on: d.next_review_due_on,
        etag_version: d.version,
        versions: versions
            .into_iter()
            .map(|v| VersionView {
                number: v.number,
                status: v.status,
                text: v.text,
                drafted_on: v.drafted_on,
                legal_reviewed_on: v.legal_reviewed_on,
                legality_reviewed_on: v.legality_reviewed_on,
                voted_on: v.voted_on,
                township_filed_on: v.township_filed_on,
                district_filed_on: v.district_filed_on,
                published_on: v.published_on,
                next_review_due_on: v.next_review_due_on,
            })
            .collect(),
        steps: steps
            .into_iter()
            .map(|s| StepView {
                version_number: s.version_number,
                step: s.step,
                outcome: s.outcome,
                happened_on: s.happened_on,
                actor: s.actor,
                detail: serde_json::from_str(&s.detail).unwrap_or_default(),
            })
            .collect(),
    })
}

/// Starts the rules of a village with a first draft (a village has one rules document; later
/// changes are revisions of it).
pub async fn draft_rules(
    tx: &impl ConnectionTrait,
    who: &Principal,
    input: &NewRules,
) -> Result<RulesView, Problem> {
    who.require(DRAFTERS)?;
    let village = villages::find_village(tx, who, &input.village_code, "village_code").await?;
    let title = required_text(&input.title, "title", 200)?;
    let text = required_text(&input.text, "text", 50_000)?;
    let drafted_on = not_in_future(input.drafted_on.unwrap_or_else(calendar::today), "drafted_on")?;
    let kind = villages::rules_kind(&village);
    if let Some(existing) = document::Entity::find()
        .filter(document::Column::VillageCode.eq(&village.code))
        .filter(document::Column::Kind.eq(kind.as_str()))
        .one(tx)
        .await?
    {
        return Err(Problem::conflict(
            "rules-exist",
            format!("the village's rules are {}; draft a revision of them instead", existing.id),
        )
        .field("village_code", "already has rules"));
    }
    let id = Uuid::now_v7();
    document::Entity::insert(document::ActiveModel::from(document::Model {
        id,
        kind: kind.as_str().to_owned(),
        township_code: village.township_code.clone(),
        village_code: village.code.clone(),
        title,
        latest_version: 1,
        status: Status::Drafted.as_str().to_owned(),
        published_version: None,
        next_review_due_on: None,
        created_at: Utc::now(),
        version: 1,
    }))
    .exec_without_returning(tx)
    .await?;
    insert_version(tx, id, 1, text, drafted_on).await?;
    record_step(tx, who, id, 1, "draft", "drafted", drafted_on, json!({})).await?;
    audit::record(tx, who, "draft-rules", "rules", &id.to_string(), "version 1").await?;
    show_rules(tx, who, id).await
}

async fn insert_version(
    tx: &impl ConnectionTrait,
    rules_id: Uuid,
    number: i32,
    text: String,
    drafted_on: NaiveDate,
) -> Result<(), Problem> {
    version::Entity::insert(version::ActiveModel::from(version::Model {
        id: Uuid::now_v7(),
        rules_id,
        number,
        status: Status::Drafted.as_str().to_owned(),
        text,
        drafted_on,
        legal_reviewed_on: None,
        legality_reviewed_on: None,
        voted_on: None,
        township_filed_on: None,
        district_filed_on: None,
        published_on: None,
        next_review_due_on: None,
    }))
    .exec_without_returning(tx)
    .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn record_step(
    tx: &impl ConnectionTrait,
    who: &Principal,
    rules_id: Uuid,
    number: i32,
    name: &str,
    outcome: &str,
    on: NaiveDate,
    detail: serde_json::Value,
) -> Result<(), Problem> {
    step::Entity::insert(step::ActiveModel::from(step::Model {
        id: Uuid::now_v7(),
        rules_id,
        version_number: number,
        step: name.to_owned(),
        outcome: outcome.to_owned(),
        happened_on: on,
        actor: who.subject.clone(),
        detail: detail.to_string(),
        recorded_at: Utc::now(),
    }))
    .exec_without_returning(tx)
    .await?;
    Ok(())
}

/// The document (checked against the caller's ETag), its latest version and that version's status.
struct Current {
    doc: document::Model,
    latest: version::Model,
    status: Status,
}

async fn current(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    if_match: i32,
) -> Result<Current, Problem> {
    let doc = find(tx, who, id).await?;
    if doc.version != if_match {
        return Err(changed_meanwhile());
    }
    let latest = version::Entity::find()
        .filter(version::Column::RulesId.eq(id))
        .filter(version::Column::Number.eq(doc.latest_version))
        .one(tx)
        .await?
        .ok_or_else(|| internal("latest rules version"))?;
    let status = Status::parse(&latest.status).ok_or_else(|| internal("rules status"))?;
    Ok(Current { doc, latest, status })
}

fn last_date(v: &version::Model) -> NaiveDate {
    [
        Some(v.drafted_on),
        v.legal_reviewed_on,
        v.legality_reviewed_on,
        v.voted_on,
        v.township_filed_on,
        v.district_filed_on,
        v.published_on,
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(v.drafted_on)
}

/// Checks a step's date: not in the future, not before the version's previous step.
fn step_date(v: &version::Model, on: NaiveDate, field: &str) -> Result<NaiveDate, Problem> {
    not_in_future(on, field)?;
    let last = last_date(v);
    if on < last {
        return Err(Problem::invalid(field, format!("cannot be before the previous step ({last})")));
    }
    Ok(on)
}

fn refuse(e: crate::domain::rules::StepRefused) -> Problem {
    Problem::conflict("rules-step-not-allowed", e.to_string())
}

/// Moves the document to `status` under the caller's ETag (the row version bumps), and saves the
/// version's changes.
async fn save(
    tx: &impl ConnectionTrait,
    c: &Current,
    status: Status,
    mut changes: version::ActiveModel,
) -> Result<(), Problem> {
    let moved = document::Entity::update_many()
        .col_expr(document::Column::Status, Expr::value(status.as_str()))
        .col_expr(document::Column::Version, Expr::value(c.doc.version + 1))
        .filter(document::Column::Id.eq(c.doc.id))
        .filter(document::Column::Version.eq(c.doc.version))
        .exec(tx)
        .await?;
    if moved.rows_affected == 0 {
        return Err(changed_meanwhile());
    }
    changes.status = Set(status.as_str().to_owned());
    version::Entity::update_many()
        .set(changes)
        .filter(version::Column::Id.eq(c.latest.id))
        .exec(tx)
        .await?;
    Ok(())
}

/// A changed draft text.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Amendment {
    pub text: String,
}

/// Changes the text of a draft (after consultation, or after a reviewer returned it).
pub async fn amend_draft(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    if_match: i32,
    input: &Amendment,
) -> Result<RulesView, Problem> {
    who.require(DRAFTERS)?;
    let c = current(tx, who, id, if_match).await?;
    let next = after(c.status, Step::Amend).map_err(refuse)?;
    let text = required_text(&input.text, "text", 50_000)?;
    save(tx, &c, next, version::ActiveModel { text: Set(text), ..Default::default() }).await?;
    record_step(tx, who, id, c.latest.number, "amend", "amended", calendar::today(), json!({})).await?;
    show_rules(tx, who, id).await
}

/// The village legal adviser's review.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LegalReview {
    /// The legal adviser (村法律顾问) who reviewed.
    pub adviser: String,
    pub approved: bool,
    pub opinion: String,
    pub reviewed_on: NaiveDate,
}

/// Records the legal adviser's first review; a return sends the draft back for revision.
pub async fn record_legal_review(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    if_match: i32,
    input: &LegalReview,
) -> Result<RulesView, Problem> {
    who.require(DRAFTERS)?;
    let c = current(tx, who, id, if_match).await?;
    let next = after(c.status, Step::LegalReview { approved: input.approved }).map_err(refuse)?;
    let adviser = required_text(&input.adviser, "adviser", 64)?;
    let opinion = required_text(&input.opinion, "opinion", 5_000)?;
    let on = step_date(&c.latest, input.reviewed_on, "reviewed_on")?;
    let changes = version::ActiveModel {
        legal_reviewed_on: Set(input.approved.then_some(on)),
        ..Default::default()
    };
    save(tx, &c, next, changes).await?;
    let outcome = if input.approved { "approved" } else { "returned" };
    record_step(tx, who, id, c.latest.number, "legal_review", outcome, on,
        json!({ "adviser": adviser, "opinion": opinion })).await?;
    audit::record(tx, who, "legal-review", "rules", &id.to_string(), outcome).await?;
    show_rules(tx, who, id).await
}

/// One finding of the legality review.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Finding {
    /// The clause concerned (e.g. "第七条").
    pub clause: String,
    pub finding: String,
}

/// The township's legality review (合法性审查).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LegalityReview {
    pub lawful: bool,
    /// Required when not lawful; suggestions may accompany a lawful opinion.
    #[serde(default)]
    pub findings: Vec<Finding>,
    pub reviewed_on: NaiveDate,
}

/// Records the township's legality review with its findings; unlawful provisions send the draft
/// back for revision.
pub async fn record_legality_review(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    if_match: i32,
    input: &LegalityReview,
) -> Result<RulesView, Problem> {
    who.require(&[Role::TownshipClerk, Role::TownshipApprover])?;
    let c = current(tx, who, id, if_match).await?;
    let next = after(c.status, Step::LegalityReview { lawful: input.lawful }).map_err(refuse)?;
    if !input.lawful && input.findings.is_empty() {
        return Err(Problem::invalid("findings", "a review that is not lawful names its findings"));
    }
    for (i, f) in input.findings.iter().enumerate() {
        required_text(&f.clause, &format!("findings[{i}].clause"), 100)?;
        required_text(&f.finding, &format!("findings[{i}].finding"), 2_000)?;
    }
    let on = step_date(&c.latest, input.reviewed_on, "reviewed_on")?;
    let changes = version::ActiveModel {
        legality_reviewed_on: Set(input.lawful.then_some(on)),
        ..Default::default()
    };
    save(tx, &c, next, changes).await?;
    let outcome = if input.lawful { "lawful" } else { "returned" };
    record_step(tx, who, id, c.latest.number, "legality_review", outcome, on,
        json!({ "findings": input.findings })).await?;
    audit::record(tx, who, "legality-review", "rules", &id.to_string(), outcome).await?;
    show_rules(tx, who, id).await
}

/// The assembly's vote.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VoteRecord {
    pub body: AssemblyBody,
    pub held_on: NaiveDate,
    pub tally: Tally,
}

/// The document after a vote, and what the vote decided.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Voted {
    #[schema(value_type = Object)]
    pub outcome: serde_json::Value,
    pub rules: RulesView,
}

/// Records an assembly vote with its quorum and majority under the thresholds in force on the day;
/// a passed vote moves the version on, a failed one is recorded and the assembly may vote again.
pub async fn record_vote(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    if_match: i32,
    input: &VoteRecord,
) -> Result<Voted, Problem> {
    who.require(DRAFTERS)?;
    let c = current(tx, who, id, if_match).await?;
    after(c.status, Step::Vote { passed: false }).map_err(refuse)?;
    let kind = RulesKind::parse(&c.doc.kind).ok_or_else(|| internal("rules kind"))?;
    if input.body.kind() != kind {
        return Err(Problem::invalid("body", format!("{} do not vote on {}", input.body.as_str(), kind.as_str())));
    }
    let on = step_date(&c.latest, input.held_on, "held_on")?;
    let thresholds = reference::thresholds(tx, input.body).await?;
    let threshold = vote::in_force(&thresholds, input.body, on).ok_or_else(|| {
        Problem::invalid("held_on", format!("no threshold of {} is in force on {on}", input.body.as_str()))
    })?;
    if !threshold.may_adopt_rules {
        return Err(Problem::invalid(
            "body",
            format!("{} may not adopt village rules ({})", input.body.as_str(), threshold.basis),
        ));
    }
    let outcome: Outcome = vote::count(threshold, &input.tally)
        .map_err(|e| Problem::invalid(e.field, e.reason))?;
    let next = after(c.status, Step::Vote { passed: outcome.passed }).map_err(refuse)?;
    let changes = version::ActiveModel {
        voted_on: Set(outcome.passed.then_some(on)),
        ..Default::default()
    };
    save(tx, &c, next, changes).await?;
    let result = if outcome.passed {
        "passed"
    } else if !outcome.quorum_met {
        "no_quorum"
    } else {
        "not_carried"
    };
    let detail = json!({ "body": input.body, "tally": input.tally, "threshold": threshold, "outcome": outcome });
    record_step(tx, who, id, c.latest.number, "vote", result, on, detail.clone()).await?;
    audit::record(tx, who, "record-vote", "rules", &id.to_string(), result).await?;
    Ok(Voted {
        outcome: json!({ "result": result, "quorum_met": outcome.quorum_met, "majority_met": outcome.majority_met, "passed": outcome.passed, "threshold": threshold }),
        rules: show_rules(tx, who, id).await?,
    })
}

/// Where the rules are filed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FiledWith {
    Township,
    District,
}

/// A filing (备案).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Filing {
    pub with: FiledWith,
    pub filed_on: NaiveDate,
}

/// Records a filing: with the township (township staff), then with the district (district staff),
/// which completes filing, sets the next periodic review and publishes `village.rules.filed.v1`.
pub async fn record_filing(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    id: Uuid,
    if_match: i32,
    input: &Filing,
) -> Result<RulesView, Problem> {
    let step_kind = match input.with {
        FiledWith::Township => {
            who.require(&[Role::TownshipClerk, Role::TownshipApprover])?;
            Step::FileWithTownship
        }
        FiledWith::District => {
            who.require(&[Role::DistrictOfficer, Role::DistrictApprover])?;
            Step::FileWithDistrict
        }
    };
    let c = current(tx, who, id, if_match).await?;
    let next = after(c.status, step_kind).map_err(refuse)?;
    let on = step_date(&c.latest, input.filed_on, "filed_on")?;
    let mut changes = version::ActiveModel::default();
    let mut review_due = None;
    match input.with {
        FiledWith::Township => changes.township_filed_on = Set(Some(on)),
        FiledWith::District => {
            let params = reference::parameters(tx).await?;
            let months = reference::required(&params, names::RULES_REVIEW_INTERVAL_MONTHS, &c.doc.village_code, on)?;
            review_due = next_review_due(on, months.max(0) as u32);
            changes.district_filed_on = Set(Some(on));
            changes.next_review_due_on = Set(review_due);
        }
    }
    save(tx, &c, next, changes).await?;
    let with = match input.with {
        FiledWith::Township => "township",
        FiledWith::District => "district",
    };
    record_step(tx, who, id, c.latest.number, "filing", with, on, json!({ "next_review_due_on": review_due })).await?;
    if input.with == FiledWith::District {
        let kind = match RulesKind::parse(&c.doc.kind) {
            Some(RulesKind::VillageRules) => WireKind::VillageRules,
            Some(RulesKind::ResidentsConvention) => WireKind::ResidentsConvention,
            None => return Err(internal("rules kind")),
        };
        let event = RulesFiled {
            rules_id: id,
            kind,
            version: c.latest.number as u32,
            township_code: TownshipCode::parse(&c.doc.township_code).map_err(|_| internal("township_code"))?,
            village_code: VillageCode::parse(&c.doc.village_code).map_err(|_| internal("village_code"))?,
            legality_reviewed_on: c.latest.legality_reviewed_on.ok_or_else(|| internal("legality date"))?,
            voted_on: c.latest.voted_on.ok_or_else(|| internal("vote date"))?,
            filed_on: on,
            next_review_due_on: review_due,
        };
        outbox.enqueue(tx, &event).await.map_err(|e| {
            tracing::error!(error = %e, "outbox");
            Problem::internal()
        })?;
    }
    audit::record(tx, who, "file-rules", "rules", &id.to_string(), with).await?;
    show_rules(tx, who, id).await
}

/// Publication to the villagers.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Publication {
    pub published_on: NaiveDate,
}

/// Publishes a filed version: it comes into force and the version it replaces is superseded.
pub async fn publish_rules(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    if_match: i32,
    input: &Publication,
) -> Result<RulesView, Problem> {
    who.require(DRAFTERS)?;
    let c = current(tx, who, id, if_match).await?;
    let next = after(c.status, Step::Publish).map_err(refuse)?;
    let on = step_date(&c.latest, input.published_on, "published_on")?;
    version::Entity::update_many()
        .col_expr(version::Column::Status, Expr::value(Status::Superseded.as_str()))
        .filter(version::Column::RulesId.eq(id))
        .filter(version::Column::Status.eq(Status::Published.as_str()))
        .exec(tx)
        .await?;
    save(tx, &c, next, version::ActiveModel { published_on: Set(Some(on)), ..Default::default() }).await?;
    document::Entity::update_many()
        .col_expr(document::Column::PublishedVersion, Expr::value(c.latest.number))
        .col_expr(document::Column::NextReviewDueOn, Expr::value(c.latest.next_review_due_on))
        .filter(document::Column::Id.eq(id))
        .exec(tx)
        .await?;
    record_step(tx, who, id, c.latest.number, "publish", "published", on, json!({})).await?;
    audit::record(tx, who, "publish-rules", "rules", &id.to_string(), &format!("version {}", c.latest.number)).await?;
    show_rules(tx, who, id).await
}

/// Outcome of a periodic review of the rules in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewOutcome {
    /// Still fit: the next review is set one interval on.
    Unchanged,
    /// To be revised: a new draft version starts with `text`.
    Revise,
}

/// A periodic review of the published rules.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PeriodicReview {
    pub reviewed_on: NaiveDate,
    pub outcome: ReviewOutcome,
    /// The revised draft, required when revising.
    #[serde(default)]
    pub text: Option<String>,
}

/// Records a periodic review: unchanged rules get their next review date; a revision starts the
/// next version as a draft (the published version stays in force until the revision is published).
pub async fn review_rules(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    if_match: i32,
    input: &PeriodicReview,
) -> Result<RulesView, Problem> {
    who.require(DRAFTERS)?;
    let c = current(tx, who, id, if_match).await?;
    if c.status != Status::Published {
        return Err(Problem::conflict(
            "rules-step-not-allowed",
            format!("version {} is {}; only published rules are reviewed", c.latest.number, c.status.as_str()),
        ));
    }
    let on = step_date(&c.latest, input.reviewed_on, "reviewed_on")?;
    let bump = document::Entity::update_many()
        .col_expr(document::Column::Version, Expr::value(c.doc.version + 1))
        .filter(document::Column::Id.eq(id))
        .filter(document::Column::Version.eq(c.doc.version));
    match input.outcome {
        ReviewOutcome::Unchanged => {
            let params = reference::parameters(tx).await?;
            let months = reference::required(&params, names::RULES_REVIEW_INTERVAL_MONTHS, &c.doc.village_code, on)?;
            let due = next_review_due(on, months.max(0) as u32);
            let moved = bump
                .col_expr(document::Column::NextReviewDueOn, Expr::value(due))
                .exec(tx)
                .await?;
            if moved.rows_affected == 0 {
                return Err(changed_meanwhile());
            }
            version::Entity::update_many()
                .col_expr(version::Column::NextReviewDueOn, Expr::value(due))
                .filter(version::Column::Id.eq(c.latest.id))
                .exec(tx)
                .await?;
            record_step(tx, who, id, c.latest.number, "periodic_review", "unchanged", on, json!({ "next_review_due_on": due })).await?;
        }
        ReviewOutcome::Revise => {
            let text = required_text(input.text.as_deref().unwrap_or_default(), "text", 50_000)?;
            let number = c.latest.number + 1;
            let moved = bump
                .col_expr(document::Column::LatestVersion, Expr::value(number))
                .col_expr(document::Column::Status, Expr::value(Status::Drafted.as_str()))
                .exec(tx)
                .await?;
            if moved.rows_affected == 0 {
                return Err(changed_meanwhile());
            }
            insert_version(tx, id, number, text, on).await?;
            record_step(tx, who, id, c.latest.number, "periodic_review", "revise", on, json!({ "revision": number })).await?;
            record_step(tx, who, id, number, "draft", "drafted", on, json!({})).await?;
        }
    }
    audit::record(tx, who, "review-rules", "rules", &id.to_string(), "").await?;
    show_rules(tx, who, id).await
}

/// Rules of the caller's division whose periodic review falls due on or before `on`.
pub async fn reviews_due(
    db: &impl ConnectionTrait,
    who: &Principal,
    on: Option<NaiveDate>,
) -> Result<Vec<RulesView>, Problem> {
    let on = on.unwrap_or_else(calendar::today);
    let docs = document::Entity::find()
        .filter(document::Column::VillageCode.starts_with(who.division.as_str()))
        .filter(document::Column::NextReviewDueOn.lte(on))
        .order_by_asc(document::Column::NextReviewDueOn)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(docs.len());
    for d in docs {
        out.push(view(db, d).await?);
    }
    Ok(out)
}
