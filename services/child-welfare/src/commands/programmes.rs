//! Programme grants: 福彩圆梦·孤儿助学 at the yearly reference amount, 明天计划 and education aid
//! at the approved cost; once per child, programme and period, by a district approver.

use kit::{Principal, Refusal, Role, audit};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::records::{self, load_visible, not_in_force, today};
use crate::{
    domain::{
        category::word,
        programme::{Applicant, Programme, refusal},
        reference::names,
    },
    store::{certificate, grant},
};

/// A grant as requested.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewGrant {
    /// fucai_dream_education, tomorrow_plan_surgery or education_aid.
    #[schema(value_type = String, example = "education_aid")]
    pub programme: Programme,
    /// Academic year (`2026-2027`) or the year of the operation.
    #[schema(example = "2026-2027")]
    pub period: String,
    /// The approved cost, for 明天计划 and education aid (福彩圆梦 pays the reference amount).
    pub amount_fen: Option<i64>,
    /// Admission notice, medical assessment, approval document…
    pub evidence: String,
}

/// A grant as recorded.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GrantView {
    pub id: Uuid,
    pub programme: String,
    pub period: String,
    pub amount_fen: i64,
    pub granted_on: chrono::NaiveDate,
}

impl From<grant::Model> for GrantView {
    fn from(g: grant::Model) -> Self {
        Self {
            id: g.id,
            programme: g.programme,
            period: g.period,
            amount_fen: g.amount_fen,
            granted_on: g.granted_on,
        }
    }
}

/// Grants a programme to a registered child who may draw it.
pub async fn grant_programme(
    tx: &impl ConnectionTrait,
    who: &Principal,
    child_id: Uuid,
    input: &NewGrant,
) -> Result<GrantView, Refusal> {
    who.require(&[Role::DistrictApprover])?;
    let record = load_visible(tx, who, child_id).await?;
    if record.child.status != "registered" {
        return Err(Refusal::conflict(
            "child-not-registered",
            format!("the child's registration is {}", record.child.status),
        ));
    }
    let period = input.period.trim();
    if period.is_empty() || period.len() > 16 {
        return Err(Refusal::invalid(
            "period",
            "1 to 16 characters, e.g. 2026-2027",
        ));
    }
    if input.evidence.trim().is_empty() {
        return Err(Refusal::invalid("evidence", "required"));
    }
    let certified = certificate::Entity::find_by_id(record.child.person_ref.clone())
        .one(tx)
        .await?
        .is_some_and(|c| c.revoked_on.is_none());
    let schooling = record.schooling();
    let applicant = Applicant {
        category: record.category(),
        schooling: schooling.as_ref(),
        // A disability certificate on record, or the medical assessment cited as evidence.
        disabled: certified || input.programme == Programme::TomorrowPlanSurgery,
    };
    if let Some(why) = refusal(input.programme, &applicant) {
        return Err(Refusal::conflict("not-eligible-for-programme", why).field("programme", why));
    }
    let today = today();
    let amount = match (input.programme, input.amount_fen) {
        (Programme::FucaiDreamEducation, _) => records::reference(tx)
            .await?
            .at(names::FUCAI_DREAM_ANNUAL, today)
            .map_err(not_in_force)?,
        (_, Some(a)) if a > 0 => a,
        _ => {
            return Err(Refusal::invalid(
                "amount_fen",
                "required: the approved cost, above 0",
            ));
        }
    };
    let duplicate = grant::Entity::find()
        .filter(grant::Column::ChildId.eq(child_id))
        .filter(grant::Column::Programme.eq(word(input.programme)))
        .filter(grant::Column::Period.eq(period))
        .one(tx)
        .await?;
    if duplicate.is_some() {
        return Err(Refusal::conflict(
            "grant-exists",
            "this programme was already granted for this period",
        )
        .field("period", "already granted"));
    }
    let model = grant::Model {
        id: Uuid::now_v7(),
        child_id,
        programme: word(input.programme),
        period: period.to_owned(),
        amount_fen: amount,
        evidence: input.evidence.trim().to_owned(),
        granted_by: who.subject.clone(),
        granted_on: today,
        created_at: kit::clock::now(),
    };
    grant::Entity::insert(grant::ActiveModel::from(model.clone()))
        .exec(tx)
        .await?;
    audit::record(
        tx,
        who,
        "grant-programme",
        "child",
        &child_id.to_string(),
        &format!("{} {period}: {amount} fen", model.programme),
    )
    .await?;
    Ok(model.into())
}
