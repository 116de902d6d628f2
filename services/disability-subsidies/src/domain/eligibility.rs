//! Who may draw which subsidy: the living subsidy for certificate holders in dibao (not in
//! extreme-poverty support), the nursing subsidy for the qualifying levels (not with a
//! work-injury care allowance). Both may be drawn together.

use contracts::{common::Month, disability::SubsidyKind};

use super::{certificate::Certificate, reference::Rules};

/// What is known about a person for one month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Situation<'a> {
    pub certificate: Option<&'a Certificate>,
    /// The certificate's 户籍 place is in this district (else that place reviews and pays).
    pub registered_here: bool,
    pub deceased: bool,
    /// In a dibao household (or enrolled alone in single-person dibao).
    pub in_dibao: bool,
    pub in_extreme_poverty: bool,
    pub work_injury_care_allowance: bool,
}

/// Why a subsidy may not be drawn; the stable code is shown to clerks and stored on refusals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Ineligible {
    #[error("no disability certificate of the 残联 is on record")]
    NoCertificate,
    #[error("the certificate does not cover the month")]
    CertificateNotValid,
    #[error("the 户籍 place outside this district reviews and pays")]
    RegisteredElsewhere,
    #[error("the person has died")]
    Deceased,
    #[error("the household is not in dibao")]
    NotInDibao,
    #[error("extreme-poverty support excludes the living subsidy")]
    ExtremePovertySupport,
    #[error("the certificate level does not qualify for the nursing subsidy")]
    LevelNotEligible,
    #[error("a work-injury care allowance excludes the nursing subsidy")]
    WorkInjuryCareAllowance,
}

impl Ineligible {
    /// Stable code (`not_in_dibao`).
    pub fn code(self) -> &'static str {
        match self {
            Self::NoCertificate => "no_certificate",
            Self::CertificateNotValid => "certificate_not_valid",
            Self::RegisteredElsewhere => "registered_elsewhere",
            Self::Deceased => "deceased",
            Self::NotInDibao => "not_in_dibao",
            Self::ExtremePovertySupport => "extreme_poverty_support",
            Self::LevelNotEligible => "level_not_eligible",
            Self::WorkInjuryCareAllowance => "work_injury_care_allowance",
        }
    }
}

/// Whether `kind` may be drawn for `month` in `situation`.
pub fn eligible(
    kind: SubsidyKind,
    situation: &Situation<'_>,
    month: Month,
    rules: &Rules,
) -> Result<(), Ineligible> {
    let cert = situation.certificate.ok_or(Ineligible::NoCertificate)?;
    if situation.deceased {
        return Err(Ineligible::Deceased);
    }
    if !situation.registered_here {
        return Err(Ineligible::RegisteredElsewhere);
    }
    if !cert.covers(month) {
        return Err(Ineligible::CertificateNotValid);
    }
    match kind {
        SubsidyKind::Living if situation.in_extreme_poverty => {
            Err(Ineligible::ExtremePovertySupport)
        }
        SubsidyKind::Living if !situation.in_dibao => Err(Ineligible::NotInDibao),
        SubsidyKind::Nursing if !cert.nursing_level(rules) => Err(Ineligible::LevelNotEligible),
        SubsidyKind::Nursing if situation.work_injury_care_allowance => {
            Err(Ineligible::WorkInjuryCareAllowance)
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use contracts::partner::DisabilityCategory;

    use super::*;
    use crate::domain::reference::tests::{date, month, rules};

    fn cert(category: DisabilityCategory, level: u8) -> Certificate {
        Certificate {
            category,
            level,
            issued_on: date(2025, 1, 1),
            expires_on: date(2030, 1, 1),
            revoked_on: None,
            reassessment_since: None,
        }
    }

    #[test]
    fn eligibility_by_category_level_dibao_and_extreme_poverty() {
        use DisabilityCategory::*;
        use Ineligible::*;
        // (category, level, dibao, extreme poverty) → (living, nursing)
        let table = [
            (Physical, 1, true, false, Ok(()), Ok(())),
            (Physical, 1, false, false, Err(NotInDibao), Ok(())),
            (Physical, 1, false, true, Err(ExtremePovertySupport), Ok(())),
            (Physical, 1, true, true, Err(ExtremePovertySupport), Ok(())),
            (Visual, 2, true, false, Ok(()), Ok(())),
            (Visual, 2, false, false, Err(NotInDibao), Ok(())),
            (Hearing, 3, true, false, Ok(()), Err(LevelNotEligible)),
            (Intellectual, 3, true, false, Ok(()), Err(LevelNotEligible)),
            (
                Mental,
                3,
                false,
                false,
                Err(NotInDibao),
                Err(LevelNotEligible),
            ),
            (Speech, 4, true, false, Ok(()), Err(LevelNotEligible)),
            (
                Multiple,
                4,
                false,
                true,
                Err(ExtremePovertySupport),
                Err(LevelNotEligible),
            ),
            (Multiple, 1, true, false, Ok(()), Ok(())),
        ];
        for (category, level, dibao, extreme, living, nursing) in table {
            let c = cert(category, level);
            let s = Situation {
                certificate: Some(&c),
                registered_here: true,
                deceased: false,
                in_dibao: dibao,
                in_extreme_poverty: extreme,
                work_injury_care_allowance: false,
            };
            let row = format!("{category:?} {level} dibao={dibao} extreme={extreme}");
            let m = month("2026-03");
            assert_eq!(
                eligible(SubsidyKind::Living, &s, m, &rules()),
                living,
                "living {row}"
            );
            assert_eq!(
                eligible(SubsidyKind::Nursing, &s, m, &rules()),
                nursing,
                "nursing {row}"
            );
        }
    }

    #[test]
    fn exclusions_and_missing_facts_refuse_with_their_reason() {
        let c = cert(DisabilityCategory::Physical, 1);
        let base = Situation {
            certificate: Some(&c),
            registered_here: true,
            deceased: false,
            in_dibao: true,
            in_extreme_poverty: false,
            work_injury_care_allowance: false,
        };
        let m = month("2026-03");
        let r = rules();
        let injured = Situation {
            work_injury_care_allowance: true,
            ..base.clone()
        };
        assert_eq!(
            eligible(SubsidyKind::Nursing, &injured, m, &r),
            Err(Ineligible::WorkInjuryCareAllowance)
        );
        assert_eq!(eligible(SubsidyKind::Living, &injured, m, &r), Ok(()));
        let dead = Situation {
            deceased: true,
            ..base.clone()
        };
        assert_eq!(
            eligible(SubsidyKind::Living, &dead, m, &r),
            Err(Ineligible::Deceased)
        );
        let elsewhere = Situation {
            registered_here: false,
            ..base.clone()
        };
        assert_eq!(
            eligible(SubsidyKind::Nursing, &elsewhere, m, &r),
            Err(Ineligible::RegisteredElsewhere)
        );
        let none = Situation {
            certificate: None,
            ..base.clone()
        };
        assert_eq!(
            eligible(SubsidyKind::Nursing, &none, m, &r),
            Err(Ineligible::NoCertificate)
        );
        assert_eq!(
            eligible(SubsidyKind::Nursing, &base, month("2030-02"), &r),
            Err(Ineligible::CertificateNotValid)
        );
    }
}
