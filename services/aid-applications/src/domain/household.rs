//! The household as the benefit calculation sees it: residence, registration, the property check's
//! result, and members with their monthly income and the facts that trigger deductions and add-ons.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::money::Fen;
use super::property::Asset;

/// Which dibao standard applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Residence {
    /// 城市.
    Urban,
    /// 农村.
    Rural,
}

impl Residence {
    /// Chinese and English name for trails.
    pub fn label(self) -> &'static str {
        match self {
            Residence::Urban => "城市 urban",
            Residence::Rural => "农村 rural",
        }
    }
}

/// Kind of a monthly income item; only work income gets the employment-cost deduction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncomeKind {
    /// Wages and salaries (工资性收入).
    Wages,
    /// Business, odd jobs or farming for the market (经营性收入).
    SelfEmployment,
    /// Pensions (养老金).
    Pension,
    /// Maintenance from relatives with a duty of support (赡养费 / 抚养费).
    FamilySupport,
    /// Anything else counted (rent, interest, transfers).
    Other,
}

impl IncomeKind {
    /// True for income earned by working.
    pub fn is_work_income(self) -> bool {
        matches!(self, IncomeKind::Wages | IncomeKind::SelfEmployment)
    }

    /// Chinese and English name for trails.
    pub fn label(self) -> &'static str {
        match self {
            IncomeKind::Wages => "工资 wages",
            IncomeKind::SelfEmployment => "经营 self-employment",
            IncomeKind::Pension => "养老金 pension",
            IncomeKind::FamilySupport => "赡养费 family support",
            IncomeKind::Other => "其他 other income",
        }
    }
}

/// One monthly income item of a member (annual income is divided by 12 before it gets here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncomeItem {
    /// Kind of income.
    pub kind: IncomeKind,
    /// Amount per month.
    pub monthly: Fen,
}

/// Disability category, the first digit after the ID number in a certificate number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisabilityCategory {
    /// 1 视力.
    Visual,
    /// 2 听力.
    Hearing,
    /// 3 言语.
    Speech,
    /// 4 肢体.
    Physical,
    /// 5 智力.
    Intellectual,
    /// 6 精神.
    Mental,
    /// 7 多重.
    Multiple,
}

/// Why a disability grade is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GradeError {
    /// Categories are 1–7.
    #[error("disability category must be 1–7, got {0}")]
    Category(u8),
    /// Levels are 1 (most severe) to 4.
    #[error("disability level must be 1–4, got {0}")]
    Level(u8),
}

/// Category and level from a disability certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DisabilityGrade {
    category: DisabilityCategory,
    level: u8,
}

/// Where 重残 (severe disability) begins under one programme's definition — the definitions
/// differ by programme, and they are reference data (`severe_disability`): certificate levels 1
/// to `level` of any category, and 1 to `cognitive_level` for intellectual and mental ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SevereFrom {
    /// The least severe level that counts, any category (1 most severe … 4).
    pub level: u8,
    /// The least severe level that counts for intellectual and mental disabilities.
    pub cognitive_level: u8,
}

impl DisabilityGrade {
    /// A grade from the certificate digits: category 1–7, level 1–4.
    pub fn new(category: u8, level: u8) -> Result<Self, GradeError> {
        let category = match category {
            1 => DisabilityCategory::Visual,
            2 => DisabilityCategory::Hearing,
            3 => DisabilityCategory::Speech,
            4 => DisabilityCategory::Physical,
            5 => DisabilityCategory::Intellectual,
            6 => DisabilityCategory::Mental,
            7 => DisabilityCategory::Multiple,
            other => return Err(GradeError::Category(other)),
        };
        if !(1..=4).contains(&level) {
            return Err(GradeError::Level(level));
        }
        Ok(Self { category, level })
    }

    /// The category.
    pub fn category(self) -> DisabilityCategory {
        self.category
    }

    /// The level, 1 (most severe) to 4.
    pub fn level(self) -> u8 {
        self.level
    }

    /// Whether this grade is 重残 under a programme's definition.
    pub fn is_severe_for(self, rule: SevereFrom) -> bool {
        let cognitive = matches!(
            self.category,
            DisabilityCategory::Intellectual | DisabilityCategory::Mental
        );
        self.level <= rule.level || (cognitive && self.level <= rule.cognitive_level)
    }
}

/// How a member's disability is known: a certificate, or a yes/no established otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disability {
    /// A decision made elsewhere (e.g. a medical assessment pending the certificate).
    Declared {
        /// True when the member counts as 重残 for every programme.
        severe: bool,
    },
    /// A disability certificate (残疾人证).
    Certificate {
        /// Category and level.
        grade: DisabilityGrade,
        /// Expiry date; an expired certificate counts for nothing.
        expires_on: Option<NaiveDate>,
    },
}

impl Disability {
    /// Whether the member is 重残 under `rule` on `on`.
    pub fn is_severe_for(&self, rule: SevereFrom, on: NaiveDate) -> bool {
        match self {
            Disability::Declared { severe } => *severe,
            Disability::Certificate { grade, expires_on } => {
                expires_on.is_none_or(|end| on <= end) && grade.is_severe_for(rule)
            }
        }
    }
}

/// A household member living together with a duty of support (共同生活的家庭成员).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// Stable id of the member within the household.
    pub id: Uuid,
    /// How the trail names the member to the family, e.g. "申请人 applicant" or "妻 wife".
    pub label: String,
    /// Birth date (from the ID number).
    pub birth_date: NaiveDate,
    /// Monthly income items.
    pub income: Vec<IncomeItem>,
    /// In work; the employment-cost deduction applies to the member's work income.
    pub employed: bool,
    /// Able to work (劳动能力); sets the 6-month review cadence.
    pub able_to_work: bool,
    /// Disability, if any.
    pub disability: Option<Disability>,
    /// 重病 (a serious illness recognised by the local list).
    pub severe_illness: bool,
    /// Has a person with a legal duty of support (赡养/抚养/扶养) who is able to fulfil it; an
    /// extreme-poverty applicant must not.
    pub has_capable_supporter: bool,
    /// Paid extreme-poverty support (特困供养) on the assessment's date. One benefit per person:
    /// a household programme (dibao, marginal) does not count the member, and single-person dibao
    /// is not for them.
    #[serde(default)]
    pub extreme_poverty_support: bool,
}

impl Member {
    /// Age in completed years on `on`.
    pub fn age_on(&self, on: NaiveDate) -> u32 {
        age_on(self.birth_date, on)
    }

    /// All monthly income.
    pub fn monthly_income(&self) -> Fen {
        self.income.iter().map(|i| i.monthly).sum()
    }

    /// Monthly income from work.
    pub fn work_income(&self) -> Fen {
        self.income
            .iter()
            .filter(|i| i.kind.is_work_income())
            .map(|i| i.monthly)
            .sum()
    }

    /// Whether the member is 重残 under `rule` on `on`.
    pub fn is_severely_disabled(&self, rule: SevereFrom, on: NaiveDate) -> bool {
        self.disability.is_some_and(|d| d.is_severe_for(rule, on))
    }
}

/// Age in completed years: the birthday must have been reached (a 29 February birthday is
/// reached on 1 March in common years).
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> u32 {
    if on < birth {
        return 0;
    }
    let years = on.year() - birth.year();
    let before_birthday = (on.month(), on.day()) < (birth.month(), birth.day());
    u32::try_from(years - i32::from(before_birthday)).unwrap_or(0)
}

/// The result of the property predicates (家庭财产) run during verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PropertyCheck {
    /// Every configured property test passed.
    WithinLimits,
    /// At least one test failed; the reasons are read out to the family.
    OverLimits {
        /// One line per failed test.
        reasons: Vec<String>,
    },
}

/// A household (户) for the calculation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Household {
    /// The household.
    pub id: Uuid,
    /// Urban or rural standard.
    pub residence: Residence,
    /// Registered (户籍) in the district.
    pub local_hukou: bool,
    /// What the investigators or the verification platform found over the limits.
    pub property: PropertyCheck,
    /// Registered property, tested against the property predicates in force.
    pub assets: Vec<Asset>,
    /// Members living together with a duty of support.
    pub members: Vec<Member>,
}

impl Household {
    /// Number of members.
    pub fn size(&self) -> i64 {
        i64::try_from(self.members.len()).unwrap_or(i64::MAX)
    }

    /// The member with `id`.
    pub fn member(&self, id: Uuid) -> Option<&Member> {
        self.members.iter().find(|m| m.id == id)
    }

    /// The household a household programme (dibao, marginal) counts: without the members paid
    /// extreme-poverty support, who draw that benefit alone.
    pub fn without_extreme_poverty_support(&self) -> Household {
        Household {
            members: self
                .members
                .iter()
                .filter(|m| !m.extreme_poverty_support)
                .cloned()
                .collect(),
            ..self.clone()
        }
    }

    /// True when any member is able to work (reviews every 6 months instead of 12).
    pub fn has_member_able_to_work(&self) -> bool {
        self.members.iter().any(|m| m.able_to_work)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn age_counts_completed_years_only() {
        let cases = [
            (d(1952, 4, 25), d(2022, 4, 24), 69),
            (d(1952, 4, 25), d(2022, 4, 25), 70),
            (d(2004, 2, 29), d(2022, 2, 28), 17),
            (d(2004, 2, 29), d(2022, 3, 1), 18),
            (d(2004, 2, 29), d(2024, 2, 29), 20),
            (d(2030, 1, 1), d(2022, 1, 1), 0),
        ];
        for (birth, on, age) in cases {
            assert_eq!(age_on(birth, on), age, "born {birth}, on {on}");
        }
    }

    #[test]
    fn severe_disability_differs_by_programme() {
        let severe = crate::domain::reference::seed()
            .at(d(2022, 4, 25))
            .unwrap()
            .severe_disability;
        // The two other definitions DOMAIN gives (other services apply them), as data too.
        let nursing_subsidy = SevereFrom {
            level: 2,
            cognitive_level: 2,
        };
        let de_facto_unsupported_child = SevereFrom {
            level: 2,
            cognitive_level: 4,
        };
        assert_eq!(severe.dibao_add_on, nursing_subsidy);
        // (category, level, nursing subsidy, single-person dibao, de facto unsupported child)
        let cases = [
            (4, 1, true, true, true),
            (1, 2, true, true, true),
            (4, 3, false, false, false),
            (5, 3, false, true, true),
            (6, 3, false, true, true),
            (5, 4, false, false, true),
            (6, 4, false, false, true),
            (2, 4, false, false, false),
        ];
        for (category, level, nursing, single, child) in cases {
            let grade = DisabilityGrade::new(category, level).unwrap();
            assert_eq!(
                grade.is_severe_for(nursing_subsidy),
                nursing,
                "{category}/{level} nursing"
            );
            assert_eq!(
                grade.is_severe_for(severe.single_person_dibao),
                single,
                "{category}/{level} single"
            );
            assert_eq!(
                grade.is_severe_for(de_facto_unsupported_child),
                child,
                "{category}/{level} child"
            );
        }
    }

    #[test]
    fn certificate_digits_outside_their_ranges_are_refused() {
        assert_eq!(DisabilityGrade::new(8, 1), Err(GradeError::Category(8)));
        assert_eq!(DisabilityGrade::new(0, 1), Err(GradeError::Category(0)));
        assert_eq!(DisabilityGrade::new(1, 5), Err(GradeError::Level(5)));
        assert_eq!(DisabilityGrade::new(1, 0), Err(GradeError::Level(0)));
    }

    #[test]
    fn an_expired_certificate_no_longer_counts_and_a_declared_flag_always_does() {
        let grade = DisabilityGrade::new(4, 1).unwrap();
        let cert = Disability::Certificate {
            grade,
            expires_on: Some(d(2022, 6, 30)),
        };
        assert!(cert.is_severe_for(
            crate::domain::reference::SEVERE_DISABILITY.dibao_add_on,
            d(2022, 6, 30)
        ));
        assert!(!cert.is_severe_for(
            crate::domain::reference::SEVERE_DISABILITY.dibao_add_on,
            d(2022, 7, 1)
        ));
        let declared = Disability::Declared { severe: true };
        assert!(declared.is_severe_for(
            crate::domain::reference::SEVERE_DISABILITY.single_person_dibao,
            d(2030, 1, 1)
        ));
    }

    #[test]
    fn only_wages_and_self_employment_are_work_income() {
        let member = Member {
            id: Uuid::nil(),
            label: "申请人 applicant".into(),
            birth_date: d(1980, 1, 1),
            income: vec![
                IncomeItem {
                    kind: IncomeKind::Wages,
                    monthly: Fen(150_000),
                },
                IncomeItem {
                    kind: IncomeKind::SelfEmployment,
                    monthly: Fen(20_000),
                },
                IncomeItem {
                    kind: IncomeKind::Pension,
                    monthly: Fen(30_000),
                },
            ],
            employed: true,
            able_to_work: true,
            disability: None,
            severe_illness: false,
            has_capable_supporter: true,
            extreme_poverty_support: false,
        };
        assert_eq!(member.work_income(), Fen(170_000));
        assert_eq!(member.monthly_income(), Fen(200_000));
    }
}
