//! Effective-dated reference data: every threshold, ratio, amount and target of this service is a
//! value with a `valid_from` date and a scope (district, township or village code), never a
//! constant in code, so the bureau changes a standard by adding a row.

use chrono::NaiveDate;

/// One value of a named parameter for a scope, in force from `valid_from` until the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameter {
    pub name: String,
    /// Division code the value applies to (`500112` district-wide, a township, or one village).
    pub scope: String,
    pub valid_from: NaiveDate,
    pub value: i64,
}

/// Names of the parameters this service reads (the rows are seeded by a migration).
pub mod names {
    /// Months between a filing of village rules and their next periodic review.
    pub const RULES_REVIEW_INTERVAL_MONTHS: &str = "rules_review_interval_months";
    /// Households one community worker serves under the staffing standard.
    pub const STAFFING_HOUSEHOLDS_PER_WORKER: &str = "staffing_households_per_worker";
    /// Fewest community workers an urban community (社区) has, whatever its size.
    pub const STAFFING_MINIMUM_COMMUNITY: &str = "staffing_minimum_workers_community";
    /// Fewest workers a rural village (村) has, whatever its size.
    pub const STAFFING_MINIMUM_VILLAGE: &str = "staffing_minimum_workers_village";
    /// Monthly base pay of a community worker at each pay level, in fen.
    pub const PAY_BASE_HEAD_FEN: &str = "pay_base_head_fen";
    pub const PAY_BASE_DEPUTY_FEN: &str = "pay_base_deputy_fen";
    pub const PAY_BASE_MEMBER_FEN: &str = "pay_base_member_fen";
    /// Monthly seniority allowance per full year of community work, in fen.
    pub const PAY_SENIORITY_PER_YEAR_FEN: &str = "pay_seniority_per_year_fen";
    /// Monthly allowance for each social-work qualification, in fen.
    pub const PAY_CERTIFICATE_SENIOR_FEN: &str = "pay_certificate_senior_fen";
    pub const PAY_CERTIFICATE_INTERMEDIATE_FEN: &str = "pay_certificate_intermediate_fen";
    pub const PAY_CERTIFICATE_ASSISTANT_FEN: &str = "pay_certificate_assistant_fen";
    pub const PAY_CERTIFICATE_MUNICIPAL_FEN: &str = "pay_certificate_municipal_fen";
}

/// The value of `name` in force on `date` for the most specific scope that has one: `scopes` are
/// tried in order (village, then its township, then the district).
pub fn value_at(params: &[Parameter], name: &str, scopes: &[&str], date: NaiveDate) -> Option<i64> {
    scopes.iter().find_map(|scope| {
        params
            .iter()
            .filter(|p| p.name == name && p.scope == *scope && p.valid_from <= date)
            .max_by_key(|p| p.valid_from)
            .map(|p| p.value)
    })
}

/// The scopes of a village code, most specific first: village, township, district.
pub fn scopes_of(village_code: &str) -> Vec<&str> {
    [12, 9, 6]
        .into_iter()
        .filter(|n| village_code.len() >= *n)
        .map(|n| &village_code[..n])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn p(scope: &str, from: &str, value: i64) -> Parameter {
        Parameter {
            name: "x".into(),
            scope: scope.into(),
            valid_from: d(from),
            value,
        }
    }

    #[test]
    fn the_most_specific_scope_and_the_latest_start_on_or_before_the_date_win() {
        let params = [
            p("500112", "2022-01-01", 300),
            p("500112", "2024-01-01", 250),
            p("500112016", "2023-01-01", 200),
            p("500112016001", "2025-01-01", 150),
        ];
        let village = scopes_of("500112016001");
        let cases = [
            ("2021-12-31", "500112017001", None),
            ("2022-06-01", "500112017001", Some(300)),
            ("2024-01-01", "500112017001", Some(250)),
            ("2022-06-01", "500112016001", Some(300)),
            ("2023-01-01", "500112016001", Some(200)),
            ("2024-06-01", "500112016001", Some(200)),
            ("2025-01-01", "500112016001", Some(150)),
        ];
        for (date, code, expected) in cases {
            let scopes = scopes_of(code);
            assert_eq!(
                value_at(&params, "x", &scopes, d(date)),
                expected,
                "{date} {code}"
            );
        }
        assert_eq!(village, ["500112016001", "500112016", "500112"]);
        assert_eq!(value_at(&params, "y", &village, d("2025-01-01")), None);
    }
}
