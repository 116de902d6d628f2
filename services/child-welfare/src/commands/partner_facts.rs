//! Facts partners publish about people this service holds, matched by person_ref computed from
//! the ID number with the mesh key: a child's death ends the allowance (the month of death is the
//! last paid); a parent's death or 残联 certificate changes that parent's conditions and the child
//! is re-evaluated.

use chrono::NaiveDate;
use contracts::{
    child::AllowanceEndReason,
    partner::{CertificateChanged, CertificateIssued, CertificateRevoked, DisabilityCategory},
};
use kit::{
    Refusal, audit,
    identity::{IdNumber, PersonRefKey},
    outbox::Outbox,
};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::{
    conditions::insert_condition,
    flags::try_register,
    lifecycle::{Ending, close_child, end_allowance, reevaluate},
    records::{self, system},
};
use crate::{
    domain::{
        category::word,
        eligibility::{Condition, Disability, Situation},
        entitlement::end_month_for,
    },
    store::{certificate, child, condition, evaluation, parent},
};

/// The ID number a partner sent, parsed strictly (a partner fact with a bad number can never
/// apply: the caller dead-letters it).
pub fn id_number(raw: &str) -> Result<IdNumber, String> {
    IdNumber::parse(raw).map_err(|e| format!("id_number: {e}"))
}

/// A death recorded by the civil registry.
pub async fn record_death(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    key: &PersonRefKey,
    id: &IdNumber,
    died_on: NaiveDate,
    record_number: &str,
    today: NaiveDate,
) -> Result<(), Refusal> {
    let person_ref = key.person_ref(id);
    let who = system("death-record");
    let children = child::Entity::find()
        .filter(child::Column::PersonRef.eq(person_ref.as_str()))
        .filter(child::Column::DeceasedOn.is_null())
        .all(tx)
        .await?;
    for c in children {
        child::Entity::update(child::ActiveModel {
            id: Set(c.id),
            deceased_on: Set(Some(died_on)),
            ..Default::default()
        })
        .exec(tx)
        .await?;
        if let Some(record) = records::load(tx, c.id).await?
            && let Some(active) = record.active_allowance()
        {
            let start = active
                .start_month
                .parse()
                .unwrap_or(contracts::common::Month::from_date(died_on));
            let end = end_month_for(died_on, start);
            end_allowance(
                tx,
                outbox,
                &who,
                &c,
                active,
                Ending {
                    reason: AllowanceEndReason::Death,
                    end_month: end,
                    ended_on: today,
                },
            )
            .await?;
        }
        if matches!(c.status.as_str(), "pending_approval" | "registered") {
            close_child(tx, &c, "the child died").await?;
        }
        audit::record(
            tx,
            &who,
            "record-death",
            "child",
            &c.id.to_string(),
            record_number,
        )
        .await?;
    }
    let parents = parent::Entity::find()
        .filter(parent::Column::PersonRef.eq(person_ref.as_str()))
        .all(tx)
        .await?;
    for p in parents {
        let already = condition::Entity::find()
            .filter(condition::Column::ParentId.eq(p.id))
            .filter(condition::Column::Situation.eq(word(Situation::Dead)))
            .filter(condition::Column::Since.is_not_null())
            .one(tx)
            .await?;
        if already.is_some() {
            continue;
        }
        let dead = Condition::since(Situation::Dead, died_on);
        let evidence = format!("civil-registry death record {record_number}");
        insert_condition(tx, p.id, &dead, &evidence, &who.subject).await?;
        audit::record(
            tx,
            &who,
            "record-parent-death",
            "child",
            &p.child_id.to_string(),
            record_number,
        )
        .await?;
        reevaluate_child(tx, outbox, p.child_id, died_on, today).await?;
    }
    Ok(())
}

async fn reevaluate_child(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    child_id: uuid::Uuid,
    as_of: NaiveDate,
    today: NaiveDate,
) -> Result<(), Refusal> {
    let reference = records::reference(tx).await?;
    if let Some(record) = records::load(tx, child_id).await? {
        let who = system("partner-fact");
        reevaluate(tx, outbox, &who, &reference, &record, as_of, today).await?;
    }
    Ok(())
}

/// A certificate as issued or changed.
pub struct Certificate<'a> {
    pub id_number: &'a IdNumber,
    pub category: DisabilityCategory,
    pub level: u8,
    pub effective_on: NaiveDate,
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
}

impl<'a> Certificate<'a> {
    /// From an issued certificate.
    pub fn issued(e: &CertificateIssued, id: &'a IdNumber) -> Self {
        Self {
            id_number: id,
            category: e.category,
            level: e.level,
            effective_on: e.issued_on,
            issued_on: e.issued_on,
            expires_on: e.expires_on,
        }
    }

    /// From a changed certificate.
    pub fn changed(e: &CertificateChanged, id: &'a IdNumber) -> Self {
        Self {
            id_number: id,
            category: e.category,
            level: e.level,
            effective_on: e.changed_on,
            issued_on: e.changed_on,
            expires_on: e.expires_on,
        }
    }
}

/// Keeps the certificate (by person_ref only) and brings every parent it concerns up to date:
/// a qualifying certificate opens a severe-disability condition, a non-qualifying one ends it.
pub async fn record_certificate(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    key: &PersonRefKey,
    cert: &Certificate<'_>,
    today: NaiveDate,
) -> Result<(), Refusal> {
    let person_ref = key.person_ref(cert.id_number).as_str().to_owned();
    let row = certificate::ActiveModel {
        person_ref: Set(person_ref.clone()),
        category: Set(word(cert.category)),
        level: Set(i32::from(cert.level)),
        issued_on: Set(cert.issued_on),
        expires_on: Set(cert.expires_on),
        revoked_on: Set(None),
    };
    if certificate::Entity::find_by_id(person_ref.clone())
        .one(tx)
        .await?
        .is_some()
    {
        certificate::Entity::update(row).exec(tx).await?;
    } else {
        certificate::Entity::insert(row).exec(tx).await?;
    }
    let reference = records::reference(tx).await?;
    let thresholds = reference
        .thresholds(cert.effective_on)
        .map_err(records::not_in_force)?;
    let disability = Disability {
        category: cert.category,
        level: cert.level,
    };
    let severe = thresholds.is_severe(disability);
    let who = system("dpf-certificate");
    for p in parents_of(tx, &person_ref).await? {
        let open = open_disability(tx, p.id).await?;
        for c in &open {
            close_condition(tx, c, cert.effective_on, "superseded by a 残联 certificate").await?;
        }
        if severe {
            let mut c = Condition::since(Situation::SevereDisability, cert.effective_on.min(today));
            c.disability = Some(disability);
            insert_condition(tx, p.id, &c, "残联 disability certificate", &who.subject).await?;
        }
        if severe || !open.is_empty() {
            reevaluate_child(tx, outbox, p.child_id, cert.effective_on.min(today), today).await?;
        }
    }
    if severe {
        retry_open_evaluations(tx, outbox, &person_ref, today).await?;
    }
    Ok(())
}

/// A certificate revoked: the parent's severe-disability condition ends on that date.
pub async fn revoke_certificate(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    key: &PersonRefKey,
    e: &CertificateRevoked,
    id: &IdNumber,
    today: NaiveDate,
) -> Result<(), Refusal> {
    let person_ref = key.person_ref(id).as_str().to_owned();
    certificate::Entity::update_many()
        .set(certificate::ActiveModel {
            revoked_on: Set(Some(e.revoked_on)),
            ..Default::default()
        })
        .filter(certificate::Column::PersonRef.eq(person_ref.clone()))
        .exec(tx)
        .await?;
    for p in parents_of(tx, &person_ref).await? {
        let open = open_disability(tx, p.id).await?;
        for c in &open {
            close_condition(tx, c, e.revoked_on, "残联 certificate revoked").await?;
        }
        if !open.is_empty() {
            reevaluate_child(tx, outbox, p.child_id, e.revoked_on.min(today), today).await?;
        }
    }
    Ok(())
}

async fn parents_of(
    tx: &impl ConnectionTrait,
    person_ref: &str,
) -> Result<Vec<parent::Model>, Refusal> {
    Ok(parent::Entity::find()
        .filter(parent::Column::PersonRef.eq(person_ref))
        .all(tx)
        .await?)
}

async fn open_disability(
    tx: &impl ConnectionTrait,
    parent_id: uuid::Uuid,
) -> Result<Vec<condition::Model>, Refusal> {
    Ok(condition::Entity::find()
        .filter(condition::Column::ParentId.eq(parent_id))
        .filter(condition::Column::Situation.eq(word(Situation::SevereDisability)))
        .filter(condition::Column::EndedOn.is_null())
        .all(tx)
        .await?)
}

async fn close_condition(
    tx: &impl ConnectionTrait,
    c: &condition::Model,
    on: NaiveDate,
    why: &str,
) -> Result<(), Refusal> {
    condition::Entity::update(condition::ActiveModel {
        id: Set(c.id),
        ended_on: Set(Some(c.since.map_or(on, |s| on.max(s)))),
        evidence: Set(format!("{}; ended: {why}", c.evidence)),
        ..Default::default()
    })
    .exec(tx)
    .await?;
    Ok(())
}

/// Open evaluations waiting for this parent's certificate are assessed again.
async fn retry_open_evaluations(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    person_ref: &str,
    today: NaiveDate,
) -> Result<(), Refusal> {
    let waiting = evaluation::Entity::find()
        .filter(evaluation::Column::Status.eq("open"))
        .filter(
            sea_orm::Condition::any()
                .add(evaluation::Column::FatherRef.eq(person_ref))
                .add(evaluation::Column::MotherRef.eq(person_ref)),
        )
        .all(tx)
        .await?;
    for e in waiting {
        try_register(tx, outbox, &e, today).await?;
    }
    Ok(())
}
