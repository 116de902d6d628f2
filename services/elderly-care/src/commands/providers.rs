//! Contracted service providers that install and run home care beds; a bed is installed only by a
//! provider whose contract covers the installation day.

use chrono::NaiveDate;
use kit::{Principal, Refusal, Role, audit};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::store::provider;

/// A contracted provider.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewProvider {
    pub name: String,
    pub contract_from: NaiveDate,
    pub contract_to: NaiveDate,
}

/// A provider as shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProviderView {
    pub id: Uuid,
    pub name: String,
    pub contract_from: NaiveDate,
    pub contract_to: NaiveDate,
}

impl From<provider::Model> for ProviderView {
    fn from(p: provider::Model) -> Self {
        Self {
            id: p.id,
            name: p.name,
            contract_from: p.contract_from,
            contract_to: p.contract_to,
        }
    }
}

/// Registers a contracted provider (district officers).
pub async fn create_provider(
    tx: &impl ConnectionTrait,
    who: &Principal,
    input: &NewProvider,
) -> Result<ProviderView, Refusal> {
    who.require(&[Role::DistrictOfficer])?;
    if input.name.trim().is_empty() {
        return Err(Refusal::invalid("name", "required"));
    }
    if input.contract_to < input.contract_from {
        return Err(Refusal::invalid("contract_to", "is before contract_from"));
    }
    let saved = provider::Entity::insert(provider::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(input.name.trim().to_owned()),
        contract_from: Set(input.contract_from),
        contract_to: Set(input.contract_to),
        created_at: Set(kit::clock::now()),
    })
    .exec_with_returning(tx)
    .await?;
    audit::record(
        tx,
        who,
        "create-provider",
        "provider",
        &saved.id.to_string(),
        "",
    )
    .await?;
    Ok(saved.into())
}
