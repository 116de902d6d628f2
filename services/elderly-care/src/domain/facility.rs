//! Facilities and projects of the notice: rural nursing homes (敬老院, e.g. publicly built and
//! privately run), township elderly service centres, chronic-disease rehabilitation stations,
//! mutual-aid elderly-care points (互助养老点) and public-area age-friendly retrofits (适老化改造).
//! Each moves through planned → building → operating (or completed) and counts when it gets there.

use serde::{Deserialize, Serialize};

/// What a facility is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FacilityKind {
    /// Rural nursing home (农村敬老院).
    NursingHome,
    /// Township elderly service centre (镇街养老服务中心).
    ServiceCentre,
    /// Chronic-disease rehabilitation station (慢病康复站).
    RehabStation,
    /// Mutual-aid elderly-care point (互助养老点), usually in a village.
    MutualAidPoint,
    /// Public-area age-friendly retrofit (公共区域适老化改造): a project, done when accepted.
    AgeFriendlyRetrofit,
}

impl FacilityKind {
    /// Every kind.
    pub const ALL: [FacilityKind; 5] = [
        Self::NursingHome,
        Self::ServiceCentre,
        Self::RehabStation,
        Self::MutualAidPoint,
        Self::AgeFriendlyRetrofit,
    ];

    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NursingHome => "nursing_home",
            Self::ServiceCentre => "service_centre",
            Self::RehabStation => "rehab_station",
            Self::MutualAidPoint => "mutual_aid_point",
            Self::AgeFriendlyRetrofit => "age_friendly_retrofit",
        }
    }

    /// The kind stored as `s`.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// How a nursing home is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OperatingModel {
    /// Built and run by the government (公建公营).
    PublicOperated,
    /// Publicly built, privately run (公建民营).
    PublicBuiltPrivateOperated,
    /// Built and run privately (民办).
    PrivateOperated,
}

impl OperatingModel {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PublicOperated => "public_operated",
            Self::PublicBuiltPrivateOperated => "public_built_private_operated",
            Self::PrivateOperated => "private_operated",
        }
    }
}

/// Where a facility or project stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Planned, not started.
    Planned,
    /// Being built or retrofitted.
    InProgress,
    /// Facility: open and operating. Retrofit: completed and accepted.
    Done,
    /// Facility closed, or project cancelled.
    Ended,
}

impl Status {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::InProgress => "in_progress",
            Self::Done => "done",
            Self::Ended => "ended",
        }
    }

    /// The status stored as `s`.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Planned, Self::InProgress, Self::Done, Self::Ended]
            .into_iter()
            .find(|v| v.as_str() == s)
    }

    /// Whether the status may move to `to`: forward only, and nothing after ended.
    pub fn can_move_to(self, to: Status) -> bool {
        use Status::*;
        matches!(
            (self, to),
            (Planned, InProgress | Done | Ended) | (InProgress, Done | Ended) | (Done, Ended)
        )
    }
}

/// Why a progress update is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProgressError {
    /// The status cannot move that way.
    #[error("cannot move from {from:?} to {to:?}")]
    Transition {
        /// Status now.
        from: Status,
        /// Status asked for.
        to: Status,
    },
    /// Progress outside 0–100, or not 100 when done.
    #[error("progress must be 0 to 100 and 100 when done")]
    Percent,
}

/// Checks a status/progress update and returns the progress to store (100 when done).
pub fn update_progress(
    from: Status,
    to: Status,
    percent: Option<i32>,
) -> Result<i32, ProgressError> {
    if from != to && !from.can_move_to(to) {
        return Err(ProgressError::Transition { from, to });
    }
    match (to, percent) {
        (_, Some(p)) if !(0..=100).contains(&p) => Err(ProgressError::Percent),
        (Status::Done, Some(p)) if p != 100 => Err(ProgressError::Percent),
        (Status::Done, _) => Ok(100),
        (_, Some(p)) => Ok(p),
        (_, None) => Ok(0),
    }
}

/// Beds and who occupies them (nursing homes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Occupancy {
    /// Beds available.
    pub beds: i32,
    /// Beds occupied.
    pub occupied_beds: i32,
    /// Residents in institutional extreme-poverty support (集中供养特困人员).
    pub extreme_poverty_residents: i32,
}

impl Occupancy {
    /// The field that makes the figures inconsistent, if any.
    pub fn invalid_field(&self) -> Option<(&'static str, &'static str)> {
        if self.beds < 0 {
            Some(("beds", "cannot be negative"))
        } else if self.occupied_beds < 0 || self.occupied_beds > self.beds {
            Some(("occupied_beds", "must be between 0 and beds"))
        } else if self.extreme_poverty_residents < 0
            || self.extreme_poverty_residents > self.occupied_beds
        {
            Some((
                "extreme_poverty_residents",
                "must be between 0 and occupied_beds",
            ))
        } else {
            None
        }
    }

    /// Occupancy in per mille (‰) of beds, rounded down; `None` without beds.
    pub fn rate_per_mille(&self) -> Option<i64> {
        (self.beds > 0).then(|| i64::from(self.occupied_beds) * 1000 / i64::from(self.beds))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    #[test]
    fn statuses_only_move_forward() {
        let cases = [
            (Planned, InProgress, true),
            (Planned, Done, true),
            (InProgress, Done, true),
            (Done, Ended, true),
            (Done, InProgress, false),
            (Ended, Planned, false),
            (InProgress, Planned, false),
        ];
        for (from, to, ok) in cases {
            assert_eq!(from.can_move_to(to), ok, "{from:?} → {to:?}");
        }
    }

    #[test]
    fn progress_is_bounded_and_complete_when_done() {
        assert_eq!(update_progress(Planned, InProgress, Some(40)), Ok(40));
        assert_eq!(update_progress(InProgress, InProgress, Some(70)), Ok(70));
        assert_eq!(update_progress(InProgress, Done, None), Ok(100));
        assert_eq!(
            update_progress(InProgress, Done, Some(90)),
            Err(ProgressError::Percent)
        );
        assert_eq!(
            update_progress(Planned, InProgress, Some(101)),
            Err(ProgressError::Percent)
        );
        assert!(matches!(
            update_progress(Done, InProgress, None),
            Err(ProgressError::Transition { .. })
        ));
    }

    #[test]
    fn occupancy_figures_must_nest() {
        let ok = Occupancy {
            beds: 40,
            occupied_beds: 30,
            extreme_poverty_residents: 12,
        };
        assert_eq!(ok.invalid_field(), None);
        assert_eq!(ok.rate_per_mille(), Some(750));
        let cases = [
            (
                Occupancy {
                    beds: -1,
                    occupied_beds: 0,
                    extreme_poverty_residents: 0,
                },
                "beds",
            ),
            (
                Occupancy {
                    beds: 10,
                    occupied_beds: 11,
                    extreme_poverty_residents: 0,
                },
                "occupied_beds",
            ),
            (
                Occupancy {
                    beds: 10,
                    occupied_beds: 5,
                    extreme_poverty_residents: 6,
                },
                "extreme_poverty_residents",
            ),
        ];
        for (o, field) in cases {
            assert_eq!(o.invalid_field().map(|f| f.0), Some(field));
        }
        assert_eq!(
            Occupancy {
                beds: 0,
                occupied_beds: 0,
                extreme_poverty_residents: 0
            }
            .rate_per_mille(),
            None
        );
    }
}
