//! Household programmes: dibao (补差 at household level, rounded up to the yuan, never below zero,
//! plus add-ons) and the marginal-household test (income between 1× and 1.5× the line).

use super::income::{add_ons, countable_income, per_capita, shared_conditions};
use super::{Assessment, BenefitError};
use crate::domain::household::Household;
use crate::domain::money::Fen;
use crate::domain::programme::Programme;
use crate::domain::reference::ParameterSet;

/// Dibao: standard × household size − countable household income, rounded up to the whole yuan,
/// floor 0, plus per-person add-ons. Eligible when local, property within limits, and countable
/// income below standard × size (the per-capita test, compared exactly without dividing).
pub fn assess_dibao(h: &Household, p: &ParameterSet) -> Result<Assessment, BenefitError> {
    if h.members.is_empty() {
        return Err(BenefitError::EmptyHousehold);
    }
    let mut a = Assessment::new(Programme::Dibao, p.date);
    let counted = counted_members(h, &mut a);
    if counted.members.is_empty() {
        return Ok(a.finish(true));
    }
    let h = &counted;
    let standard = p.dibao_standard(h.residence);
    let (line, income) = dibao_line_and_income(h, p, &mut a);
    shared_conditions(h, p, &mut a);
    if income >= line {
        a.refuse(format!(
            "家庭人均收入不低于低保标准 per-capita income {} 元 is not below the standard {standard} 元 \
             (household {income} 元 ≥ {line} 元)",
            per_capita(income, h.size())
        ));
    }
    let gap = line - income;
    let rounded = gap.ceil_to_yuan();
    if rounded != gap {
        a.term(
            "向上取整到元 rounded up to the whole yuan",
            rounded - gap,
            format!("{gap} → {rounded}"),
        );
    }
    let floored = rounded.floor_zero();
    if floored != rounded {
        a.term(
            "补差不低于零 the top-up is never below zero",
            floored - rounded,
            "",
        );
    }
    if a.eligible {
        for m in &h.members {
            add_ons(m, h.residence, standard, p, &mut a);
        }
    }
    Ok(a.finish(true))
}

/// Marginal household (低保边缘家庭): local, property within limits, and countable income at or
/// above the dibao line but below the marginal multiple of it. No cash benefit.
pub fn assess_marginal(h: &Household, p: &ParameterSet) -> Result<Assessment, BenefitError> {
    if h.members.is_empty() {
        return Err(BenefitError::EmptyHousehold);
    }
    let mut a = Assessment::new(Programme::Marginal, p.date);
    let counted = counted_members(h, &mut a);
    if counted.members.is_empty() {
        return Ok(a.finish(false));
    }
    let h = &counted;
    let standard = p.dibao_standard(h.residence);
    let (line, income) = dibao_line_and_income(h, p, &mut a);
    shared_conditions(h, p, &mut a);
    let pc = per_capita(income, h.size());
    if income < line {
        a.refuse(format!(
            "人均收入低于低保标准，应申请低保 per-capita income {pc} 元 is below the standard {standard} 元: \
             the household qualifies for dibao instead"
        ));
    }
    let multiplier = p.marginal_multiplier;
    if !multiplier.value_is_below(income, line) {
        a.refuse(format!(
            "人均收入不低于边缘线 per-capita income {pc} 元 is not below {multiplier} × the standard {standard} 元 \
             (= {} 元)",
            multiplier.of(standard)
        ));
    }
    Ok(a.finish(false))
}

/// Writes standard × size and the income lines; returns (line, countable income).
fn dibao_line_and_income(h: &Household, p: &ParameterSet, a: &mut Assessment) -> (Fen, Fen) {
    let standard = p.dibao_standard(h.residence);
    let line = standard * h.size();
    a.term(
        "低保标准 × 家庭人口 standard × household size",
        line,
        format!("{standard} 元 ({}) × {} 人", h.residence.label(), h.size()),
    );
    let income = countable_income(&h.members, standard, p, a);
    (line, income)
}

/// The members a household programme counts, with a trail line for each member it leaves out
/// (paid extreme-poverty support: one benefit per person), and a refusal when none is left.
fn counted_members(h: &Household, a: &mut Assessment) -> Household {
    for m in h.members.iter().filter(|m| m.extreme_poverty_support) {
        a.term(
            format!(
                "{}: 已纳入特困供养，不计入 not counted: paid extreme-poverty support",
                m.label
            ),
            Fen::ZERO,
            "",
        );
    }
    let counted = h.without_extreme_poverty_support();
    if counted.members.is_empty() {
        a.refuse("全部成员已纳入特困供养 every member is paid extreme-poverty support");
    }
    counted
}
