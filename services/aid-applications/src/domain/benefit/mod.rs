//! The benefit calculation with a trail a clerk can read out to the family: every line that makes
//! up the monthly amount, computed with the parameters in force on the date asked about.

mod dibao;
mod income;
mod individual;
#[cfg(test)]
mod tests;

use std::fmt::Write as _;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::household::Household;
use super::money::Fen;
use super::programme::{Claim, Programme};
use super::reference::{Parameters, ReferenceError};

pub use dibao::{assess_dibao, assess_marginal};
pub use individual::{assess_extreme_poverty, assess_single_person_dibao};

/// One line of the trail. The terms of an assessment always add up to its monthly amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    /// What the line is, in Chinese and English.
    pub label: String,
    /// Signed amount: standards and add-ons count up, income counts down.
    pub amount: Fen,
    /// How the amount was obtained (empty when the label says it all).
    pub note: String,
}

/// The outcome of a calculation for one programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    /// Programme assessed.
    pub programme: Programme,
    /// True when every condition holds.
    pub eligible: bool,
    /// Why not, one line per failed condition (empty when eligible).
    pub reasons: Vec<String>,
    /// Monthly amount to pay (zero when not eligible, and for marginal households).
    pub monthly_amount: Fen,
    /// The trail; sums to `monthly_amount`.
    pub terms: Vec<Term>,
    /// The date whose parameters were used.
    pub parameters_on: NaiveDate,
}

impl Assessment {
    fn new(programme: Programme, parameters_on: NaiveDate) -> Self {
        Self {
            programme,
            eligible: true,
            reasons: Vec::new(),
            monthly_amount: Fen::ZERO,
            terms: Vec::new(),
            parameters_on,
        }
    }

    fn term(&mut self, label: impl Into<String>, amount: Fen, note: impl Into<String>) {
        self.terms.push(Term {
            label: label.into(),
            amount,
            note: note.into(),
        });
    }

    fn refuse(&mut self, reason: impl Into<String>) {
        self.eligible = false;
        self.reasons.push(reason.into());
    }

    fn total(&self) -> Fen {
        self.terms.iter().map(|t| t.amount).sum()
    }

    /// Closes the trail: the amount is the sum of the terms when eligible and `pays` is true;
    /// otherwise a closing line brings the trail to zero, so it still adds up.
    fn finish(mut self, pays: bool) -> Self {
        let total = self.total();
        if self.eligible && pays {
            self.monthly_amount = total;
        } else if total != Fen::ZERO {
            let label = if self.eligible {
                "不发放现金 no cash benefit for this programme"
            } else {
                "不符合条件，不予发放 not eligible: nothing is paid"
            };
            self.term(label, -total, "");
        }
        self
    }

    /// The trail as text, one line per term, then the amount or the reasons.
    pub fn trail(&self) -> String {
        let mut out = format!(
            "{} (parameters in force on {})\n",
            self.programme.label(),
            self.parameters_on
        );
        for t in &self.terms {
            let sign = if t.amount < Fen::ZERO { "" } else { "+" };
            let _ = write!(out, "  {}: {sign}{} 元", t.label, t.amount);
            if !t.note.is_empty() {
                let _ = write!(out, " ({})", t.note);
            }
            out.push('\n');
        }
        let _ = writeln!(out, "  = {} 元 per month", self.monthly_amount);
        for r in &self.reasons {
            let _ = writeln!(out, "  ✗ {r}");
        }
        out
    }
}

/// Why a calculation cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BenefitError {
    /// The parameters have no value on the date.
    #[error(transparent)]
    Reference(#[from] ReferenceError),
    /// A household needs at least one member.
    #[error("the household has no members")]
    EmptyHousehold,
    /// The claim names a member the household does not have.
    #[error("member {0} is not in the household")]
    UnknownMember(Uuid),
}

/// Assesses `claim` for `household` with the parameters in force on `on` (March's payment is
/// computed with March's standard: pass a date in March).
pub fn assess(
    household: &Household,
    claim: &Claim,
    parameters: &Parameters,
    on: NaiveDate,
) -> Result<Assessment, BenefitError> {
    let p = parameters.at(on)?;
    match claim {
        Claim::Dibao => assess_dibao(household, &p),
        Claim::Marginal => assess_marginal(household, &p),
        Claim::SinglePersonDibao { member } => assess_single_person_dibao(household, *member, &p),
        Claim::ExtremePoverty(support) => assess_extreme_poverty(household, support, &p),
    }
}
