//! The orphan / de facto unsupported (事实无人抚养) predicate over the pair of parents: each
//! parent's conditions as of a date give a standing, and the pair of standings decides, with the
//! reason it holds or not. Durations and the 重残 levels are reference data (see `Thresholds`).

use chrono::{Months, NaiveDate};
use contracts::partner::DisabilityCategory;
use serde::{Deserialize, Serialize};

/// A parent's situation, as the rules name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Situation {
    /// 死亡 (natural death or a court declaration of death).
    Dead,
    /// 宣告失踪 by a court.
    Missing,
    /// 重残, shown by a disability certificate.
    SevereDisability,
    /// 重病, per the local serious-illness list.
    SevereIllness,
    /// 服刑在押.
    Imprisoned,
    /// 强制隔离戒毒.
    CompulsoryDetox,
    /// 被执行其他限制人身自由的措施.
    DeprivedOfLiberty,
    /// 失联, counted from the date the police accepted the report.
    OutOfContact,
    /// 被撤销监护资格.
    CustodyRevoked,
    /// 被遣送(驱逐)出境.
    Deported,
    /// None of these.
    Present,
}

impl Situation {
    /// Every situation, for tables.
    pub const ALL: [Situation; 11] = [
        Situation::Dead,
        Situation::Missing,
        Situation::SevereDisability,
        Situation::SevereIllness,
        Situation::Imprisoned,
        Situation::CompulsoryDetox,
        Situation::DeprivedOfLiberty,
        Situation::OutOfContact,
        Situation::CustodyRevoked,
        Situation::Deported,
        Situation::Present,
    ];

    /// Whether the situation is a restriction of liberty with a term.
    pub fn has_term(self) -> bool {
        matches!(
            self,
            Situation::Imprisoned | Situation::CompulsoryDetox | Situation::DeprivedOfLiberty
        )
    }
}

/// A disability as a certificate shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disability {
    pub category: DisabilityCategory,
    /// 1 (most severe) to 4.
    pub level: u8,
}

/// One condition of a parent, with its dates.
///
/// `since` is `None` only for a condition asserted by a minor-protection flag, which carries the
/// category without dates: the flag's category is defined by the rule (e.g. `out_of_contact` is
/// "失联 for 6 months or more, police-confirmed"), so its duration is taken as met until staff
/// record the dated evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    pub situation: Situation,
    /// Start: date of death, of the court declaration, of custody, of the police report, …
    pub since: Option<NaiveDate>,
    /// Expected end of a term of custody (imprisonment, detox, other restriction), when fixed.
    pub expected_end: Option<NaiveDate>,
    /// When the condition ended (release, contact restored, recovery, certificate revoked).
    pub ended_on: Option<NaiveDate>,
    /// The certificate's category and level, for a severe disability.
    pub disability: Option<Disability>,
}

impl Condition {
    /// A dated condition with nothing else.
    pub fn since(situation: Situation, since: NaiveDate) -> Self {
        Self {
            situation,
            since: Some(since),
            expected_end: None,
            ended_on: None,
            disability: None,
        }
    }

    /// A condition asserted without dates (a minor-protection flag).
    pub fn asserted(situation: Situation) -> Self {
        Self {
            situation,
            since: None,
            expected_end: None,
            ended_on: None,
            disability: None,
        }
    }

    /// Whether the condition is in force on `as_of` (started, not ended).
    pub fn is_current(&self, as_of: NaiveDate) -> bool {
        self.since.is_none_or(|s| s <= as_of) && self.ended_on.is_none_or(|e| e > as_of)
    }
}

/// The thresholds of the predicate in force on the date assessed (reference data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thresholds {
    /// 服刑在押: minimum term in months (6).
    pub imprisonment_min_months: u32,
    /// 强制隔离戒毒: minimum term in months.
    pub compulsory_detox_min_months: u32,
    /// Other restriction of liberty: minimum term in months.
    pub deprived_of_liberty_min_months: u32,
    /// 失联: minimum months since the police accepted the report (6).
    pub out_of_contact_min_months: u32,
    /// 重残 of any category: levels 1 to this (2).
    pub severe_max_level_any: u8,
    /// 重残 of the intellectual or mental category: levels 1 to this (4).
    pub severe_max_level_intellectual_mental: u8,
}

impl Thresholds {
    fn min_months(&self, situation: Situation) -> u32 {
        match situation {
            Situation::Imprisoned => self.imprisonment_min_months,
            Situation::CompulsoryDetox => self.compulsory_detox_min_months,
            Situation::DeprivedOfLiberty => self.deprived_of_liberty_min_months,
            Situation::OutOfContact => self.out_of_contact_min_months,
            _ => 0,
        }
    }

    /// Whether a certificate shows 重残 as the de facto unsupported rules read it.
    pub fn is_severe(&self, d: Disability) -> bool {
        let mind = matches!(
            d.category,
            DisabilityCategory::Intellectual | DisabilityCategory::Mental
        );
        d.level >= 1
            && (d.level <= self.severe_max_level_any
                || (mind && d.level <= self.severe_max_level_intellectual_mental))
    }
}

/// Where a parent stands on the date assessed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "standing", rename_all = "snake_case")]
pub enum Standing {
    /// Dead or declared missing.
    Absent { situation: Situation },
    /// Meets one of the de facto unsupported conditions.
    Qualifies { situation: Situation },
    /// Meets none; `reason` says why.
    DoesNotQualify { reason: String },
}

impl Standing {
    fn describe(&self) -> String {
        match self {
            Standing::Absent { situation } | Standing::Qualifies { situation } => {
                kit::wire::name(situation)
            }
            Standing::DoesNotQualify { reason } => reason.clone(),
        }
    }
}

/// What the pair of parents makes of the child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Both parents dead or declared missing.
    Orphan,
    /// Both parents meet a condition, or one is dead or missing and the other meets one.
    DeFactoUnsupported,
    /// Neither.
    NotEligible,
}

/// The predicate's answer with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub outcome: Outcome,
    /// Why it holds or not, naming each parent.
    pub reason: String,
    pub father: Standing,
    pub mother: Standing,
    pub as_of: NaiveDate,
}

/// Why one condition does or does not qualify on `as_of`.
fn judge(c: &Condition, as_of: NaiveDate, t: &Thresholds) -> Result<(), String> {
    let name = kit::wire::name(c.situation);
    match c.situation {
        Situation::Present => Err("present: no condition".into()),
        Situation::SevereDisability => match c.disability {
            None => Err("severe_disability: no certificate on record".into()),
            Some(d) if t.is_severe(d) => Ok(()),
            Some(d) => Err(format!(
                "severe_disability: a level {} {} certificate is not 重残 for this rule",
                d.level,
                kit::wire::name(d.category)
            )),
        },
        s if t.min_months(s) > 0 => {
            let Some(since) = c.since else {
                return Ok(());
            };
            let months = t.min_months(s);
            let reached = since
                .checked_add_months(Months::new(months))
                .unwrap_or(NaiveDate::MAX);
            // A term of custody counts by its length; out of contact by the time elapsed.
            let end = match (s.has_term(), c.expected_end) {
                (true, Some(expected)) => expected,
                _ => as_of,
            };
            if reached <= end {
                Ok(())
            } else if s.has_term() && c.expected_end.is_some() {
                Err(format!("{name}: term shorter than {months} months"))
            } else {
                Err(format!(
                    "{name}: fewer than {months} months since {since} (reached on {reached})"
                ))
            }
        }
        _ => Ok(()),
    }
}

/// A parent's standing on `as_of` from the conditions recorded for them.
pub fn standing(conditions: &[Condition], as_of: NaiveDate, t: &Thresholds) -> Standing {
    let current: Vec<&Condition> = conditions.iter().filter(|c| c.is_current(as_of)).collect();
    if let Some(c) = current
        .iter()
        .find(|c| matches!(c.situation, Situation::Dead | Situation::Missing))
    {
        return Standing::Absent {
            situation: c.situation,
        };
    }
    let mut reasons = Vec::new();
    for c in &current {
        match judge(c, as_of, t) {
            Ok(()) => {
                return Standing::Qualifies {
                    situation: c.situation,
                };
            }
            Err(reason) => reasons.push(reason),
        }
    }
    for c in conditions.iter().filter(|c| !c.is_current(as_of)) {
        let name = kit::wire::name(c.situation);
        match (c.ended_on, c.since) {
            (Some(end), _) if end <= as_of => reasons.push(format!("{name} ended on {end}")),
            (_, Some(since)) => reasons.push(format!("{name} only from {since}")),
            _ => {}
        }
    }
    if reasons.is_empty() {
        reasons.push("no current condition on record".into());
    }
    Standing::DoesNotQualify {
        reason: reasons.join("; "),
    }
}

/// The predicate over the pair of parents on `as_of`.
pub fn assess(
    father: &[Condition],
    mother: &[Condition],
    as_of: NaiveDate,
    t: &Thresholds,
) -> Assessment {
    let f = standing(father, as_of, t);
    let m = standing(mother, as_of, t);
    use Standing::{Absent, DoesNotQualify, Qualifies};
    let outcome = match (&f, &m) {
        (Absent { .. }, Absent { .. }) => Outcome::Orphan,
        (Absent { .. } | Qualifies { .. }, Absent { .. } | Qualifies { .. }) => {
            Outcome::DeFactoUnsupported
        }
        _ => Outcome::NotEligible,
    };
    let reason = match outcome {
        Outcome::Orphan => format!("orphan: father {}, mother {}", f.describe(), m.describe()),
        Outcome::DeFactoUnsupported => format!(
            "de facto unsupported: father {}, mother {}",
            f.describe(),
            m.describe()
        ),
        Outcome::NotEligible => {
            let mut parts = Vec::new();
            for (who, s) in [("father", &f), ("mother", &m)] {
                if let DoesNotQualify { reason } = s {
                    parts.push(format!("{who} does not qualify ({reason})"));
                }
            }
            format!("not eligible: {}", parts.join("; "))
        }
    };
    Assessment {
        outcome,
        reason,
        father: f,
        mother: m,
        as_of,
    }
}

#[cfg(test)]
mod tests;
