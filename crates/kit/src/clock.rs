//! The bureau's clock. Business time — the day deadlines, months, ages and payment runs turn — is
//! read here, never from `Utc::now()`, so that tests and rehearsals can set the day the mesh
//! lives on (`MESH_CLOCK`). Days turn at Chongqing midnight (UTC+8, no daylight saving).
//!
//! A set clock keeps running: it is the real clock shifted by a fixed offset, so timestamps still
//! order and deadlines still pass. Technical time (token expiry, relay health, retention of
//! delivered rows) stays on the real clock.

use std::{
    cell::Cell,
    sync::{
        OnceLock,
        atomic::{AtomicI64, Ordering},
    },
};

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeDelta, Utc};

/// The configuration variable that sets the clock: a day (`2028-02-29`, taken at 10:00 China
/// time) or an instant (`2026-12-31T07:30:00+08:00`).
pub const VARIABLE: &str = "MESH_CLOCK";

/// China Standard Time.
pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("a valid offset")
}

/// The business instant now.
pub fn now() -> DateTime<Utc> {
    let real = Utc::now();
    real + TimeDelta::milliseconds(offset_ms())
}

/// Today's date in China Standard Time, on the business clock.
pub fn today() -> NaiveDate {
    now().with_timezone(&china()).date_naive()
}

/// The bureau's calendar day of an instant.
pub fn day_of(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&china()).date_naive()
}

/// Reads a clock setting: a day (at 10:00 China time, far from both midnights) or an RFC 3339
/// instant.
pub fn parse_setting(value: &str) -> Result<DateTime<Utc>, String> {
    let value = value.trim();
    if let Ok(day) = NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        return Ok(at_ten(day));
    }
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("{value}: expected a day (2028-02-29) or an RFC 3339 instant"))
}

/// Sets the clock of this process so that it reads `at` now (a service's `MESH_CLOCK`).
pub fn set(at: DateTime<Utc>) {
    process().store((at - Utc::now()).num_milliseconds(), Ordering::SeqCst);
}

/// Sets the clock of the calling thread only, before the process-wide one. Tests pin the day
/// they mean with it (see `kit::testing::set_today`): a `#[tokio::test]` runs the service under
/// test on its own thread, so tests running side by side in one process keep their own days.
pub fn pin_thread(at: DateTime<Utc>) {
    PINNED.with(|p| p.set(Some((at - Utc::now()).num_milliseconds())));
}

/// `day` at 10:00 China time.
pub fn at_ten(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::from_hms_opt(10, 0, 0).expect("a valid time"))
        .and_local_timezone(china())
        .single()
        .expect("China time has no gaps")
        .with_timezone(&Utc)
}

thread_local! {
    static PINNED: Cell<Option<i64>> = const { Cell::new(None) };
}

fn offset_ms() -> i64 {
    PINNED
        .with(Cell::get)
        .unwrap_or_else(|| process().load(Ordering::SeqCst))
}

/// The process-wide offset, first taken from `MESH_CLOCK` in the environment (so that a whole
/// test run, its test processes and the services they start, can be moved to another day).
fn process() -> &'static AtomicI64 {
    static OFFSET: OnceLock<AtomicI64> = OnceLock::new();
    OFFSET.get_or_init(|| {
        let offset = match std::env::var(VARIABLE) {
            Ok(v) if !v.trim().is_empty() => {
                let at = parse_setting(&v).unwrap_or_else(|e| panic!("{VARIABLE}: {e}"));
                (at - Utc::now()).num_milliseconds()
            }
            _ => 0,
        };
        AtomicI64::new(offset)
    })
}

#[cfg(test)]
mod tests {
    use chrono::{Datelike, Timelike};

    use super::*;

    #[test]
    fn a_day_setting_starts_at_ten_in_china_and_an_instant_is_taken_as_given() {
        let ten = parse_setting("2028-02-29").unwrap();
        assert_eq!(ten.to_rfc3339(), "2028-02-29T02:00:00+00:00");
        let early = parse_setting("2026-12-31T07:30:00+08:00").unwrap();
        // At 07:30 in Chongqing the UTC date is still the day before; the bureau's is not.
        assert_eq!((early.date_naive().day(), day_of(early).day()), (30, 31));
        assert!(parse_setting("2026-02-30").is_err());
        assert!(parse_setting("tomorrow").is_err());
    }

    #[test]
    fn a_pinned_thread_reads_its_day_and_the_clock_keeps_running() {
        let day = NaiveDate::from_ymd_opt(2028, 2, 29).unwrap();
        pin_thread(at_ten(day));
        assert_eq!(today(), day);
        let first = now();
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert!(now() > first);
        assert_eq!(now().with_timezone(&china()).hour(), 10);
        // Another thread pins its own day; this thread keeps its.
        let new_year = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        let other = std::thread::spawn(move || {
            pin_thread(at_ten(new_year));
            today()
        });
        assert_eq!((other.join().unwrap(), today()), (new_year, day));
    }
}
