//! The date a village or township office is in: China Standard Time (UTC+8), so a publicity that
//! closes on a date stays open until midnight in Chongqing, not in UTC.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// The calendar date in China at the instant `now`.
pub fn date_in_china(now: DateTime<Utc>) -> NaiveDate {
    let cst = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    now.with_timezone(&cst).date_naive()
}

/// Today in China.
pub fn today() -> NaiveDate {
    date_in_china(Utc::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_evening_utc_is_already_the_next_day_in_chongqing() {
        let cases = [
            ("2022-06-05T15:59:59Z", "2022-06-05"),
            ("2022-06-05T16:00:00Z", "2022-06-06"),
            ("2022-06-05T00:00:00Z", "2022-06-05"),
        ];
        for (instant, date) in cases {
            let now: DateTime<Utc> = instant.parse().unwrap();
            assert_eq!(
                date_in_china(now),
                date.parse::<NaiveDate>().unwrap(),
                "{instant}"
            );
        }
    }
}
