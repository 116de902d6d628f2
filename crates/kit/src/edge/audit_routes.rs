//! `/v1/audit/entries` and `/v1/audit/verification`: this service's audit trail as auditors read
//! it, and whether it is intact (see [`crate::audit`]).

use axum::{
    Json,
    extract::{Query, State},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    KitState,
    auth::{Principal, Role},
    problem::Problem,
};
use crate::audit::{self, Filter, Verification};

pub(super) fn routes() -> OpenApiRouter<KitState> {
    OpenApiRouter::new()
        .routes(routes!(entries))
        .routes(routes!(verification))
}

#[derive(Debug, Deserialize, IntoParams)]
struct EntriesQuery {
    /// Only entries about this kind of record (e.g. `application`, `child`, `case`).
    resource: Option<String>,
    /// Only entries about this record (its id).
    resource_id: Option<String>,
    /// Only entries by this staff member (or service principal).
    actor: Option<String>,
    /// Only entries of this action (e.g. `read-unmasked`, `approve`).
    action: Option<String>,
    /// Entries at or after this instant (RFC 3339).
    since: Option<DateTime<Utc>>,
    /// Entries before this instant (RFC 3339).
    until: Option<DateTime<Utc>>,
    /// Show each entry's text as written, identifiers unmasked (this read is itself audited,
    /// with `reason`).
    #[serde(default)]
    unmasked: bool,
    /// Why the unmasked text is needed (kept on the trail with the read).
    reason: Option<String>,
    /// Cursor: the last id of the previous page.
    cursor: Option<Uuid>,
    /// Page size (1–200, default 50).
    #[serde(default, deserialize_with = "super::page::limit_in_range")]
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// One entry of the trail: who did or read what, on which record, when, on what grounds.
#[derive(Debug, Serialize, ToSchema)]
struct EntryView {
    id: Uuid,
    at: DateTime<Utc>,
    /// The staff member (or the service's own principal for a partner's fact).
    actor: String,
    role: String,
    /// The actor's division.
    division: String,
    #[schema(example = "read-unmasked")]
    action: String,
    /// The kind of record.
    #[schema(example = "application")]
    resource: String,
    /// The record's id.
    resource_id: String,
    /// The grounds or the outcome, as written; identifiers (runs of 11 or more digits) masked
    /// unless `unmasked` was asked.
    detail: String,
    /// The entry's position in the chain; none for the second or so until it is sealed.
    seq: Option<i64>,
}

/// A page of entries, newest first.
#[derive(Debug, Serialize, ToSchema)]
struct EntryPage {
    items: Vec<EntryView>,
    next_cursor: Option<Uuid>,
}

/// The audit trail of actions by staff of the auditor's division, newest first, filtered and
/// paginated. Identifiers in an entry's text are masked unless `unmasked=true`, which is recorded
/// on the trail with its `reason`.
#[utoipa::path(get, path = "/v1/audit/entries", operation_id = "listAuditEntries", params(EntriesQuery), tag = "audit",
    responses((status = 200, body = EntryPage), (status = 401, body = Problem), (status = 403, body = Problem)),
    security(("bearer" = [])))]
async fn entries(
    State(k): State<KitState>,
    who: Principal,
    Query(q): Query<EntriesQuery>,
) -> Result<Json<EntryPage>, Problem> {
    who.require(&[Role::Auditor])?;
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let filter = Filter {
        within: who.division.as_str().to_owned(),
        resource: q.resource.clone(),
        resource_id: q.resource_id.clone(),
        actor: q.actor.clone(),
        action: q.action.clone(),
        since: q.since,
        until: q.until,
        before: q.cursor,
        limit,
    };
    let listed = audit::list(&k.db, &filter).await?;
    if q.unmasked {
        let ids: Vec<String> = listed.iter().map(|l| l.entry.id.to_string()).collect();
        audit::record(
            &k.db,
            &who,
            "read-unmasked",
            "audit",
            "entries",
            &format!(
                "reason={}; entries={}",
                q.reason.as_deref().unwrap_or(""),
                ids.join(",")
            ),
        )
        .await?;
    }
    let next_cursor = (listed.len() as u64 == limit)
        .then(|| listed.last().map(|l| l.entry.id))
        .flatten();
    let items = listed
        .into_iter()
        .map(|l| EntryView {
            detail: if q.unmasked {
                l.entry.detail
            } else {
                audit::mask(&l.entry.detail)
            },
            id: l.entry.id,
            at: l.entry.at,
            actor: l.entry.actor,
            role: l.entry.role,
            division: l.entry.division,
            action: l.entry.action,
            resource: l.entry.resource,
            resource_id: l.entry.resource_id,
            seq: l.seq,
        })
        .collect();
    Ok(Json(EntryPage { items, next_cursor }))
}

/// Checks the whole audit trail: every entry's MAC, the chain from the first entry to the last,
/// no position missing. Names each entry (by id and position) that does not check out; shows no
/// entry's content. The check is itself recorded on the trail.
#[utoipa::path(get, path = "/v1/audit/verification", operation_id = "verifyAuditTrail", tag = "audit",
    responses((status = 200, body = Verification), (status = 401, body = Problem), (status = 403, body = Problem)),
    security(("bearer" = [])))]
async fn verification(
    State(k): State<KitState>,
    who: Principal,
) -> Result<Json<Verification>, Problem> {
    who.require(&[Role::Auditor, Role::DistrictOfficer])?;
    let found = audit::verify(&k.db).await?;
    // Who checked the trail, and what they were shown, is itself on the trail.
    audit::record(
        &k.db,
        &who,
        "verify_audit",
        "audit",
        "trail",
        &format!(
            "intact={} sealed={} problems={}",
            found.intact, found.sealed, found.problem_count
        ),
    )
    .await?;
    if !found.intact {
        tracing::error!(
            problems = found.problem_count,
            "the audit trail does not check out"
        );
    }
    Ok(Json(found))
}
