//! Programmes beside the allowance: 福彩圆梦·孤儿助学 (grants for orphans in higher education),
//! 明天计划 (surgery and rehabilitation for disabled orphans) and education aid for de facto
//! unsupported children — each with who may draw it.

use serde::{Deserialize, Serialize};

use super::{category::Category, entitlement::SchoolLevel, entitlement::Schooling};

/// A programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Programme {
    /// 福彩圆梦·孤儿助学工程: a yearly grant at the reference amount.
    FucaiDreamEducation,
    /// 明天计划: the cost of an approved operation or rehabilitation.
    TomorrowPlanSurgery,
    /// Education aid for de facto unsupported children.
    EducationAid,
}

/// What the rules need to know about the child.
#[derive(Debug, Clone, Copy)]
pub struct Applicant<'a> {
    pub category: Category,
    pub schooling: Option<&'a Schooling>,
    /// A disability certificate is on record, or a medical assessment is cited.
    pub disabled: bool,
}

/// Why a child may not draw a programme; `None` when they may.
pub fn refusal(programme: Programme, child: &Applicant<'_>) -> Option<&'static str> {
    let in_school = child.schooling.filter(|s| s.full_time);
    match programme {
        Programme::FucaiDreamEducation if !child.category.is_orphan() => {
            Some("福彩圆梦·孤儿助学 is for orphans")
        }
        Programme::FucaiDreamEducation
            if in_school.is_none_or(|s| s.level != SchoolLevel::HigherEducation) =>
        {
            Some("福彩圆梦·孤儿助学 is for orphans in full-time higher education")
        }
        Programme::TomorrowPlanSurgery if !child.category.is_orphan() => {
            Some("明天计划 is for orphans")
        }
        Programme::TomorrowPlanSurgery if !child.disabled => {
            Some("明天计划 is for disabled orphans: no certificate or medical assessment")
        }
        Programme::EducationAid if child.category != Category::DeFactoUnsupported => {
            Some("education aid is for de facto unsupported children")
        }
        Programme::EducationAid if in_school.is_none() => {
            Some("education aid is for children in full-time education")
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn school(level: SchoolLevel) -> Schooling {
        let d = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
        Schooling {
            level,
            full_time: true,
            enrolled_on: d,
            course_end: d,
        }
    }

    #[test]
    fn each_programme_admits_only_its_children() {
        use Category::*;
        use Programme::*;
        let uni = school(SchoolLevel::HigherEducation);
        let senior = school(SchoolLevel::SeniorSecondary);
        for (programme, category, schooling, disabled, allowed) in [
            (FucaiDreamEducation, Orphan, Some(&uni), false, true),
            (FucaiDreamEducation, HivInfected, Some(&uni), false, true),
            (FucaiDreamEducation, Orphan, Some(&senior), false, false),
            (FucaiDreamEducation, Orphan, None, false, false),
            (
                FucaiDreamEducation,
                DeFactoUnsupported,
                Some(&uni),
                false,
                false,
            ),
            (TomorrowPlanSurgery, Orphan, None, true, true),
            (TomorrowPlanSurgery, Orphan, None, false, false),
            (TomorrowPlanSurgery, DeFactoUnsupported, None, true, false),
            (EducationAid, DeFactoUnsupported, Some(&senior), false, true),
            (EducationAid, DeFactoUnsupported, None, false, false),
            (EducationAid, Orphan, Some(&senior), false, false),
        ] {
            let child = Applicant {
                category,
                schooling,
                disabled,
            };
            assert_eq!(
                refusal(programme, &child).is_none(),
                allowed,
                "{programme:?} {category:?} {schooling:?} disabled={disabled}"
            );
        }
    }
}
