//! The people and places of the flows: synthetic ID numbers (valid check character, never a real
//! person's, fresh in every run so a flow can run again on a mesh that keeps its data), their
//! person_ref as the mesh computes it, staff tokens, and dates in China Standard Time.

use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{Datelike, Months, NaiveDate};
use kit::{
    Role,
    identity::{IdNumber, PersonRefKey},
};

use crate::Mesh;

/// 渝北区.
pub const DISTRICT: &str = kit::divisions::YUBEI;

/// A place of a flow: a township and one of its villages (12 digits, `…201`).
#[derive(Debug, Clone, Copy)]
pub struct Place {
    pub township: &'static str,
    pub name: &'static str,
}

impl Place {
    /// The township with this code (one of `kit::divisions::YUBEI_TOWNSHIPS`).
    pub fn township(code: &'static str) -> Self {
        let t = kit::divisions::YUBEI_TOWNSHIPS
            .iter()
            .find(|t| t.code == code)
            .expect("a township of 渝北区");
        Self {
            township: t.code,
            name: t.name,
        }
    }

    /// The flow's village: the township's code followed by `201`.
    pub fn village(&self) -> String {
        format!("{}201", self.township)
    }

    /// A token of `role` at the village (village staff) or township (the other township roles).
    pub fn token(&self, subject: &str, role: Role) -> String {
        let division = match role {
            Role::VillageStaff => self.village(),
            Role::TownshipClerk | Role::TownshipApprover => self.township.to_owned(),
            _ => DISTRICT.to_owned(),
        };
        Mesh::token_for(subject, role, &division)
    }
}

/// A token of a district role.
pub fn district(subject: &str, role: Role) -> String {
    Mesh::token_for(subject, role, DISTRICT)
}

/// Sex, as the ID number's 17th digit carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
}

/// A person of a flow.
#[derive(Debug, Clone)]
pub struct Person {
    pub id_number: String,
    pub birth: NaiveDate,
}

impl Person {
    /// The person's `person_ref` as every service of the mesh computes it (the development key:
    /// the e2e mesh and the launcher both run with it).
    pub fn person_ref(&self) -> String {
        person_ref(&self.id_number)
    }
}

/// `person_ref` of an ID number under the development key.
pub fn person_ref(id_number: &str) -> String {
    let key = PersonRefKey::new(kit::config::DEV_PERSON_REF_KEY.as_bytes().to_vec())
        .expect("the development key");
    let id = IdNumber::parse(id_number).expect("a valid ID number");
    key.person_ref(&id).as_str().to_owned()
}

/// A sequence unique in this run, starting from a point that differs between runs.
fn next_sequence() -> u32 {
    static NEXT: AtomicU32 = AtomicU32::new(u32::MAX);
    let seed = (uuid::Uuid::now_v7().as_u128() >> 64) as u32 % 500;
    let _ = NEXT.compare_exchange(u32::MAX, seed, Ordering::SeqCst, Ordering::SeqCst);
    NEXT.fetch_add(1, Ordering::SeqCst)
}

/// A new person of 渝北区 born on `birth`.
pub fn person(birth: NaiveDate, sex: Sex) -> Person {
    // The 17th digit is odd for men, even for women.
    let n = next_sequence() % 500;
    let sequence = match sex {
        Sex::Male => u16::try_from(2 * n + 1).unwrap_or(1),
        Sex::Female => u16::try_from(2 * n).unwrap_or(0),
    };
    Person {
        id_number: partner_sim::synthetic_id_number(DISTRICT, birth, sequence),
        birth,
    }
}

/// A person aged `years` today (born on this day of the month, `years` years ago).
pub fn aged(years: u32, sex: Sex) -> Person {
    let birth = today()
        .checked_sub_months(Months::new(12 * years))
        .expect("a date")
        .with_day(1)
        .expect("the first of a month");
    person(birth, sex)
}

/// Today in China Standard Time, as the services count it.
pub fn today() -> NaiveDate {
    kit::clock::today()
}

/// `n` days before today.
pub fn days_ago(n: u64) -> NaiveDate {
    today()
        .checked_sub_days(chrono::Days::new(n))
        .expect("a date")
}

/// `n` months before today (same day, clamped).
pub fn months_ago(n: u32) -> NaiveDate {
    today().checked_sub_months(Months::new(n)).expect("a date")
}

/// The same day `n` years after `d` (29 February becomes 28 February in a common year).
pub fn years_after(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_add_months(Months::new(12 * n)).expect("a date")
}

/// `YYYY-MM` of a date.
pub fn month_of(d: NaiveDate) -> String {
    d.format("%Y-%m").to_string()
}

/// `YYYY-MM` of the month after the date's.
pub fn month_after(d: NaiveDate) -> String {
    month_of(
        d.with_day(1)
            .and_then(|f| f.checked_add_months(Months::new(1)))
            .expect("a date"),
    )
}
