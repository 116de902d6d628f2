//! The lists (清单制) each township keeps for its villages: self-governance matters, matters the
//! village assists the government with, a negative list, and the certificate items a village may
//! issue. A certificate request is decided against the versions in force; a refusal names the list
//! version that refused it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Which list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    /// 村民委员会依法自治事项.
    SelfGovernance,
    /// 依法协助政府工作事项.
    AssistingGovernment,
    /// 工作负面事项: work villages must not be given.
    Negative,
    /// 村级组织依法出具证明事项.
    CertificateItems,
}

impl ListKind {
    /// Every kind.
    pub const ALL: [ListKind; 4] = [
        ListKind::SelfGovernance,
        ListKind::AssistingGovernment,
        ListKind::Negative,
        ListKind::CertificateItems,
    ];

    /// The identifier stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            ListKind::SelfGovernance => "self_governance",
            ListKind::AssistingGovernment => "assisting_government",
            ListKind::Negative => "negative",
            ListKind::CertificateItems => "certificate_items",
        }
    }

    /// Parses the stored identifier.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One entry of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListItem {
    /// Stable code of the matter or certificate (e.g. `ZM-01`).
    pub code: String,
    pub title: String,
}

/// One version of a township's list of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListVersion {
    pub id: Uuid,
    pub township_code: String,
    pub kind: ListKind,
    /// 1, 2, … per township and kind.
    pub version: i32,
    pub valid_from: NaiveDate,
    pub items: Vec<ListItem>,
}

impl ListVersion {
    /// The item with this code.
    pub fn item(&self, code: &str) -> Option<&ListItem> {
        self.items.iter().find(|i| i.code == code)
    }
}

/// The version in force on `date` among versions of one township and kind: the latest
/// `valid_from` on or before it, the higher version number on the same date.
pub fn in_force(versions: &[ListVersion], date: NaiveDate) -> Option<&ListVersion> {
    versions
        .iter()
        .filter(|v| v.valid_from <= date)
        .max_by_key(|v| (v.valid_from, v.version))
}

/// Why a new version's items are not acceptable (field path and reason).
pub fn check_items(items: &[ListItem]) -> Vec<(String, &'static str)> {
    let mut errors = Vec::new();
    if items.is_empty() {
        errors.push(("items".to_owned(), "a list has at least one item"));
    }
    for (i, item) in items.iter().enumerate() {
        if item.code.trim().is_empty() || item.code.len() > 32 {
            errors.push((format!("items[{i}].code"), "1 to 32 characters"));
        } else if items[..i].iter().any(|o| o.code == item.code) {
            errors.push((format!("items[{i}].code"), "appears twice in this list"));
        }
        if item.title.trim().is_empty() {
            errors.push((format!("items[{i}].title"), "required"));
        }
    }
    errors
}

/// The decision on a certificate request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertificateDecision<'a> {
    /// On the certificate list in force and not on the negative list: issue it.
    Issue {
        list: &'a ListVersion,
        item: &'a ListItem,
    },
    /// The negative list in force names it: villages must not issue it.
    RefusedByNegativeList { list: &'a ListVersion },
    /// The certificate list in force does not name it.
    NotOnList { list: &'a ListVersion },
    /// The township has no certificate list in force on the date: nothing may be issued.
    NoListInForce,
}

/// Decides a request for `item_code` given the township's certificate-items and negative list
/// versions in force on the request date.
pub fn decide_certificate<'a>(
    certificate_items: Option<&'a ListVersion>,
    negative: Option<&'a ListVersion>,
    item_code: &str,
) -> CertificateDecision<'a> {
    if let Some(list) = negative.filter(|n| n.item(item_code).is_some()) {
        return CertificateDecision::RefusedByNegativeList { list };
    }
    match certificate_items {
        None => CertificateDecision::NoListInForce,
        Some(list) => match list.item(item_code) {
            Some(item) => CertificateDecision::Issue { list, item },
            None => CertificateDecision::NotOnList { list },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(kind: ListKind, version: i32, from: &str, codes: &[&str]) -> ListVersion {
        ListVersion {
            id: Uuid::now_v7(),
            township_code: "500112129".into(),
            kind,
            version,
            valid_from: from.parse().unwrap(),
            items: codes
                .iter()
                .map(|c| ListItem {
                    code: (*c).into(),
                    title: format!("证明 {c}"),
                })
                .collect(),
        }
    }

    #[test]
    fn the_version_in_force_is_the_latest_started_one() {
        let v1 = version(ListKind::CertificateItems, 1, "2022-01-01", &["A"]);
        let v2 = version(ListKind::CertificateItems, 2, "2023-01-01", &["A", "B"]);
        let v3 = version(ListKind::CertificateItems, 3, "2023-01-01", &["B"]);
        let all = [v1.clone(), v2, v3.clone()];
        let on = |d: &str| in_force(&all, d.parse().unwrap()).map(|v| v.version);
        assert_eq!(on("2021-12-31"), None);
        assert_eq!(on("2022-12-31"), Some(1));
        assert_eq!(on("2023-01-01"), Some(3), "a same-day correction wins");
        assert_eq!(
            in_force(&all[..1], "2030-01-01".parse().unwrap()),
            Some(&v1)
        );
        assert_eq!(in_force(&all, "2024-01-01".parse().unwrap()), Some(&v3));
    }

    #[test]
    fn certificate_requests_are_decided_by_the_lists_in_force() {
        let certificates = version(
            ListKind::CertificateItems,
            2,
            "2022-01-01",
            &["ZM-01", "ZM-02"],
        );
        let negative = version(ListKind::Negative, 1, "2022-01-01", &["ZM-02", "FM-07"]);
        let cases: [(&str, Option<&ListVersion>, &str); 5] = [
            ("ZM-01", Some(&certificates), "issue"),
            ("ZM-09", Some(&certificates), "not on list v2"),
            ("ZM-02", Some(&certificates), "negative v1"),
            ("FM-07", None, "negative v1"),
            ("ZM-01", None, "no list"),
        ];
        for (code, list, expected) in cases {
            let got = match decide_certificate(list, Some(&negative), code) {
                CertificateDecision::Issue { item, .. } => {
                    assert_eq!(item.code, code);
                    "issue".to_owned()
                }
                CertificateDecision::NotOnList { list } => format!("not on list v{}", list.version),
                CertificateDecision::RefusedByNegativeList { list } => {
                    format!("negative v{}", list.version)
                }
                CertificateDecision::NoListInForce => "no list".to_owned(),
            };
            assert_eq!(got, expected, "{code}");
        }
        assert!(matches!(
            decide_certificate(Some(&certificates), None, "ZM-02"),
            CertificateDecision::Issue { .. }
        ));
    }

    #[test]
    fn list_items_need_unique_codes_and_titles() {
        let item = |c: &str, t: &str| ListItem {
            code: c.into(),
            title: t.into(),
        };
        assert_eq!(
            check_items(&[]),
            vec![("items".to_owned(), "a list has at least one item")]
        );
        let errors = check_items(&[
            item("A", "x"),
            item("A", "y"),
            item(" ", ""),
            item("B", "z"),
        ]);
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["items[1].code", "items[2].code", "items[2].title"]);
        for kind in ListKind::ALL {
            assert_eq!(ListKind::parse(kind.as_str()), Some(kind));
        }
    }
}
