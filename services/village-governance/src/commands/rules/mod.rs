//! Village rules and residents' conventions through their procedure: each step is one transaction
//! that checks the caller's role, the version's status (domain::rules), the document's ETag, and
//! records the step with its evidence. Drafting and reading here, the later steps in `steps`.

mod steps;

pub use steps::{
    Amendment, FiledWith, Filing, Finding, LegalReview, LegalityReview, PeriodicReview,
    Publication, ReviewOutcome, VoteRecord, Voted, amend_draft, publish_rules, record_filing,
    record_legal_review, record_legality_review, record_vote, review_rules,
};

use chrono::NaiveDate;
use kit::{Principal, Refusal, Role, audit};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{internal, not_in_future, required_text, villages};
use crate::{
    domain::rules::{Status, StepRefused},
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
pub async fn show_rules(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
) -> Result<RulesView, Refusal> {
    let doc = find(db, who, id).await?;
    view(db, doc).await
}

async fn find(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
) -> Result<document::Model, Refusal> {
    document::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|d| who.sees(&d.village_code))
        .ok_or_else(|| Refusal::not_found("no such rules in your division"))
}

async fn view(db: &impl ConnectionTrait, d: document::Model) -> Result<RulesView, Refusal> {
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
) -> Result<RulesView, Refusal> {
    who.require(DRAFTERS)?;
    let village = villages::find_village(tx, who, &input.village_code, "village_code").await?;
    let title = required_text(&input.title, "title", 200)?;
    let text = required_text(&input.text, "text", 50_000)?;
    let drafted_on = not_in_future(
        input.drafted_on.unwrap_or_else(kit::clock::today),
        "drafted_on",
    )?;
    let kind = villages::rules_kind(&village);
    if let Some(existing) = document::Entity::find()
        .filter(document::Column::VillageCode.eq(&village.code))
        .filter(document::Column::Kind.eq(kind.as_str()))
        .one(tx)
        .await?
    {
        return Err(Refusal::conflict(
            "rules-exist",
            format!(
                "the village's rules are {}; draft a revision of them instead",
                existing.id
            ),
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
        created_at: kit::clock::now(),
        version: 1,
    }))
    .exec_without_returning(tx)
    .await?;
    insert_version(tx, id, 1, text, drafted_on).await?;
    record_step(tx, who, id, 1, "draft", "drafted", drafted_on, json!({})).await?;
    audit::record(
        tx,
        who,
        "draft-rules",
        "rules",
        &id.to_string(),
        "version 1",
    )
    .await?;
    show_rules(tx, who, id).await
}

async fn insert_version(
    tx: &impl ConnectionTrait,
    rules_id: Uuid,
    number: i32,
    text: String,
    drafted_on: NaiveDate,
) -> Result<(), Refusal> {
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
) -> Result<(), Refusal> {
    step::Entity::insert(step::ActiveModel::from(step::Model {
        id: Uuid::now_v7(),
        rules_id,
        version_number: number,
        step: name.to_owned(),
        outcome: outcome.to_owned(),
        happened_on: on,
        actor: who.subject.clone(),
        detail: detail.to_string(),
        recorded_at: kit::clock::now(),
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
) -> Result<Current, Refusal> {
    let doc = find(tx, who, id).await?;
    if doc.version != if_match {
        return Err(Refusal::changed_meanwhile());
    }
    let latest = version::Entity::find()
        .filter(version::Column::RulesId.eq(id))
        .filter(version::Column::Number.eq(doc.latest_version))
        .one(tx)
        .await?
        .ok_or_else(|| internal("latest rules version"))?;
    let status = Status::parse(&latest.status).ok_or_else(|| internal("rules status"))?;
    Ok(Current {
        doc,
        latest,
        status,
    })
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
fn step_date(v: &version::Model, on: NaiveDate, field: &str) -> Result<NaiveDate, Refusal> {
    not_in_future(on, field)?;
    let last = last_date(v);
    if on < last {
        return Err(Refusal::invalid(
            field,
            format!("cannot be before the previous step ({last})"),
        ));
    }
    Ok(on)
}

fn refuse(e: StepRefused) -> Refusal {
    Refusal::conflict("rules-step-not-allowed", e.to_string())
}

/// Moves the document to `status` under the caller's ETag (the row version bumps), and saves the
/// version's changes.
async fn save(
    tx: &impl ConnectionTrait,
    c: &Current,
    status: Status,
    mut changes: version::ActiveModel,
) -> Result<(), Refusal> {
    let moved = document::Entity::update_many()
        .col_expr(document::Column::Status, Expr::value(status.as_str()))
        .col_expr(document::Column::Version, Expr::value(c.doc.version + 1))
        .filter(document::Column::Id.eq(c.doc.id))
        .filter(document::Column::Version.eq(c.doc.version))
        .exec(tx)
        .await?;
    if moved.rows_affected == 0 {
        return Err(Refusal::changed_meanwhile());
    }
    changes.status = Set(status.as_str().to_owned());
    version::Entity::update_many()
        .set(changes)
        .filter(version::Column::Id.eq(c.latest.id))
        .exec(tx)
        .await?;
    Ok(())
}

/// Rules of the caller's division whose periodic review falls due on or before `on`.
pub async fn reviews_due(
    db: &impl ConnectionTrait,
    who: &Principal,
    on: Option<NaiveDate>,
) -> Result<Vec<RulesView>, Refusal> {
    let on = on.unwrap_or_else(kit::clock::today);
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
