//! The register of villages and communities: the township keeps it (code, name, kind, households)
//! and every other record of this service belongs to a registered village.

use kit::{
    Principal, Refusal, Role, audit,
    identity::{DivisionCode, DivisionLevel},
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::required_text;
use crate::{domain::rules::RulesKind, store::villages};

/// A rural village (村) or an urban community (社区).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VillageKind {
    Village,
    Community,
}

impl VillageKind {
    fn as_str(self) -> &'static str {
        match self {
            VillageKind::Village => "village",
            VillageKind::Community => "community",
        }
    }
}

/// What the township registers.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewVillage {
    /// 12-digit village or community code.
    #[schema(example = "500112016001")]
    pub code: String,
    pub name: String,
    pub kind: VillageKind,
    /// Households registered (户数), for the staffing standard.
    pub households: i32,
}

/// A village as shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VillageView {
    pub code: String,
    pub township_code: String,
    pub name: String,
    pub kind: String,
    pub households: i32,
}

impl From<villages::Model> for VillageView {
    fn from(v: villages::Model) -> Self {
        Self {
            code: v.code,
            township_code: v.township_code,
            name: v.name,
            kind: v.kind,
            households: v.households,
        }
    }
}

/// The kind of rules a village adopts: village rules in a village, a residents' convention in a
/// community.
pub fn rules_kind(village: &villages::Model) -> RulesKind {
    if village.kind == "community" {
        RulesKind::ResidentsConvention
    } else {
        RulesKind::VillageRules
    }
}

/// Parses a 12-digit village code from `field`.
pub fn parse_village_code(code: &str, field: &str) -> Result<DivisionCode, Refusal> {
    DivisionCode::parse(code)
        .ok()
        .filter(|c| c.level() == DivisionLevel::Village)
        .ok_or_else(|| Refusal::invalid(field, "must be a 12-digit village or community code"))
}

/// Parses a 9-digit township code from `field`.
pub fn parse_township_code(code: &str, field: &str) -> Result<DivisionCode, Refusal> {
    DivisionCode::parse(code)
        .ok()
        .filter(|c| c.level() == DivisionLevel::Township)
        .ok_or_else(|| Refusal::invalid(field, "must be a 9-digit township code"))
}

/// The registered village `code` if it lies in the caller's division; 404 otherwise (a caller does
/// not learn what exists outside their division). `field` names the input it came from.
pub async fn find_village(
    db: &impl ConnectionTrait,
    who: &Principal,
    code: &str,
    field: &str,
) -> Result<villages::Model, Refusal> {
    parse_village_code(code, field)?;
    villages::Entity::find_by_id(code.to_owned())
        .one(db)
        .await?
        .filter(|v| who.sees(&v.code))
        .ok_or_else(|| {
            Refusal::not_found("no such village registered in your division")
                .field(field, "not a registered village of your division")
        })
}

/// Registers a village of the caller's township (or district).
pub async fn register_village(
    tx: &impl ConnectionTrait,
    who: &Principal,
    input: &NewVillage,
) -> Result<VillageView, Refusal> {
    who.require(&[
        Role::TownshipClerk,
        Role::TownshipApprover,
        Role::DistrictOfficer,
    ])?;
    let code = parse_village_code(&input.code, "code")?;
    who.require_scope(code.as_str())?;
    let name = required_text(&input.name, "name", 64)?;
    if input.households < 0 {
        return Err(Refusal::invalid("households", "cannot be negative"));
    }
    if villages::Entity::find_by_id(code.as_str().to_owned())
        .one(tx)
        .await?
        .is_some()
    {
        return Err(
            Refusal::conflict("village-exists", "this village is already registered")
                .field("code", "already registered"),
        );
    }
    let township = code.township().expect("a village has a township");
    let model = villages::Model {
        code: code.as_str().to_owned(),
        township_code: township.as_str().to_owned(),
        name,
        kind: input.kind.as_str().to_owned(),
        households: input.households,
        created_at: kit::clock::now(),
        version: 1,
    };
    villages::Entity::insert(villages::ActiveModel {
        code: Set(model.code.clone()),
        township_code: Set(model.township_code.clone()),
        name: Set(model.name.clone()),
        kind: Set(model.kind.clone()),
        households: Set(model.households),
        created_at: Set(model.created_at),
        version: Set(1),
    })
    .exec_without_returning(tx)
    .await?;
    audit::record(tx, who, "register-village", "village", &model.code, "").await?;
    Ok(model.into())
}

/// The registered villages within the caller's division, optionally of one township.
pub async fn villages_in_scope(
    db: &impl ConnectionTrait,
    who: &Principal,
    township: Option<&str>,
) -> Result<Vec<villages::Model>, Refusal> {
    let prefix = match township {
        Some(t) => {
            parse_township_code(t, "township_code")?;
            if !who.sees(t) && !who.division.as_str().starts_with(t) {
                return Err(Refusal::forbidden(
                    "the township lies outside your division",
                ));
            }
            t.to_owned()
        }
        None => who.division.as_str().to_owned(),
    };
    Ok(villages::Entity::find()
        .filter(villages::Column::Code.starts_with(&prefix))
        .order_by_asc(villages::Column::Code)
        .all(db)
        .await?
        .into_iter()
        .filter(|v| who.sees(&v.code))
        .collect())
}
