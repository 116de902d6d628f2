//! The append-only audit trail: who did or read what, when, on what evidence. The database
//! refuses updates and deletes of it (a trigger added by the kit's migration).

use chrono::Utc;
use sea_orm::{ConnectionTrait, DbErr, Statement};
use uuid::Uuid;

use crate::edge::auth::Principal;

/// Appends an entry in the caller's transaction (or on its own when given a connection).
pub async fn record(
    db: &impl ConnectionTrait,
    who: &Principal,
    action: &str,
    resource: &str,
    resource_id: &str,
    detail: &str,
) -> Result<Uuid, DbErr> {
    let id = Uuid::now_v7();
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        "INSERT INTO kit_audit (id, at, actor, role, division, action, resource, resource_id, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        [
            id.into(),
            crate::clock::now().into(),
            who.subject.clone().into(),
            who.role.as_str().into(),
            who.division.as_str().into(),
            action.into(),
            resource.into(),
            resource_id.into(),
            detail.into(),
        ],
    ))
    .await?;
    Ok(id)
}

/// One audit entry.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: Uuid,
    pub at: chrono::DateTime<Utc>,
    pub actor: String,
    pub role: String,
    pub division: String,
    pub action: String,
    pub resource: String,
    pub resource_id: String,
    pub detail: String,
}

/// The entries about one resource, oldest first.
pub async fn for_resource(
    db: &impl ConnectionTrait,
    resource: &str,
    resource_id: &str,
) -> Result<Vec<AuditEntry>, DbErr> {
    db.query_all_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        "SELECT id, at, actor, role, division, action, resource, resource_id, detail FROM kit_audit \
         WHERE resource = $1 AND resource_id = $2 ORDER BY id",
        [resource.into(), resource_id.into()],
    ))
    .await?
    .iter()
    .map(|r| {
        Ok(AuditEntry {
            id: r.try_get("", "id")?,
            at: r.try_get("", "at")?,
            actor: r.try_get("", "actor")?,
            role: r.try_get("", "role")?,
            division: r.try_get("", "division")?,
            action: r.try_get("", "action")?,
            resource: r.try_get("", "resource")?,
            resource_id: r.try_get("", "resource_id")?,
            detail: r.try_get("", "detail")?,
        })
    })
    .collect()
}
