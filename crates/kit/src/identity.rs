//! Identity plumbing every service shares: GB 11643 ID numbers, their masked form, the mesh-wide
//! pseudonym `person_ref`, and division codes (district 6 digits, township 9, village 12).

use std::fmt;

use chrono::{Datelike, NaiveDate};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// Why a string is not a valid ID number; each variant is a reason a clerk can read out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("must be 18 characters, got {0}")]
    Length(usize),
    #[error("the first 17 characters must be digits and the last a digit or X")]
    Characters,
    #[error("the birth date {0} is not a real date")]
    BirthDate(String),
    #[error("the check character should be {expected}, got {found}")]
    Checksum { expected: char, found: char },
    #[error("the birth date {0} is after today")]
    BornLater(NaiveDate),
}

/// A resident ID number (GB 11643), parsed: 18 characters, real birth date, valid check character.
/// Stored upper-case; `Debug` and `Display` never show it in full.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdNumber(String);

impl IdNumber {
    /// Parses and normalises (trims, upper-cases a trailing `x`).
    pub fn parse(raw: &str) -> Result<Self, IdNumberError> {
        let s = raw.trim().to_ascii_uppercase();
        let len = s.chars().count();
        if len != 18 {
            return Err(IdNumberError::Length(len));
        }
        let bytes = s.as_bytes();
        if !bytes[..17].iter().all(u8::is_ascii_digit)
            || !(bytes[17].is_ascii_digit() || bytes[17] == b'X')
        {
            return Err(IdNumberError::Characters);
        }
        let birth = &s[6..14];
        let date = NaiveDate::parse_from_str(birth, "%Y%m%d")
            .map_err(|_| IdNumberError::BirthDate(birth.to_owned()))?;
        if date.year_ce().1 < 1900 {
            return Err(IdNumberError::BirthDate(birth.to_owned()));
        }
        let expected =
            contracts::common::id_number_check_char(&s[..17]).ok_or(IdNumberError::Characters)?;
        let found = bytes[17] as char;
        if expected != found {
            return Err(IdNumberError::Checksum { expected, found });
        }
        Ok(Self(s))
    }

    /// Parses a number entered on `today` (at an edge, or in a partner's fact): whoever it names
    /// was born by then.
    pub fn parse_entered(raw: &str, today: NaiveDate) -> Result<Self, IdNumberError> {
        let id = Self::parse(raw)?;
        let born = id.birth_date();
        if born > today {
            return Err(IdNumberError::BornLater(born));
        }
        Ok(id)
    }

    /// The full number, for the few places that must hold it (encrypted storage, partner feeds).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// First 6 + `********` + last 4, as shown to roles that do not need the full number.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }

    /// The birth date encoded in the number.
    pub fn birth_date(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").expect("checked in parse")
    }

    /// The 6-digit division code of the place the number was issued.
    pub fn division_prefix(&self) -> &str {
        &self.0[..6]
    }

    /// Sex digit: odd for male.
    pub fn is_male(&self) -> bool {
        (self.0.as_bytes()[16] - b'0') % 2 == 1
    }
}

impl TryFrom<String> for IdNumber {
    type Error = IdNumberError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<IdNumber> for String {
    fn from(value: IdNumber) -> Self {
        value.0
    }
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// The mesh's HMAC key for `person_ref`. Every service holds the same key (mesh configuration), so
/// each computes the same reference from an ID number it legitimately holds.
#[derive(Clone)]
pub struct PersonRefKey(Vec<u8>);

impl PersonRefKey {
    /// A key from raw bytes; at least 16 bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, &'static str> {
        let bytes = bytes.into();
        if bytes.len() < 16 {
            return Err("the person_ref key must be at least 16 bytes");
        }
        Ok(Self(bytes))
    }

    /// `person_ref` = first 16 bytes of HMAC-SHA256(key, normalised ID number), lower-case hex.
    pub fn person_ref(&self, id: &IdNumber) -> PersonRef {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(id.expose().as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut first16 = [0u8; 16];
        first16.copy_from_slice(&digest[..16]);
        PersonRef::from_bytes(first16)
    }
}

impl fmt::Debug for PersonRefKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PersonRefKey(..)")
    }
}

/// The pseudonymous reference to a person, and division codes (district 6 digits, township 9,
/// village 12, each containing the codes it prefixes): the mesh's one pair of types, defined with
/// the wire contract and used unchanged by every service.
pub use contracts::common::{DivisionCode, DivisionLevel, PersonRef};

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a valid number from 17 digits by computing its check character.
    fn with_check(first17: &str) -> String {
        format!(
            "{first17}{}",
            contracts::common::id_number_check_char(first17).unwrap()
        )
    }

    #[test]
    fn a_known_valid_number_parses() {
        // The GB 11643 standard's worked example.
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
        assert!(!id.is_male());
    }

    #[test]
    fn lower_case_x_is_accepted_and_stored_upper() {
        let id = IdNumber::parse("11010519491231002x").unwrap();
        assert_eq!(id.expose(), "11010519491231002X");
    }

    #[test]
    fn a_wrong_check_character_is_refused_with_the_expected_one() {
        let err = IdNumber::parse("110105194912310021").unwrap_err();
        assert_eq!(
            err,
            IdNumberError::Checksum {
                expected: 'X',
                found: '1'
            }
        );
    }

    #[test]
    fn impossible_birth_dates_are_refused() {
        for date in ["20230230", "19990431", "20231301", "18991231"] {
            let raw = with_check(&format!("500112{date}123"));
            assert!(
                matches!(IdNumber::parse(&raw), Err(IdNumberError::BirthDate(_))),
                "{raw}"
            );
        }
        let leap = with_check("50011220240229123");
        assert!(IdNumber::parse(&leap).is_ok());
    }

    #[test]
    fn wrong_lengths_and_characters_are_refused() {
        assert_eq!(
            IdNumber::parse("50011219800101123"),
            Err(IdNumberError::Length(17))
        );
        assert_eq!(
            IdNumber::parse("5001121980010112AX"),
            Err(IdNumberError::Characters)
        );
        assert_eq!(
            IdNumber::parse("50011219800101123Y"),
            Err(IdNumberError::Characters)
        );
    }

    #[test]
    fn masking_keeps_six_and_four() {
        let id = IdNumber::parse(&with_check("50011219800101123")).unwrap();
        assert_eq!(id.masked(), format!("500112********{}", &id.expose()[14..]));
        assert!(!format!("{id:?} {id}").contains(&id.expose()[6..14]));
    }

    #[test]
    fn person_ref_is_keyed_stable_and_case_insensitive_in_x() {
        let key = PersonRefKey::new(*b"0123456789abcdef0123").unwrap();
        let other = PersonRefKey::new(*b"another-key-of-16-bytes").unwrap();
        let a = IdNumber::parse("11010519491231002X").unwrap();
        let b = IdNumber::parse("11010519491231002x").unwrap();
        assert_eq!(key.person_ref(&a), key.person_ref(&b));
        assert_ne!(key.person_ref(&a), other.person_ref(&a));
        assert!(PersonRef::parse(key.person_ref(&a).as_str()).is_ok());
        assert_eq!(key.person_ref(&a).as_str().len(), 32);
    }

    #[test]
    fn division_codes_nest() {
        let district = DivisionCode::parse("500112").unwrap();
        let township = DivisionCode::parse("500112016").unwrap();
        let village = DivisionCode::parse("500112016001").unwrap();
        let other = DivisionCode::parse("500112017").unwrap();
        assert!(district.contains(&village) && township.contains(&village));
        assert!(!other.contains(&village));
        assert_eq!(village.township(), Some(township.clone()));
        assert_eq!(village.level(), DivisionLevel::Village);
        assert!(DivisionCode::parse("5001120").is_err());
    }
}
