//! Certificates from the 残联 (`partner.dpf.certificate.*`): kept per person_ref, the ID and
//! certificate numbers in the identities table only. Each fact is applied only when it is newer
//! than what is held (`as_of`), so late or repeated facts do not undo newer ones; then the
//! person's cases are reconciled: discovery, level changes, stops.

use chrono::NaiveDate;
use contracts::{
    common::Month,
    disability::SubsidyKind,
    partner::{CertificateChanged, CertificateIssued, CertificateRevoked, RevocationReason},
};
use kit::{identity::IdNumber, outbox::Outbox};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, IntoActiveModel,
    sea_query::OnConflict,
};

use super::{
    CommandError, cases, deaths,
    discovery::discover_both,
    facts::{Facts, certificate_of, lock_people},
    reference, seal, snake,
};
use crate::{
    domain::months::Stop,
    store::{
        entities::{holder, identity},
        sealed::DataKeys,
    },
};

/// The sealed columns of the identities table.
pub const ID_NUMBER: &str = "identities.id_number";
pub const CERTIFICATE_NUMBER: &str = "identities.certificate_number";

/// The township and village of a 户籍 division code, when it lies in this district.
fn place_of(division: &str) -> (Option<String>, Option<String>) {
    if !division.starts_with(kit::divisions::YUBEI) {
        return (None, None);
    }
    let township = (division.len() >= 9).then(|| division[..9].to_owned());
    let village = (division.len() == 12).then(|| division.to_owned());
    (township, village)
}

/// Keeps the ID and certificate numbers, sealed (see `store::sealed`).
async fn remember_identity(
    db: &impl ConnectionTrait,
    keys: &DataKeys,
    person_ref: &str,
    id: &IdNumber,
    certificate_number: &str,
) -> Result<(), CommandError> {
    identity::Entity::insert(identity::ActiveModel {
        person_ref: Set(person_ref.to_owned()),
        id_number: Set(seal(keys, ID_NUMBER, person_ref, id.expose())),
        certificate_number: Set(Some(seal(
            keys,
            CERTIFICATE_NUMBER,
            person_ref,
            certificate_number,
        ))),
    })
    .on_conflict(
        OnConflict::column(identity::Column::PersonRef)
            .update_columns([
                identity::Column::IdNumber,
                identity::Column::CertificateNumber,
            ])
            .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}

/// The certificate details of an event.
struct Details<'a> {
    category: String,
    level: u8,
    issued_on: Option<NaiveDate>,
    expires_on: NaiveDate,
    division: &'a str,
    as_of: NaiveDate,
}

/// Writes the holder row when the fact is not older than what is held; returns whether it did.
async fn upsert_holder(
    db: &impl ConnectionTrait,
    person_ref: &str,
    d: Details<'_>,
) -> Result<bool, CommandError> {
    let existing = holder::Entity::find_by_id(person_ref.to_owned())
        .one(db)
        .await?;
    let is_new = existing.is_none();
    let (township, village) = place_of(d.division);
    let mut active = match existing {
        Some(h) if h.as_of > d.as_of && h.level.is_some() => return Ok(false),
        Some(h) => {
            let revoked_still = h.revoked_on.filter(|r| *r >= d.as_of);
            let issued = d.issued_on.or(h.issued_on).unwrap_or(d.as_of);
            let version = h.version;
            let mut a = h.into_active_model();
            a.revoked_on = Set(revoked_still);
            if revoked_still.is_none() {
                a.revocation_reason = Set(None);
            }
            a.issued_on = Set(Some(issued));
            a.version = Set(version + 1);
            a
        }
        None => holder::ActiveModel {
            person_ref: Set(person_ref.to_owned()),
            issued_on: Set(Some(d.issued_on.unwrap_or(d.as_of))),
            revoked_on: Set(None),
            revocation_reason: Set(None),
            version: Set(1),
            ..Default::default()
        },
    };
    active.category = Set(Some(d.category));
    active.level = Set(Some(i32::from(d.level)));
    active.expires_on = Set(Some(d.expires_on));
    active.registration_division = Set(Some(d.division.to_owned()));
    active.township_code = Set(township);
    active.village_code = Set(village);
    active.reassessment_since = Set(None);
    active.as_of = Set(d.as_of);
    active.updated_at = Set(kit::clock::now());
    if is_new {
        active.insert(db).await?;
    } else {
        active.update(db).await?;
    }
    Ok(true)
}

/// Ends every open case of a dead person (stop in the month of the comparison).
async fn end_for_death(
    db: &impl ConnectionTrait,
    outbox: &Outbox,
    facts: &Facts,
) -> Result<bool, CommandError> {
    let Some(death) = &facts.death else {
        return Ok(false);
    };
    deaths::stop_all(db, outbox, &facts.person_ref, death.recorded_on).await?;
    Ok(true)
}

/// `partner.dpf.certificate.issued.v1`.
pub async fn certificate_issued(
    db: &impl ConnectionTrait,
    outbox: &Outbox,
    keys: &DataKeys,
    person_ref: &str,
    id: &IdNumber,
    e: &CertificateIssued,
    received_on: NaiveDate,
) -> Result<(), CommandError> {
    lock_people(db, &[person_ref]).await?;
    remember_identity(db, keys, person_ref, id, e.certificate_number.as_str()).await?;
    let details = Details {
        category: snake(e.category),
        level: e.level,
        issued_on: Some(e.issued_on),
        expires_on: e.expires_on,
        division: e.registration_division.as_str(),
        as_of: e.issued_on,
    };
    if !upsert_holder(db, person_ref, details).await? {
        return Ok(());
    }
    let facts = Facts::load(db, person_ref).await?;
    if end_for_death(db, outbox, &facts).await? || !facts.registered_here() {
        return Ok(());
    }
    // A revocation that arrived before the certificate it revokes: nothing is opened (the
    // revocation ended whatever was open when it came).
    if facts
        .certificate
        .as_ref()
        .is_some_and(|c| c.revoked_on.is_some())
    {
        return Ok(());
    }
    // Discovery stands in for an application made when the fact reached the mesh: a certificate
    // issued within the back-pay window is paid from its month, an older one from the month it
    // arrived (never more than the back-pay limit), whatever the delay of the partner's feed.
    let on = received_on.max(e.issued_on);
    discover_both(db, outbox, &facts, Month::from_date(on), on).await
}

/// `partner.dpf.certificate.changed.v1`: re-assessment, re-issue, renewal or a move.
pub async fn certificate_changed(
    db: &impl ConnectionTrait,
    outbox: &Outbox,
    keys: &DataKeys,
    person_ref: &str,
    id: &IdNumber,
    e: &CertificateChanged,
    received_on: NaiveDate,
) -> Result<(), CommandError> {
    lock_people(db, &[person_ref]).await?;
    remember_identity(db, keys, person_ref, id, e.certificate_number.as_str()).await?;
    let details = Details {
        category: snake(e.category),
        level: e.level,
        issued_on: None,
        expires_on: e.expires_on,
        division: e.registration_division.as_str(),
        as_of: e.changed_on,
    };
    if !upsert_holder(db, person_ref, details).await? {
        return Ok(());
    }
    let facts = Facts::load(db, person_ref).await?;
    if end_for_death(db, outbox, &facts).await? {
        return Ok(());
    }
    let open = cases::open_cases(db, person_ref).await?;
    if !facts.registered_here() {
        for case in open {
            cases::end(
                db,
                outbox,
                case,
                Stop::MovedAway {
                    moved_on: e.changed_on,
                },
                e.changed_on,
            )
            .await?;
        }
        return Ok(());
    }
    let rules = reference::rules(db, e.changed_on).await?;
    let cert = facts.certificate.as_ref();
    for case in open
        .into_iter()
        .filter(|c| cases::kind_of(c) == SubsidyKind::Nursing)
    {
        match cert {
            Some(c) if !c.nursing_level(&rules) => {
                let stop = Stop::LevelNotEligible {
                    changed_on: e.changed_on,
                };
                cases::end(db, outbox, case, stop, e.changed_on).await?;
            }
            Some(c) if i32::from(c.level) != case.rate_level => {
                cases::change_level(db, outbox, case, c.level, e.changed_on).await?;
            }
            _ => {}
        }
    }
    let on = received_on.max(e.changed_on);
    discover_both(db, outbox, &facts, Month::from_date(on), on).await
}

/// `partner.dpf.certificate.revoked.v1`: the subsidies stop from the month after the revocation
/// (a revocation for death stops them as a death does).
pub async fn certificate_revoked(
    db: &impl ConnectionTrait,
    outbox: &Outbox,
    person_ref: &str,
    e: &CertificateRevoked,
) -> Result<(), CommandError> {
    lock_people(db, &[person_ref]).await?;
    let existing = holder::Entity::find_by_id(person_ref.to_owned())
        .one(db)
        .await?;
    match existing {
        Some(h) if h.issued_on.is_some_and(|i| i > e.revoked_on) => return Ok(()),
        Some(h) => {
            let version = h.version;
            let as_of = h.as_of.max(e.revoked_on);
            let mut a = h.into_active_model();
            a.revoked_on = Set(Some(e.revoked_on));
            a.revocation_reason = Set(Some(snake(e.reason)));
            a.as_of = Set(as_of);
            a.updated_at = Set(kit::clock::now());
            a.version = Set(version + 1);
            a.update(db).await?;
        }
        None => {
            holder::ActiveModel {
                person_ref: Set(person_ref.to_owned()),
                category: Set(None),
                level: Set(None),
                issued_on: Set(None),
                expires_on: Set(None),
                registration_division: Set(None),
                township_code: Set(None),
                village_code: Set(None),
                revoked_on: Set(Some(e.revoked_on)),
                revocation_reason: Set(Some(snake(e.reason))),
                reassessment_since: Set(None),
                as_of: Set(e.revoked_on),
                updated_at: Set(kit::clock::now()),
                version: Set(1),
            }
            .insert(db)
            .await?;
        }
    }
    let stop = match e.reason {
        RevocationReason::Death => Stop::Death {
            comparison_month: Month::from_date(e.revoked_on),
        },
        _ => Stop::CertificateRevoked {
            revoked_on: e.revoked_on,
        },
    };
    for case in cases::open_cases(db, person_ref).await? {
        cases::end(db, outbox, case, stop, e.revoked_on).await?;
    }
    Ok(())
}

/// Marks a holder's re-assessment as under way (the old grade keeps paying, expiry does not stop
/// it) — recorded by the township when the holder applies for re-assessment.
pub async fn start_reassessment(
    db: &impl ConnectionTrait,
    person_ref: &str,
    since: NaiveDate,
) -> Result<Option<holder::Model>, CommandError> {
    let Some(h) = holder::Entity::find_by_id(person_ref.to_owned())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if certificate_of(&h).is_none() {
        return Ok(None);
    }
    let version = h.version;
    let mut a = h.into_active_model();
    a.reassessment_since = Set(Some(since));
    a.version = Set(version + 1);
    Ok(Some(a.update(db).await?))
}
