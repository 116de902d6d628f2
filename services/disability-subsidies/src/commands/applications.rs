//! Applications for a subsidy: any township of the district (or, 跨省通办, any window in China)
//! takes it; the township of the 户籍 place reviews; the district approves. Separation of duties:
//! whoever submitted a case cannot review it, and neither can approve it.

use chrono::NaiveDate;
use contracts::{
    common::Month,
    disability::{SubsidyKind, SubsidyOrigin},
};
use kit::{
    Principal, Refusal, Role, audit,
    edge::problem::FieldError,
    identity::{DivisionCode, DivisionLevel, IdNumber, PersonRefKey},
    outbox::Outbox,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, IntoActiveModel,
    sea_query::OnConflict,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{cases, cases::status, facts::Facts, reference, seal, snake, today};
use crate::{
    domain::{eligibility::eligible, months::start_month},
    store::{
        entities::{agent, payee, subsidy},
        sealed::DataKeys,
    },
};

/// The account a subsidy is paid into.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PayeeInput {
    pub bank_code: String,
    pub account_number: String,
    /// The name the bank has for the account; must be the beneficiary's or a registered agent's.
    pub account_holder_name: String,
}

/// A registered agent (guardian, 代领人).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AgentInput {
    pub name: String,
    pub relationship: String,
}

/// What the clerk submits.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewApplication {
    /// 18-character resident ID number of the disabled person.
    pub id_number: String,
    pub name: String,
    /// living or nursing.
    #[schema(value_type = String, example = "living")]
    pub kind: SubsidyKind,
    /// 12-digit village or community of the person, in the township of the 户籍 place.
    pub village_code: String,
    /// Date of submission (default today); never in the future.
    #[serde(default)]
    pub applied_on: Option<NaiveDate>,
    /// Division where the application was received, when a district officer records one taken
    /// elsewhere (online, or another province: 跨省通办). Township clerks receive at their own.
    #[serde(default)]
    pub received_at: Option<String>,
    #[serde(default)]
    pub payee: Option<PayeeInput>,
    #[serde(default)]
    pub agents: Vec<AgentInput>,
}

/// A case as the edge shows it (no personal data beyond the person_ref).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SubsidyView {
    pub id: Uuid,
    pub person_ref: String,
    pub kind: String,
    pub origin: String,
    pub status: String,
    pub township_code: String,
    pub village_code: String,
    pub household_id: Option<Uuid>,
    pub received_at: String,
    pub cross_province: bool,
    pub applied_on: NaiveDate,
    pub start_month: String,
    pub end_month: Option<String>,
    pub end_reason: Option<String>,
    pub rate_level: i32,
    pub monthly_amount_fen: i64,
    pub reviewed_by: Option<String>,
    pub decided_by: Option<String>,
    pub decision_reason: Option<String>,
    pub version: i32,
}

impl From<subsidy::Model> for SubsidyView {
    fn from(s: subsidy::Model) -> Self {
        Self {
            id: s.id,
            person_ref: s.person_ref,
            kind: s.kind,
            origin: s.origin,
            status: s.status,
            township_code: s.township_code,
            village_code: s.village_code,
            household_id: s.household_id,
            received_at: s.received_at,
            cross_province: s.cross_province,
            applied_on: s.applied_on,
            start_month: s.start_month,
            end_month: s.end_month,
            end_reason: s.end_reason,
            rate_level: s.rate_level,
            monthly_amount_fen: s.monthly_amount_fen,
            reviewed_by: s.reviewed_by,
            decided_by: s.decided_by,
            decision_reason: s.decision_reason,
            version: s.version,
        }
    }
}

fn field(field: &str, reason: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        reason: reason.into(),
    }
}

/// The sealed columns of payees and agents.
pub mod sealed_columns {
    pub const PAYEE_NAME: &str = "payees.name";
    pub const PAYEE_ACCOUNT: &str = "payees.account_number";
    pub const PAYEE_HOLDER: &str = "payees.account_holder_name";
    pub const AGENT_NAME: &str = "agents.name";
}
use sealed_columns::{AGENT_NAME, PAYEE_ACCOUNT, PAYEE_HOLDER, PAYEE_NAME};

/// Records the payee and agents of a person (replacing the account; agents are added); names and
/// the account are sealed.
pub async fn register_payee(
    db: &impl ConnectionTrait,
    keys: &DataKeys,
    who: &Principal,
    person_ref: &str,
    name: &str,
    account: Option<&PayeeInput>,
    agents: &[AgentInput],
) -> Result<(), Refusal> {
    let sealed = |column, v: &str| seal(keys, column, person_ref, v.trim());
    payee::Entity::insert(payee::ActiveModel {
        person_ref: Set(person_ref.to_owned()),
        name: Set(sealed(PAYEE_NAME, name)),
        bank_code: Set(account.map(|a| a.bank_code.trim().to_owned())),
        account_number: Set(account.map(|a| sealed(PAYEE_ACCOUNT, &a.account_number))),
        account_holder_name: Set(account.map(|a| sealed(PAYEE_HOLDER, &a.account_holder_name))),
        updated_at: Set(kit::clock::now()),
        version: Set(1),
    })
    .on_conflict(
        OnConflict::column(payee::Column::PersonRef)
            .update_columns([
                payee::Column::Name,
                payee::Column::BankCode,
                payee::Column::AccountNumber,
                payee::Column::AccountHolderName,
                payee::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec(db)
    .await?;
    for a in agents {
        let id = Uuid::now_v7();
        agent::ActiveModel {
            id: Set(id),
            person_ref: Set(person_ref.to_owned()),
            name: Set(seal(keys, AGENT_NAME, &id.to_string(), a.name.trim())),
            relationship: Set(a.relationship.trim().to_owned()),
            registered_by: Set(who.subject.clone()),
            created_at: Set(kit::clock::now()),
        }
        .insert(db)
        .await?;
    }
    audit::record(
        db,
        who,
        "register-payee",
        "person",
        person_ref,
        "account and agents",
    )
    .await?;
    Ok(())
}

/// Validates and records an application; refuses what can never be granted with the reason.
pub async fn submit_application(
    db: &impl ConnectionTrait,
    key: &PersonRefKey,
    keys: &DataKeys,
    who: &Principal,
    input: &NewApplication,
) -> Result<SubsidyView, Refusal> {
    who.require(&[Role::TownshipClerk, Role::DistrictOfficer])?;
    let mut errors = Vec::new();
    let id = IdNumber::parse_entered(&input.id_number, kit::clock::today())
        .map_err(|e| errors.push(field("id_number", e.to_string())))
        .ok();
    if input.name.trim().is_empty() {
        errors.push(field("name", "required"));
    }
    let village = DivisionCode::parse(&input.village_code).ok().filter(|c| {
        c.level() == DivisionLevel::Village && c.as_str().starts_with(kit::divisions::YUBEI)
    });
    if village.is_none() {
        errors.push(field(
            "village_code",
            "must be a 12-digit village or community code of the district",
        ));
    }
    let today = today();
    let applied_on = input.applied_on.unwrap_or(today);
    if applied_on > today {
        errors.push(field("applied_on", "cannot be in the future"));
    }
    let received_at = match (&input.received_at, who.role) {
        (None, _) => Some(who.division.clone()),
        (Some(r), Role::DistrictOfficer) => {
            let parsed = DivisionCode::parse(r).ok();
            if parsed.is_none() {
                errors.push(field(
                    "received_at",
                    "must be a 6, 9 or 12-digit division code",
                ));
            }
            parsed
        }
        (Some(_), _) => {
            errors.push(field(
                "received_at",
                "a township receives applications at its own office",
            ));
            None
        }
    };
    if let Some(p) = &input.payee {
        for (name, value) in [
            ("payee.bank_code", &p.bank_code),
            ("payee.account_number", &p.account_number),
            ("payee.account_holder_name", &p.account_holder_name),
        ] {
            if value.trim().is_empty() {
                errors.push(field(name, "required"));
            }
        }
    }
    let (Some(id), Some(village), Some(received_at)) = (id, village, received_at) else {
        return Err(Refusal::invalid_fields(errors));
    };
    if !errors.is_empty() {
        return Err(Refusal::invalid_fields(errors));
    }
    let person_ref = key.person_ref(&id).as_str().to_owned();
    let facts = Facts::load(db, &person_ref).await?;
    let Some(cert) = facts.certificate.clone() else {
        return Err(Refusal::conflict(
            "no-certificate",
            "the 残联 has no certificate on record for this person",
        )
        .field("id_number", "no certificate on record"));
    };
    if !facts.registered_here() {
        return Err(Refusal::conflict(
            "registered-elsewhere",
            "the 户籍 place outside this district reviews and pays; forward the application there",
        )
        .field("id_number", "registered outside the district"));
    }
    let township = village.township().expect("a village has a township");
    if let Some(own) = facts
        .holder
        .as_ref()
        .and_then(|h| h.township_code.as_deref())
        && own != township.as_str()
    {
        return Err(Refusal::invalid(
            "village_code",
            format!("must lie in the 户籍 township {own}"),
        ));
    }
    if cases::open_case(db, &person_ref, input.kind)
        .await?
        .is_some()
    {
        return Err(Refusal::conflict(
            "open-subsidy-exists",
            "this person already has an open case for this subsidy",
        )
        .field("kind", "already open"));
    }
    let rules = reference::rules(db, applied_on).await?;
    let application_month = Month::from_date(applied_on);
    let since = match input.kind {
        SubsidyKind::Living => facts
            .dibao(application_month)
            .and_then(|d| d.start_month.as_deref().and_then(|m| m.parse().ok())),
        SubsidyKind::Nursing => None,
    };
    let start = start_month(
        application_month,
        Month::from_date(cert.issued_on),
        since,
        rules.back_pay_max_months,
    );
    if let Err(why) = eligible(input.kind, &facts.situation(start), start, &rules) {
        return Err(Refusal::conflict("not-eligible", why.to_string()).field("kind", why.code()));
    }
    register_payee(
        db,
        keys,
        who,
        &person_ref,
        &input.name,
        input.payee.as_ref(),
        &input.agents,
    )
    .await?;
    let case = cases::insert(
        db,
        cases::NewCase {
            person_ref: person_ref.clone(),
            kind: input.kind,
            origin: SubsidyOrigin::Application,
            township_code: township.as_str().to_owned(),
            village_code: village.as_str().to_owned(),
            household_id: facts
                .dibao(start)
                .map(|d| d.household_id)
                .filter(|_| input.kind == SubsidyKind::Living),
            cross_province: !received_at.as_str().starts_with("50"),
            received_at: received_at.as_str().to_owned(),
            applied_on,
            start_month: start,
            rate_level: cert.level,
            submitted_by: who.subject.clone(),
        },
    )
    .await?;
    audit::record(
        db,
        who,
        "submit-subsidy-application",
        "subsidy",
        &case.id.to_string(),
        &format!(
            "{} from {start}, received at {}",
            snake(input.kind),
            received_at
        ),
    )
    .await?;
    Ok(case.into())
}

/// A review or approval decision.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Decision {
    pub approve: bool,
    /// Required when refusing: the written reason.
    #[serde(default)]
    pub reason: Option<String>,
}

async fn load_for(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    version: i32,
) -> Result<subsidy::Model, Refusal> {
    let case = subsidy::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|c| who.sees(&c.township_code))
        .ok_or_else(|| Refusal::not_found("no such subsidy case in your division"))?;
    if case.version != version {
        return Err(Refusal::changed_meanwhile());
    }
    Ok(case)
}

fn refusal_reason(d: &Decision) -> Result<Option<String>, Refusal> {
    match d.reason.as_deref().map(str::trim) {
        _ if d.approve => Ok(d.reason.clone()),
        Some(r) if !r.is_empty() => Ok(Some(r.to_owned())),
        _ => Err(Refusal::invalid(
            "reason",
            "a refusal carries its written reason",
        )),
    }
}

async fn reject(
    db: &impl ConnectionTrait,
    who: &Principal,
    case: subsidy::Model,
    reason: Option<String>,
) -> Result<subsidy::Model, Refusal> {
    let version = case.version;
    let mut a = case.into_active_model();
    a.status = Set(status::REJECTED.to_owned());
    a.open_key = Set(None);
    a.decided_by = Set(Some(who.subject.clone()));
    a.decided_on = Set(Some(today()));
    a.decision_reason = Set(reason);
    a.version = Set(version + 1);
    Ok(a.update(db).await?)
}

/// The township of the 户籍 place reviews an application.
pub async fn review(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    version: i32,
    d: &Decision,
) -> Result<SubsidyView, Refusal> {
    who.require(&[Role::TownshipClerk, Role::TownshipApprover])?;
    let case = load_for(db, who, id, version).await?;
    if case.status != status::APPLIED {
        return Err(Refusal::conflict(
            "not-awaiting-review",
            format!("the case is {}", case.status),
        ));
    }
    if case.submitted_by == who.subject {
        return Err(Refusal::forbidden(
            "whoever submitted a case cannot review it",
        ));
    }
    let reason = refusal_reason(d)?;
    let updated = if d.approve {
        let version = case.version;
        let mut a = case.into_active_model();
        a.status = Set(status::REVIEWED.to_owned());
        a.reviewed_by = Set(Some(who.subject.clone()));
        a.reviewed_on = Set(Some(today()));
        a.decision_reason = Set(reason);
        a.version = Set(version + 1);
        a.update(db).await?
    } else {
        reject(db, who, case, reason).await?
    };
    let action = if d.approve {
        "review-subsidy-approve"
    } else {
        "review-subsidy-reject"
    };
    audit::record(
        db,
        who,
        action,
        "subsidy",
        &id.to_string(),
        d.reason.as_deref().unwrap_or(""),
    )
    .await?;
    Ok(updated.into())
}

/// The district approves (granting, with its event) or refuses a reviewed application.
pub async fn approve(
    db: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    id: Uuid,
    version: i32,
    d: &Decision,
) -> Result<SubsidyView, Refusal> {
    who.require(&[Role::DistrictApprover])?;
    let case = load_for(db, who, id, version).await?;
    if case.status != status::REVIEWED {
        return Err(Refusal::conflict(
            "not-awaiting-approval",
            format!("the case is {}", case.status),
        ));
    }
    if case.submitted_by == who.subject || case.reviewed_by.as_deref() == Some(who.subject.as_str())
    {
        return Err(Refusal::forbidden(
            "whoever submitted or reviewed a case cannot approve it",
        ));
    }
    let reason = refusal_reason(d)?;
    let updated = if d.approve {
        let facts = Facts::load(db, &case.person_ref).await?;
        let start: Month = case.start_month.parse().map_err(|_| Refusal::internal())?;
        let rules = reference::rules(db, today()).await?;
        if let Err(why) = eligible(
            cases::kind_of(&case),
            &facts.situation(start),
            start,
            &rules,
        ) {
            return Err(
                Refusal::conflict("not-eligible", why.to_string()).field("approve", why.code())
            );
        }
        cases::grant(db, outbox, case, &who.subject, today()).await?
    } else {
        reject(db, who, case, reason).await?
    };
    let action = if d.approve {
        "approve-subsidy"
    } else {
        "refuse-subsidy"
    };
    audit::record(
        db,
        who,
        action,
        "subsidy",
        &id.to_string(),
        d.reason.as_deref().unwrap_or(""),
    )
    .await?;
    Ok(updated.into())
}
