//! The bureau's date: Chongqing is UTC+8 all year, and deadlines, yearly limits and ledger dates
//! are counted in local calendar days.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// China Standard Time.
pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("a valid offset")
}

/// Today's date in Chongqing.
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&china()).date_naive()
}

/// The Chongqing date of an instant.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&china()).date_naive()
}
