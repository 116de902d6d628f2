//! `/v1/reminders`: certificate-expiry reminders raised by the comparison (the reminder lead time
//! before the expiry, 6 months as seeded) for the township to call the holder to renew.

use axum::extract::{Query, State};
use chrono::{DateTime, NaiveDate, Utc};
use kit::{Principal, Problem, Role, service::Platform};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::store::entities::reminder;

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new().routes(routes!(list))
}

#[derive(Debug, Deserialize, IntoParams)]
struct ListQuery {
    /// `YYYY-MM`: the comparison month that raised the reminder.
    due_month: Option<String>,
    person_ref: Option<String>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    #[serde(default, deserialize_with = "kit::edge::page::limit_in_range")]
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// A reminder as shown.
#[derive(Debug, Serialize, ToSchema)]
struct ReminderView {
    person_ref: String,
    expires_on: NaiveDate,
    township_code: String,
    due_month: String,
    created_at: DateTime<Utc>,
}

/// A page of reminders; reminders have no UUID, so the cursor is `person_ref|expires_on`.
#[derive(Debug, Serialize, ToSchema)]
struct ReminderPage {
    items: Vec<ReminderView>,
    next_cursor: Option<String>,
}

/// Lists the expiry reminders of the caller's township (all of them for the district).
#[utoipa::path(get, path = "/v1/reminders", operation_id = "listReminders", params(ListQuery), tag = "findings",
    responses((status = 200, body = ReminderPage), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn list(
    State(p): State<Platform>,
    who: Principal,
    Query(q): Query<ListQuery>,
) -> Result<axum::Json<ReminderPage>, Problem> {
    if who.role == Role::VillageStaff {
        return Err(Problem::forbidden("reminders are handled by the township"));
    }
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let mut find = reminder::Entity::find()
        .filter(reminder::Column::TownshipCode.starts_with(who.division.as_str()))
        .order_by_asc(reminder::Column::PersonRef)
        .order_by_asc(reminder::Column::ExpiresOn)
        .limit(limit);
    if let Some(c) = &q.cursor {
        let (person, expires) = c
            .split_once('|')
            .and_then(|(p, e)| Some((p.to_owned(), e.parse::<NaiveDate>().ok()?)))
            .ok_or_else(|| Problem::invalid("cursor", "person_ref|expires_on"))?;
        find = find.filter(
            Condition::any()
                .add(reminder::Column::PersonRef.gt(person.clone()))
                .add(
                    Condition::all()
                        .add(reminder::Column::PersonRef.eq(person))
                        .add(reminder::Column::ExpiresOn.gt(expires)),
                ),
        );
    }
    if let Some(m) = &q.due_month {
        find = find.filter(reminder::Column::DueMonth.eq(m.as_str()));
    }
    if let Some(r) = &q.person_ref {
        find = find.filter(reminder::Column::PersonRef.eq(r.as_str()));
    }
    let items: Vec<ReminderView> = find
        .all(&p.db)
        .await?
        .into_iter()
        .map(|r| ReminderView {
            person_ref: r.person_ref,
            expires_on: r.expires_on,
            township_code: r.township_code,
            due_month: r.due_month,
            created_at: r.created_at,
        })
        .collect();
    let next_cursor = (items.len() as u64 >= limit)
        .then(|| {
            items
                .last()
                .map(|r| format!("{}|{}", r.person_ref, r.expires_on))
        })
        .flatten();
    Ok(axum::Json(ReminderPage { items, next_cursor }))
}
