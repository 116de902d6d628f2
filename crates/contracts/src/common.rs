//! Wire types shared by several contexts: months, person references, division codes, and the
//! identifying numbers only `partner.*` facts carry. Each parses exactly what `schemas/defs.json`
//! accepts, so a schema-valid message always deserialises.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// Why a string is not a valid value of one of the wire types in this module.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} must be {expected}, got {got:?}")]
pub struct ParseError {
    /// The type that refused the value, e.g. `month`.
    pub what: &'static str,
    /// What the type accepts.
    pub expected: &'static str,
    /// The value refused (never an identifying number: those are masked).
    pub got: String,
}

impl ParseError {
    fn new(what: &'static str, expected: &'static str, got: &str) -> Self {
        Self {
            what,
            expected,
            got: got.to_owned(),
        }
    }
}

/// A calendar month, `YYYY-MM` on the wire. Payments, benefit periods and comparisons count in
/// months: "paid from the month after confirmation", "stop from the next month".
///
/// Arithmetic never fails: a month past 9999-12 still exists as a value, but it serialises with
/// five year digits, which the schemas reject, so it can never be published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month {
    /// Months since January of year 0.
    index: i64,
}

impl Month {
    /// The month `month` (1–12) of `year` (0–9999); `None` outside those ranges.
    pub fn new(year: i32, month: u32) -> Option<Self> {
        if !(0..=9999).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        Some(Self {
            index: i64::from(year) * 12 + i64::from(month) - 1,
        })
    }

    /// The month containing `date`.
    pub fn from_date(date: NaiveDate) -> Self {
        Self {
            index: i64::from(date.year()) * 12 + i64::from(date.month0()),
        }
    }

    /// The year, e.g. 2022.
    pub fn year(self) -> i32 {
        // Months are built from i32 years and only moved by `plus`, whose result is clamped.
        i32::try_from(self.index.div_euclid(12)).unwrap_or(i32::MAX)
    }

    /// The month of the year, 1–12.
    pub fn month(self) -> u32 {
        // rem_euclid(12) is 0..=11.
        u32::try_from(self.index.rem_euclid(12)).unwrap_or(0) + 1
    }

    /// The month after this one.
    #[must_use]
    pub fn next(self) -> Self {
        self.plus(1)
    }

    /// The month before this one.
    #[must_use]
    pub fn prev(self) -> Self {
        self.plus(-1)
    }

    /// This month moved by `months` (negative moves back).
    #[must_use]
    pub fn plus(self, months: i64) -> Self {
        let limit = i64::from(i32::MAX) * 12;
        Self {
            index: self.index.saturating_add(months).clamp(-limit, limit),
        }
    }

    /// Months from `self` to `later` (negative when `later` is earlier): 2022-01 to 2022-04 is 3.
    pub fn months_until(self, later: Self) -> i64 {
        later.index - self.index
    }

    /// The first day of the month; `None` only outside chrono's date range.
    pub fn first_day(self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year(), self.month(), 1)
    }

    /// The last day of the month; `None` only outside chrono's date range.
    pub fn last_day(self) -> Option<NaiveDate> {
        self.next().first_day()?.pred_opt()
    }

    /// Whether `date` falls in this month.
    pub fn contains(self, date: NaiveDate) -> bool {
        Self::from_date(date) == self
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

impl FromStr for Month {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseError::new("month", "YYYY-MM with a month 01-12", s);
        let b = s.as_bytes();
        if b.len() != 7 || b[4] != b'-' || !b[..4].iter().chain(&b[5..]).all(u8::is_ascii_digit) {
            return Err(err());
        }
        let year = s[..4].parse().map_err(|_| err())?;
        let month = s[5..].parse().map_err(|_| err())?;
        Self::new(year, month).ok_or_else(err)
    }
}

impl Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Defines a string newtype that accepts exactly what `check` accepts, with serde through
/// `String`, `FromStr`, `as_str`, and `Display` (or a masked `Debug`/`Display` when identifying).
macro_rules! string_newtype {
    ($(#[$doc:meta])* $name:ident, $what:literal, $expected:literal, $check:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        string_newtype!(@impls $name, $what, $expected, $check);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
    (masked $(#[$doc:meta])* $name:ident, $what:literal, $expected:literal, $check:expr) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        string_newtype!(@impls $name, $what, $expected, $check);

        impl $name {
            /// First 6 characters, `********`, last 4: what logs and most screens may show.
            pub fn masked(&self) -> String {
                let n = self.0.len();
                format!("{}********{}", &self.0[..6], &self.0[n - 4..])
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.masked())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.masked())
            }
        }
    };
    (@impls $name:ident, $what:literal, $expected:literal, $check:expr) => {
        impl $name {
            /// Parses a value received on the wire or typed by a caller.
            pub fn parse(s: &str) -> Result<Self, ParseError> {
                let check: fn(&[u8]) -> bool = $check;
                if check(s.as_bytes()) {
                    Ok(Self(s.to_owned()))
                } else {
                    Err(ParseError::new($what, $expected, &masked_if_long(s)))
                }
            }

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = ParseError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = ParseError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

/// Refused values may be ID numbers typed in the wrong field: never echo a long one in full.
fn masked_if_long(s: &str) -> String {
    if s.chars().count() > 12 {
        let head: String = s.chars().take(6).collect();
        format!("{head}…")
    } else {
        s.to_owned()
    }
}

fn digits(b: &[u8], len: usize) -> bool {
    b.len() == len && b.iter().all(u8::is_ascii_digit)
}

fn id_number_shape(b: &[u8]) -> bool {
    b.len() == 18
        && b[..17].iter().all(u8::is_ascii_digit)
        && (b[17].is_ascii_digit() || b[17] == b'X')
}

string_newtype!(
    /// Pseudonymous person reference: the first 16 bytes of HMAC-SHA256(mesh key, normalised ID
    /// number), as 32 lower-case hex characters. Events of the six services name people only by it.
    PersonRef,
    "person_ref",
    "32 lower-case hex characters",
    |b| b.len() == 32 && b.iter().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
);

impl PersonRef {
    /// The reference for an HMAC digest's first 16 bytes (the caller computes the HMAC with the
    /// mesh key; this crate holds no key).
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        use fmt::Write;
        let mut s = String::with_capacity(32);
        for b in bytes {
            // Writing to a String cannot fail.
            let _ = write!(s, "{b:02x}");
        }
        Self(s)
    }
}

string_newtype!(
    /// A township or street (镇街) code: 9 digits, the district code plus 3.
    TownshipCode,
    "township_code",
    "9 digits",
    |b| digits(b, 9)
);

string_newtype!(
    /// A village or community (村/社区) code: 12 digits, the township code plus 3.
    VillageCode,
    "village_code",
    "12 digits",
    |b| digits(b, 12)
);

impl VillageCode {
    /// The township the village belongs to (its first 9 digits).
    pub fn township(&self) -> TownshipCode {
        TownshipCode(self.0[..9].to_owned())
    }
}

string_newtype!(
    /// Any administrative division code: district (6 digits), township (9) or village (12).
    DivisionCode,
    "division_code",
    "6, 9 or 12 digits",
    |b| digits(b, 6) || digits(b, 9) || digits(b, 12)
);

/// Administrative level of a division code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DivisionLevel {
    /// The district (区): 6 digits.
    District,
    /// A township or street (镇街): 9 digits.
    Township,
    /// A village or community (村/社区): 12 digits.
    Village,
}

impl DivisionCode {
    /// District, township or village.
    pub fn level(&self) -> DivisionLevel {
        match self.0.len() {
            6 => DivisionLevel::District,
            9 => DivisionLevel::Township,
            _ => DivisionLevel::Village,
        }
    }

    /// Whether `other` lies within this division (or is it): a code contains every code it
    /// prefixes.
    pub fn contains(&self, other: &DivisionCode) -> bool {
        other.0.starts_with(&self.0)
    }

    /// Whether the code string `other` lies within this division.
    pub fn contains_code(&self, other: &str) -> bool {
        other.starts_with(&self.0)
    }

    /// The enclosing township of a village code (itself for a township, `None` for a district).
    pub fn township(&self) -> Option<DivisionCode> {
        (self.0.len() >= 9).then(|| Self(self.0[..9].to_owned()))
    }

    /// The enclosing district code.
    pub fn district(&self) -> DivisionCode {
        Self(self.0[..6].to_owned())
    }
}

string_newtype!(masked
    /// A resident ID number as a partner sends it: 17 digits and a digit or `X`. Only the shape is
    /// checked here (as the schema does); the domain checks the birth date and check character.
    /// `Debug` and `Display` mask it, so logging a partner fact does not leak it.
    IdNumber,
    "id_number",
    "17 digits and a digit or X",
    id_number_shape
);

/// The GB 11643 check character of the first 17 digits of an ID number
/// (`"10X98765432"[Σ dᵢ·wᵢ mod 11]`); `None` when the input is not 17 ASCII digits.
pub fn id_number_check_char(first17: &str) -> Option<char> {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let bytes = first17.as_bytes();
    if bytes.len() != 17 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = bytes
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    Some(b"10X98765432"[(sum % 11) as usize] as char)
}

impl IdNumber {
    /// Whether the check character matches the first 17 digits (the birth date is the domain's
    /// to check).
    pub fn has_valid_check_char(&self) -> bool {
        id_number_check_char(&self.0[..17]) == self.0[17..].chars().next()
    }

    /// The birth date the number carries (characters 7–14), when it is a real date.
    pub fn birth_date(&self) -> Option<chrono::NaiveDate> {
        chrono::NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").ok()
    }
}

string_newtype!(masked
    /// A disability certificate number (残疾人证号): the holder's ID number, the category digit 1–7,
    /// the level digit 1–4 and an optional re-issue suffix `B<n>`. It contains the ID number, so
    /// `Debug` and `Display` mask it.
    CertificateNumber,
    "certificate_number",
    "an ID number, a category digit 1-7, a level digit 1-4 and an optional B<n>",
    |b| {
        let base = b.len() >= 20
            && id_number_shape(&b[..18])
            && (b'1'..=b'7').contains(&b[18])
            && (b'1'..=b'4').contains(&b[19]);
        let suffix = &b[b.len().min(20)..];
        base && match suffix {
            [] => true,
            [b'B', d] => (b'1'..=b'9').contains(d),
            [b'B', d, e] => (b'1'..=b'9').contains(d) && e.is_ascii_digit(),
            _ => false,
        }
    }
);

impl CertificateNumber {
    /// The holder's ID number (the first 18 characters).
    pub fn id_number(&self) -> IdNumber {
        IdNumber(self.0[..18].to_owned())
    }

    /// The category digit, 1 (visual) to 7 (multiple).
    pub fn category_digit(&self) -> u8 {
        self.0.as_bytes()[18] - b'0'
    }

    /// The level digit, 1 (most severe) to 4.
    pub fn level_digit(&self) -> u8 {
        self.0.as_bytes()[19] - b'0'
    }
}

/// The lines and money of a payment batch that belong to one township.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TownshipTotal {
    /// The township whose recipients these lines pay.
    pub township_code: TownshipCode,
    /// Number of payment lines for the township.
    pub line_count: u64,
    /// Sum of the township's lines in fen.
    pub total_fen: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_parses_prints_and_steps_across_years() {
        let m: Month = "2022-12".parse().unwrap();
        assert_eq!((m.year(), m.month()), (2022, 12));
        assert_eq!(m.next().to_string(), "2023-01");
        assert_eq!(m.next().prev(), m);
        assert_eq!(
            "2022-01".parse::<Month>().unwrap().prev().to_string(),
            "2021-12"
        );
        assert_eq!(m.plus(-12).to_string(), "2021-12");
        assert_eq!(
            Month::new(2022, 1)
                .unwrap()
                .months_until(Month::new(2022, 4).unwrap()),
            3
        );
        assert_eq!(m.last_day(), NaiveDate::from_ymd_opt(2022, 12, 31));
        assert_eq!(
            Month::new(2024, 2).unwrap().last_day(),
            NaiveDate::from_ymd_opt(2024, 2, 29)
        );
        assert!(m.contains(NaiveDate::from_ymd_opt(2022, 12, 5).unwrap()));
        for bad in [
            "2022-13",
            "2022-00",
            "22-01",
            "2022-1",
            "2022/01",
            "２０２２-01",
            "+022-01",
        ] {
            assert!(bad.parse::<Month>().is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn month_past_9999_is_not_four_digits() {
        let last = Month::new(9999, 12).unwrap();
        assert_eq!(last.next().to_string(), "10000-01");
        assert!(last.next().to_string().parse::<Month>().is_err());
    }

    #[test]
    fn person_ref_from_bytes_is_lower_hex() {
        let r = PersonRef::from_bytes([0xab; 16]);
        assert_eq!(r.as_str(), "ab".repeat(16));
        assert!(PersonRef::parse(&"AB".repeat(16)).is_err());
    }

    #[test]
    fn identifying_numbers_are_masked_in_debug_and_errors() {
        let id = IdNumber::parse("500112198001010020").unwrap();
        assert_eq!(format!("{id:?}"), "IdNumber(500112********0020)");
        assert_eq!(id.to_string(), "500112********0020");
        let err = PersonRef::parse("500112198001010020").unwrap_err();
        assert!(!err.to_string().contains("198001010020"), "{err}");
        let cert = CertificateNumber::parse("50011219800101002041B2").unwrap();
        assert_eq!((cert.category_digit(), cert.level_digit()), (4, 1));
        assert_eq!(cert.id_number(), id);
        assert!(!format!("{cert:?}").contains("19800101"));
        for bad in [
            "50011219800101002081",
            "50011219800101002045",
            "500112198001010020",
            "50011219800101002041B0",
        ] {
            assert!(CertificateNumber::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn village_code_knows_its_township() {
        let v = VillageCode::parse("500112016001").unwrap();
        assert_eq!(v.township().as_str(), "500112016");
    }
}
