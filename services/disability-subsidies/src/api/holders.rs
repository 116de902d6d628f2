//! `/v1/holders/{person_ref}`: a certificate holder as this service knows them (ID and
//! certificate numbers masked, unmasked only for district officers and then audited), found by
//! person_ref or by ID number; the account they are paid into; re-assessments; work-injury care
//! allowances (人社 data entered by the district).

use axum::{
    Extension,
    extract::{Path, Query, State},
};
use chrono::NaiveDate;
use contracts::{common::Month, disability::SubsidyKind};
use kit::{
    Json, Principal, Problem, Role, audit,
    edge::{idempotency::IdempotencyKey, problem::FieldError},
    identity::IdNumber,
    service::Platform,
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{Created, idempotent};
use crate::{
    commands::{
        applications::{AgentInput, PayeeInput, register_payee},
        cases,
        certificates::{CERTIFICATE_NUMBER, ID_NUMBER, start_reassessment},
        open, open_opt, today,
    },
    domain::months::Stop,
    store::{
        entities::{holder, identity, work_injury},
        sealed::DataKeys,
    },
};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(show))
        .routes(routes!(lookup))
        .routes(routes!(payee))
        .routes(routes!(reassessment))
        .routes(routes!(work_injury_allowance))
}

#[derive(Debug, Deserialize, IntoParams)]
struct ShowQuery {
    /// Show the full ID and certificate numbers (district officers; audited).
    #[serde(default)]
    unmasked: bool,
}

/// A holder as shown.
#[derive(Debug, Serialize, ToSchema)]
struct HolderView {
    person_ref: String,
    /// Masked (`500112********123X`) unless asked for and allowed.
    id_number: Option<String>,
    certificate_number: Option<String>,
    category: Option<String>,
    level: Option<i32>,
    issued_on: Option<NaiveDate>,
    expires_on: Option<NaiveDate>,
    township_code: Option<String>,
    village_code: Option<String>,
    revoked_on: Option<NaiveDate>,
    reassessment_since: Option<NaiveDate>,
}

fn mask(s: &str) -> String {
    let n = s.len();
    if n < 10 {
        "********".to_owned()
    } else {
        format!("{}********{}", &s[..6], &s[n - 4..])
    }
}

/// Reads a certificate holder of the caller's division.
#[utoipa::path(get, path = "/v1/holders/{person_ref}", operation_id = "getHolder", params(ShowQuery), tag = "holders",
    responses((status = 200, body = HolderView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn show(
    State(p): State<Platform>,
    Extension(keys): Extension<DataKeys>,
    who: Principal,
    Path(person_ref): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<axum::Json<HolderView>, Problem> {
    view(&p, &keys, &who, person_ref, q.unmasked).await
}

/// An ID number to find a holder by.
#[derive(Debug, Deserialize, ToSchema)]
struct Lookup {
    id_number: String,
    #[serde(default)]
    unmasked: bool,
}

/// Finds a certificate holder by ID number (sent in the body, never in a URL): the number is
/// turned into its person_ref, the key every record is held under; stored numbers are sealed
/// and never searched.
#[utoipa::path(post, path = "/v1/holder-lookups", operation_id = "lookUpHolder", request_body = Lookup, tag = "holders",
    responses((status = 200, body = HolderView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn lookup(
    State(p): State<Platform>,
    Extension(keys): Extension<DataKeys>,
    who: Principal,
    Json(input): Json<Lookup>,
) -> Result<axum::Json<HolderView>, Problem> {
    let id = IdNumber::parse_entered(&input.id_number, kit::clock::today())
        .map_err(|e| Problem::invalid("id_number", e.to_string()))?;
    let person_ref = p.config.person_ref_key.person_ref(&id).as_str().to_owned();
    view(&p, &keys, &who, person_ref, input.unmasked).await
}

async fn view(
    p: &Platform,
    keys: &DataKeys,
    who: &Principal,
    person_ref: String,
    unmasked: bool,
) -> Result<axum::Json<HolderView>, Problem> {
    let h = holder::Entity::find_by_id(person_ref.clone())
        .one(&p.db)
        .await?
        .filter(|h| {
            h.township_code.as_deref().is_some_and(|t| who.sees(t))
                || who.division.as_str().len() == 6
        })
        .ok_or_else(|| Problem::not_found("no such certificate holder in your division"))?;
    if unmasked {
        who.require(&[Role::DistrictOfficer])?;
        audit::record(
            &p.db,
            who,
            "read-unmasked-id-number",
            "holder",
            &person_ref,
            "",
        )
        .await?;
    }
    let ids = identity::Entity::find_by_id(person_ref.clone())
        .one(&p.db)
        .await?;
    let show = |s: String| if unmasked { s } else { mask(&s) };
    let (id_number, certificate_number) = match ids {
        Some(i) => (
            Some(open(keys, ID_NUMBER, &person_ref, &i.id_number)?),
            open_opt(
                keys,
                CERTIFICATE_NUMBER,
                &person_ref,
                i.certificate_number.as_deref(),
            )?,
        ),
        None => (None, None),
    };
    Ok(axum::Json(HolderView {
        person_ref: h.person_ref,
        id_number: id_number.map(show),
        certificate_number: certificate_number.map(show),
        category: h.category,
        level: h.level,
        issued_on: h.issued_on,
        expires_on: h.expires_on,
        township_code: h.township_code,
        village_code: h.village_code,
        revoked_on: h.revoked_on,
        reassessment_since: h.reassessment_since,
    }))
}

/// The beneficiary's name, the account to pay and the registered agents.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
struct PayeeChange {
    name: String,
    payee: PayeeInput,
    #[serde(default)]
    agents: Vec<AgentInput>,
}

/// Records or replaces the account a holder is paid into (a case opened by the service itself
/// has none until the township records it; held months are paid by the next run). Names and
/// account are sealed at rest; audited.
#[utoipa::path(post, path = "/v1/holders/{person_ref}/payee", operation_id = "setHolderPayee", request_body = PayeeChange, tag = "holders",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 200, description = "Registered", body = PayeeRegistered), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn payee(
    State(p): State<Platform>,
    Extension(keys): Extension<DataKeys>,
    who: Principal,
    key: IdempotencyKey,
    Path(person_ref): Path<String>,
    Json(input): Json<PayeeChange>,
) -> Created {
    who.require(&[Role::TownshipClerk, Role::DistrictOfficer])?;
    let mut errors = Vec::new();
    for (name, value) in [
        ("name", &input.name),
        ("payee.bank_code", &input.payee.bank_code),
        ("payee.account_number", &input.payee.account_number),
        (
            "payee.account_holder_name",
            &input.payee.account_holder_name,
        ),
    ] {
        if value.trim().is_empty() {
            errors.push(FieldError {
                field: name.into(),
                reason: "required".into(),
            });
        }
    }
    if !errors.is_empty() {
        return Err(Problem::invalid_fields(errors));
    }
    idempotent!(p, who, key, &(&person_ref, &input), 200, |tx| {
        holder::Entity::find_by_id(person_ref.clone())
            .one(tx)
            .await?
            .filter(|h| h.township_code.as_deref().is_some_and(|t| who.sees(t)))
            .ok_or_else(|| Problem::not_found("no such certificate holder in your division"))?;
        register_payee(
            tx,
            &keys,
            &who,
            &person_ref,
            &input.name,
            Some(&input.payee),
            &input.agents,
        )
        .await?;
        PayeeRegistered {
            person_ref: person_ref.clone(),
        }
    })
}

/// A registered payee: whose.
#[derive(Debug, Serialize, ToSchema)]
struct PayeeRegistered {
    person_ref: String,
}

/// A recorded work-injury care allowance.
#[derive(Debug, Serialize, ToSchema)]
struct AllowanceRecorded {
    id: Uuid,
    person_ref: String,
}

/// A re-assessment under way.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
struct Reassessment {
    since: NaiveDate,
}

/// Records that the holder's re-assessment is under way: the old grade keeps paying and the
/// expiry does not stop the subsidies until the 残联 reports the outcome.
#[utoipa::path(post, path = "/v1/holders/{person_ref}/reassessment", operation_id = "recordReassessment", request_body = Reassessment, tag = "holders",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 200, body = HolderView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn reassessment(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(person_ref): Path<String>,
    Json(input): Json<Reassessment>,
) -> Created {
    who.require(&[Role::TownshipClerk, Role::TownshipApprover])?;
    if input.since > today() {
        return Err(Problem::invalid("since", "cannot be in the future"));
    }
    idempotent!(p, who, key, &(&person_ref, &input), 200, |tx| {
        let h = holder::Entity::find_by_id(person_ref.clone())
            .one(tx)
            .await?
            .filter(|h| h.township_code.as_deref().is_some_and(|t| who.sees(t)))
            .ok_or_else(|| Problem::not_found("no such certificate holder in your division"))?;
        let updated = start_reassessment(tx, &h.person_ref, input.since)
            .await?
            .ok_or_else(|| {
                Problem::conflict("no-certificate", "the holder has no certificate details")
            })?;
        audit::record(
            tx,
            &who,
            "start-reassessment",
            "holder",
            &person_ref,
            &input.since.to_string(),
        )
        .await?;
        serde_json::json!({ "person_ref": updated.person_ref, "reassessment_since": updated.reassessment_since })
    })
}

/// A work-injury care allowance as 人社 reports it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
struct NewWorkInjuryAllowance {
    id_number: String,
    #[schema(value_type = String)]
    from_month: Month,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    to_month: Option<Month>,
}

/// Records a work-injury care allowance; an open nursing subsidy stops before its first month.
#[utoipa::path(post, path = "/v1/work-injury-care-allowances", operation_id = "recordWorkInjuryAllowance", request_body = NewWorkInjuryAllowance, tag = "holders",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, description = "Recorded", body = AllowanceRecorded), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn work_injury_allowance(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<NewWorkInjuryAllowance>,
) -> Created {
    who.require(&[Role::DistrictOfficer])?;
    let id = IdNumber::parse_entered(&input.id_number, kit::clock::today())
        .map_err(|e| Problem::invalid("id_number", e.to_string()))?;
    if input.to_month.is_some_and(|t| t < input.from_month) {
        return Err(Problem::invalid("to_month", "cannot be before from_month"));
    }
    let person_ref = p.config.person_ref_key.person_ref(&id).as_str().to_owned();
    idempotent!(p, who, key, &input, 201, |tx| {
        let record = Uuid::now_v7();
        work_injury::ActiveModel {
            id: Set(record),
            person_ref: Set(person_ref.clone()),
            from_month: Set(input.from_month.to_string()),
            to_month: Set(input.to_month.map(|m| m.to_string())),
            recorded_by: Set(who.subject.clone()),
            created_at: Set(kit::clock::now()),
        }
        .insert(tx)
        .await?;
        if let Some(case) = cases::open_case(tx, &person_ref, SubsidyKind::Nursing).await? {
            let stop = Stop::WorkInjuryCareAllowance {
                from_month: input.from_month,
            };
            cases::end(tx, &p.outbox, case, stop, today()).await?;
        }
        audit::record(
            tx,
            &who,
            "record-work-injury-care-allowance",
            "person",
            &person_ref,
            "",
        )
        .await?;
        AllowanceRecorded {
            id: record,
            person_ref: person_ref.clone(),
        }
    })
}
