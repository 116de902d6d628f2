//! Programmes for one person: single-person dibao (a 重残 or 重病 adult of a marginal household)
//! and extreme-poverty support (basic living standard paid in full, plus a care allowance).

use uuid::Uuid;

use super::dibao::assess_marginal;
use super::income::{add_ons, countable_income, shared_conditions};
use super::{Assessment, BenefitError};
use crate::domain::household::{Household, Residence};
use crate::domain::programme::{ExtremePovertySupport, Programme, SupportMode};
use crate::domain::reference::{ParameterSet, SinglePersonDibaoMode};

/// Adulthood under the Civil Code (民法典 第十七条); a legal definition, not a policy parameter.
const ADULT_AGE: u32 = 18;

/// Single-person dibao (单人保) for `member`: the household must be marginal, the member an adult
/// who is 重残 (single-person rule: level 1–2, or 3 intellectual/mental) or 重病. Paid as the fixed
/// amount or as 补差 of a household of one (by parameter), plus the member's add-ons.
pub fn assess_single_person_dibao(
    h: &Household,
    member: Uuid,
    p: &ParameterSet,
) -> Result<Assessment, BenefitError> {
    let m = h
        .member(member)
        .ok_or(BenefitError::UnknownMember(member))?;
    let mut a = Assessment::new(Programme::SinglePersonDibao, p.date);
    if m.extreme_poverty_support {
        a.refuse(format!(
            "{}: 已纳入特困供养 already paid extreme-poverty support",
            m.label
        ));
    }
    let marginal = assess_marginal(h, p)?;
    for r in &marginal.reasons {
        a.refuse(format!(
            "家庭不是低保边缘家庭 the household is not a marginal household: {r}"
        ));
    }
    if m.age_on(p.date) < ADULT_AGE {
        a.refuse(format!(
            "{}: 未成年 not an adult (under {ADULT_AGE})",
            m.label
        ));
    }
    if !(m.is_severely_disabled(p.severe_disability.single_person_dibao, p.date)
        || m.severe_illness)
    {
        a.refuse(format!(
            "{}: 非重残、重病 neither severely disabled (level 1–2, or 3 intellectual/mental) nor severely ill",
            m.label
        ));
    }
    let standard = p.dibao_standard(h.residence);
    match p.single_person_dibao_mode {
        SinglePersonDibaoMode::FixedAmount { urban, rural } => {
            let amount = match h.residence {
                Residence::Urban => urban,
                Residence::Rural => rural,
            };
            a.term(
                "单人保定额 single-person dibao, fixed amount",
                amount,
                h.residence.label(),
            );
        }
        SinglePersonDibaoMode::TopUpOfOne => {
            a.term(
                "低保标准 × 1 人 standard for a household of one",
                standard,
                h.residence.label(),
            );
            let income = countable_income([m], standard, p, &mut a);
            if income >= standard {
                a.refuse(format!(
                    "{}: 本人收入不低于低保标准 own income {income} 元 is not below the standard {standard} 元",
                    m.label
                ));
            }
            let gap = standard - income;
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
        }
    }
    if a.eligible {
        add_ons(m, h.residence, standard, p, &mut a);
    }
    Ok(a.finish(true))
}

/// Extreme-poverty support (特困供养) for one member: local, property within limits, unable to
/// work, no supporter able to support, own income below the dibao standard (无生活来源). Pays the
/// basic living standard in full (own income is not deducted) plus the care allowance for the
/// support mode and care level; for institutional support the money goes to the institution.
pub fn assess_extreme_poverty(
    h: &Household,
    support: &ExtremePovertySupport,
    p: &ParameterSet,
) -> Result<Assessment, BenefitError> {
    let m = h
        .member(support.member)
        .ok_or(BenefitError::UnknownMember(support.member))?;
    let mut a = Assessment::new(Programme::ExtremePoverty, p.date);
    shared_conditions(h, p, &mut a);
    if m.able_to_work {
        a.refuse(format!("{}: 有劳动能力 able to work", m.label));
    }
    if m.has_capable_supporter {
        a.refuse(format!(
            "{}: 有履行义务能力的法定赡养、抚养、扶养人 a person with a duty of support is able to support the member",
            m.label
        ));
    }
    let standard = p.dibao_standard(h.residence);
    let income = m.monthly_income();
    if income >= standard {
        a.refuse(format!(
            "{}: 本人收入不低于低保标准 own income {income} 元 is not below the dibao standard {standard} 元",
            m.label
        ));
    }
    let payee = match support.mode {
        SupportMode::Institutional => "集中供养 institutional: paid to the institution",
        SupportMode::Dispersed => "分散供养 dispersed: paid to the person",
    };
    a.term(
        "特困人员基本生活标准 basic living standard",
        p.extreme_poverty_basic_living,
        payee,
    );
    let care = p.care_allowances.amount(support.mode, support.care_level);
    if care.is_positive() {
        a.term(
            format!("照料护理费 care allowance, {}", support.care_level.label()),
            care,
            payee,
        );
    }
    Ok(a.finish(true))
}
