//! Benefits other departments pay people aid may assist — child-welfare's basic living allowance
//! (`child.registered.v1`, `child.allowance.*`) and the disability subsidies
//! (`disability.subsidy.*`) — kept by person_ref whatever order their events arrive in, and the
//! low-income monitoring view of a household that shows them per member with the certificate's
//! grade and the enrollment reviews open.

use chrono::NaiveDate;
use contracts::{
    child::{AllowanceChanged, AllowanceEnded, AllowanceStarted, Registered},
    common::Month as ContractMonth,
    disability::{SubsidyChanged, SubsidyEnded, SubsidyGranted, SubsidyKind},
};
use kit::{Principal, Refusal, identity::IdNumber};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, TryInsertResult,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::commands::assistance::clock::today;
use crate::commands::enrollment::yyyymm;
use crate::commands::monitoring::certificates::{
    CertificateView, ReviewFlagView, certificate_view,
};
use crate::{
    domain::{
        benefits::{Benefit, BenefitKind, monthly_total},
        money::Fen,
        monitoring::{LowIncomeCategory, categories},
        month::Month,
        programme::Programme,
    },
    store::{
        benefits::{certificate, child_registration, other_benefit, review_flag},
        enrollment, household, member,
        monitoring::task,
    },
};
use kit::wire::name as snake;

/// Statuses of an enrollment that still count (a gradual exit is still paid).
const CURRENT: [&str; 2] = ["active", "exiting"];

fn month(m: ContractMonth) -> i32 {
    Month::new(m.year(), m.month()).map_or(0, yyyymm)
}

fn from_yyyymm(m: i32) -> Option<Month> {
    Month::new(m / 100, u32::try_from(m % 100).ok()?)
}

/// One fact about a benefit: whichever parts it carries.
struct Fact {
    id: Uuid,
    person_ref: String,
    kind: BenefitKind,
    detail: Option<String>,
    start: Option<i32>,
    /// Amount and the month it holds from.
    amount: Option<(i64, i32)>,
    /// Last month paid, reason, date decided.
    end: Option<(i32, String, NaiveDate)>,
}

/// Applies a fact: a first fact inserts the benefit; later ones fill the start, replace the
/// amount unless a later one is known, and set the end once.
async fn record(tx: &impl ConnectionTrait, f: Fact) -> Result<(), DbErr> {
    let row = other_benefit::ActiveModel {
        id: Set(f.id),
        person_ref: Set(f.person_ref.clone()),
        kind: Set(snake(f.kind)),
        detail: Set(f.detail.clone()),
        start_month: Set(f.start),
        monthly_amount_fen: Set(f.amount.map(|a| a.0)),
        amount_from: Set(f.amount.map(|a| a.1)),
        end_month: Set(f.end.as_ref().map(|e| e.0)),
        end_reason: Set(f.end.as_ref().map(|e| e.1.clone())),
        ended_on: Set(f.end.as_ref().map(|e| e.2)),
        updated_at: Set(kit::clock::now()),
    };
    let inserted = other_benefit::Entity::insert(row)
        .on_conflict_do_nothing_on([other_benefit::Column::Id])
        .exec(tx)
        .await?;
    if matches!(inserted, TryInsertResult::Inserted(_)) {
        return Ok(());
    }
    let this = other_benefit::Column::Id.eq(f.id);
    if let Some(start) = f.start {
        other_benefit::Entity::update_many()
            .set(other_benefit::ActiveModel {
                start_month: Set(Some(start)),
                updated_at: Set(kit::clock::now()),
                ..Default::default()
            })
            .filter(this.clone())
            .exec(tx)
            .await?;
    }
    if let Some((amount, from)) = f.amount {
        let mut change = other_benefit::ActiveModel {
            monthly_amount_fen: Set(Some(amount)),
            amount_from: Set(Some(from)),
            updated_at: Set(kit::clock::now()),
            ..Default::default()
        };
        if f.detail.is_some() {
            change.detail = Set(f.detail.clone());
        }
        other_benefit::Entity::update_many()
            .set(change)
            .filter(this.clone())
            .filter(
                Condition::any()
                    .add(other_benefit::Column::AmountFrom.is_null())
                    .add(other_benefit::Column::AmountFrom.lte(from)),
            )
            .exec(tx)
            .await?;
    }
    if let Some((last, reason, on)) = f.end {
        other_benefit::Entity::update_many()
            .set(other_benefit::ActiveModel {
                end_month: Set(Some(last)),
                end_reason: Set(Some(reason)),
                ended_on: Set(Some(on)),
                updated_at: Set(kit::clock::now()),
                ..Default::default()
            })
            .filter(this)
            .filter(other_benefit::Column::EndMonth.is_null())
            .exec(tx)
            .await?;
    }
    Ok(())
}

/// `child.registered.v1`: the child's registration (a later one replaces an earlier one).
pub async fn record_child_registered(
    tx: &impl ConnectionTrait,
    e: &Registered,
) -> Result<(), DbErr> {
    let row = child_registration::ActiveModel {
        person_ref: Set(e.person_ref.as_str().to_owned()),
        child_id: Set(e.child_id),
        category: Set(snake(e.category)),
        care_mode: Set(snake(e.care_mode)),
        registered_on: Set(e.registered_on),
    };
    let inserted = child_registration::Entity::insert(row.clone())
        .on_conflict_do_nothing_on([child_registration::Column::PersonRef])
        .exec(tx)
        .await?;
    if !matches!(inserted, TryInsertResult::Inserted(_)) {
        child_registration::Entity::update_many()
            .set(row)
            .filter(child_registration::Column::PersonRef.eq(e.person_ref.as_str()))
            .filter(child_registration::Column::RegisteredOn.lte(e.registered_on))
            .exec(tx)
            .await?;
    }
    Ok(())
}

fn allowance_detail(category: impl Serialize, care_mode: impl Serialize) -> Option<String> {
    Some(format!("{}/{}", snake(category), snake(care_mode)))
}

/// `child.allowance.started.v1`.
pub async fn record_allowance_started(
    tx: &impl ConnectionTrait,
    e: &AllowanceStarted,
) -> Result<(), DbErr> {
    let start = month(e.start_month);
    record(
        tx,
        Fact {
            id: e.allowance_id,
            person_ref: e.person_ref.as_str().to_owned(),
            kind: BenefitKind::ChildAllowance,
            detail: allowance_detail(e.category, e.care_mode),
            start: Some(start),
            amount: Some((e.monthly_amount_fen, start)),
            end: None,
        },
    )
    .await
}

/// `child.allowance.changed.v1`.
pub async fn record_allowance_changed(
    tx: &impl ConnectionTrait,
    e: &AllowanceChanged,
) -> Result<(), DbErr> {
    record(
        tx,
        Fact {
            id: e.allowance_id,
            person_ref: e.person_ref.as_str().to_owned(),
            kind: BenefitKind::ChildAllowance,
            detail: allowance_detail(e.category, e.care_mode),
            start: None,
            amount: Some((e.monthly_amount_fen, month(e.effective_month))),
            end: None,
        },
    )
    .await
}

/// `child.allowance.ended.v1`.
pub async fn record_allowance_ended(
    tx: &impl ConnectionTrait,
    e: &AllowanceEnded,
) -> Result<(), DbErr> {
    record(
        tx,
        Fact {
            id: e.allowance_id,
            person_ref: e.person_ref.as_str().to_owned(),
            kind: BenefitKind::ChildAllowance,
            detail: None,
            start: None,
            amount: None,
            end: Some((month(e.end_month), snake(e.reason), e.ended_on)),
        },
    )
    .await
}

fn subsidy_kind(k: SubsidyKind) -> BenefitKind {
    match k {
        SubsidyKind::Living => BenefitKind::LivingSubsidy,
        SubsidyKind::Nursing => BenefitKind::NursingSubsidy,
    }
}

/// `disability.subsidy.granted.v1`.
pub async fn record_subsidy_granted(
    tx: &impl ConnectionTrait,
    e: &SubsidyGranted,
) -> Result<(), DbErr> {
    let start = month(e.start_month);
    record(
        tx,
        Fact {
            id: e.subsidy_id,
            person_ref: e.person_ref.as_str().to_owned(),
            kind: subsidy_kind(e.kind),
            detail: None,
            start: Some(start),
            amount: Some((e.monthly_amount_fen, start)),
            end: None,
        },
    )
    .await
}

/// `disability.subsidy.changed.v1`.
pub async fn record_subsidy_changed(
    tx: &impl ConnectionTrait,
    e: &SubsidyChanged,
) -> Result<(), DbErr> {
    record(
        tx,
        Fact {
            id: e.subsidy_id,
            person_ref: e.person_ref.as_str().to_owned(),
            kind: subsidy_kind(e.kind),
            detail: None,
            start: None,
            amount: Some((e.monthly_amount_fen, month(e.effective_month))),
            end: None,
        },
    )
    .await
}

/// `disability.subsidy.ended.v1`.
pub async fn record_subsidy_ended(
    tx: &impl ConnectionTrait,
    e: &SubsidyEnded,
) -> Result<(), DbErr> {
    record(
        tx,
        Fact {
            id: e.subsidy_id,
            person_ref: e.person_ref.as_str().to_owned(),
            kind: subsidy_kind(e.kind),
            detail: None,
            start: None,
            amount: None,
            end: Some((month(e.end_month), snake(e.reason), e.ended_on)),
        },
    )
    .await
}

/// A benefit as shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BenefitView {
    pub id: Uuid,
    /// child_allowance, living_subsidy or nursing_subsidy.
    pub kind: String,
    /// For a child allowance: category/care mode.
    pub detail: Option<String>,
    /// starting (from a later month), running or ended (before this month).
    pub status: String,
    pub start_month: Option<String>,
    pub monthly_amount_fen: Option<i64>,
    pub last_month: Option<String>,
    pub end_reason: Option<String>,
}

/// A child-welfare registration as shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChildWelfareView {
    /// orphan or de_facto_unsupported.
    pub category: String,
    /// institutional or family_based.
    pub care_mode: String,
    pub registered_on: NaiveDate,
}

/// A member with what other departments pay them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MemberBenefits {
    pub member_id: Uuid,
    pub relationship: String,
    /// Masked.
    pub id_number: String,
    pub deceased_on: Option<NaiveDate>,
    pub certificate: Option<CertificateView>,
    pub child_welfare: Option<ChildWelfareView>,
    pub benefits: Vec<BenefitView>,
    /// What the member's running benefits pay this month.
    pub other_benefits_monthly_fen: i64,
}

/// The low-income monitoring view of one household.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LowIncomeHouseholdView {
    pub household_id: Uuid,
    pub township_code: String,
    pub village_code: String,
    /// dibao, extreme_poverty, marginal, partner_flagged (empty: not in the population now).
    #[schema(value_type = Vec<String>)]
    pub categories: Vec<LowIncomeCategory>,
    pub members: Vec<MemberBenefits>,
    /// Every member's running benefits from other departments this month.
    pub other_benefits_monthly_fen: i64,
    /// Enrollment reviews asked by certificate facts and not cleared yet.
    pub open_reviews: Vec<ReviewFlagView>,
}

fn benefit_view(b: &other_benefit::Model, now: Month) -> (BenefitView, Benefit) {
    let kind = serde_json::from_value(serde_json::Value::String(b.kind.clone()))
        .unwrap_or(BenefitKind::ChildAllowance);
    let domain = Benefit {
        kind,
        start: b.start_month.and_then(from_yyyymm),
        end: b.end_month.and_then(from_yyyymm),
        monthly_amount: b.monthly_amount_fen.map(Fen),
    };
    let status = if domain.end.is_some_and(|e| e < now) {
        "ended"
    } else if domain.start.is_some_and(|s| s > now) {
        "starting"
    } else {
        "running"
    };
    let view = BenefitView {
        id: b.id,
        kind: b.kind.clone(),
        detail: b.detail.clone(),
        status: status.into(),
        start_month: domain.start.map(|m| m.to_string()),
        monthly_amount_fen: b.monthly_amount_fen,
        last_month: domain.end.map(|m| m.to_string()),
        end_reason: b.end_reason.clone(),
    };
    (view, domain)
}

/// The low-income monitoring view of a household of the caller's division (404 otherwise).
pub async fn household_view(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
) -> Result<LowIncomeHouseholdView, Refusal> {
    let h = household::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|h| who.sees(&h.village_code))
        .ok_or_else(|| Refusal::not_found("no such household in your division"))?;
    let members = member::Entity::find()
        .filter(member::Column::HouseholdId.eq(id))
        .order_by_asc(member::Column::Id)
        .all(db)
        .await?;
    let refs: Vec<String> = members.iter().map(|m| m.person_ref.clone()).collect();
    let benefits = other_benefit::Entity::find()
        .filter(other_benefit::Column::PersonRef.is_in(refs.clone()))
        .order_by_asc(other_benefit::Column::Id)
        .all(db)
        .await?;
    let registrations = child_registration::Entity::find()
        .filter(child_registration::Column::PersonRef.is_in(refs.clone()))
        .all(db)
        .await?;
    let certificates = certificate::Entity::find()
        .filter(certificate::Column::PersonRef.is_in(refs))
        .all(db)
        .await?;
    let severe = crate::commands::reference::severe_disability(db, today())
        .await?
        .single_person_dibao;
    let programmes: Vec<Programme> = enrollment::Entity::find()
        .filter(enrollment::Column::HouseholdId.eq(id))
        .filter(enrollment::Column::Status.is_in(CURRENT))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|e| serde_json::from_value(serde_json::Value::String(e.programme)).ok())
        .collect();
    let flagged = task::Entity::find()
        .filter(task::Column::HouseholdId.eq(id))
        .filter(task::Column::Source.eq("partner_flag"))
        .one(db)
        .await?
        .is_some();
    let open_reviews = review_flag::Entity::find()
        .filter(review_flag::Column::HouseholdId.eq(id))
        .filter(review_flag::Column::Status.eq("open"))
        .order_by_asc(review_flag::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(ReviewFlagView::from)
        .collect();
    let now = Month::of(today());
    let mut total = Fen::ZERO;
    let members = members
        .into_iter()
        .map(|m| {
            let (views, domain): (Vec<BenefitView>, Vec<Benefit>) = benefits
                .iter()
                .filter(|b| b.person_ref == m.person_ref)
                .map(|b| benefit_view(b, now))
                .unzip();
            let own = monthly_total(&domain, now);
            total += own;
            MemberBenefits {
                member_id: m.id,
                relationship: m.relationship.clone(),
                id_number: IdNumber::parse(&m.id_number)
                    .map(|i| i.masked())
                    .unwrap_or_default(),
                deceased_on: m.deceased_on,
                certificate: certificates
                    .iter()
                    .find(|c| c.person_ref == m.person_ref)
                    .map(|c| certificate_view(c, &m.id_number, severe)),
                child_welfare: registrations
                    .iter()
                    .find(|r| r.person_ref == m.person_ref)
                    .map(|r| ChildWelfareView {
                        category: r.category.clone(),
                        care_mode: r.care_mode.clone(),
                        registered_on: r.registered_on,
                    }),
                benefits: views,
                other_benefits_monthly_fen: own.fen(),
            }
        })
        .collect();
    Ok(LowIncomeHouseholdView {
        household_id: h.id,
        township_code: h.township_code,
        village_code: h.village_code,
        categories: categories(&programmes, flagged),
        members,
        other_benefits_monthly_fen: total.fen(),
        open_reviews,
    })
}
