//! Cursor pagination for lists: ids are UUID v7 (time-ordered), so the cursor is the last id of
//! the previous page; no offsets.

use serde::{Deserialize, Deserializer, Serialize, de::Error as _};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The largest page.
pub const MAX_LIMIT: u64 = 200;

/// `?cursor=<last id>&limit=<n>`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct PageQuery {
    /// The last id of the previous page.
    pub cursor: Option<Uuid>,
    /// Page size, 1–200 (default 50); another number is refused (400 naming `limit`).
    #[serde(default, deserialize_with = "limit_in_range")]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// Serde's `deserialize_with` for an optional page size: refuses one outside 1–200.
pub fn limit_in_range<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    match Option::<u64>::deserialize(d)? {
        Some(n) if !(1..=MAX_LIMIT).contains(&n) => Err(D::Error::custom(format!(
            "limit must be 1 to {MAX_LIMIT}, not {n}"
        ))),
        limit => Ok(limit),
    }
}

impl PageQuery {
    /// The page size to query.
    pub fn limit(&self) -> u64 {
        self.limit.unwrap_or(50).clamp(1, MAX_LIMIT)
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

#[cfg(test)]
mod tests {
    use axum::{extract::Query, http::Uri};

    use super::*;

    fn page(query: &str) -> Result<u64, String> {
        let uri: Uri = format!("/v1/things?{query}").parse().unwrap();
        Query::<PageQuery>::try_from_uri(&uri)
            .map(|q| q.0.limit())
            .map_err(|e| e.body_text())
    }

    #[test]
    fn a_page_size_outside_one_to_two_hundred_is_refused_not_clamped() {
        assert_eq!(page(""), Ok(50));
        assert_eq!(page("limit=1"), Ok(1));
        assert_eq!(page("limit=200"), Ok(200));
        for refused in ["limit=0", "limit=201", "limit=9223372036854775808"] {
            let reason = page(refused).unwrap_err();
            assert!(
                reason.contains("limit must be 1 to 200"),
                "{refused}: {reason}"
            );
        }
        assert!(page("limit=-1").is_err());
    }
}
