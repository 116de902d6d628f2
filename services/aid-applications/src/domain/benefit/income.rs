//! Countable income (after the employment-cost deduction), the add-ons (分类施保), and the
//! conditions every programme shares, written as trail lines.

use super::Assessment;
use crate::domain::household::{Household, Member, PropertyCheck, Residence};
use crate::domain::money::Fen;
use crate::domain::property::over_limits;
use crate::domain::reference::{AddOnAmount, AddOnStacking, ParameterSet};

/// Adds each income item (down) and each employed member's deduction (up) to the trail and
/// returns the countable monthly income. The deduction is the configured share of the standard,
/// never more than the member's work income, so it cannot make income negative.
pub(super) fn countable_income<'a>(
    members: impl IntoIterator<Item = &'a Member>,
    standard: Fen,
    p: &ParameterSet,
    a: &mut Assessment,
) -> Fen {
    let mut countable = Fen::ZERO;
    for m in members {
        for item in m.income.iter().filter(|i| i.monthly != Fen::ZERO) {
            a.term(
                format!("{}: {}", m.label, item.kind.label()),
                -item.monthly,
                "",
            );
            countable += item.monthly;
        }
        let work = m.work_income();
        if m.employed && work.is_positive() {
            let share = p.employment_cost_deduction.of(standard);
            let deduction = share.min(work);
            a.term(
                format!("{}: 就业成本扣减 employment-cost deduction", m.label),
                deduction,
                format!(
                    "{} × standard {standard} 元 = {share} 元, at most the work income {work} 元",
                    p.employment_cost_deduction
                ),
            );
            countable -= deduction;
        }
    }
    countable
}

/// Local registration, the property found over the limits, and the property predicates in force
/// applied to the registered property (against the household's dibao standard).
pub(super) fn shared_conditions(h: &Household, p: &ParameterSet, a: &mut Assessment) {
    if !h.local_hukou {
        a.refuse("户籍不在本区 the household is not registered (户籍) in the district");
    }
    if let PropertyCheck::OverLimits { reasons } = &h.property {
        if reasons.is_empty() {
            a.refuse("家庭财产超出规定 household property is over the limits");
        }
        for r in reasons {
            a.refuse(format!(
                "家庭财产超出规定 household property is over the limits: {r}"
            ));
        }
    }
    let standard = p.dibao_standard(h.residence);
    for r in over_limits(&h.assets, &p.property_limits, standard, h.size()) {
        a.refuse(format!(
            "家庭财产超出规定 household property is over the limits: {r}"
        ));
    }
}

/// Adds the member's add-ons to the trail and returns their sum.
pub(super) fn add_ons(
    m: &Member,
    residence: Residence,
    standard: Fen,
    p: &ParameterSet,
    a: &mut Assessment,
) -> Fen {
    let rules = &p.add_ons;
    let age = m.age_on(p.date);
    let candidates = [
        (
            m.is_severely_disabled(p.severe_disability.dibao_add_on, p.date),
            rules.severe_disability,
            "重残 severe disability",
        ),
        (
            m.severe_illness,
            rules.severe_illness,
            "重病 severe illness",
        ),
        (age >= rules.aged_from_age, rules.aged, "高龄 aged"),
        (age < rules.child_below_age, rules.child, "未成年 child"),
    ];
    let mut due: Vec<(Fen, &str, AddOnAmount)> = candidates
        .into_iter()
        .filter_map(|(applies, rule, label)| match (applies, rule) {
            (true, Some(rule)) => Some((rule.amount(residence, standard), label, rule)),
            _ => None,
        })
        .filter(|(amount, _, _)| amount.is_positive())
        .collect();
    if rules.stacking == AddOnStacking::Highest {
        // Stable sort: on a tie the first category in the list above wins.
        due.sort_by_key(|(amount, _, _)| std::cmp::Reverse(*amount));
        due.truncate(1);
    }
    let mut sum = Fen::ZERO;
    for (amount, label, rule) in due {
        let how = match rule {
            AddOnAmount::Fixed { .. } => format!("fixed, {}", residence.label()),
            AddOnAmount::ShareOfStandard(ratio) => format!("{ratio} × standard {standard} 元"),
        };
        let stacking = match rules.stacking {
            AddOnStacking::Highest => "; the highest of the member's add-ons",
            AddOnStacking::Sum => "",
        };
        a.term(
            format!("{}: 分类施保 add-on, {label}", m.label),
            amount,
            format!("{how}{stacking}"),
        );
        sum += amount;
    }
    sum
}

/// Per-capita income for display, rounded to the nearest fen; comparisons never use it.
pub(super) fn per_capita(income: Fen, size: i64) -> Fen {
    if size <= 0 {
        return income;
    }
    let half = if income.0 < 0 { -(size / 2) } else { size / 2 };
    Fen((income.0 + half) / size)
}
