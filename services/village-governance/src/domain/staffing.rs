//! Community workers (社区工作者): how many a community needs under the staffing standard, and
//! the monthly pay of a worker by pay level, seniority and social-work qualification. Every number
//! comes from reference data.

use serde::{Deserialize, Serialize};

/// The staffing standard for one community on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Standard {
    /// Households one worker serves.
    pub households_per_worker: u32,
    /// Fewest workers whatever the size.
    pub minimum_workers: u32,
}

/// A community's staffing against the standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Staffing {
    pub required: u32,
    pub actual: u32,
    /// Workers missing (0 when at or above standard).
    pub shortfall: u32,
    /// Actual as thousandths of required (1000 = exactly at standard).
    pub per_mille_of_standard: u32,
    pub under_standard: bool,
}

/// Workers required for `households` households: one per started `households_per_worker`, and at
/// least the minimum.
pub fn required(standard: Standard, households: u32) -> u32 {
    let per = standard.households_per_worker.max(1);
    households.div_ceil(per).max(standard.minimum_workers)
}

/// Staffing of a community with `actual` workers.
pub fn staffing(standard: Standard, households: u32, actual: u32) -> Staffing {
    let required = required(standard, households);
    let per_mille = if required == 0 {
        1000
    } else {
        (u64::from(actual) * 1000 / u64::from(required)) as u32
    };
    Staffing {
        required,
        actual,
        shortfall: required.saturating_sub(actual),
        per_mille_of_standard: per_mille,
        under_standard: actual < required,
    }
}

/// Pay level (岗位): head (正职), deputy (副职), or member and other full-time workers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayLevel {
    Head,
    Deputy,
    Member,
}

/// Social-work qualification held (职业资格).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Qualification {
    None,
    /// 重庆市社会工作员 (incl. former 社区管理师/管理员).
    Municipal,
    /// 助理社会工作师.
    Assistant,
    /// 社会工作师.
    Intermediate,
    /// 高级社会工作师.
    Senior,
}

/// The pay scale in force for a worker's community on a date, in fen per month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PayScale {
    pub base_head: i64,
    pub base_deputy: i64,
    pub base_member: i64,
    pub seniority_per_year: i64,
    pub certificate_senior: i64,
    pub certificate_intermediate: i64,
    pub certificate_assistant: i64,
    pub certificate_municipal: i64,
}

/// Monthly pay in fen: base for the level, plus seniority per full year, plus the qualification
/// allowance (performance awards are paid by the township separately and are not included).
pub fn monthly_pay(scale: &PayScale, level: PayLevel, full_years: u32, q: Qualification) -> i64 {
    let base = match level {
        PayLevel::Head => scale.base_head,
        PayLevel::Deputy => scale.base_deputy,
        PayLevel::Member => scale.base_member,
    };
    let allowance = match q {
        Qualification::None => 0,
        Qualification::Municipal => scale.certificate_municipal,
        Qualification::Assistant => scale.certificate_assistant,
        Qualification::Intermediate => scale.certificate_intermediate,
        Qualification::Senior => scale.certificate_senior,
    };
    base + scale.seniority_per_year * i64::from(full_years) + allowance
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_workers_round_up_and_never_fall_below_the_minimum() {
        let s = Standard {
            households_per_worker: 300,
            minimum_workers: 5,
        };
        let cases = [
            (0, 0, 5, 5, true),
            (1500, 5, 5, 0, false),
            (1501, 5, 6, 1, true),
            (3000, 12, 10, 0, false),
            (2400, 4, 8, 4, true),
        ];
        for (households, actual, req, shortfall, under) in cases {
            let st = staffing(s, households, actual);
            assert_eq!(
                (st.required, st.shortfall, st.under_standard),
                (req, shortfall, under),
                "{households} households, {actual} workers"
            );
        }
        assert_eq!(staffing(s, 2400, 4).per_mille_of_standard, 500);
    }

    #[test]
    fn pay_adds_base_seniority_and_qualification() {
        let scale = PayScale {
            base_head: 340_000,
            base_deputy: 320_000,
            base_member: 310_000,
            seniority_per_year: 3_000,
            certificate_senior: 50_000,
            certificate_intermediate: 30_000,
            certificate_assistant: 20_000,
            certificate_municipal: 10_000,
        };
        let cases = [
            (PayLevel::Head, 0, Qualification::None, 340_000),
            (
                PayLevel::Deputy,
                10,
                Qualification::Assistant,
                320_000 + 30_000 + 20_000,
            ),
            (
                PayLevel::Member,
                3,
                Qualification::Senior,
                310_000 + 9_000 + 50_000,
            ),
            (
                PayLevel::Member,
                1,
                Qualification::Municipal,
                310_000 + 3_000 + 10_000,
            ),
            (
                PayLevel::Head,
                2,
                Qualification::Intermediate,
                340_000 + 6_000 + 30_000,
            ),
        ];
        for (level, years, q, expected) in cases {
            assert_eq!(
                monthly_pay(&scale, level, years, q),
                expected,
                "{level:?} {years} {q:?}"
            );
        }
    }
}
