//! Changes to a registered child's care: care mode, guardian and account (optimistic
//! concurrency), schooling (which may extend or end the allowance), the identity of a child
//! registered from a flag, and adoption (which ends the allowance).

use chrono::NaiveDate;
use contracts::{child::AllowanceEndReason, common::Month};
use kit::{
    Principal, Refusal, Role, audit,
    identity::{IdNumber, PersonRefKey},
    outbox::Outbox,
};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    allowance_changes::care_mode_changed,
    lifecycle::{Ending, close_child, close_if_aged_out, end_allowance},
    records::{self, load_visible},
    registration::{BankAccount, Guardian, NewSchooling},
};
use crate::{
    domain::{
        category::{CareMode, word},
        entitlement::end_month_for,
    },
    store::{child, enrollment},
};

/// Care mode, guardian and account as they are now.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CareUpdate {
    #[schema(value_type = String, example = "family_based")]
    pub care_mode: CareMode,
    pub guardian: Option<Guardian>,
    pub bank_account: Option<BankAccount>,
}

/// Replaces care mode, guardian and account when `version` is the one stored. A new care mode
/// counts for the running allowance from the month after `today` (never for a month a batch
/// already paid), published as `child.allowance.changed.v1`.
pub async fn update_care(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    id: Uuid,
    version: i32,
    input: &CareUpdate,
    today: NaiveDate,
) -> Result<i32, Refusal> {
    who.require(&[Role::TownshipClerk, Role::DistrictOfficer])?;
    let record = load_visible(tx, who, id).await?;
    let c = &record.child;
    if c.version != version {
        return Err(Refusal::changed_meanwhile());
    }
    let guardian_id = match input.guardian.as_ref().and_then(|g| g.id_number.as_deref()) {
        Some(raw) => Some(
            IdNumber::parse_entered(raw, kit::clock::today())
                .map_err(|e| Refusal::invalid("guardian.id_number", e.to_string()))?,
        ),
        None => None,
    };
    if let Some(a) = &input.bank_account
        && (a.account.len() < 8 || !a.account.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(Refusal::invalid("bank_account.account", "8 or more digits"));
    }
    let account_changed =
        input.bank_account.as_ref().map(|a| &a.account) != c.bank_account.as_ref();
    child::Entity::update(child::ActiveModel {
        id: Set(id),
        care_mode: Set(word(input.care_mode)),
        guardian_name: Set(input.guardian.as_ref().map(|g| g.name.trim().to_owned())),
        guardian_relationship: Set(input.guardian.as_ref().map(|g| g.relationship.clone())),
        guardian_id_number: Set(guardian_id.map(|g| g.expose().to_owned())),
        account_holder: Set(input
            .bank_account
            .as_ref()
            .map(|a| a.holder.trim().to_owned())),
        bank_account: Set(input.bank_account.as_ref().map(|a| a.account.clone())),
        version: Set(version + 1),
        ..Default::default()
    })
    .exec(tx)
    .await?;
    let detail = format!(
        "care mode {}{}",
        word(input.care_mode),
        if account_changed {
            "; bank account changed"
        } else {
            ""
        }
    );
    audit::record(tx, who, "update-care", "child", &id.to_string(), &detail).await?;
    if word(input.care_mode) != c.care_mode {
        let reference = records::reference(tx).await?;
        care_mode_changed(tx, outbox, who, &reference, &record, input.care_mode, today).await?;
    }
    Ok(version + 1)
}

/// Records a school enrolment; a registered child's entitlement is checked against it at once.
pub async fn record_enrollment(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    id: Uuid,
    input: &NewSchooling,
    today: NaiveDate,
) -> Result<(), Refusal> {
    who.require(&[Role::TownshipClerk, Role::DistrictOfficer])?;
    load_visible(tx, who, id).await?;
    if input.course_end <= input.enrolled_on {
        return Err(Refusal::invalid("course_end", "must be after enrolled_on"));
    }
    if input.evidence.trim().is_empty() {
        return Err(Refusal::invalid("evidence", "required: proof of enrolment"));
    }
    enrollment::Entity::insert(enrollment::ActiveModel {
        id: Set(Uuid::now_v7()),
        child_id: Set(id),
        level: Set(word(input.level)),
        school: Set(input.school.clone()),
        full_time: Set(input.full_time),
        enrolled_on: Set(input.enrolled_on),
        course_end: Set(input.course_end),
        evidence: Set(input.evidence.trim().to_owned()),
        recorded_by: Set(who.subject.clone()),
        recorded_at: Set(kit::clock::now()),
    })
    .exec(tx)
    .await?;
    audit::record(
        tx,
        who,
        "record-enrollment",
        "child",
        &id.to_string(),
        &word(input.level),
    )
    .await?;
    let reference = records::reference(tx).await?;
    if let Some(record) = records::load(tx, id).await? {
        close_if_aged_out(
            tx,
            outbox,
            who,
            &reference,
            &record,
            Month::from_date(today),
            today,
        )
        .await?;
    }
    Ok(())
}

/// The identity of a child registered from a flag, which carried only the person_ref.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Identity {
    pub id_number: String,
    pub name: String,
}

/// Completes the identity of a child registered from a flag: the ID number must be the one the
/// flag's person_ref was computed from.
pub async fn complete_identity(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    key: &PersonRefKey,
    who: &Principal,
    id: Uuid,
    input: &Identity,
    today: NaiveDate,
) -> Result<(), Refusal> {
    who.require(&[Role::TownshipClerk, Role::DistrictOfficer])?;
    let record = load_visible(tx, who, id).await?;
    if record.child.id_number.is_some() {
        return Err(Refusal::conflict(
            "identity-complete",
            "the child's identity is already on record",
        ));
    }
    let number = IdNumber::parse_entered(&input.id_number, kit::clock::today())
        .map_err(|e| Refusal::invalid("id_number", e.to_string()))?;
    if key.person_ref(&number).as_str() != record.child.person_ref {
        return Err(Refusal::invalid(
            "id_number",
            "is not the child this registration names",
        ));
    }
    if input.name.trim().is_empty() {
        return Err(Refusal::invalid("name", "required"));
    }
    child::Entity::update(child::ActiveModel {
        id: Set(id),
        id_number: Set(Some(number.expose().to_owned())),
        name: Set(Some(input.name.trim().to_owned())),
        birth_date: Set(Some(number.birth_date())),
        version: Set(record.child.version + 1),
        ..Default::default()
    })
    .exec(tx)
    .await?;
    audit::record(tx, who, "complete-identity", "child", &id.to_string(), "").await?;
    let reference = records::reference(tx).await?;
    if let Some(record) = records::load(tx, id).await? {
        close_if_aged_out(
            tx,
            outbox,
            who,
            &reference,
            &record,
            Month::from_date(today),
            today,
        )
        .await?;
    }
    Ok(())
}

/// An adoption, with the registration of adoption cited.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Adoption {
    pub adopted_on: NaiveDate,
    pub evidence: String,
}

/// Ends the allowance on adoption (the month of adoption is the last paid).
pub async fn record_adoption(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    id: Uuid,
    input: &Adoption,
    today: NaiveDate,
) -> Result<(), Refusal> {
    who.require(&[Role::TownshipClerk, Role::DistrictOfficer])?;
    let record = load_visible(tx, who, id).await?;
    if input.adopted_on > today {
        return Err(Refusal::invalid("adopted_on", "cannot be in the future"));
    }
    if input.evidence.trim().is_empty() {
        return Err(Refusal::invalid(
            "evidence",
            "required: the adoption registration",
        ));
    }
    if record.child.adopted_on.is_some() {
        return Err(Refusal::conflict(
            "already-adopted",
            "the adoption is on record",
        ));
    }
    child::Entity::update(child::ActiveModel {
        id: Set(id),
        adopted_on: Set(Some(input.adopted_on)),
        version: Set(record.child.version + 1),
        ..Default::default()
    })
    .exec(tx)
    .await?;
    if let Some(active) = record.active_allowance() {
        let start = active
            .start_month
            .parse()
            .unwrap_or(Month::from_date(today));
        let end = end_month_for(input.adopted_on, start);
        end_allowance(
            tx,
            outbox,
            who,
            &record.child,
            active,
            Ending {
                reason: AllowanceEndReason::Adopted,
                end_month: end,
                ended_on: today,
            },
        )
        .await?;
    }
    close_child(tx, &record.child, "adopted").await?;
    audit::record(
        tx,
        who,
        "record-adoption",
        "child",
        &id.to_string(),
        input.evidence.trim(),
    )
    .await?;
    Ok(())
}
