//! Certificates a village issues (证明事项): only items on the township's certificate list in force,
//! never an item of its negative list. A refusal names the list version that refused it; an
//! accepted request is recorded and the certificate issued.

use chrono::{Datelike, NaiveDate};
use kit::{Principal, Refusal, Role, audit};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{lists::in_force, required_text, villages::find_village};
use crate::{
    domain::lists::{CertificateDecision, ListKind, ListVersion, decide_certificate},
    store::lists::certificate,
};

/// A resident's request for a certificate, as village staff record it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CertificateRequest {
    pub village_code: String,
    /// Code of the certificate item on the township's list.
    pub item_code: String,
    /// The resident asking (kept in this service).
    pub requester_name: String,
    /// What the certificate is for.
    pub purpose: String,
}

/// An issued certificate.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CertificateView {
    pub id: Uuid,
    pub certificate_number: String,
    pub village_code: String,
    pub item_code: String,
    pub item_title: String,
    pub list_id: Uuid,
    pub list_version: i32,
    pub requester_name: String,
    pub purpose: String,
    pub issued_on: NaiveDate,
}

impl From<certificate::Model> for CertificateView {
    fn from(c: certificate::Model) -> Self {
        Self {
            id: c.id,
            certificate_number: c.certificate_number,
            village_code: c.village_code,
            item_code: c.item_code,
            item_title: c.item_title,
            list_id: c.list_id,
            list_version: c.list_version,
            requester_name: c.requester_name,
            purpose: c.purpose,
            issued_on: c.issued_on,
        }
    }
}

/// The list version that refused a request.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ListRef {
    pub id: Uuid,
    pub township_code: String,
    pub kind: ListKind,
    pub version: i32,
    pub valid_from: NaiveDate,
}

impl From<&ListVersion> for ListRef {
    fn from(l: &ListVersion) -> Self {
        Self {
            id: l.id,
            township_code: l.township_code.clone(),
            kind: l.kind,
            version: l.version,
            valid_from: l.valid_from,
        }
    }
}

/// A refused request: the problem and the list (absent when the township has none in force).
#[derive(Debug, Clone)]
pub struct Refused {
    pub problem: Refusal,
    pub list: Option<ListRef>,
}

/// Decides a request on today's lists; issues the certificate or says which list refused it.
pub async fn request_certificate(
    tx: &impl ConnectionTrait,
    who: &Principal,
    input: &CertificateRequest,
) -> Result<Result<CertificateView, Refused>, Refusal> {
    who.require(&[Role::VillageStaff])?;
    let village = find_village(tx, who, &input.village_code, "village_code").await?;
    let item_code = required_text(&input.item_code, "item_code", 32)?;
    let requester = required_text(&input.requester_name, "requester_name", 64)?;
    let purpose = required_text(&input.purpose, "purpose", 500)?;
    let today = kit::clock::today();
    let township = village.township_code.as_str();
    let certificates = in_force(tx, township, ListKind::CertificateItems, today).await?;
    let negative = in_force(tx, township, ListKind::Negative, today).await?;
    let (list, item) = match decide_certificate(
        certificates.as_ref(),
        negative.as_ref(),
        &item_code,
    ) {
        CertificateDecision::Issue { list, item } => (list, item),
        CertificateDecision::NotOnList { list } => {
            return Ok(Err(Refused {
                problem: Refusal::new(
                    kit::refusal::Class::Invalid,
                    "certificate-item-not-listed",
                    "The certificate is not on the township's list",
                )
                .detail(format!(
                    "{item_code} is not on the certificate-items list of township {township}, version {} (in force from {})",
                    list.version, list.valid_from
                ))
                .field("item_code", format!("not on certificate_items version {}", list.version)),
                list: Some(list.into()),
            }));
        }
        CertificateDecision::RefusedByNegativeList { list } => {
            return Ok(Err(Refused {
                problem: Refusal::new(
                    kit::refusal::Class::Invalid,
                    "certificate-item-on-negative-list",
                    "Villages must not issue this certificate",
                )
                .detail(format!(
                    "{item_code} is on the negative list of township {township}, version {} (in force from {})",
                    list.version, list.valid_from
                ))
                .field("item_code", format!("on the negative list version {}", list.version)),
                list: Some(list.into()),
            }));
        }
        CertificateDecision::NoListInForce => {
            return Ok(Err(Refused {
                problem: Refusal::new(
                    kit::refusal::Class::Invalid,
                    "no-certificate-list",
                    "The township has no certificate list in force",
                )
                .detail(format!(
                    "township {township} has no certificate-items list in force on {today}"
                ))
                .field("item_code", "no certificate list in force"),
                list: None,
            }));
        }
    };
    let issued_this_year = certificate::Entity::find()
        .filter(certificate::Column::VillageCode.eq(&village.code))
        .filter(certificate::Column::IssuedOn.gte(NaiveDate::from_ymd_opt(today.year(), 1, 1)))
        .count(tx)
        .await?;
    let model = certificate::Model {
        id: Uuid::now_v7(),
        certificate_number: format!(
            "ZM-{}-{}-{:05}",
            village.code,
            today.year(),
            issued_this_year + 1
        ),
        village_code: village.code.clone(),
        township_code: village.township_code.clone(),
        item_code: item.code.clone(),
        item_title: item.title.clone(),
        list_id: list.id,
        list_version: list.version,
        requester_name: requester,
        purpose,
        issued_on: today,
        issued_by: who.subject.clone(),
        created_at: kit::clock::now(),
    };
    certificate::Entity::insert(certificate::ActiveModel::from(model.clone()))
        .exec_without_returning(tx)
        .await?;
    audit::record(
        tx,
        who,
        "issue-certificate",
        "certificate",
        &model.id.to_string(),
        &format!(
            "{} under list {} v{}",
            model.item_code, list.id, list.version
        ),
    )
    .await?;
    Ok(Ok(model.into()))
}

/// Reads an issued certificate of the caller's division.
pub async fn show_certificate(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
) -> Result<CertificateView, Refusal> {
    certificate::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|c| who.sees(&c.village_code))
        .map(Into::into)
        .ok_or_else(|| Refusal::not_found("no such certificate in your division"))
}
