//! What the investigation establishes about a household (income items, disability, illness,
//! supporters, registration, property) and how it becomes the domain `Household` the benefit
//! calculation reads; the registration data fills in whatever the investigators did not record.

use chrono::NaiveDate;
use kit::{Refusal, identity::IdNumber};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::household::{
    Disability, DisabilityGrade, Household, IncomeItem, IncomeKind, Member, PropertyCheck,
    Residence,
};
use crate::domain::money::Fen;
use crate::domain::month::Month;
use crate::domain::property::{Asset, AssetKind};
use crate::store::household_register::{asset, income};
use crate::store::{enrollment, household, member, procedure_verification};

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
    pub fn validate(&self, members: &[member::Model]) -> Result<(), Refusal> {
        let mut errors = Vec::new();
        for (i, m) in self.members.iter().enumerate() {
            if !members.iter().any(|r| r.id == m.member_id) {
                errors.push(kit::edge::problem::FieldError {
                    field: format!("members[{i}].member_id"),
                    reason: "not a member of this household".into(),
                });
            }
            for (j, line) in m.income.iter().flatten().enumerate() {
                if !(0..=crate::commands::households::MAX_FEN).contains(&line.monthly_fen) {
                    errors.push(kit::edge::problem::FieldError {
                        field: format!("members[{i}].income[{j}].monthly_fen"),
                        reason: "cannot be negative or above 1000000000000 fen".into(),
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
            Err(Refusal::invalid_fields(errors))
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

/// What the register holds about a household: the row, its current members, their income items,
/// its property (disposed items with their date), and the months its members are paid
/// extreme-poverty support (one benefit per person).
#[derive(Debug, Clone)]
pub struct Register {
    pub household: household::Model,
    pub members: Vec<member::Model>,
    pub incomes: Vec<income::Model>,
    pub assets: Vec<asset::Model>,
    pub extreme_poverty: Vec<SupportedMonths>,
}

/// A member paid extreme-poverty support from `first` through `last` (open while running).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupportedMonths {
    pub member: Uuid,
    pub first: Month,
    pub last: Option<Month>,
}

impl SupportedMonths {
    fn covers(&self, on: NaiveDate) -> bool {
        let month = Month::of(on);
        month >= self.first && self.last.is_none_or(|l| month <= l)
    }
}

fn month_of_yyyymm(m: i32) -> Option<Month> {
    Month::new(m / 100, u32::try_from(m % 100).ok()?)
}

impl Register {
    /// Loads the household's register; 404 when there is no such household.
    pub async fn load(db: &impl ConnectionTrait, household_id: Uuid) -> Result<Self, Refusal> {
        let household = household::Entity::find_by_id(household_id)
            .one(db)
            .await?
            .ok_or_else(|| Refusal::not_found("no such household"))?;
        let members = member::Entity::find()
            .filter(member::Column::HouseholdId.eq(household_id))
            .order_by_asc(member::Column::Id)
            .all(db)
            .await?;
        let incomes = income::Entity::find()
            .filter(income::Column::HouseholdId.eq(household_id))
            .order_by_asc(income::Column::Id)
            .all(db)
            .await?;
        let assets = asset::Entity::find()
            .filter(asset::Column::HouseholdId.eq(household_id))
            .order_by_asc(asset::Column::Id)
            .all(db)
            .await?;
        // The beneficiary of an extreme-poverty enrollment is the one member in its state.
        let extreme_poverty = enrollment::Entity::find()
            .filter(enrollment::Column::HouseholdId.eq(household_id))
            .filter(enrollment::Column::Programme.eq("extreme_poverty"))
            .all(db)
            .await?
            .into_iter()
            .filter_map(|e| {
                let state: serde_json::Value = serde_json::from_str(&e.state).ok()?;
                let member = state["beneficiaries"][0].as_str()?.parse().ok()?;
                Some(SupportedMonths {
                    member,
                    first: month_of_yyyymm(e.start_month)?,
                    last: e.end_month.and_then(month_of_yyyymm),
                })
            })
            .collect();
        Ok(Self {
            household,
            members,
            incomes,
            assets,
            extreme_poverty,
        })
    }
}

/// A member's verified monthly income as the verification platform answered it
/// (`partner.verification.completed.v1` `members`), stored with the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifiedIncome {
    pub person_ref: String,
    pub monthly_income_fen: i64,
    /// Income from work: the employment-cost deduction applies.
    pub employed: bool,
}

/// The per-member incomes of a complete verification (none when unanswered, refused or
/// incomplete: an incomplete answer's figures cover only the sources that answered).
pub fn verified_incomes(v: Option<&procedure_verification::Model>) -> Vec<VerifiedIncome> {
    v.filter(|v| v.outcome.as_deref() == Some("complete"))
        .and_then(|v| serde_json::from_str(&v.member_incomes).ok())
        .unwrap_or_default()
}

fn parse_kind(kind: &str) -> IncomeKind {
    serde_json::from_value(serde_json::Value::String(kind.to_owned())).unwrap_or(IncomeKind::Other)
}

fn parse_asset_kind(kind: &str) -> AssetKind {
    serde_json::from_value(serde_json::Value::String(kind.to_owned())).unwrap_or(AssetKind::Other)
}

/// The domain household on `on`: living members; each member's income from, in order of
/// precedence, the investigation's findings, the verification platform's per-member figure, the
/// registered income items; the registered property; and the property found over the limits by
/// the investigators or the platform.
pub fn build_household(
    register: &Register,
    facts: &HouseholdFacts,
    verification: Option<&procedure_verification::Model>,
    on: NaiveDate,
) -> Household {
    let h = &register.household;
    let verified = verified_incomes(verification);
    let mut seen: Vec<(&str, usize)> = Vec::new();
    let members = register
        .members
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
            // Income the household reported after the answer (a change recorded after the day of
            // registration, whose items the platform checked) is newer than the answer.
            let registered_on = (h.created_at + chrono::Duration::hours(8)).date_naive();
            let reported_since = |v: &procedure_verification::Model| {
                register.incomes.iter().any(|i| {
                    i.member_id == m.id
                        && i.recorded_on > registered_on
                        && v.completed_on.is_some_and(|c| i.recorded_on > c)
                })
            };
            let platform = verified
                .iter()
                .find(|v| v.person_ref == m.person_ref)
                .filter(|_| !verification.is_some_and(reported_since));
            let employed = found
                .and_then(|f| f.employed)
                .or(platform.map(|v| v.employed))
                .unwrap_or(m.employed);
            let registered: Vec<IncomeItem> = register
                .incomes
                .iter()
                .filter(|i| i.member_id == m.id)
                .map(|i| IncomeItem {
                    kind: parse_kind(&i.kind),
                    monthly: Fen(i.monthly_fen),
                })
                .collect();
            let income = match (found.and_then(|f| f.income.clone()), platform) {
                (Some(lines), _) => lines
                    .into_iter()
                    .map(|l| IncomeItem {
                        kind: l.kind,
                        monthly: Fen(l.monthly_fen),
                    })
                    .collect(),
                (None, Some(v)) if v.monthly_income_fen > 0 => vec![IncomeItem {
                    kind: if v.employed {
                        IncomeKind::Wages
                    } else {
                        IncomeKind::Other
                    },
                    monthly: Fen(v.monthly_income_fen),
                }],
                (None, Some(_)) => Vec::new(),
                (None, None) if !registered.is_empty() => registered,
                // Registered before income items existed: one figure.
                (None, None) if m.monthly_income_fen > 0 => vec![IncomeItem {
                    kind: if employed {
                        IncomeKind::Wages
                    } else {
                        IncomeKind::Other
                    },
                    monthly: Fen(m.monthly_income_fen),
                }],
                (None, None) => Vec::new(),
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
                extreme_poverty_support: register
                    .extreme_poverty
                    .iter()
                    .any(|s| s.member == m.id && s.covers(on)),
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
        assets: register
            .assets
            .iter()
            .filter(|a| a.disposed_on.is_none_or(|d| d > on))
            .map(|a| Asset {
                kind: parse_asset_kind(&a.kind),
                value: Fen(a.value_fen),
                exempt: a.exempt,
                employs_others: a.employs_others,
            })
            .collect(),
        members,
    }
}

#[cfg(test)]
mod tests {

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
            created_at: kit::clock::now(),
            version: 1,
        }
    }

    fn register(household: household::Model, members: &[member::Model]) -> Register {
        Register {
            household,
            members: members.to_vec(),
            incomes: Vec::new(),
            assets: Vec::new(),
            extreme_poverty: Vec::new(),
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
                &register(household("urban"), &[member(1, "head", income, employed)]),
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
        let before = build_household(
            &register(household("rural"), &members),
            &facts,
            None,
            d(2026, 3, 9),
        );
        let after = build_household(
            &register(household("rural"), &members),
            &facts,
            None,
            d(2026, 3, 10),
        );
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
    fn income_comes_from_the_findings_then_the_platform_then_the_register() {
        let mut head = member(1, "head", 0, false);
        head.person_ref = "a".repeat(32);
        let mut wife = member(2, "spouse", 0, false);
        wife.person_ref = "b".repeat(32);
        let child = member(3, "child", 0, false);
        let mut reg = register(household("urban"), &[head, wife, child]);
        let item = |member: u128, kind: &str, fen: i64| income::Model {
            id: Uuid::from_u128(100 + member),
            household_id: Uuid::nil(),
            member_id: Uuid::from_u128(member),
            kind: kind.into(),
            monthly_fen: fen,
            source: None,
            recorded_on: d(2026, 1, 1),
        };
        reg.incomes = vec![
            item(1, "pension", 10_000),
            item(2, "wages", 20_000),
            item(3, "family_support", 5_000),
        ];
        let verification = procedure_verification::Model {
            id: Uuid::nil(),
            application_id: Uuid::nil(),
            household_id: Uuid::nil(),
            township_code: "500112016".into(),
            village_code: "500112016001".into(),
            round: 1,
            requested_on: d(2026, 1, 2),
            reply_by: d(2026, 1, 9),
            outcome: Some("complete".into()),
            household_monthly_income_fen: Some(190_000),
            property_within_limits: Some(true),
            findings: "[]".into(),
            completed_on: Some(d(2026, 1, 3)),
            member_incomes: serde_json::to_string(&[
                VerifiedIncome {
                    person_ref: "a".repeat(32),
                    monthly_income_fen: 40_000,
                    employed: false,
                },
                VerifiedIncome {
                    person_ref: "b".repeat(32),
                    monthly_income_fen: 150_000,
                    employed: true,
                },
            ])
            .unwrap(),
        };
        let facts = HouseholdFacts {
            members: vec![MemberFacts {
                member_id: Uuid::from_u128(1),
                income: Some(vec![IncomeLine {
                    kind: IncomeKind::Pension,
                    monthly_fen: 35_000,
                }]),
                employed: None,
                able_to_work: None,
                disability: None,
                severe_illness: false,
                has_capable_supporter: false,
            }],
            ..HouseholdFacts::default()
        };
        let h = build_household(&reg, &facts, Some(&verification), d(2026, 2, 1));
        let incomes: Vec<(i64, bool, bool)> = h
            .members
            .iter()
            .map(|m| {
                (
                    m.monthly_income().0,
                    m.work_income().is_positive(),
                    m.employed,
                )
            })
            .collect();
        // Head: the investigators' finding; wife: the platform's figure, work income, employed
        // (so the deduction applies); child: the registered item.
        assert_eq!(
            incomes,
            [
                (35_000, false, false),
                (150_000, true, true),
                (5_000, false, false)
            ]
        );
        // Refused or incomplete: the platform's figures are not used.
        for outcome in ["refused", "incomplete"] {
            let mut partial = verification.clone();
            partial.outcome = Some(outcome.into());
            let h = build_household(
                &reg,
                &HouseholdFacts::default(),
                Some(&partial),
                d(2026, 2, 1),
            );
            assert_eq!(h.members[1].monthly_income(), Fen(20_000), "{outcome}");
            assert_eq!(h.members[0].monthly_income(), Fen(10_000), "{outcome}");
        }
        // Income the household reported after the answer wins over the platform's figure.
        reg.household.created_at = d(2026, 1, 1).and_hms_opt(0, 0, 0).unwrap().and_utc();
        reg.incomes[1].recorded_on = d(2026, 1, 20);
        let h = build_household(
            &reg,
            &HouseholdFacts::default(),
            Some(&verification),
            d(2026, 2, 1),
        );
        assert_eq!(h.members[1].monthly_income(), Fen(20_000));
        assert_eq!(h.members[0].monthly_income(), Fen(40_000));
    }

    #[test]
    fn disposed_property_counts_until_its_disposal() {
        let mut reg = register(household("urban"), &[member(1, "head", 0, false)]);
        reg.assets = vec![asset::Model {
            id: Uuid::nil(),
            household_id: Uuid::nil(),
            member_id: None,
            kind: "vehicle".into(),
            description: "面包车 van".into(),
            value_fen: 0,
            exempt: false,
            exempt_reason: None,
            employs_others: false,
            recorded_on: d(2026, 1, 1),
            disposed_on: Some(d(2026, 3, 1)),
            disposal_reason: Some("sold".into()),
        }];
        let f = HouseholdFacts::default();
        assert_eq!(
            build_household(&reg, &f, None, d(2026, 2, 28)).assets.len(),
            1
        );
        assert!(
            build_household(&reg, &f, None, d(2026, 3, 1))
                .assets
                .is_empty()
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
            &register(household("urban"), &members),
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
