//! The procedure's steps up to the township review — acceptance, the investigation with its
//! verification request, the district's home visit, the findings, the review — and the side steps
//! (extension, withdrawal, filing). Each runs the domain transition on the stored aggregate, saves
//! it under its version and appends the transition to the audit trail, in one transaction.

use chrono::NaiveDate;
use contracts::{
    aid::{VerificationCheck, VerificationRequested},
    common::TownshipCode,
};
use kit::{Principal, Refusal, Role, audit, outbox::Outbox};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::commands::actor::{actor_id, actor_of};
use crate::commands::procedure::facts::{HouseholdFacts, Register, alive_on, build_household};
use crate::commands::procedure::submission::ApplicationView;
use crate::commands::procedure::{Loaded, internal, load_for_update, refused, save, step_date};
use crate::commands::reference::{load_calendar, load_parameters};
use crate::domain::actor::Actor;
use crate::domain::application::{Application, ApplicationError, ApplicationEvent, Stage, Status};
use crate::domain::benefit::{Assessment, assess};
use crate::domain::calendar::WorkCalendar;
use crate::domain::household::Household;
use crate::domain::reference::Parameters;
use crate::store::{member, procedure_verification};

/// The calendar and parameters a step computes with.
pub struct Reference {
    pub calendar: WorkCalendar,
    pub parameters: Parameters,
}

impl Reference {
    /// As stored now.
    pub async fn load(db: &impl ConnectionTrait) -> Result<Self, Refusal> {
        Ok(Self {
            calendar: load_calendar(db).await?,
            parameters: load_parameters(db).await?,
        })
    }
}

/// A step's date (default today).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct StepInput {
    /// Date of the step (a paper record entered later); default today, never in the future.
    #[serde(default)]
    pub on: Option<NaiveDate>,
}

/// The outcome of a step: the application after it.
pub struct Stepped {
    pub loaded: Loaded,
    pub event: ApplicationEvent,
    pub reference: Reference,
}

impl Stepped {
    /// The view to answer with.
    pub fn view(&self) -> ApplicationView {
        ApplicationView::of(
            &self.loaded,
            Some((&self.reference.calendar, &self.reference.parameters)),
        )
    }
}

/// Runs one transition on the stored aggregate: role check, division scope, the domain's guards,
/// save under the version, audit entry with the transition as evidence.
pub async fn step(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    roles: &[Role],
    action: &str,
    transition: impl FnOnce(
        &mut Application,
        &Actor,
        &Reference,
        &HouseholdFacts,
    ) -> Result<ApplicationEvent, ApplicationError>,
) -> Result<Stepped, Refusal> {
    who.require(roles)?;
    let mut loaded = load_for_update(tx, who, id).await?;
    let reference = Reference::load(tx).await?;
    let event =
        transition(&mut loaded.app, &actor_of(who), &reference, &loaded.facts).map_err(refused)?;
    loaded.row.version = save(tx, &loaded).await?;
    audit::record(
        tx,
        who,
        action,
        "application",
        &id.to_string(),
        &serde_json::to_string(&event).unwrap_or_default(),
    )
    .await?;
    Ok(Stepped {
        loaded,
        event,
        reference,
    })
}

/// Accepts (受理) the application; the investigation must start within the limit.
pub async fn accept(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    input: &StepInput,
) -> Result<Stepped, Refusal> {
    let on = step_date(input.on)?;
    step(
        tx,
        who,
        id,
        &[
            Role::TownshipClerk,
            Role::TownshipApprover,
            Role::DistrictOfficer,
        ],
        "accept-application",
        |app, actor, r, _| app.accept(actor, on, &r.calendar, &r.parameters),
    )
    .await
}

/// Starting (or, after an objection, restarting) the investigation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InvestigationInput {
    /// Token subjects of the (at least two) staff doing the home visit.
    pub investigators: Vec<String>,
    /// Date the household signed the authorisation for the verification.
    pub authorised_on: NaiveDate,
    /// Data sources to check (default: all).
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    pub checks: Option<Vec<VerificationCheck>>,
    #[serde(default)]
    pub on: Option<NaiveDate>,
}

const ALL_CHECKS: [VerificationCheck; 8] = [
    VerificationCheck::Income,
    VerificationCheck::SocialInsurance,
    VerificationCheck::RealEstate,
    VerificationCheck::Vehicles,
    VerificationCheck::BusinessRegistration,
    VerificationCheck::Deposits,
    VerificationCheck::Securities,
    VerificationCheck::Tax,
];

/// Starts the investigation and requests verification (`aid.verification.requested.v1`); the
/// platform fetches the household's details from the claim-check path in the request.
pub async fn start_investigation(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    id: Uuid,
    input: &InvestigationInput,
) -> Result<Stepped, Refusal> {
    let on = step_date(input.on)?;
    if input.authorised_on > on {
        return Err(Refusal::invalid(
            "authorised_on",
            "the authorisation must be signed before the verification is requested",
        ));
    }
    let checks = match &input.checks {
        Some(c) if c.is_empty() => return Err(Refusal::invalid("checks", "name at least one")),
        Some(c) => c.clone(),
        None => ALL_CHECKS.to_vec(),
    };
    let investigators: Vec<_> = input.investigators.iter().map(|s| actor_id(s)).collect();
    let stepped = step(
        tx,
        who,
        id,
        &[
            Role::TownshipClerk,
            Role::TownshipApprover,
            Role::DistrictOfficer,
        ],
        "start-investigation",
        |app, actor, r, _| {
            app.start_investigation(actor, &investigators, on, &r.calendar, &r.parameters)
        },
    )
    .await?;
    let ApplicationEvent::VerificationRequested { round, .. } = stepped.event else {
        return Err(internal("investigation", "unexpected event"));
    };
    let row = &stepped.loaded.row;
    let reply_by = stepped
        .loaded
        .app
        .deadlines(&stepped.reference.calendar, &stepped.reference.parameters)
        .ok()
        .and_then(|d| d.get(Stage::Decision).map(|d| d.due))
        .unwrap_or(on);
    let size = member::Entity::find()
        .filter(member::Column::HouseholdId.eq(row.household_id))
        .all(tx)
        .await?
        .iter()
        .filter(|m| alive_on(m, on))
        .count();
    let request_id = Uuid::now_v7();
    procedure_verification::Entity::insert(procedure_verification::ActiveModel {
        id: Set(request_id),
        application_id: Set(id),
        household_id: Set(row.household_id),
        township_code: Set(row.township_code.clone()),
        village_code: Set(row.village_code.clone()),
        round: Set(i32::try_from(round).unwrap_or(i32::MAX)),
        requested_on: Set(on),
        reply_by: Set(reply_by),
        outcome: Set(None),
        household_monthly_income_fen: Set(None),
        property_within_limits: Set(None),
        findings: Set("[]".into()),
        completed_on: Set(None),
        member_incomes: Set("[]".into()),
    })
    .exec(tx)
    .await?;
    outbox
        .enqueue(
            tx,
            &VerificationRequested {
                request_id,
                application_id: id,
                household_id: row.household_id,
                household_size: u32::try_from(size).unwrap_or(u32::MAX),
                checks,
                details_path: format!("/v1/verification-requests/{request_id}/household"),
                authorised_on: input.authorised_on,
                township_code: TownshipCode::parse(&row.township_code)
                    .map_err(|e| internal("township", e))?,
                requested_on: on,
                reply_by,
            },
        )
        .await
        .map_err(|e| internal("outbox", e))?;
    Ok(stepped)
}

/// Records the district's own home visit (required for staff-relative cases).
pub async fn record_district_home_visit(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    input: &StepInput,
) -> Result<Stepped, Refusal> {
    let on = step_date(input.on)?;
    step(
        tx,
        who,
        id,
        &[Role::DistrictOfficer, Role::DistrictApprover],
        "record-district-home-visit",
        |app, actor, _, _| app.record_district_home_visit(actor, on),
    )
    .await
}

/// Replaces the investigation's findings (while the case is accepted or under investigation).
pub async fn record_findings(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    expected_version: i32,
    facts: &HouseholdFacts,
) -> Result<ApplicationView, Refusal> {
    who.require(&[
        Role::TownshipClerk,
        Role::TownshipApprover,
        Role::DistrictOfficer,
    ])?;
    let mut loaded = load_for_update(tx, who, id).await?;
    if loaded.row.version != expected_version {
        return Err(Refusal::changed_meanwhile());
    }
    if !matches!(
        loaded.app.status(),
        Status::Accepted | Status::Investigating
    ) {
        return Err(Refusal::conflict(
            "wrong-status",
            "findings are recorded while the application is accepted or under investigation",
        ));
    }
    let members = member::Entity::find()
        .filter(member::Column::HouseholdId.eq(loaded.row.household_id))
        .all(tx)
        .await?;
    facts.validate(&members)?;
    loaded.facts = facts.clone();
    loaded.row.version = save(tx, &loaded).await?;
    audit::record(
        tx,
        who,
        "record-findings",
        "application",
        &id.to_string(),
        &serde_json::to_string(facts).unwrap_or_default(),
    )
    .await?;
    let reference = Reference::load(tx).await?;
    Ok(ApplicationView::of(
        &loaded,
        Some((&reference.calendar, &reference.parameters)),
    ))
}

/// The assessment of the application's claim with the findings and the parameters in force on
/// `on`, and the verification it rests on.
pub async fn assessment(
    db: &impl ConnectionTrait,
    loaded: &Loaded,
    on: NaiveDate,
) -> Result<(Assessment, Option<procedure_verification::Model>, Household), Refusal> {
    let register = Register::load(db, loaded.row.household_id).await?;
    let verification = procedure_verification::latest(db, loaded.row.id).await?;
    let household = build_household(&register, &loaded.facts, verification.as_ref(), on);
    let parameters = load_parameters(db).await?;
    let a = assess(&household, &loaded.app.claim, &parameters, on)
        .map_err(|e| Refusal::conflict("assessment-impossible", e.to_string()))?;
    Ok((a, verification, household))
}

/// Township review (初审): proposes the amount of the assessment made with the findings and the
/// verification answer; refused while the verification is unanswered or was refused.
pub async fn review(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    input: &StepInput,
) -> Result<Stepped, Refusal> {
    let on = step_date(input.on)?;
    let loaded = load_for_update(tx, who, id).await?;
    match procedure_verification::latest(tx, id).await? {
        Some(v) if v.outcome.as_deref() == Some("refused") => {
            return Err(Refusal::conflict(
                "verification-refused",
                "the verification platform could not check the household; reject the application (information_refused) or investigate again",
            ));
        }
        Some(v) if v.outcome.is_some() => {}
        _ => {
            return Err(Refusal::conflict(
                "verification-pending",
                "the verification platform has not answered this investigation's request yet",
            ));
        }
    }
    let (assessed, _, _) = assessment(tx, &loaded, on).await?;
    step(
        tx,
        who,
        id,
        &[Role::TownshipClerk, Role::TownshipApprover],
        "review-application",
        |app, actor, _, _| app.review(actor, on, &assessed),
    )
    .await
}

/// A written reason (extension).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ExtensionInput {
    pub reason: String,
    #[serde(default)]
    pub on: Option<NaiveDate>,
}

/// Extends the overall time limit once, with a written reason.
pub async fn extend(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    input: &ExtensionInput,
) -> Result<Stepped, Refusal> {
    let on = step_date(input.on)?;
    step(
        tx,
        who,
        id,
        &[Role::TownshipApprover, Role::DistrictApprover],
        "extend-time-limit",
        |app, actor, _, _| app.extend_time_limit(actor, on, &input.reason),
    )
    .await
}

/// Records the household's withdrawal.
pub async fn withdraw(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    input: &StepInput,
) -> Result<Stepped, Refusal> {
    let on = step_date(input.on)?;
    step(
        tx,
        who,
        id,
        &[Role::TownshipClerk],
        "withdraw-application",
        |app, actor, _, _| app.withdraw(actor, on),
    )
    .await
}

/// Files the confirmed decision with the district (备案).
pub async fn file(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    input: &StepInput,
) -> Result<Stepped, Refusal> {
    let on = step_date(input.on)?;
    step(
        tx,
        who,
        id,
        &[
            Role::TownshipClerk,
            Role::TownshipApprover,
            Role::DistrictOfficer,
        ],
        "file-decision",
        |app, actor, r, _| app.file(actor, on, &r.calendar, &r.parameters),
    )
    .await
}

/// Actor helper for event handlers: a service acting for an office.
pub fn service_actor(subject: &str, office: crate::domain::actor::Office) -> Actor {
    Actor {
        id: actor_id(subject),
        office,
    }
}
