//! Temporary assistance (临时救助): a clerk records the request (where the household is registered
//! or where the emergency happened), the township approves within its cap and the district above
//! it; an act-first grant (先行救助) is paid at once from the township's reserve fund and its
//! paperwork falls due some working days later. Publishes `aid.temporary-assistance.granted.v1`.

pub mod clock;
pub mod fund;
pub mod paperwork;
pub mod payee;

use chrono::NaiveDate;
use contracts::{
    aid::TemporaryAssistanceGranted,
    common::{PersonRef, TownshipCode},
};
use kit::{Principal, Refusal, Role, audit, identity::DivisionCode, outbox::Outbox};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::commands::assistance::clock::today;
use crate::commands::assistance::fund::{apply, fund_refused, lock, resume};
use crate::commands::assistance::payee::{GrantPayment, enrollment_payee, payment_without_lines};
use crate::commands::enrollment::Payee;
use crate::commands::reference::{load_calendar, load_parameters};
use crate::{
    commands::actor::actor_of,
    domain::{
        actor::{ActorId, DecisionLevel},
        integrity::{Duty, DutyConflict, Involvement, ensure_independent},
        money::Fen,
        reference::ParameterSet,
        temporary::{
            AppliedAt, EmergencyType, GrantRequest, PastGrant, TemporaryError, approval_tier,
            check_yearly_limit, grant, grant_act_first,
        },
    },
    store::{assistance::grant as row, household, member},
};
use kit::wire::name as snake;

/// A request as the clerk records it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewRequest {
    pub household_id: Uuid,
    /// The member who applies (default: the head of household).
    #[serde(default)]
    pub applicant_member_id: Option<Uuid>,
    /// natural_disaster, fire, accident, serious_illness, education_expense,
    /// sudden_loss_of_income or other.
    #[schema(value_type = String, example = "serious_illness")]
    pub emergency_type: EmergencyType,
    /// registered_place (户籍地) or emergency_place.
    #[schema(value_type = String, example = "registered_place")]
    pub applied_at: AppliedAt,
    /// Amount asked for, in fen.
    pub amount_fen: i64,
    /// Pay at once from the township's reserve fund on approval (within the township cap).
    #[serde(default)]
    pub act_first: bool,
    /// What happened (evidence for the decision).
    pub circumstances: String,
    /// The account a grant without act-first is paid to by the monthly payment batch (not for
    /// act-first grants: those are paid in cash from the reserve fund). Without it, approval
    /// takes the payee of the household's current enrollment, if it has one with an account.
    #[serde(default)]
    pub payee: Option<Payee>,
}

/// A decision on a request.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Decision {
    /// approved or rejected.
    pub outcome: Outcome,
    /// Written reasons; required for a rejection.
    #[serde(default)]
    pub reasons: Option<String>,
}

/// The two outcomes of a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Approved,
    Rejected,
}

/// Completed act-first paperwork.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Paperwork {
    /// Date completed (default today; not in the future).
    #[serde(default)]
    pub completed_on: Option<NaiveDate>,
}

/// A request or grant as shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GrantView {
    pub id: Uuid,
    pub household_id: Uuid,
    pub applicant_member_id: Uuid,
    pub applicant_ref: String,
    pub emergency_type: String,
    pub applied_at: String,
    pub amount_fen: i64,
    pub act_first: bool,
    pub township_code: String,
    pub village_code: String,
    pub circumstances: String,
    /// requested, granted or rejected.
    pub status: String,
    /// The level that approves: township (up to its cap) or district.
    pub tier: String,
    pub recorded_on: NaiveDate,
    pub approved_by: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub rejection_reasons: Option<String>,
    pub paperwork_due: Option<NaiveDate>,
    pub paperwork_completed_on: Option<NaiveDate>,
    pub paperwork_late: bool,
    /// Account holder and the last four digits of the account (grants paid by the bank).
    pub payee: Option<String>,
    /// Where the payee came from: request, enrollment (the household's, at approval) or staff.
    pub payee_source: Option<String>,
    /// How and when the grant was paid (granted only).
    pub payment: Option<GrantPayment>,
    /// For `If-Match` (`PUT …/payee`); the `ETag` of `GET /v1/temporary-assistance/{id}`.
    pub version: i32,
}

impl From<row::Model> for GrantView {
    fn from(m: row::Model) -> Self {
        Self {
            payee: match (&m.payee_name, &m.payee_account) {
                (Some(name), Some(account)) if account.len() >= 4 => {
                    Some(format!("{name} ****{}", &account[account.len() - 4..]))
                }
                _ => None,
            },
            payee_source: m.payee_source.clone(),
            payment: payment_without_lines(&m),
            version: m.version,
            id: m.id,
            household_id: m.household_id,
            applicant_member_id: m.applicant_member_id,
            applicant_ref: m.applicant_ref,
            emergency_type: m.emergency_type,
            applied_at: m.applied_at,
            amount_fen: m.amount_fen,
            act_first: m.act_first,
            township_code: m.township_code,
            village_code: m.village_code,
            circumstances: m.circumstances,
            status: m.status,
            tier: m.tier,
            recorded_on: m.recorded_on,
            approved_by: m.approved_by,
            decided_on: m.decided_on,
            rejection_reasons: m.rejection_reasons,
            paperwork_due: m.paperwork_due,
            paperwork_completed_on: m.paperwork_completed_on,
            paperwork_late: m.paperwork_late,
        }
    }
}

fn parse<T: for<'de> Deserialize<'de>>(s: &str) -> Result<T, Refusal> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|e| {
        tracing::error!(error = %e, "a stored temporary-assistance value does not parse");
        Refusal::internal()
    })
}

/// The aid parameters in force on `on`.
async fn parameters(db: &impl ConnectionTrait, on: NaiveDate) -> Result<ParameterSet, Refusal> {
    load_parameters(db).await?.at(on).map_err(|e| {
        tracing::error!(error = %e, "no parameters in force");
        Refusal::unavailable(e.to_string())
    })
}

/// The domain id of the staff member behind a token subject (the same rule as `actor_of`).
fn actor_id(subject: &str) -> ActorId {
    actor_of(&Principal {
        subject: subject.to_owned(),
        role: Role::DistrictOfficer,
        division: DivisionCode::parse(kit::divisions::YUBEI).expect("the district code"),
    })
    .id
}

/// Grants already made to the household (for the yearly limit).
async fn past_grants(
    db: &impl ConnectionTrait,
    household_id: Uuid,
) -> Result<Vec<PastGrant>, Refusal> {
    row::Entity::find()
        .filter(row::Column::HouseholdId.eq(household_id))
        .filter(row::Column::Status.eq("granted"))
        .all(db)
        .await?
        .into_iter()
        .map(|g| {
            Ok(PastGrant {
                household_id: g.household_id,
                emergency_type: parse(&g.emergency_type)?,
                granted_on: g.decided_on.unwrap_or(g.recorded_on),
            })
        })
        .collect()
}

/// A refusal of the temporary-assistance rules as a problem.
pub(super) fn refused(e: TemporaryError) -> Refusal {
    match e {
        TemporaryError::AmountNotPositive(_) => Refusal::invalid("amount_fen", e.to_string()),
        TemporaryError::YearlyLimitReached { .. } => {
            Refusal::conflict("yearly-limit-reached", e.to_string()).field(
                "emergency_type",
                "the household's yearly limit for this emergency is reached",
            )
        }
        TemporaryError::AboveTownshipCap { .. } => {
            Refusal::forbidden(e.to_string()).field("amount_fen", "above the township cap")
        }
        TemporaryError::ActFirstAboveCap { .. } => Refusal::invalid("amount_fen", e.to_string()),
        TemporaryError::WrongOffice(_) => Refusal::forbidden(e.to_string()),
        TemporaryError::Fund(f) => fund_refused(f),
        TemporaryError::Duty(d) => {
            let kind = match d {
                DutyConflict::EarlierRole { .. } => "separation-of-duties",
                DutyConflict::Relative { .. } => "staff-relative",
            };
            Refusal::conflict(kind, d.to_string())
        }
        TemporaryError::NoPaperworkPending => {
            Refusal::conflict("no-paperwork-pending", e.to_string())
        }
    }
}

/// Records a request; refuses a bad amount, an act-first amount above the township cap, an
/// act-first request for a staff relative's household (the district approves those), and a
/// household that reached its yearly limit for the emergency type.
pub async fn record_request(
    tx: &impl ConnectionTrait,
    who: &Principal,
    input: &NewRequest,
) -> Result<GrantView, Refusal> {
    who.require(&[Role::TownshipClerk, Role::VillageStaff])?;
    let township = who.division.township().ok_or_else(Refusal::internal)?;
    if input.amount_fen <= 0 {
        return Err(Refusal::invalid("amount_fen", "must be above zero"));
    }
    if input.circumstances.trim().is_empty() {
        return Err(Refusal::invalid("circumstances", "required: what happened"));
    }
    if let Some(payee) = &input.payee {
        if input.act_first {
            return Err(Refusal::invalid(
                "payee",
                "an act-first grant is paid in cash from the reserve fund, not by the bank",
            ));
        }
        payee.validate("payee.")?;
    }
    let h = household::Entity::find_by_id(input.household_id)
        .one(tx)
        .await?
        .filter(|h| match input.applied_at {
            // Where registered: the household must lie in the caller's own division.
            AppliedAt::RegisteredPlace => who.sees(&h.village_code),
            // Where the emergency happened: any household of the district, handled here.
            AppliedAt::EmergencyPlace => who.role == Role::TownshipClerk,
        })
        .ok_or_else(|| {
            Refusal::not_found("no such household in your division")
                .field("household_id", "not a household this office handles")
        })?;
    let members = member::Entity::find()
        .filter(member::Column::HouseholdId.eq(h.id))
        .all(tx)
        .await?;
    let applicant = match input.applicant_member_id {
        Some(id) => members.iter().find(|m| m.id == id),
        None => members.iter().find(|m| m.relationship == "head"),
    }
    .filter(|m| m.deceased_on.is_none())
    .ok_or_else(|| {
        Refusal::invalid(
            "applicant_member_id",
            "must be a living member of the household",
        )
    })?;
    let on = today();
    let p = parameters(tx, on).await?;
    let cap = p.temporary_township_cap();
    if input.act_first && Fen(input.amount_fen) > cap {
        return Err(refused(TemporaryError::ActFirstAboveCap {
            amount: Fen(input.amount_fen),
            cap,
        }));
    }
    let relatives = crate::commands::integrity::relatives::lookup(tx, h.id).await?;
    if input.act_first && relatives.is_registered() {
        return Err(Refusal::conflict(
            "staff-relative-needs-district",
            "the household is on the staff-relative register: the district visits and approves, no act-first payment",
        )
        .field("act_first", "not for a staff relative's household"));
    }
    let past = past_grants(tx, h.id).await?;
    check_yearly_limit(&past, h.id, input.emergency_type, on, &p).map_err(refused)?;
    let model = row::Model {
        id: Uuid::now_v7(),
        household_id: h.id,
        applicant_member_id: applicant.id,
        applicant_ref: applicant.person_ref.clone(),
        emergency_type: snake(input.emergency_type),
        applied_at: snake(input.applied_at),
        amount_fen: input.amount_fen,
        act_first: input.act_first,
        township_code: township.as_str().to_owned(),
        village_code: h.village_code.clone(),
        circumstances: input.circumstances.trim().to_owned(),
        status: "requested".into(),
        tier: snake(if relatives.is_registered() {
            DecisionLevel::District
        } else {
            approval_tier(Fen(input.amount_fen), &p)
        }),
        recorded_by: who.subject.clone(),
        recorded_on: on,
        approved_by: None,
        approver: None,
        decided_on: None,
        rejection_reasons: None,
        paperwork_due: None,
        paperwork_completed_on: None,
        paperwork_late: false,
        payee_name: input.payee.as_ref().map(|p| p.name.trim().to_owned()),
        payee_bank: input.payee.as_ref().map(|p| p.bank.trim().to_owned()),
        payee_account: input.payee.as_ref().map(|p| p.account.clone()),
        payee_source: input.payee.as_ref().map(|_| "request".to_owned()),
        payee_returned_on: None,
        version: 1,
        created_at: kit::clock::now(),
    };
    row::Entity::insert(row::ActiveModel::from(model.clone()))
        .exec(tx)
        .await?;
    audit::record(
        tx,
        who,
        "record-temporary-assistance",
        "temporary-assistance",
        &model.id.to_string(),
        &format!(
            "amount_fen={} act_first={} tier={}",
            model.amount_fen, model.act_first, model.tier
        ),
    )
    .await?;
    Ok(model.into())
}

/// A request of the caller's division (the handling township's, or the household's village's).
pub async fn find_visible(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
) -> Result<row::Model, Refusal> {
    row::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|g| who.sees(&g.township_code) || who.sees(&g.village_code))
        .ok_or_else(|| Refusal::not_found("no such temporary assistance in your division"))
}

/// Decides a request: a rejection with written reasons, or an approval by the right tier (for
/// act-first: paid at once from the township's reserve fund, never overdrawing it).
pub async fn decide(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    id: Uuid,
    input: &Decision,
) -> Result<GrantView, Refusal> {
    who.require(&[Role::TownshipApprover, Role::DistrictApprover])?;
    let found = find_visible(tx, who, id).await?;
    // Lock the household's row so two approvals cannot both pass its yearly limit.
    household::Entity::find_by_id(found.household_id)
        .lock_exclusive()
        .one(tx)
        .await?;
    let current = row::Entity::find_by_id(id)
        .one(tx)
        .await?
        .ok_or_else(Refusal::internal)?;
    if current.status != "requested" {
        return Err(Refusal::conflict(
            "already-decided",
            format!("this request was already {}", current.status),
        ));
    }
    let approver = actor_of(who);
    let on = today();
    let p = parameters(tx, on).await?;
    let relatives = crate::commands::integrity::relatives::lookup(tx, current.household_id).await?;
    let request = GrantRequest {
        grant_id: current.id,
        household_id: current.household_id,
        emergency_type: parse(&current.emergency_type)?,
        applied_at: parse(&current.applied_at)?,
        amount: Fen(current.amount_fen),
        township: current.township_code.clone(),
        recorded_by: actor_id(&current.recorded_by),
        staff_relatives: relatives.clone(),
    };
    if relatives.is_registered() && !approver.is_district() {
        return Err(Refusal::forbidden(
            "the household is on the staff-relative register: the district visits and decides",
        ));
    }
    let mut update = row::ActiveModel {
        version: Set(current.version + 1),
        decided_on: Set(Some(on)),
        approver: Set(Some(who.subject.clone())),
        ..Default::default()
    };
    let granted = match input.outcome {
        Outcome::Rejected => {
            let reasons = input
                .reasons
                .as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .ok_or_else(|| {
                    Refusal::invalid("reasons", "a rejection carries written reasons")
                })?;
            // Whoever may approve may reject; the recorder may do neither.
            ensure_independent(
                approver.id,
                Duty::Approval,
                &[Involvement {
                    actor: request.recorded_by,
                    duty: Duty::Submission,
                }],
                &relatives,
            )
            .map_err(|d| refused(TemporaryError::Duty(d)))?;
            if !approver.is_district()
                && approval_tier(request.amount, &p) == DecisionLevel::District
            {
                return Err(refused(TemporaryError::AboveTownshipCap {
                    amount: request.amount,
                    cap: p.temporary_township_cap(),
                }));
            }
            update.status = Set("rejected".into());
            update.rejection_reasons = Set(Some(reasons.to_owned()));
            None
        }
        Outcome::Approved => {
            let past = past_grants(tx, current.household_id).await?;
            let g = if current.act_first {
                let calendar = load_calendar(tx).await?;
                let fund_row = lock(tx, &current.township_code).await?;
                let mut fund = resume(&fund_row);
                let (g, _) =
                    grant_act_first(&request, &approver, on, &past, &mut fund, &calendar, &p)
                        .map_err(refused)?;
                let line = fund.entries().last().ok_or_else(Refusal::internal)?.clone();
                apply(tx, &fund_row, &line, who).await?;
                g
            } else {
                grant(&request, &approver, on, &past, &p)
                    .map_err(refused)?
                    .0
            };
            update.status = Set("granted".into());
            update.approved_by = Set(Some(snake(g.approved_by)));
            update.paperwork_due = Set(g.act_first.map(|w| w.due));
            // Paid by the bank without an account of its own: the household's enrollment's.
            if !current.act_first
                && current.payee_account.is_none()
                && let Some(p) = enrollment_payee(tx, current.household_id).await?
            {
                update.payee_name = Set(Some(p.name));
                update.payee_bank = Set(Some(p.bank));
                update.payee_account = Set(Some(p.account));
                update.payee_source = Set(Some("enrollment".into()));
            }
            Some(g)
        }
    };
    let result = row::Entity::update_many()
        .set(update)
        .filter(row::Column::Id.eq(id))
        .filter(row::Column::Version.eq(current.version))
        .exec(tx)
        .await?;
    if result.rows_affected != 1 {
        return Err(Refusal::changed_meanwhile());
    }
    if let Some(g) = &granted {
        let event = TemporaryAssistanceGranted {
            grant_id: g.id,
            household_id: g.household_id,
            applicant_ref: PersonRef::parse(&current.applicant_ref).map_err(|e| {
                tracing::error!(error = %e, "stored applicant_ref");
                Refusal::internal()
            })?,
            emergency_type: parse(&current.emergency_type)?,
            applied_at: parse(&current.applied_at)?,
            approved_by: parse(&snake(g.approved_by))?,
            act_first: g.act_first.is_some(),
            amount_fen: g.amount.0,
            township_code: TownshipCode::parse(&g.township).map_err(|_| Refusal::internal())?,
            granted_on: g.granted_on,
        };
        outbox.enqueue(tx, &event).await.map_err(|e| {
            tracing::error!(error = %e, "outbox");
            Refusal::internal()
        })?;
    }
    audit::record(
        tx,
        who,
        match input.outcome {
            Outcome::Approved => "approve-temporary-assistance",
            Outcome::Rejected => "reject-temporary-assistance",
        },
        "temporary-assistance",
        &id.to_string(),
        &match &granted {
            Some(g) => format!(
                "level={} amount_fen={} act_first={}",
                snake(g.approved_by),
                g.amount.0,
                g.act_first.is_some()
            ),
            None => input.reasons.clone().unwrap_or_default(),
        },
    )
    .await?;
    Ok(find_visible(tx, who, id).await?.into())
}

/// Requests and grants of the caller's division, oldest first; optionally one status.
pub async fn list(
    db: &impl ConnectionTrait,
    who: &Principal,
    status: Option<&str>,
    cursor: Option<Uuid>,
    limit: u64,
) -> Result<Vec<GrantView>, Refusal> {
    let scope = sea_orm::Condition::any()
        .add(row::Column::TownshipCode.starts_with(who.division.as_str()))
        .add(row::Column::VillageCode.starts_with(who.division.as_str()));
    let mut q = row::Entity::find().filter(scope);
    if let Some(s) = status {
        q = q.filter(row::Column::Status.eq(s));
    }
    if let Some(c) = cursor {
        q = q.filter(row::Column::Id.gt(c));
    }
    Ok(q.order_by_asc(row::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}
