//! The village affairs publicity board (村务公开栏) for aid publicity (公示): a posting shows from
//! its first to its last day; residents may object while it shows; the objector's identity is kept
//! here and shown masked.

use chrono::NaiveDate;
use serde::Serialize;

/// Where a publicity stands on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Window {
    NotYetOpen,
    Open,
    Closed,
}

/// The window of a publicity shown from `opened_on` to `closes_on` inclusive, on `date`.
pub fn window(opened_on: NaiveDate, closes_on: NaiveDate, date: NaiveDate) -> Window {
    if date < opened_on {
        Window::NotYetOpen
    } else if date > closes_on {
        Window::Closed
    } else {
        Window::Open
    }
}

/// A name shown masked: the first character, then `*` for each other one (张** for 张三丰).
pub fn mask_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    match chars.next() {
        None => String::new(),
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
    }
}

/// A phone number shown masked: first 3 and last 4 digits kept when it is long enough.
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.trim().chars().collect();
    if digits.len() < 8 {
        return "*".repeat(digits.len());
    }
    let n = digits.len();
    digits[..3]
        .iter()
        .chain(std::iter::repeat_n(&'*', n - 7))
        .chain(&digits[n - 4..])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_posting_shows_from_its_first_to_its_last_day_inclusive() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let (open, close) = (d("2022-05-30"), d("2022-06-05"));
        let cases = [
            ("2022-05-29", Window::NotYetOpen),
            ("2022-05-30", Window::Open),
            ("2022-06-05", Window::Open),
            ("2022-06-06", Window::Closed),
        ];
        for (date, expected) in cases {
            assert_eq!(window(open, close, d(date)), expected, "{date}");
        }
    }

    #[test]
    fn names_and_phones_are_masked() {
        let cases = [
            (mask_name("张三丰"), "张**"),
            (mask_name("李"), "李"),
            (mask_name(""), ""),
            (mask_phone("13812345678"), "138****5678"),
            (mask_phone("023-67821234"), "023*****1234"),
            (mask_phone("12345"), "*****"),
        ];
        for (got, expected) in cases {
            assert_eq!(got, expected);
        }
    }
}
