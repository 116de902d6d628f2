//! Seed reference data: the district centre and the township workstations of 渝北区, and the
//! parameters' first values. The bureau corrects both as data afterwards.

use sea_orm::DbErr;
use sea_orm_migration::prelude::*;

/// `(name, valid_from, value, note)`: the parameters' first values. Values marked placeholder were
/// not found in the sources (research/domain.md §3.4 names supervision and regular visits, not their
/// numbers); the bureau sets its own.
const PARAMETERS: [(&str, &str, i64, &str); 8] = [
    (
        "supervision_days_village",
        "2019-01-01",
        3,
        "placeholder: village child director, 3 calendar days",
    ),
    (
        "supervision_days_township",
        "2019-01-01",
        6,
        "placeholder: township workstation, 6 calendar days",
    ),
    (
        "supervision_days_district",
        "2019-01-01",
        6,
        "placeholder: district protection centre, 6 calendar days",
    ),
    (
        "visit_cadence_days",
        "2019-01-01",
        30,
        "placeholder: monthly visits to left-behind children",
    ),
    (
        "guardianship_review_days",
        "2019-01-01",
        90,
        "placeholder: quarterly review of fallback guardianship",
    ),
    (
        "liberty_min_months",
        "2019-01-01",
        6,
        "民发〔2019〕62号: imprisonment, detox, other restriction of 6 months or more",
    ),
    (
        "out_of_contact_min_months",
        "2019-01-01",
        6,
        "民发〔2019〕62号: out of contact 6 months from the police's acceptance",
    ),
    (
        "adult_age",
        "2019-01-01",
        18,
        "未成年人保护法: a minor is under 18",
    ),
];

/// Inserts the seed.
pub(super) async fn seed(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let now = kit::clock::now();
    let mut units = Query::insert()
        .into_table("protection_units")
        .columns(["division_code", "level", "name", "created_at", "version"])
        .to_owned();
    units.values_panic([
        kit::divisions::YUBEI.into(),
        "district".into(),
        "渝北区未成年人救助保护中心".into(),
        now.into(),
        1.into(),
    ]);
    for t in kit::divisions::YUBEI_TOWNSHIPS {
        units.values_panic([
            t.code.into(),
            "township".into(),
            format!("{}未成年人保护工作站", t.name).into(),
            now.into(),
            1.into(),
        ]);
    }
    m.exec_stmt(units).await?;
    let mut params = Query::insert()
        .into_table("reference_parameters")
        .columns(["name", "valid_from", "value", "note"])
        .to_owned();
    for (name, from, value, note) in PARAMETERS {
        let from: chrono::NaiveDate = from.parse().map_err(|e| DbErr::Custom(format!("{e}")))?;
        params.values_panic([name.into(), from.into(), value.into(), note.into()]);
    }
    m.exec_stmt(params).await
}

#[cfg(test)]
mod tests {
    use super::PARAMETERS;
    use crate::domain::reference::Param;

    #[test]
    fn the_seed_covers_every_parameter_with_an_acceptable_value() {
        for p in Param::ALL {
            let row = PARAMETERS.iter().find(|r| r.0 == p.name());
            assert!(row.is_some_and(|r| p.accepts(r.2)), "{}", p.name());
        }
    }
}
