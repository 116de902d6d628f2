//! The bureau's calendar day: deadlines, windows and months turn at Chongqing midnight (UTC+8,
//! no daylight saving), not at UTC midnight.

use chrono::{FixedOffset, NaiveDate, Utc};

/// China Standard Time.
pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("a valid offset")
}

/// Today's date in China Standard Time.
pub fn china_today() -> NaiveDate {
    Utc::now().with_timezone(&china()).date_naive()
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, Utc};

    use super::*;

    #[test]
    fn the_day_turns_eight_hours_before_utc() {
        let now = Utc::now();
        let utc_date = now.date_naive();
        let china_date = (now + Duration::hours(8)).date_naive();
        assert_eq!(china_today(), china_date);
        assert!(china_today() >= utc_date);
    }
}
