//! The lists (清单制) as versioned reference data per township: a new version is added (never
//! edited), and the version in force on a date decides.

use chrono::NaiveDate;
use kit::{Principal, Refusal, Role, audit, edge::problem::FieldError};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{internal, villages::parse_township_code};
use crate::{
    domain::lists::{self, ListItem, ListKind, ListVersion},
    store::lists::list,
};

/// A new version of a township's list.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewListVersion {
    pub township_code: String,
    pub kind: ListKind,
    /// First day the version applies; not before the current version's.
    pub valid_from: NaiveDate,
    pub items: Vec<ListItem>,
    /// The document that adopted it (e.g. the township's notice).
    #[serde(default)]
    pub basis: String,
}

/// Converts a stored row.
pub fn to_domain(m: list::Model) -> Result<ListVersion, Refusal> {
    Ok(ListVersion {
        id: m.id,
        kind: ListKind::parse(&m.kind).ok_or_else(|| internal("list kind"))?,
        items: serde_json::from_str(&m.items).map_err(|_| internal("list items"))?,
        township_code: m.township_code,
        version: m.version,
        valid_from: m.valid_from,
    })
}

/// Every version of one township's list of `kind`, oldest first.
pub async fn versions(
    db: &impl ConnectionTrait,
    township: &str,
    kind: ListKind,
) -> Result<Vec<ListVersion>, Refusal> {
    list::Entity::find()
        .filter(list::Column::TownshipCode.eq(township))
        .filter(list::Column::Kind.eq(kind.as_str()))
        .order_by_asc(list::Column::Version)
        .all(db)
        .await?
        .into_iter()
        .map(to_domain)
        .collect()
}

/// The version of `kind` in force for `township` on `date`.
pub async fn in_force(
    db: &impl ConnectionTrait,
    township: &str,
    kind: ListKind,
    date: NaiveDate,
) -> Result<Option<ListVersion>, Refusal> {
    let all = versions(db, township, kind).await?;
    Ok(lists::in_force(&all, date).cloned())
}

/// Adds the next version of a township's list.
pub async fn add_list_version(
    tx: &impl ConnectionTrait,
    who: &Principal,
    input: &NewListVersion,
) -> Result<ListVersion, Refusal> {
    who.require(&[
        Role::TownshipClerk,
        Role::TownshipApprover,
        Role::DistrictOfficer,
    ])?;
    let township = parse_township_code(&input.township_code, "township_code")?;
    who.require_scope(township.as_str())?;
    let errors: Vec<FieldError> = lists::check_items(&input.items)
        .into_iter()
        .map(|(field, reason)| FieldError {
            field,
            reason: reason.into(),
        })
        .collect();
    if !errors.is_empty() {
        return Err(Refusal::invalid_fields(errors));
    }
    let existing = versions(tx, township.as_str(), input.kind).await?;
    if let Some(last) = existing.last().filter(|l| input.valid_from < l.valid_from) {
        return Err(Refusal::invalid(
            "valid_from",
            format!(
                "version {} applies from {}; a new version cannot start before it",
                last.version, last.valid_from
            ),
        ));
    }
    let negative = if input.kind == ListKind::CertificateItems {
        in_force(tx, township.as_str(), ListKind::Negative, input.valid_from).await?
    } else {
        None
    };
    if let Some(negative) = negative
        && let Some(i) = input
            .items
            .iter()
            .position(|i| negative.item(&i.code).is_some())
    {
        return Err(Refusal::invalid(
            format!("items[{i}].code"),
            format!("on the negative list (version {})", negative.version),
        ));
    }
    let version = ListVersion {
        id: Uuid::now_v7(),
        township_code: township.as_str().to_owned(),
        kind: input.kind,
        version: existing.last().map_or(1, |l| l.version + 1),
        valid_from: input.valid_from,
        items: input
            .items
            .iter()
            .map(|i| ListItem {
                code: i.code.trim().to_owned(),
                title: i.title.trim().to_owned(),
            })
            .collect(),
    };
    list::Entity::insert(list::ActiveModel::from(list::Model {
        id: version.id,
        township_code: version.township_code.clone(),
        kind: version.kind.as_str().to_owned(),
        version: version.version,
        valid_from: version.valid_from,
        items: serde_json::to_string(&version.items).map_err(|_| internal("list items"))?,
        basis: input.basis.trim().to_owned(),
        created_by: who.subject.clone(),
        created_at: kit::clock::now(),
    }))
    .exec_without_returning(tx)
    .await?;
    audit::record(
        tx,
        who,
        "add-list-version",
        "list",
        &version.id.to_string(),
        &format!(
            "{} {} v{}",
            version.township_code,
            version.kind.as_str(),
            version.version
        ),
    )
    .await?;
    Ok(version)
}

/// Whether the caller may read a township's lists: staff of the township, its villages, or above.
pub fn may_read(who: &Principal, township: &str) -> bool {
    who.sees(township) || who.division.as_str().starts_with(township)
}

/// The versions of a township's lists (one kind or all), oldest first per kind.
pub async fn list_versions(
    db: &impl ConnectionTrait,
    who: &Principal,
    township: &str,
    kind: Option<ListKind>,
) -> Result<Vec<ListVersion>, Refusal> {
    parse_township_code(township, "township_code")?;
    if !may_read(who, township) {
        return Err(Refusal::forbidden(
            "the township lies outside your division",
        ));
    }
    let mut out = Vec::new();
    for k in ListKind::ALL
        .into_iter()
        .filter(|k| kind.is_none_or(|x| x == *k))
    {
        out.extend(versions(db, township, k).await?);
    }
    Ok(out)
}
