//! Who may see and work on a minor's record. Minors' records are the most sensitive of the mesh:
//! only staff of the unit that owns a record see it in full; staff whose area covers it, referred
//! parties and the receiver of a pending transfer see a restricted view (no names, ID numbers,
//! addresses or narrative); nobody else learns it exists.

use super::level::Level;

/// The caller, as the access rules read a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller<'a> {
    /// The caller's division code.
    pub division: &'a str,
    /// The level the caller works at as protection staff; `None` for auditors and machine callers,
    /// who never own anything.
    pub staff_level: Option<Level>,
}

impl Caller<'_> {
    /// Whether the caller is staff of the unit `unit` (same code, a role of that level).
    pub fn is_staff_of(&self, unit: &str) -> bool {
        self.division == unit
            && self
                .staff_level
                .is_some_and(|l| Level::of_code(unit) == Some(l))
    }

    /// Whether the caller's area covers the code (a township covers its villages).
    pub fn covers(&self, code: &str) -> bool {
        code.starts_with(self.division)
    }
}

/// A record as the access rules read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    /// The unit that owns the record.
    pub owner: &'a str,
    /// The village the record belongs to (the child's place).
    pub village_code: &'a str,
    /// Units the record was referred to and that still work on it.
    pub referred_to: &'a [String],
    /// The unit a pending transfer would move the record to.
    pub transfer_to: Option<&'a str>,
}

/// What the caller may do with a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    /// Nothing; the record is answered as not found.
    None,
    /// Read the restricted view.
    Restricted,
    /// Read the restricted view and record work on the case (a referred party).
    Referred,
    /// Everything: the full view and every decision.
    Owner,
}

/// The caller's access to the record.
pub fn access(caller: &Caller<'_>, record: &Record<'_>) -> Access {
    if caller.is_staff_of(record.owner) {
        Access::Owner
    } else if record.referred_to.iter().any(|u| caller.is_staff_of(u)) {
        Access::Referred
    } else if caller.covers(record.village_code)
        || caller.covers(record.owner)
        || record.transfer_to.is_some_and(|t| caller.is_staff_of(t))
    {
        Access::Restricted
    } else {
        Access::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VILLAGE: &str = "500112129201";
    const TOWNSHIP: &str = "500112129";
    const OTHER: &str = "500112133";

    fn staff(division: &str) -> Caller<'_> {
        Caller {
            division,
            staff_level: Level::of_code(division),
        }
    }

    #[test]
    fn owners_see_all_others_in_the_area_a_restricted_view_outsiders_nothing() {
        let referred = vec![OTHER.to_owned()];
        let owned_by_township = Record {
            owner: TOWNSHIP,
            village_code: VILLAGE,
            referred_to: &[],
            transfer_to: None,
        };
        let referred_record = Record {
            referred_to: &referred,
            ..owned_by_township
        };
        let transferring = Record {
            transfer_to: Some(OTHER),
            ..owned_by_township
        };
        let auditor = Caller {
            division: "500112",
            staff_level: None,
        };
        let table = [
            (staff(TOWNSHIP), owned_by_township, Access::Owner),
            (staff(VILLAGE), owned_by_township, Access::Restricted),
            (staff("500112"), owned_by_township, Access::Restricted),
            (auditor, owned_by_township, Access::Restricted),
            (staff(OTHER), owned_by_township, Access::None),
            (staff("500112133001"), owned_by_township, Access::None),
            (staff(OTHER), referred_record, Access::Referred),
            (staff(OTHER), transferring, Access::Restricted),
            (
                Caller {
                    division: TOWNSHIP,
                    staff_level: None,
                },
                owned_by_township,
                Access::Restricted,
            ),
        ];
        for (caller, record, expected) in table {
            assert_eq!(access(&caller, &record), expected, "{caller:?} {record:?}");
        }
    }
}
