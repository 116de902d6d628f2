//! Household property (家庭财产) as registered, and the configurable property predicates the dibao
//! and marginal assessments apply to it. Chongqing's own tests are not published; the predicates
//! follow the kinds other localities use (two or more homes, a vehicle in regular use, financial
//! assets above a multiple of the standard, a business employing others), every threshold an
//! effective-dated parameter.

use serde::{Deserialize, Serialize};

use super::money::Fen;

/// Kind of a registered property item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssetKind {
    /// A home (住房), counted against the number of homes allowed.
    Home,
    /// A motor vehicle, boat or large farm machine in regular use.
    Vehicle,
    /// Bank deposits and cash (存款).
    Deposits,
    /// Securities, funds, insurance with a cash value (有价证券).
    Securities,
    /// A registered business (经营实体).
    Business,
    /// Anything else the investigators recorded; no predicate reads it.
    Other,
}

impl AssetKind {
    /// Chinese and English name for trails.
    pub fn label(self) -> &'static str {
        match self {
            AssetKind::Home => "住房 home",
            AssetKind::Vehicle => "机动车辆 vehicle",
            AssetKind::Deposits => "存款 deposits",
            AssetKind::Securities => "有价证券 securities",
            AssetKind::Business => "经营实体 business",
            AssetKind::Other => "其他财产 other property",
        }
    }
}

/// One property item the household holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asset {
    /// Kind of property.
    pub kind: AssetKind,
    /// Value, when it matters (deposits and securities); homes and vehicles count by number.
    pub value: Fen,
    /// Exempted by the investigators (e.g. a vehicle adapted for a disabled member, a home
    /// about to be demolished); an exempt item fails no predicate.
    pub exempt: bool,
    /// A business employing people outside the household.
    pub employs_others: bool,
}

/// The property predicates in force (an effective-dated aid parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropertyLimits {
    /// Homes allowed (more fails the test); `None` disables the test.
    pub max_homes: Option<u32>,
    /// Deposits and securities together may not exceed this many months of the standard per
    /// member (24 = twice the yearly standard); `None` disables the test.
    pub financial_assets_months_per_member: Option<u32>,
    /// Owning a vehicle (not exempt) fails the test.
    pub vehicle_fails: bool,
    /// A business employing others fails the test.
    pub business_employing_others_fails: bool,
}

/// The reasons the household's property fails the predicates, one line per failed test, to be
/// read out to the family; empty when every test passes. `standard` is the household's monthly
/// standard per person, `size` the number of members.
pub fn over_limits(
    assets: &[Asset],
    limits: &PropertyLimits,
    standard: Fen,
    size: i64,
) -> Vec<String> {
    let counted = || assets.iter().filter(|a| !a.exempt);
    let mut reasons = Vec::new();
    let homes = counted().filter(|a| a.kind == AssetKind::Home).count();
    if let Some(max) = limits.max_homes
        && homes > max as usize
    {
        reasons.push(format!(
            "住房 {homes} 套，超过 {max} 套 {homes} homes, more than the {max} allowed"
        ));
    }
    if limits.vehicle_fails && counted().any(|a| a.kind == AssetKind::Vehicle) {
        reasons.push("拥有机动车辆 the household owns a vehicle".to_owned());
    }
    if let Some(months) = limits.financial_assets_months_per_member {
        let financial: Fen = counted()
            .filter(|a| matches!(a.kind, AssetKind::Deposits | AssetKind::Securities))
            .map(|a| a.value)
            .sum();
        let limit = Fen(standard.0 * i64::from(months) * size.max(1));
        if financial > limit {
            reasons.push(format!(
                "存款及有价证券 {financial} 元，超过 {months} 个月标准 × {size} 人 = {limit} 元 \
                 deposits and securities above {months} months of the standard per member"
            ));
        }
    }
    if limits.business_employing_others_fails
        && counted().any(|a| a.kind == AssetKind::Business && a.employs_others)
    {
        reasons.push("经营实体雇佣他人 a business of the household employs others".to_owned());
    }
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: PropertyLimits = PropertyLimits {
        max_homes: Some(1),
        financial_assets_months_per_member: Some(24),
        vehicle_fails: true,
        business_employing_others_fails: true,
    };

    fn asset(kind: AssetKind, yuan: i64) -> Asset {
        Asset {
            kind,
            value: Fen::from_yuan(yuan),
            exempt: false,
            employs_others: false,
        }
    }

    #[test]
    fn each_predicate_fails_on_its_own_and_exempt_items_never_count() {
        use AssetKind::*;
        let standard = Fen::from_yuan(636);
        // Two members: the financial limit is 636 × 24 × 2 = 30 528 yuan.
        let exempt_vehicle = Asset {
            exempt: true,
            ..asset(Vehicle, 0)
        };
        let employing = Asset {
            employs_others: true,
            ..asset(Business, 0)
        };
        let cases: Vec<(&str, Vec<Asset>, usize)> = vec![
            ("nothing", vec![], 0),
            ("one home", vec![asset(Home, 0)], 0),
            ("two homes", vec![asset(Home, 0), asset(Home, 0)], 1),
            ("a vehicle", vec![asset(Vehicle, 0)], 1),
            ("an exempt vehicle", vec![exempt_vehicle], 0),
            ("deposits at the limit", vec![asset(Deposits, 30_528)], 0),
            (
                "deposits and securities one yuan above",
                vec![asset(Deposits, 30_000), asset(Securities, 529)],
                1,
            ),
            ("a business alone", vec![asset(Business, 0)], 0),
            ("a business employing others", vec![employing.clone()], 1),
            (
                "everything",
                vec![
                    asset(Home, 0),
                    asset(Home, 0),
                    asset(Vehicle, 0),
                    asset(Deposits, 40_000),
                    employing,
                ],
                4,
            ),
            ("other property", vec![asset(Other, 1_000_000)], 0),
        ];
        for (name, assets, failed) in cases {
            let reasons = over_limits(&assets, &LIMITS, standard, 2);
            assert_eq!(reasons.len(), failed, "{name}: {reasons:?}");
        }
    }

    #[test]
    fn disabled_predicates_pass_everything() {
        let off = PropertyLimits {
            max_homes: None,
            financial_assets_months_per_member: None,
            vehicle_fails: false,
            business_employing_others_fails: false,
        };
        let assets = [
            asset(AssetKind::Home, 0),
            asset(AssetKind::Home, 0),
            asset(AssetKind::Vehicle, 0),
            asset(AssetKind::Deposits, 10_000_000),
        ];
        assert!(over_limits(&assets, &off, Fen::from_yuan(636), 1).is_empty());
    }
}
