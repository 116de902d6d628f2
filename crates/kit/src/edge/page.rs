//! Cursor pagination for lists: ids are UUID v7 (time-ordered), so the cursor is the last id of
//! the previous page; no offsets.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// `?cursor=<last id>&limit=<n>`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct PageQuery {
    /// The last id of the previous page.
    pub cursor: Option<Uuid>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<u64>,
}

impl PageQuery {
    /// The page size to query.
    pub fn limit(&self) -> u64 {
        self.limit.unwrap_or(50).clamp(1, 200)
    }
}

/// A page of items and the cursor of the next one (absent on the last page).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<Uuid>,
}

impl<T> Page<T> {
    /// Builds a page from at most `limit` items fetched in id order; `id` reads an item's id.
    pub fn new(items: Vec<T>, limit: u64, id: impl Fn(&T) -> Uuid) -> Self {
        let next_cursor = if items.len() as u64 >= limit {
            items.last().map(&id)
        } else {
            None
        };
        Self { items, next_cursor }
    }
}
