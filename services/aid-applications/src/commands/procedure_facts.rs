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
