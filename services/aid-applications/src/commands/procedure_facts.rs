//! What the investigation establishes about a household (income items, disability, illness,
//! supporters, registration, property) and how it becomes the domain `Household` the benefit
//! calculation reads; the registration data fills in whatever the investigators did not record.

use chrono::NaiveDate;
use kit::{Problem, identity::IdNumber};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::household::{
    Disability, DisabilityGrade, Household, IncomeItem, IncomeKind, Member, PropertyCheck,
    Residence,
};
use crate::domain::money::Fen;
use crate::store::{household, member, procedure_verification};

/// One monthly income item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct IncomeLine {
    /// wages, self_employment, pension, family_support or other.
    #[schema(value_type = String)]
    pub kind: IncomeKind,
    /// Per month, in fen (annual income divided by 12).
    pub monthly_fen: i64,
}

/// A member's disability as established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum DisabilityFacts {
    /// A disability certificate (残疾人证): category 1–7, level 1–4.
    Certificate {
        category: u8,
        level: u8,
        expires_on: Option<NaiveDate>,
    },
    /// Established otherwise (e.g. a medical assessment pending the certificate).
    Declared { severe: bool },
}

/// What the investigation found about one member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MemberFacts {
    pub member_id: Uuid,
    /// Replaces the registered monthly income when given.
    #[serde(default)]
    pub income: Option<Vec<IncomeLine>>,
    #[serde(default)]
    pub employed: Option<bool>,
    #[serde(default)]
    pub able_to_work: Option<bool>,
    #[serde(default)]
    pub disability: Option<DisabilityFacts>,
    /// 重病 (on the local list of serious illnesses).
    #[serde(default)]
    pub severe_illness: bool,
    /// Has a person with a legal duty of support able to fulfil it.
    #[serde(default)]
    pub has_capable_supporter: bool,
}

/// The investigation's findings about the household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HouseholdFacts {
    /// Registered (户籍) in the district.
    #[serde(default = "yes")]
    pub local_hukou: bool,
    /// The property tests that failed (empty: within the limits).
    #[serde(default)]
    pub property_over_limits: Vec<String>,
    #[serde(default)]
    pub members: Vec<MemberFacts>,
}

fn yes() -> bool {
    true
}

impl Default for HouseholdFacts {
    fn default() -> Self {
        Self {
            local_hukou: true,
            property_over_limits: Vec::new(),
            members: Vec::new(),
        }
    }
}

impl HouseholdFacts {
    /// Refuses findings about people outside the household, or impossible values.
    pub fn validate(&self, members: &[member::Model]) -> Result<(), Problem> {
        let mut errors = Vec::new();
        for (i, m) in self.members.iter().enumerate() {
            if !members.iter().any(|r| r.id == m.member_id) {
                errors.push(kit::edge::problem::FieldError {
                    field: format!("members[{i}].member_id"),
                    reason: "not a member of this household".into(),
                });
            }
            for (j, line) in m.income.iter().flatten().enumerate() {
                if line.monthly_fen < 0 {
                    errors.push(kit::edge::problem::FieldError {
                        field: format!("members[{i}].income[{j}].monthly_fen"),
                        reason: "cannot be negative".into(),
                    });
                }
            }
            if let Some(DisabilityFacts::Certificate {
                category, level, ..
            }) = m.disability
                && let Err(e) = DisabilityGrade::new(category, level)
            {
                errors.push(kit::edge::problem::FieldError {
                    field: format!("members[{i}].disability"),
                    reason: e.to_string(),
                });
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Problem::invalid_fields(errors))
        }
    }
}

/// How the trail names a member to the family: the relation to the head, numbered when repeated.
fn label(relationship: &str, nth: usize) -> String {
    let base = match relationship {
        "head" => "户主 head of household",
        "spouse" => "配偶 spouse",
        "child" => "子女 child",
        "parent" => "父母 parent",
        "grandchild" => "孙子女 grandchild",
        "sibling" => "兄弟姐妹 sibling",
        _ => "其他成员 other member",
    };
    if nth > 1 {
        format!("{base} {nth}")
    } else {
        base.to_owned()
    }
}

/// True when the member is alive on `on` (a death later than `on` does not count yet).
pub fn alive_on(m: &member::Model, on: NaiveDate) -> bool {
    m.deceased_on.is_none_or(|d| d > on)
}

/// The domain household on `on`: living members, the investigation's findings over the
/// registration data, and a verification that found property over the limits.
pub fn build_household(
    h: &household::Model,
    members: &[member::Model],
    facts: &HouseholdFacts,
    verification: Option<&procedure_verification::Model>,
    on: NaiveDate,
) -> Household {
    let mut seen: Vec<(&str, usize)> = Vec::new();
    let members = members
        .iter()
        .filter(|m| alive_on(m, on))
        .map(|m| {
            let nth = match seen.iter_mut().find(|(r, _)| *r == m.relationship) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    seen.push((&m.relationship, 1));
                    1
                }
            };
            let found = facts.members.iter().find(|f| f.member_id == m.id);
            let employed = found.and_then(|f| f.employed).unwrap_or(m.employed);
            let income = match found.and_then(|f| f.income.clone()) {
                Some(lines) => lines
                    .into_iter()
                    .map(|l| IncomeItem {
                        kind: l.kind,
                        monthly: Fen(l.monthly_fen),
                    })
                    .collect(),
                None if m.monthly_income_fen > 0 => vec![IncomeItem {
                    kind: if employed {
                        IncomeKind::Wages
                    } else {
                        IncomeKind::Other
                    },
                    monthly: Fen(m.monthly_income_fen),
                }],
                None => Vec::new(),
            };
            let disability = found.and_then(|f| f.disability).and_then(|d| match d {
                DisabilityFacts::Certificate {
                    category,
                    level,
                    expires_on,
                } => DisabilityGrade::new(category, level)
                    .ok()
                    .map(|grade| Disability::Certificate { grade, expires_on }),
                DisabilityFacts::Declared { severe } => Some(Disability::Declared { severe }),
            });
            Member {
                id: m.id,
                label: label(&m.relationship, nth),
                birth_date: IdNumber::parse(&m.id_number)
                    .map(|i| i.birth_date())
                    .unwrap_or_default(),
                income,
                employed,
                able_to_work: found.and_then(|f| f.able_to_work).unwrap_or(m.able_to_work),
                disability,
                severe_illness: found.is_some_and(|f| f.severe_illness),
                has_capable_supporter: found.is_some_and(|f| f.has_capable_supporter),
            }
        })
        .collect();
    let mut reasons = facts.property_over_limits.clone();
    if verification.is_some_and(|v| v.property_within_limits == Some(false)) {
        reasons.push(
            "核对平台：家庭财产超出规定 the verification found property over the limits".into(),
        );
    }
    Household {
        id: h.id,
        residence: if h.residence == "rural" {
            Residence::Rural
        } else {
            Residence::Urban
        },
        local_hukou: facts.local_hukou,
        property: if reasons.is_empty() {
            PropertyCheck::WithinLimits
        } else {
            PropertyCheck::OverLimits { reasons }
        },
        members,
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn id_number(first17: &str) -> String {
        const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = first17
            .bytes()
            .zip(W)
            .map(|(d, w)| u32::from(d - b'0') * w)
            .sum();
        format!("{first17}{}", b"10X98765432"[(sum % 11) as usize] as char)
    }

    fn household(residence: &str) -> household::Model {
        household::Model {
            id: Uuid::nil(),
            township_code: "500112016".into(),
            village_code: "500112016001".into(),
            residence: residence.into(),
            address: String::new(),
            staff_relative: false,
            created_at: Utc::now(),
            version: 1,
        }
    }

    fn member(n: u128, relationship: &str, income: i64, employed: bool) -> member::Model {
        member::Model {
            id: Uuid::from_u128(n),
            household_id: Uuid::nil(),
            id_number: id_number("50011219800101123"),
            person_ref: String::new(),
            name: String::new(),
            relationship: relationship.into(),
            employed,
            able_to_work: employed,
            monthly_income_fen: income,
            deceased_on: None,
        }
    }

    #[test]
    fn registered_income_counts_as_wages_only_for_employed_members() {
        // (registered income, employed, expected kind, expected items)
        let cases = [
            (50_000, true, Some(IncomeKind::Wages), 1),
            (50_000, false, Some(IncomeKind::Other), 1),
            (0, true, None, 0),
        ];
        for (income, employed, kind, items) in cases {
            let h = build_household(
                &household("urban"),
                &[member(1, "head", income, employed)],
                &HouseholdFacts::default(),
                None,
                d(2026, 1, 1),
            );
            let m = &h.members[0];
            assert_eq!(m.income.len(), items, "{income} {employed}");
            assert_eq!(m.income.first().map(|i| i.kind), kind);
            assert_eq!(m.birth_date, d(1980, 1, 1));
        }
    }

    #[test]
    fn findings_override_the_registration_and_the_dead_are_left_out() {
        let mut child = member(2, "child", 0, false);
        child.deceased_on = Some(d(2026, 3, 10));
        let facts = HouseholdFacts {
            local_hukou: false,
            property_over_limits: vec!["两套住房 two homes".into()],
            members: vec![MemberFacts {
                member_id: Uuid::from_u128(1),
                income: Some(vec![IncomeLine {
                    kind: IncomeKind::Pension,
                    monthly_fen: 30_000,
                }]),
                employed: Some(false),
                able_to_work: Some(false),
                disability: Some(DisabilityFacts::Certificate {
                    category: 5,
                    level: 3,
                    expires_on: None,
                }),
                severe_illness: true,
                has_capable_supporter: true,
            }],
        };
        let members = [member(1, "head", 90_000, true), child];
        let before = build_household(&household("rural"), &members, &facts, None, d(2026, 3, 9));
        let after = build_household(&household("rural"), &members, &facts, None, d(2026, 3, 10));
        assert_eq!((before.members.len(), after.members.len()), (2, 1));
        let head = &after.members[0];
        assert_eq!(head.monthly_income(), Fen(30_000));
        assert!(!head.employed && !head.able_to_work && head.severe_illness);
        assert!(head.has_capable_supporter && head.disability.is_some());
        assert_eq!(after.residence, Residence::Rural);
        assert!(!after.local_hukou);
        assert_eq!(
            after.property,
            PropertyCheck::OverLimits {
                reasons: vec!["两套住房 two homes".into()]
            }
        );
    }

    #[test]
    fn repeated_relations_are_numbered_in_the_trail() {
        let members = [
            member(1, "head", 0, false),
            member(2, "child", 0, false),
            member(3, "child", 0, false),
        ];
        let h = build_household(
            &household("urban"),
            &members,
            &HouseholdFacts::default(),
            None,
            d(2026, 1, 1),
        );
        let labels: Vec<&str> = h.members.iter().map(|m| m.label.as_str()).collect();
        assert_eq!(
            labels,
            ["户主 head of household", "子女 child", "子女 child 2"]
        );
    }

    #[test]
    fn findings_about_strangers_or_impossible_grades_are_refused_by_field() {
        let members = [member(1, "head", 0, false)];
        let facts = HouseholdFacts {
            members: vec![
                MemberFacts {
                    member_id: Uuid::from_u128(9),
                    income: Some(vec![IncomeLine {
                        kind: IncomeKind::Wages,
                        monthly_fen: -1,
                    }]),
                    employed: None,
                    able_to_work: None,
                    disability: None,
                    severe_illness: false,
                    has_capable_supporter: false,
                },
                MemberFacts {
                    member_id: Uuid::from_u128(1),
                    income: None,
                    employed: None,
                    able_to_work: None,
                    disability: Some(DisabilityFacts::Certificate {
                        category: 8,
                        level: 1,
                        expires_on: None,
                    }),
                    severe_illness: false,
                    has_capable_supporter: false,
                },
            ],
            ..HouseholdFacts::default()
        };
        let problem = facts.validate(&members).unwrap_err();
        let fields: Vec<&str> = problem.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "members[0].member_id",
                "members[0].income[0].monthly_fen",
                "members[1].disability"
            ]
        );
    }
}
