//! Anti-fraud guards shared by the procedures: who may not act on a case because of an earlier role
//! in it (separation of duties) or a family tie to the household (近亲属备案).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::actor::{ActorId, Office};

/// A role a staff member can take in one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Duty {
    /// Took the application in (or submitted it for the household).
    Submission,
    /// Accepted it (受理).
    Acceptance,
    /// Investigated the household (入户调查).
    Investigation,
    /// Township review (初审).
    Review,
    /// Confirmation (确认) or rejection: the decision.
    Decision,
    /// Approval of a temporary-assistance grant.
    Approval,
}

impl fmt::Display for Duty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Duty::Submission => "submission",
            Duty::Acceptance => "acceptance",
            Duty::Investigation => "investigation",
            Duty::Review => "review",
            Duty::Decision => "decision",
            Duty::Approval => "approval",
        })
    }
}

/// One staff member's part in a case, kept so later steps can check independence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Involvement {
    /// Who.
    pub actor: ActorId,
    /// In which role.
    pub duty: Duty,
}

/// A staff member registered as a close relative (近亲属) of the household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffRelation {
    /// The staff member.
    pub staff: ActorId,
    /// Where the staff member works.
    pub office: Office,
    /// The relation as registered, e.g. "配偶 spouse".
    pub relation: String,
}

/// Result of looking a household up in the staff-relative register.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum StaffRelativeLookup {
    /// No member is a registered relative of bureau, township or village staff.
    #[default]
    NotRegistered,
    /// Registered: the case is flagged and needs the district's own home visit and confirmation.
    Registered {
        /// The staff members the household is related to.
        relations: Vec<StaffRelation>,
    },
}

impl StaffRelativeLookup {
    /// True when the household is on the register.
    pub fn is_registered(&self) -> bool {
        matches!(self, StaffRelativeLookup::Registered { .. })
    }

    /// True when `actor` is a registered relative of the household.
    pub fn is_relative(&self, actor: ActorId) -> bool {
        match self {
            StaffRelativeLookup::NotRegistered => false,
            StaffRelativeLookup::Registered { relations } => {
                relations.iter().any(|r| r.staff == actor)
            }
        }
    }
}

/// Why a staff member may not take a role in a case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DutyConflict {
    /// The actor already had a role that this one must be independent of.
    #[error(
        "staff {actor} already did the {earlier} of this case and cannot also do its {attempted}"
    )]
    EarlierRole {
        /// Who.
        actor: ActorId,
        /// The earlier role.
        earlier: Duty,
        /// The role attempted.
        attempted: Duty,
    },
    /// The actor is a registered relative of the household.
    #[error(
        "staff {actor} is a registered close relative of the household and cannot do its {attempted}"
    )]
    Relative {
        /// Who.
        actor: ActorId,
        /// The role attempted.
        attempted: Duty,
    },
}

/// Roles whose holders may not take `attempted` in the same case.
pub fn incompatible_with(attempted: Duty) -> &'static [Duty] {
    match attempted {
        Duty::Review => &[Duty::Submission, Duty::Investigation],
        Duty::Decision => &[Duty::Submission, Duty::Investigation],
        Duty::Approval => &[Duty::Submission],
        Duty::Submission | Duty::Acceptance | Duty::Investigation => &[],
    }
}

/// Checks that `actor` may take `attempted`: no incompatible earlier role in `record`, and no
/// family tie to the household. Submission is exempt from the relative check: staff may apply
/// for their own relatives like anyone else; the flag routes the case to the district.
pub fn ensure_independent(
    actor: ActorId,
    attempted: Duty,
    record: &[Involvement],
    relatives: &StaffRelativeLookup,
) -> Result<(), DutyConflict> {
    if attempted != Duty::Submission && relatives.is_relative(actor) {
        return Err(DutyConflict::Relative { actor, attempted });
    }
    let barred = incompatible_with(attempted);
    match record
        .iter()
        .find(|i| i.actor == actor && barred.contains(&i.duty))
    {
        Some(i) => Err(DutyConflict::EarlierRole {
            actor,
            earlier: i.duty,
            attempted,
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn staff(n: u128) -> ActorId {
        ActorId(Uuid::from_u128(n))
    }

    #[test]
    fn separation_of_duties_follows_the_table_of_incompatible_roles() {
        let record = [
            Involvement {
                actor: staff(1),
                duty: Duty::Submission,
            },
            Involvement {
                actor: staff(2),
                duty: Duty::Investigation,
            },
            Involvement {
                actor: staff(3),
                duty: Duty::Review,
            },
        ];
        let none = StaffRelativeLookup::NotRegistered;
        let cases = [
            (1, Duty::Review, false),
            (2, Duty::Review, false),
            (2, Duty::Decision, false),
            (1, Duty::Decision, false),
            (3, Duty::Decision, true), // the reviewer may confirm (a delegated township's head)
            (4, Duty::Decision, true),
            (1, Duty::Investigation, true),
            (1, Duty::Approval, false),
        ];
        for (who, duty, allowed) in cases {
            assert_eq!(
                ensure_independent(staff(who), duty, &record, &none).is_ok(),
                allowed,
                "staff {who} {duty}"
            );
        }
    }

    #[test]
    fn a_registered_relative_cannot_act_on_the_case_but_may_submit_it() {
        let relatives = StaffRelativeLookup::Registered {
            relations: vec![StaffRelation {
                staff: staff(9),
                office: Office::Township {
                    code: "500112016".into(),
                },
                relation: "兄弟 brother".into(),
            }],
        };
        assert_eq!(
            ensure_independent(staff(9), Duty::Investigation, &[], &relatives),
            Err(DutyConflict::Relative {
                actor: staff(9),
                attempted: Duty::Investigation
            })
        );
        assert!(ensure_independent(staff(9), Duty::Submission, &[], &relatives).is_ok());
        assert!(ensure_independent(staff(8), Duty::Decision, &[], &relatives).is_ok());
        assert!(relatives.is_registered());
    }
}
