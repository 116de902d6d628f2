//! Vagrant relief (流浪乞讨人员救助): a stay at the relief station from admission to return or
//! settlement; a person who cannot be identified gets a family-tracing notice (寻亲公告) within
//! the time limit in force at admission (24 hours by default).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The relief rules in force on a date (effective-dated reference data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReliefRules {
    /// Hours after admission within which an unidentified person's tracing notice is published.
    pub tracing_notice_hours: u32,
}

/// How a stay ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitOutcome {
    /// Returned home or handed to family (护送返乡 / 亲属接回).
    Returned,
    /// Settled locally or placed in an institution (安置).
    Settled,
}

/// Why a step is refused; the stay is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VagrantError {
    /// The stay already ended.
    #[error("the stay already ended")]
    Ended,
    /// Identified before.
    #[error("the person was already identified")]
    AlreadyIdentified,
    /// A tracing notice is only for an unidentified person.
    #[error("the person is identified: no tracing notice is needed")]
    NoticeNotNeeded,
    /// One notice per stay.
    #[error("a tracing notice was already published")]
    NoticeAlreadyPublished,
    /// A return needs to know where home is.
    #[error("an unidentified person cannot be returned home: identify them or settle them")]
    ReturnNeedsIdentity,
    /// Steps cannot precede the admission.
    #[error("the time is before the admission")]
    BeforeAdmission,
}

/// A stay at the station.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stay {
    /// Admission.
    pub admitted_at: DateTime<Utc>,
    /// When the person was identified (at admission for one who could say who they are).
    pub identified_at: Option<DateTime<Utc>>,
    /// Deadline of the tracing notice; set at admission for an unidentified person.
    pub tracing_notice_due: Option<DateTime<Utc>>,
    /// When the tracing notice was published.
    pub tracing_notice_at: Option<DateTime<Utc>>,
    /// How and when the stay ended.
    pub exit: Option<(ExitOutcome, DateTime<Utc>)>,
}

impl Stay {
    /// Admits a person, identified or not; an unidentified one's tracing notice falls due
    /// `tracing_notice_hours` later.
    pub fn admit(at: DateTime<Utc>, identified: bool, rules: ReliefRules) -> Self {
        Self {
            admitted_at: at,
            identified_at: identified.then_some(at),
            tracing_notice_due: (!identified)
                .then(|| at + Duration::hours(i64::from(rules.tracing_notice_hours))),
            tracing_notice_at: None,
            exit: None,
        }
    }

    fn ensure_open(&self, at: DateTime<Utc>) -> Result<(), VagrantError> {
        if self.exit.is_some() {
            return Err(VagrantError::Ended);
        }
        if at < self.admitted_at {
            return Err(VagrantError::BeforeAdmission);
        }
        Ok(())
    }

    /// Records the identification (self-report later, police records, family recognition…).
    pub fn identify(&mut self, at: DateTime<Utc>) -> Result<(), VagrantError> {
        self.ensure_open(at)?;
        if self.identified_at.is_some() {
            return Err(VagrantError::AlreadyIdentified);
        }
        self.identified_at = Some(at);
        Ok(())
    }

    /// Records the tracing notice; returns true when it was published after its deadline (late
    /// is recorded, not refused: publishing late is still better than not at all).
    pub fn publish_tracing_notice(&mut self, at: DateTime<Utc>) -> Result<bool, VagrantError> {
        self.ensure_open(at)?;
        if self.identified_at.is_some() {
            return Err(VagrantError::NoticeNotNeeded);
        }
        if self.tracing_notice_at.is_some() {
            return Err(VagrantError::NoticeAlreadyPublished);
        }
        self.tracing_notice_at = Some(at);
        Ok(self.tracing_notice_due.is_some_and(|due| at > due))
    }

    /// True when the person is still unidentified, at the station, without a notice, past the
    /// deadline.
    pub fn tracing_overdue(&self, now: DateTime<Utc>) -> bool {
        self.exit.is_none()
            && self.identified_at.is_none()
            && self.tracing_notice_at.is_none()
            && self.tracing_notice_due.is_some_and(|due| now > due)
    }

    /// Ends the stay: a return needs an identified person; settlement is open to anyone.
    pub fn leave(&mut self, outcome: ExitOutcome, at: DateTime<Utc>) -> Result<(), VagrantError> {
        self.ensure_open(at)?;
        if outcome == ExitOutcome::Returned && self.identified_at.is_none() {
            return Err(VagrantError::ReturnNeedsIdentity);
        }
        self.exit = Some((outcome, at));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    const RULES: ReliefRules = ReliefRules {
        tracing_notice_hours: 24,
    };

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2022, 9, day, hour, 0, 0).unwrap()
    }

    #[test]
    fn an_unidentified_person_is_overdue_for_a_notice_only_after_24_hours() {
        let stay = Stay::admit(at(5, 10), false, RULES);
        assert_eq!(stay.tracing_notice_due, Some(at(6, 10)));
        let cases = [(at(5, 10), false), (at(6, 10), false), (at(6, 11), true)];
        for (now, overdue) in cases {
            assert_eq!(stay.tracing_overdue(now), overdue, "{now}");
        }
        let identified = Stay::admit(at(5, 10), true, RULES);
        assert_eq!(identified.tracing_notice_due, None);
        assert!(!identified.tracing_overdue(at(9, 0)));
    }

    #[test]
    fn the_limit_in_force_at_admission_sets_the_deadline() {
        let stay = Stay::admit(
            at(5, 10),
            false,
            ReliefRules {
                tracing_notice_hours: 12,
            },
        );
        assert_eq!(stay.tracing_notice_due, Some(at(5, 22)));
    }

    #[test]
    fn a_notice_or_an_identification_ends_the_overdue_state_and_a_late_notice_is_flagged() {
        let mut on_time = Stay::admit(at(5, 10), false, RULES);
        assert_eq!(on_time.publish_tracing_notice(at(6, 9)), Ok(false));
        assert!(!on_time.tracing_overdue(at(9, 0)));
        assert_eq!(
            on_time.publish_tracing_notice(at(6, 12)),
            Err(VagrantError::NoticeAlreadyPublished)
        );

        let mut late = Stay::admit(at(5, 10), false, RULES);
        assert_eq!(late.publish_tracing_notice(at(7, 9)), Ok(true));

        let mut found = Stay::admit(at(5, 10), false, RULES);
        found.identify(at(5, 20)).unwrap();
        assert!(!found.tracing_overdue(at(9, 0)));
        assert_eq!(
            found.publish_tracing_notice(at(5, 21)),
            Err(VagrantError::NoticeNotNeeded)
        );
        assert_eq!(
            found.identify(at(5, 22)),
            Err(VagrantError::AlreadyIdentified)
        );
    }

    #[test]
    fn a_return_needs_an_identity_a_settlement_does_not_and_a_stay_ends_once() {
        // (identified, outcome, allowed)
        let cases = [
            (
                false,
                ExitOutcome::Returned,
                Err(VagrantError::ReturnNeedsIdentity),
            ),
            (false, ExitOutcome::Settled, Ok(())),
            (true, ExitOutcome::Returned, Ok(())),
            (true, ExitOutcome::Settled, Ok(())),
        ];
        for (identified, outcome, expected) in cases {
            let mut stay = Stay::admit(at(5, 10), identified, RULES);
            assert_eq!(
                stay.leave(outcome, at(8, 10)),
                expected,
                "{identified} {outcome:?}"
            );
        }
        let mut stay = Stay::admit(at(5, 10), true, RULES);
        stay.leave(ExitOutcome::Returned, at(6, 10)).unwrap();
        assert_eq!(
            stay.leave(ExitOutcome::Settled, at(7, 10)),
            Err(VagrantError::Ended)
        );
        assert_eq!(stay.identify(at(7, 10)), Err(VagrantError::Ended));
        let mut early = Stay::admit(at(5, 10), false, RULES);
        assert_eq!(early.identify(at(5, 9)), Err(VagrantError::BeforeAdmission));
        assert!(!stay.tracing_overdue(at(9, 0)));
    }
}
