//! Read-only views of the procedure: the benefit assessment with its trail, overdue cases, an
//! application's audit trail, and the claim check the verification platform reads.

use axum::extract::{Path, Query, State};
use chrono::NaiveDate;
use kit::{Principal, Problem, Role, audit, audit::AuditEntry, service::Platform};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::{
    commands::{
        procedure::steps::{Reference, assessment},
        procedure::submission::OPEN_STATUSES,
        procedure::{Loaded, load, today},
    },
    domain::application::list_overdue,
    store::{application, member, procedure_verification},
};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(assessment_view))
        .routes(routes!(overdue))
        .routes(routes!(trail))
        .routes(routes!(verification_household))
}

#[derive(Debug, Deserialize, IntoParams)]
struct OnQuery {
    /// The date whose parameters apply (default today).
    on: Option<NaiveDate>,
}

/// The verification answer next to the declared income.
#[derive(Debug, Serialize, ToSchema)]
struct VerificationView {
    request_id: Uuid,
    round: i32,
    requested_on: NaiveDate,
    reply_by: NaiveDate,
    /// complete, incomplete or refused; absent while unanswered.
    outcome: Option<String>,
    household_monthly_income_fen: Option<i64>,
    property_within_limits: Option<bool>,
    #[schema(value_type = Vec<String>)]
    findings: Value,
    completed_on: Option<NaiveDate>,
    /// The platform's per-member incomes (`person_ref`, `monthly_income_fen`, `employed`); they
    /// replace the registered income items unless the investigators recorded their own.
    #[schema(value_type = Vec<Object>)]
    members: Value,
}

/// The assessment with its trail.
#[derive(Debug, Serialize, ToSchema)]
struct AssessmentView {
    /// Programme, eligibility, reasons, monthly amount and the terms (each signed, in fen).
    #[schema(value_type = Object)]
    assessment: Value,
    /// The trail as text, one line per term, for reading out to the family.
    trail: String,
    /// The income the household declared (after findings), before deductions.
    declared_monthly_income_fen: i64,
    verification: Option<VerificationView>,
}

/// The benefit assessment of the application's claim on a date, with every term.
#[utoipa::path(get, path = "/v1/applications/{id}/assessment", operation_id = "getApplicationAssessment", params(OnQuery), tag = "procedure",
    responses((status = 200, body = AssessmentView), (status = 404, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
async fn assessment_view(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
    Query(q): Query<OnQuery>,
) -> Result<axum::Json<AssessmentView>, Problem> {
    let loaded = load(&p.db, &who, id).await?;
    let on = q.on.unwrap_or_else(today);
    let (a, verification, household) = assessment(&p.db, &loaded, on).await?;
    let declared = household.members.iter().map(|m| m.monthly_income().0).sum();
    Ok(axum::Json(AssessmentView {
        trail: a.trail(),
        assessment: serde_json::to_value(&a).unwrap_or_default(),
        declared_monthly_income_fen: declared,
        verification: verification.map(|v| VerificationView {
            request_id: v.id,
            round: v.round,
            requested_on: v.requested_on,
            reply_by: v.reply_by,
            outcome: v.outcome,
            household_monthly_income_fen: v.household_monthly_income_fen,
            property_within_limits: v.property_within_limits,
            findings: serde_json::from_str(&v.findings).unwrap_or_default(),
            completed_on: v.completed_on,
            members: serde_json::from_str(&v.member_incomes).unwrap_or_default(),
        }),
    }))
}

/// An overdue stage of an application.
#[derive(Debug, Serialize, ToSchema)]
struct OverdueView {
    application_id: Uuid,
    township_code: String,
    village_code: String,
    /// investigation_start, decision or filing.
    stage: String,
    due: NaiveDate,
}

/// Every overdue stage of the open (and confirmed, unfiled) applications in the caller's division,
/// oldest due date first.
#[utoipa::path(get, path = "/v1/applications/overdue", operation_id = "listOverdueApplications", params(OnQuery), tag = "procedure",
    responses((status = 200, body = Vec<OverdueView>), (status = 401, body = Problem)),
    security(("bearer" = [])))]
async fn overdue(
    State(p): State<Platform>,
    who: Principal,
    Query(q): Query<OnQuery>,
) -> Result<axum::Json<Vec<OverdueView>>, Problem> {
    let on = q.on.unwrap_or_else(today);
    let mut statuses = OPEN_STATUSES.to_vec();
    statuses.push("confirmed");
    let rows = application::Entity::find()
        .filter(application::Column::VillageCode.starts_with(who.division.as_str()))
        .filter(application::Column::Status.is_in(statuses))
        .all(&p.db)
        .await?;
    let loaded = rows
        .into_iter()
        .map(Loaded::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let reference = Reference::load(&p.db).await?;
    let list = list_overdue(
        loaded.iter().map(|l| &l.app),
        on,
        &reference.calendar,
        &reference.parameters,
    )
    .map_err(crate::commands::procedure::refused)?;
    Ok(axum::Json(
        list.into_iter()
            .filter_map(|o| {
                let row = &loaded.iter().find(|l| l.app.id == o.application_id)?.row;
                Some(OverdueView {
                    application_id: o.application_id,
                    township_code: row.township_code.clone(),
                    village_code: row.village_code.clone(),
                    stage: crate::commands::procedure::snake(o.stage),
                    due: o.due,
                })
            })
            .collect(),
    ))
}

/// The application's audit trail: every step, who took it, when, and the evidence.
#[utoipa::path(get, path = "/v1/applications/{id}/audit", operation_id = "getApplicationAuditTrail", tag = "procedure",
    responses((status = 200, body = Vec<AuditEntry>), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn trail(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<Vec<AuditEntry>>, Problem> {
    load(&p.db, &who, id).await?;
    Ok(axum::Json(
        audit::for_resource(&p.db, "application", &id.to_string()).await?,
    ))
}

/// A member as the verification platform needs it.
#[derive(Debug, Serialize, ToSchema)]
struct VerifiedMember {
    name: String,
    /// The full ID number (this read is audited).
    id_number: String,
    relationship: String,
}

/// The household of a verification request (claim check): the verification platform reads the
/// names and full ID numbers here instead of on the bus. Service callers only; audited.
#[utoipa::path(get, path = "/v1/verification-requests/{id}/household", operation_id = "getVerificationHousehold", tag = "procedure",
    responses((status = 200, body = Vec<VerifiedMember>), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn verification_household(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<Vec<VerifiedMember>>, Problem> {
    who.require(&[Role::Service])?;
    let request = procedure_verification::Entity::find_by_id(id)
        .one(&p.db)
        .await?
        .filter(|r| who.sees(&r.village_code) && r.outcome.is_none())
        .ok_or_else(|| Problem::not_found("no open verification request with this id"))?;
    audit::record(
        &p.db,
        &who,
        "read-unmasked-id-numbers",
        "verification-request",
        &id.to_string(),
        "",
    )
    .await?;
    let members = member::Entity::find()
        .filter(member::Column::HouseholdId.eq(request.household_id))
        .filter(member::Column::DeceasedOn.is_null())
        .all(&p.db)
        .await?;
    Ok(axum::Json(
        members
            .into_iter()
            .map(|m| VerifiedMember {
                name: m.name,
                id_number: m.id_number,
                relationship: m.relationship,
            })
            .collect(),
    ))
}
