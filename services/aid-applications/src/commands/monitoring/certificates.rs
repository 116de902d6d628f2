//! Disability certificates as the 残联 announces them (`partner.dpf.certificate.*`), kept by
//! person_ref (grade and validity only), and what a change or revocation means for single-person
//! dibao (单人保): a grade that qualifies (re)opens the candidate task of an adult member of a
//! marginal household; one that no longer does closes that task and flags the member's
//! single-person dibao enrollment for review — staff clear the flag after the review.

use chrono::NaiveDate;
use contracts::partner::{CertificateChanged, CertificateRevoked};
use kit::{
    Principal, Refusal, Role, audit,
    identity::{IdNumber, PersonRefKey},
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TryInsertResult,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::commands::assistance::clock::today;
use crate::commands::enrollment::StoredEnrollment;
use crate::commands::reference::severe_disability;
use crate::{
    domain::{
        benefits::{SinglePersonDibao, category_digit, single_person_dibao_effect, supersedes},
        household::{DisabilityGrade, SevereFrom},
        monitoring::TaskKind,
        programme::Programme,
    },
    store::{
        benefits::{certificate, review_flag},
        enrollment, household, member,
        monitoring::task,
    },
};
use kit::wire::name as snake;

/// A member's certificate as shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CertificateView {
    /// The category's name (physical, intellectual …).
    pub category: String,
    pub level: i16,
    pub expires_on: Option<NaiveDate>,
    /// valid or revoked.
    pub status: String,
    pub revocation_reason: Option<String>,
    /// Date of the fact shown.
    pub as_of: NaiveDate,
    /// 重残 for single-person dibao (level 1–2, or 3 intellectual/mental) and still valid.
    pub severe_for_single_person_dibao: bool,
}

/// Statuses of an enrollment that still count (a gradual exit is still paid).
const CURRENT: [&str; 2] = ["active", "exiting"];

/// Who closes or reopens a task, or clears a flag, on a certificate fact.
const DPF: &str = "partner:dpf";

fn grade_text(g: DisabilityGrade) -> String {
    format!("{}/{}", snake(g.category()), g.level())
}

fn grade_of(c: &certificate::Model) -> Option<DisabilityGrade> {
    DisabilityGrade::new(u8::try_from(c.category).ok()?, u8::try_from(c.level).ok()?).ok()
}

/// The certificate as shown for the member holding ID number `id_number`, with 重残 as
/// single-person dibao defines it today (`severe`).
pub fn certificate_view(
    c: &certificate::Model,
    id_number: &str,
    severe: SevereFrom,
) -> CertificateView {
    let grade = grade_of(c);
    let severe = c.status == "valid"
        && IdNumber::parse(id_number).is_ok_and(|id| {
            single_person_dibao_effect(grade, id.birth_date(), today(), severe)
                == SinglePersonDibao::Qualifies
        });
    CertificateView {
        category: grade.map(|g| snake(g.category())).unwrap_or_default(),
        level: c.level,
        expires_on: c.expires_on,
        status: c.status.clone(),
        revocation_reason: c.revocation_reason.clone(),
        as_of: c.as_of,
        severe_for_single_person_dibao: severe,
    }
}

/// Keeps a certificate's grade as of `on` unless a later fact is kept; answers whether it was
/// kept (an older fact arriving late changes nothing).
pub async fn record_grade(
    tx: &impl ConnectionTrait,
    person_ref: &str,
    grade: DisabilityGrade,
    expires_on: NaiveDate,
    on: NaiveDate,
) -> Result<bool, DbErr> {
    let kept = certificate::Entity::find_by_id(person_ref.to_owned())
        .one(tx)
        .await?;
    if !supersedes(kept.as_ref().map(|k| k.as_of), on) {
        return Ok(false);
    }
    let row = certificate::ActiveModel {
        person_ref: Set(person_ref.to_owned()),
        category: Set(i16::from(category_digit(grade.category()))),
        level: Set(i16::from(grade.level())),
        expires_on: Set(Some(expires_on)),
        status: Set("valid".into()),
        revocation_reason: Set(None),
        as_of: Set(on),
    };
    if kept.is_some() {
        certificate::Entity::update(row).exec(tx).await?;
    } else {
        certificate::Entity::insert(row).exec(tx).await?;
    }
    Ok(true)
}

/// `partner.dpf.certificate.issued.v1` (after monitoring's candidate task): keeps the grade, and a
/// qualifying grade clears the reviews a revocation or lower grade asked for.
pub async fn on_certificate_issued(
    tx: &impl ConnectionTrait,
    person_ref: &str,
    holder: &IdNumber,
    grade: DisabilityGrade,
    expires_on: NaiveDate,
    issued_on: NaiveDate,
) -> Result<usize, DbErr> {
    if !record_grade(tx, person_ref, grade, expires_on, issued_on).await? {
        return Ok(0);
    }
    let severe = severe_disability(tx, issued_on).await?.single_person_dibao;
    match single_person_dibao_effect(Some(grade), holder.birth_date(), issued_on, severe) {
        SinglePersonDibao::Qualifies => {
            clear_certificate_flags(tx, person_ref, &grade_text(grade), issued_on).await
        }
        SinglePersonDibao::DoesNotQualify => Ok(0),
    }
}

/// What a certificate fact did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertificateApplied {
    pub tasks_opened: usize,
    pub tasks_reopened: usize,
    pub tasks_closed: usize,
    pub reviews_flagged: usize,
    pub reviews_cleared: usize,
}

/// Applies the single-person dibao effect of a certificate fact about `holder` on `on`
/// (`grade` `None`: revoked). Nothing for anyone who is not a living member here.
async fn apply(
    tx: &impl ConnectionTrait,
    person_ref: &str,
    holder: &IdNumber,
    grade: Option<DisabilityGrade>,
    on: NaiveDate,
    reason: &str,
    detail: &str,
) -> Result<CertificateApplied, Refusal> {
    let mut out = CertificateApplied::default();
    let Some(m) = member::Entity::find()
        .filter(member::Column::PersonRef.eq(person_ref))
        .filter(member::Column::DeceasedOn.is_null())
        .one(tx)
        .await?
    else {
        return Ok(out);
    };
    let current = enrollment::Entity::find()
        .filter(enrollment::Column::HouseholdId.eq(m.household_id))
        .filter(enrollment::Column::Status.is_in(CURRENT))
        .all(tx)
        .await?;
    let mut own_single_person = Vec::new();
    for row in current
        .iter()
        .filter(|e| e.programme == snake(Programme::SinglePersonDibao))
    {
        let stored = StoredEnrollment::from_row(row.clone())?;
        if stored.record.beneficiaries.contains(&m.id) {
            own_single_person.push(stored.row);
        }
    }
    let candidates = task::Entity::find()
        .filter(task::Column::PersonRef.eq(person_ref))
        .filter(task::Column::Kind.eq(snake(TaskKind::SinglePersonDibaoCandidate)))
        .order_by_desc(task::Column::Id)
        // Locked: a clerk closing one of these tasks meanwhile finishes first, and the version
        // written below is the task's current one.
        .lock_exclusive()
        .all(tx)
        .await?;
    let severe = severe_disability(tx, on).await?.single_person_dibao;
    match single_person_dibao_effect(grade, holder.birth_date(), on, severe) {
        SinglePersonDibao::Qualifies => {
            out.reviews_cleared = clear_certificate_flags(tx, person_ref, detail, on).await?;
            let marginal = current
                .iter()
                .any(|e| e.programme == snake(Programme::Marginal));
            if !marginal || !own_single_person.is_empty() {
                return Ok(out);
            }
            if candidates.iter().any(|t| t.status == "open") {
                return Ok(out);
            }
            let reopenable = candidates
                .iter()
                .find(|t| t.closed_by.as_deref() == Some(DPF));
            match (reopenable, grade) {
                (Some(t), Some(g)) => {
                    reopen(tx, t, g).await?;
                    out.tasks_reopened = 1;
                }
                (None, Some(g)) => {
                    if open_candidate(tx, &m, person_ref, g, on).await? {
                        out.tasks_opened = 1;
                    }
                }
                (_, None) => {}
            }
        }
        SinglePersonDibao::DoesNotQualify => {
            for t in candidates.iter().filter(|t| t.status == "open") {
                close_candidate(tx, t, detail, on).await?;
                out.tasks_closed += 1;
            }
            for e in &own_single_person {
                if flag_for_review(tx, e, person_ref, reason, detail, on).await? {
                    out.reviews_flagged += 1;
                }
            }
        }
    }
    Ok(out)
}

async fn open_candidate(
    tx: &impl ConnectionTrait,
    m: &member::Model,
    person_ref: &str,
    g: DisabilityGrade,
    on: NaiveDate,
) -> Result<bool, DbErr> {
    let Some(h) = household::Entity::find_by_id(m.household_id)
        .one(tx)
        .await?
    else {
        return Ok(false);
    };
    let inserted = task::Entity::insert(task::ActiveModel::from(task::Model {
        id: Uuid::now_v7(),
        kind: snake(TaskKind::SinglePersonDibaoCandidate),
        source: "certificate".into(),
        source_key: format!("{person_ref}:{}:{on}", g.level()),
        household_id: Some(h.id),
        person_ref: person_ref.to_owned(),
        township_code: h.township_code,
        village_code: h.village_code,
        risk: None,
        disability_grade: Some(grade_text(g)),
        opened_on: on,
        status: "open".into(),
        outcome: None,
        note: None,
        closed_on: None,
        closed_by: None,
        referral_id: None,
        version: 1,
    }))
    .on_conflict_do_nothing_on([task::Column::Source, task::Column::SourceKey])
    .exec(tx)
    .await?;
    Ok(matches!(inserted, TryInsertResult::Inserted(_)))
}

async fn reopen(
    tx: &impl ConnectionTrait,
    t: &task::Model,
    g: DisabilityGrade,
) -> Result<(), DbErr> {
    task::Entity::update(task::ActiveModel {
        id: Set(t.id),
        status: Set("open".into()),
        outcome: Set(None),
        note: Set(None),
        closed_on: Set(None),
        closed_by: Set(None),
        disability_grade: Set(Some(grade_text(g))),
        version: Set(t.version + 1),
        ..Default::default()
    })
    .exec(tx)
    .await?;
    Ok(())
}

async fn close_candidate(
    tx: &impl ConnectionTrait,
    t: &task::Model,
    detail: &str,
    on: NaiveDate,
) -> Result<(), DbErr> {
    task::Entity::update(task::ActiveModel {
        id: Set(t.id),
        status: Set("closed".into()),
        outcome: Set(Some("not_eligible".into())),
        note: Set(Some(format!(
            "残联: {detail} — not 重残 for single-person dibao"
        ))),
        closed_on: Set(Some(on)),
        closed_by: Set(Some(DPF.into())),
        version: Set(t.version + 1),
        ..Default::default()
    })
    .exec(tx)
    .await?;
    Ok(())
}

async fn flag_for_review(
    tx: &impl ConnectionTrait,
    e: &enrollment::Model,
    person_ref: &str,
    reason: &str,
    detail: &str,
    on: NaiveDate,
) -> Result<bool, DbErr> {
    let key = format!("{reason}:{on}:{detail}");
    review_flag::raise(tx, e, person_ref, reason, detail, on, &key).await
}

/// A qualifying grade again: the reviews certificate facts asked for this person are moot.
async fn clear_certificate_flags(
    tx: &impl ConnectionTrait,
    person_ref: &str,
    detail: &str,
    on: NaiveDate,
) -> Result<usize, DbErr> {
    let open = review_flag::Entity::find()
        .filter(review_flag::Column::PersonRef.eq(person_ref))
        .filter(review_flag::Column::Status.eq("open"))
        // Locked in id order: a clerk clearing one meanwhile finishes first, and the version
        // written below is the flag's current one.
        .order_by_asc(review_flag::Column::Id)
        .lock_exclusive()
        .all(tx)
        .await?;
    for f in &open {
        review_flag::Entity::update(review_flag::ActiveModel {
            id: Set(f.id),
            status: Set("cleared".into()),
            cleared_on: Set(Some(on)),
            cleared_by: Set(Some(DPF.into())),
            note: Set(Some(format!(
                "残联: {detail} — 重残 for single-person dibao again"
            ))),
            version: Set(f.version + 1),
            ..Default::default()
        })
        .exec(tx)
        .await?;
    }
    Ok(open.len())
}

/// `partner.dpf.certificate.changed.v1`: keeps the grade; when it is the latest fact, applies
/// its effect on single-person dibao.
pub async fn on_certificate_changed(
    tx: &impl ConnectionTrait,
    key: &PersonRefKey,
    holder: &IdNumber,
    grade: DisabilityGrade,
    e: &CertificateChanged,
) -> Result<CertificateApplied, Refusal> {
    let person_ref = key.person_ref(holder).as_str().to_owned();
    if !record_grade(tx, &person_ref, grade, e.expires_on, e.changed_on).await? {
        return Ok(CertificateApplied::default());
    }
    let detail = format!("{} ({})", grade_text(grade), snake(e.change));
    apply(
        tx,
        &person_ref,
        holder,
        Some(grade),
        e.changed_on,
        "certificate_changed",
        &detail,
    )
    .await
}

/// `partner.dpf.certificate.revoked.v1`: the certificate no longer counts from the revocation
/// date (kept with its last grade); a candidate task closes, an enrollment is reviewed.
pub async fn on_certificate_revoked(
    tx: &impl ConnectionTrait,
    key: &PersonRefKey,
    holder: &IdNumber,
    e: &CertificateRevoked,
) -> Result<CertificateApplied, Refusal> {
    let person_ref = key.person_ref(holder).as_str().to_owned();
    let kept = certificate::Entity::find_by_id(person_ref.clone())
        .one(tx)
        .await?;
    if !supersedes(kept.as_ref().map(|k| k.as_of), e.revoked_on) {
        return Ok(CertificateApplied::default());
    }
    if let Some(k) = kept {
        certificate::Entity::update(certificate::ActiveModel {
            person_ref: Set(k.person_ref),
            status: Set("revoked".into()),
            revocation_reason: Set(Some(snake(e.reason))),
            as_of: Set(e.revoked_on),
            ..Default::default()
        })
        .exec(tx)
        .await?;
    }
    let detail = format!("revoked ({})", snake(e.reason));
    apply(
        tx,
        &person_ref,
        holder,
        None,
        e.revoked_on,
        "certificate_revoked",
        &detail,
    )
    .await
}

/// A review flag as shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReviewFlagView {
    pub id: Uuid,
    pub enrollment_id: Uuid,
    pub household_id: Uuid,
    pub person_ref: String,
    pub village_code: String,
    /// certificate_changed or certificate_revoked.
    pub reason: String,
    pub detail: String,
    pub raised_on: NaiveDate,
    /// open or cleared.
    pub status: String,
    pub cleared_on: Option<NaiveDate>,
    pub note: Option<String>,
    pub version: i32,
}

impl From<review_flag::Model> for ReviewFlagView {
    fn from(f: review_flag::Model) -> Self {
        Self {
            id: f.id,
            enrollment_id: f.enrollment_id,
            household_id: f.household_id,
            person_ref: f.person_ref,
            village_code: f.village_code,
            reason: f.reason,
            detail: f.detail,
            raised_on: f.raised_on,
            status: f.status,
            cleared_on: f.cleared_on,
            note: f.note,
            version: f.version,
        }
    }
}

/// Review flags of the caller's division, oldest first; optionally only open ones.
pub async fn list_flags(
    db: &impl ConnectionTrait,
    who: &Principal,
    open_only: bool,
    cursor: Option<Uuid>,
    limit: u64,
) -> Result<Vec<ReviewFlagView>, Refusal> {
    let mut q = review_flag::Entity::find()
        .filter(review_flag::Column::VillageCode.starts_with(who.division.as_str()));
    if open_only {
        q = q.filter(review_flag::Column::Status.eq("open"));
    }
    if let Some(c) = cursor {
        q = q.filter(review_flag::Column::Id.gt(c));
    }
    Ok(q.order_by_asc(review_flag::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// How a review flag is cleared: what the review decided.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Clearance {
    /// The review's outcome (evidence).
    pub note: String,
}

/// Clears a flag after the review (township or district staff of its division).
pub async fn clear_flag(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    input: &Clearance,
) -> Result<ReviewFlagView, Refusal> {
    who.require(&[
        Role::TownshipClerk,
        Role::TownshipApprover,
        Role::DistrictOfficer,
        Role::DistrictApprover,
    ])?;
    let f = review_flag::Entity::find_by_id(id)
        .lock_exclusive()
        .one(tx)
        .await?
        .filter(|f| who.sees(&f.village_code))
        .ok_or_else(|| Refusal::not_found("no such review flag in your division"))?;
    if input.note.trim().is_empty() {
        return Err(Refusal::invalid("note", "the review's outcome is required"));
    }
    if f.status != "open" {
        return Err(Refusal::conflict(
            "flag-cleared",
            "the flag was already cleared",
        ));
    }
    let updated = review_flag::Entity::update_many()
        .set(review_flag::ActiveModel {
            status: Set("cleared".into()),
            cleared_on: Set(Some(today())),
            cleared_by: Set(Some(who.subject.clone())),
            note: Set(Some(input.note.trim().to_owned())),
            version: Set(f.version + 1),
            ..Default::default()
        })
        .filter(review_flag::Column::Id.eq(id))
        .filter(review_flag::Column::Version.eq(f.version))
        .exec(tx)
        .await?;
    if updated.rows_affected != 1 {
        return Err(Refusal::changed_meanwhile());
    }
    audit::record(
        tx,
        who,
        "clear-review-flag",
        "review-flag",
        &id.to_string(),
        "cleared",
    )
    .await?;
    review_flag::Entity::find_by_id(id)
        .one(tx)
        .await?
        .map(Into::into)
        .ok_or_else(Refusal::internal)
}
