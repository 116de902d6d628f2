//! The steps of the procedure after drafting: amendment, the legal adviser's review, the
//! township's legality review, the assembly vote, filing (the district filing publishes
//! `village.rules.filed.v1`), publication and periodic review.

use chrono::NaiveDate;
use contracts::{
    common::{TownshipCode, VillageCode},
    village::{RulesFiled, RulesKind as WireKind},
};
use kit::{Principal, Refusal, Role, audit, outbox::Outbox};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    DRAFTERS, RulesView, current, insert_version, record_step, refuse, save, show_rules, step_date,
};
use crate::{
    commands::{internal, reference, required_text},
    domain::{
        reference::names,
        rules::{RulesKind, Status, Step, after, next_review_due},
        vote::{self, AssemblyBody, Outcome, Tally},
    },
    store::rules::{document, version},
};

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
) -> Result<RulesView, Refusal> {
    who.require(DRAFTERS)?;
    let c = current(tx, who, id, if_match).await?;
    let next = after(c.status, Step::Amend).map_err(refuse)?;
    let text = required_text(&input.text, "text", 50_000)?;
    save(
        tx,
        &c,
        next,
        version::ActiveModel {
            text: Set(text),
            ..Default::default()
        },
    )
    .await?;
    record_step(
        tx,
        who,
        id,
        c.latest.number,
        "amend",
        "amended",
        kit::clock::today(),
        json!({}),
    )
    .await?;
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
) -> Result<RulesView, Refusal> {
    who.require(DRAFTERS)?;
    let c = current(tx, who, id, if_match).await?;
    let next = after(
        c.status,
        Step::LegalReview {
            approved: input.approved,
        },
    )
    .map_err(refuse)?;
    let adviser = required_text(&input.adviser, "adviser", 64)?;
    let opinion = required_text(&input.opinion, "opinion", 5_000)?;
    let on = step_date(&c.latest, input.reviewed_on, "reviewed_on")?;
    let changes = version::ActiveModel {
        legal_reviewed_on: Set(input.approved.then_some(on)),
        ..Default::default()
    };
    save(tx, &c, next, changes).await?;
    let outcome = if input.approved {
        "approved"
    } else {
        "returned"
    };
    record_step(
        tx,
        who,
        id,
        c.latest.number,
        "legal_review",
        outcome,
        on,
        json!({ "adviser": adviser, "opinion": opinion }),
    )
    .await?;
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
) -> Result<RulesView, Refusal> {
    who.require(&[Role::TownshipClerk, Role::TownshipApprover])?;
    let c = current(tx, who, id, if_match).await?;
    let next = after(
        c.status,
        Step::LegalityReview {
            lawful: input.lawful,
        },
    )
    .map_err(refuse)?;
    if !input.lawful && input.findings.is_empty() {
        return Err(Refusal::invalid(
            "findings",
            "a review that is not lawful names its findings",
        ));
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
    record_step(
        tx,
        who,
        id,
        c.latest.number,
        "legality_review",
        outcome,
        on,
        json!({ "findings": input.findings }),
    )
    .await?;
    audit::record(
        tx,
        who,
        "legality-review",
        "rules",
        &id.to_string(),
        outcome,
    )
    .await?;
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
) -> Result<Voted, Refusal> {
    who.require(DRAFTERS)?;
    let c = current(tx, who, id, if_match).await?;
    after(c.status, Step::Vote { passed: false }).map_err(refuse)?;
    let kind = RulesKind::parse(&c.doc.kind).ok_or_else(|| internal("rules kind"))?;
    if input.body.kind() != kind {
        return Err(Refusal::invalid(
            "body",
            format!("{} do not vote on {}", input.body.as_str(), kind.as_str()),
        ));
    }
    let on = step_date(&c.latest, input.held_on, "held_on")?;
    let thresholds = reference::thresholds(tx, input.body).await?;
    let threshold = vote::in_force(&thresholds, input.body, on).ok_or_else(|| {
        Refusal::invalid(
            "held_on",
            format!(
                "no threshold of {} is in force on {on}",
                input.body.as_str()
            ),
        )
    })?;
    if !threshold.may_adopt_rules {
        return Err(Refusal::invalid(
            "body",
            format!(
                "{} may not adopt village rules ({})",
                input.body.as_str(),
                threshold.basis
            ),
        ));
    }
    let outcome: Outcome =
        vote::count(threshold, &input.tally).map_err(|e| Refusal::invalid(e.field, e.reason))?;
    let next = after(
        c.status,
        Step::Vote {
            passed: outcome.passed,
        },
    )
    .map_err(refuse)?;
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
    record_step(
        tx,
        who,
        id,
        c.latest.number,
        "vote",
        result,
        on,
        detail.clone(),
    )
    .await?;
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
) -> Result<RulesView, Refusal> {
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
            let months = reference::required(
                &params,
                names::RULES_REVIEW_INTERVAL_MONTHS,
                &c.doc.village_code,
                on,
            )?;
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
    record_step(
        tx,
        who,
        id,
        c.latest.number,
        "filing",
        with,
        on,
        json!({ "next_review_due_on": review_due }),
    )
    .await?;
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
            township_code: TownshipCode::parse(&c.doc.township_code)
                .map_err(|_| internal("township_code"))?,
            village_code: VillageCode::parse(&c.doc.village_code)
                .map_err(|_| internal("village_code"))?,
            legality_reviewed_on: c
                .latest
                .legality_reviewed_on
                .ok_or_else(|| internal("legality date"))?,
            voted_on: c.latest.voted_on.ok_or_else(|| internal("vote date"))?,
            filed_on: on,
            next_review_due_on: review_due,
        };
        outbox.enqueue(tx, &event).await.map_err(|e| {
            tracing::error!(error = %e, "outbox");
            Refusal::internal()
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
) -> Result<RulesView, Refusal> {
    who.require(DRAFTERS)?;
    let c = current(tx, who, id, if_match).await?;
    let next = after(c.status, Step::Publish).map_err(refuse)?;
    let on = step_date(&c.latest, input.published_on, "published_on")?;
    version::Entity::update_many()
        .col_expr(
            version::Column::Status,
            Expr::value(Status::Superseded.as_str()),
        )
        .filter(version::Column::RulesId.eq(id))
        .filter(version::Column::Status.eq(Status::Published.as_str()))
        .exec(tx)
        .await?;
    save(
        tx,
        &c,
        next,
        version::ActiveModel {
            published_on: Set(Some(on)),
            ..Default::default()
        },
    )
    .await?;
    document::Entity::update_many()
        .col_expr(
            document::Column::PublishedVersion,
            Expr::value(c.latest.number),
        )
        .col_expr(
            document::Column::NextReviewDueOn,
            Expr::value(c.latest.next_review_due_on),
        )
        .filter(document::Column::Id.eq(id))
        .exec(tx)
        .await?;
    record_step(
        tx,
        who,
        id,
        c.latest.number,
        "publish",
        "published",
        on,
        json!({}),
    )
    .await?;
    audit::record(
        tx,
        who,
        "publish-rules",
        "rules",
        &id.to_string(),
        &format!("version {}", c.latest.number),
    )
    .await?;
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
) -> Result<RulesView, Refusal> {
    who.require(DRAFTERS)?;
    let c = current(tx, who, id, if_match).await?;
    if c.status != Status::Published {
        return Err(Refusal::conflict(
            "rules-step-not-allowed",
            format!(
                "version {} is {}; only published rules are reviewed",
                c.latest.number,
                c.status.as_str()
            ),
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
            let months = reference::required(
                &params,
                names::RULES_REVIEW_INTERVAL_MONTHS,
                &c.doc.village_code,
                on,
            )?;
            let due = next_review_due(on, months.max(0) as u32);
            let moved = bump
                .col_expr(document::Column::NextReviewDueOn, Expr::value(due))
                .exec(tx)
                .await?;
            if moved.rows_affected == 0 {
                return Err(Refusal::changed_meanwhile());
            }
            version::Entity::update_many()
                .col_expr(version::Column::NextReviewDueOn, Expr::value(due))
                .filter(version::Column::Id.eq(c.latest.id))
                .exec(tx)
                .await?;
            record_step(
                tx,
                who,
                id,
                c.latest.number,
                "periodic_review",
                "unchanged",
                on,
                json!({ "next_review_due_on": due }),
            )
            .await?;
        }
        ReviewOutcome::Revise => {
            let text = required_text(input.text.as_deref().unwrap_or_default(), "text", 50_000)?;
            let number = c.latest.number + 1;
            let moved = bump
                .col_expr(document::Column::LatestVersion, Expr::value(number))
                .col_expr(
                    document::Column::Status,
                    Expr::value(Status::Drafted.as_str()),
                )
                .exec(tx)
                .await?;
            if moved.rows_affected == 0 {
                return Err(Refusal::changed_meanwhile());
            }
            insert_version(tx, id, number, text, on).await?;
            record_step(
                tx,
                who,
                id,
                c.latest.number,
                "periodic_review",
                "revise",
                on,
                json!({ "revision": number }),
            )
            .await?;
            record_step(tx, who, id, number, "draft", "drafted", on, json!({})).await?;
        }
    }
    audit::record(tx, who, "review-rules", "rules", &id.to_string(), "").await?;
    show_rules(tx, who, id).await
}
