//! Referrals and transfers. A referral brings another agency or unit in to work on the case while
//! the holder keeps it; a transfer moves ownership, and only when the receiving unit accepts.

use chrono::NaiveDate;
use kit::{Principal, Refusal};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    access::{caller, load},
    cases::{Recorded, record_action, save},
    not_future, reference, units, wire,
};
use crate::domain::{access::Access, level::Level, supervision::deadline};
use crate::store::{case, referral, transfer};

/// The agency a case is referred to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Agency {
    /// A unit of the protection network (give `to_unit`); it works on the case in the mesh.
    ProtectionUnit,
    Police,
    Education,
    Health,
    Procuratorate,
    Court,
    WomensFederation,
    SocialWorkOrganisation,
    Other,
}

/// A referral.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewReferral {
    pub agency: Agency,
    /// The unit's division code, for `protection_unit`.
    pub to_unit: Option<String>,
    pub purpose: String,
    pub referred_on: NaiveDate,
}

/// Refers the case (the holder only); ownership stays.
pub async fn refer(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    input: &NewReferral,
) -> Result<Recorded, Refusal> {
    let loaded = load(tx, who, id).await?;
    loaded.require(Access::Owner, "refer the case")?;
    loaded.require_open()?;
    let on = not_future("referred_on", input.referred_on)?;
    match (input.agency, &input.to_unit) {
        (Agency::ProtectionUnit, Some(unit)) => {
            units::existing(tx, unit, "to_unit").await?;
            if *unit == loaded.case.owner_unit {
                return Err(Refusal::invalid(
                    "to_unit",
                    "the case is already held by this unit",
                ));
            }
            if loaded
                .referrals
                .iter()
                .any(|r| r.status == "open" && r.to_unit.as_deref() == Some(unit))
            {
                return Err(Refusal::conflict(
                    "already-referred",
                    "the case is already referred to this unit",
                )
                .field("to_unit", "already referred"));
            }
        }
        (Agency::ProtectionUnit, None) => {
            return Err(Refusal::invalid(
                "to_unit",
                "required for a protection unit",
            ));
        }
        (_, Some(_)) => {
            return Err(Refusal::invalid(
                "to_unit",
                "only for agency protection_unit",
            ));
        }
        (_, None) => {}
    }
    if input.purpose.trim().is_empty() {
        return Err(Refusal::invalid(
            "purpose",
            "say what the referred party is asked to do",
        ));
    }
    let rid = Uuid::now_v7();
    referral::Entity::insert(referral::ActiveModel {
        id: Set(rid),
        case_id: Set(id),
        to_unit: Set(input.to_unit.clone()),
        agency: Set(wire(input.agency)),
        purpose: Set(input.purpose.trim().to_owned()),
        status: Set("open".into()),
        referred_on: Set(on),
        completed_on: Set(None),
        referred_by: Set(who.subject.clone()),
    })
    .exec(tx)
    .await?;
    let version = save(tx, id, loaded.case.version, case::ActiveModel::default()).await?;
    let target = input.to_unit.clone().unwrap_or_else(|| wire(input.agency));
    record_action(
        tx,
        who,
        id,
        "referral",
        on,
        &format!("referred to {target}"),
        &input.purpose,
    )
    .await?;
    Ok(Recorded {
        id: rid,
        case_id: id,
        version,
        due_on: loaded.case.due_on,
    })
}

/// The referred party reports its part done.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReferralCompletion {
    pub completed_on: NaiveDate,
    #[serde(default)]
    pub notes: String,
}

/// Completes a referral (the referred unit or the holder); the referred unit stops working on it.
pub async fn complete_referral(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    referral_id: Uuid,
    input: &ReferralCompletion,
) -> Result<Recorded, Refusal> {
    let loaded = load(tx, who, id).await?;
    let r = loaded
        .referrals
        .iter()
        .find(|r| r.id == referral_id)
        .ok_or_else(|| Refusal::not_found("no such referral of this case"))?;
    let staff = caller(who);
    let referred = r.to_unit.as_deref().is_some_and(|u| staff.is_staff_of(u));
    if !referred && loaded.access != Access::Owner {
        return Err(Refusal::forbidden(
            "only the referred unit or the holder may complete a referral",
        ));
    }
    if r.status != "open" {
        return Err(Refusal::conflict(
            "referral-not-open",
            "the referral is already completed",
        ));
    }
    let on = not_future("completed_on", input.completed_on)?;
    referral::Entity::update_many()
        .set(referral::ActiveModel {
            status: Set("completed".into()),
            completed_on: Set(Some(on)),
            ..Default::default()
        })
        .filter(referral::Column::Id.eq(referral_id))
        .exec(tx)
        .await?;
    let version = save(tx, id, loaded.case.version, case::ActiveModel::default()).await?;
    record_action(
        tx,
        who,
        id,
        "referral_completed",
        on,
        "referral completed",
        &input.notes,
    )
    .await?;
    Ok(Recorded {
        id: referral_id,
        case_id: id,
        version,
        due_on: loaded.case.due_on,
    })
}

/// A transfer request.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewTransfer {
    /// The receiving unit.
    pub to_unit: String,
    /// The child's new village when the receiving unit's area does not cover the current one.
    pub to_village_code: Option<String>,
    pub reason: String,
    pub requested_on: NaiveDate,
}

/// Asks another unit to take the case over (the holder only); nothing moves until it accepts.
pub async fn request_transfer(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    input: &NewTransfer,
) -> Result<Recorded, Refusal> {
    let loaded = load(tx, who, id).await?;
    loaded.require(Access::Owner, "transfer the case")?;
    loaded.require_open()?;
    if loaded.pending_transfer.is_some() {
        return Err(Refusal::conflict(
            "transfer-pending",
            "a transfer of this case already waits for an answer",
        ));
    }
    let on = not_future("requested_on", input.requested_on)?;
    units::existing(tx, &input.to_unit, "to_unit").await?;
    if input.to_unit == loaded.case.owner_unit {
        return Err(Refusal::invalid(
            "to_unit",
            "the case is already held by this unit",
        ));
    }
    let village = if Level::of_code(&input.to_unit) == Some(Level::Village) {
        input.to_unit.clone()
    } else if loaded.case.village_code.starts_with(&input.to_unit) {
        input
            .to_village_code
            .clone()
            .unwrap_or_else(|| loaded.case.village_code.clone())
    } else {
        input.to_village_code.clone().ok_or_else(|| {
            Refusal::invalid(
                "to_village_code",
                "required: the receiving unit's area does not cover the child's village",
            )
        })?
    };
    if Level::of_code(&village) != Some(Level::Village) || !village.starts_with(&input.to_unit) {
        return Err(Refusal::invalid(
            "to_village_code",
            "must be a village inside the receiving unit's area",
        ));
    }
    if input.reason.trim().is_empty() {
        return Err(Refusal::invalid("reason", "required"));
    }
    let tid = Uuid::now_v7();
    transfer::Entity::insert(transfer::ActiveModel {
        id: Set(tid),
        case_id: Set(id),
        from_unit: Set(loaded.case.owner_unit.clone()),
        to_unit: Set(input.to_unit.clone()),
        to_village_code: Set(village),
        status: Set("requested".into()),
        reason: Set(input.reason.trim().to_owned()),
        requested_on: Set(on),
        requested_by: Set(who.subject.clone()),
        decided_on: Set(None),
        decided_by: Set(None),
    })
    .exec(tx)
    .await?;
    let version = save(tx, id, loaded.case.version, case::ActiveModel::default()).await?;
    record_action(
        tx,
        who,
        id,
        "transfer_requested",
        on,
        &format!("transfer to {}", input.to_unit),
        &input.reason,
    )
    .await?;
    Ok(Recorded {
        id: tid,
        case_id: id,
        version,
        due_on: loaded.case.due_on,
    })
}

/// The receiving unit's answer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TransferDecision {
    pub accept: bool,
    pub decided_on: NaiveDate,
    #[serde(default)]
    pub reason: String,
}

/// Accepts or declines a pending transfer (staff of the receiving unit only). On acceptance the
/// receiving unit holds the case; a supervised matter gets the receiving level's deadline.
pub async fn decide_transfer(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    transfer_id: Uuid,
    input: &TransferDecision,
) -> Result<Recorded, Refusal> {
    let loaded = load(tx, who, id).await?;
    let t = loaded
        .pending_transfer
        .as_ref()
        .filter(|t| t.id == transfer_id)
        .ok_or_else(|| {
            Refusal::conflict(
                "transfer-not-pending",
                "this transfer is not waiting for an answer",
            )
        })?;
    if !caller(who).is_staff_of(&t.to_unit) {
        return Err(Refusal::forbidden(
            "only staff of the receiving unit may answer a transfer",
        ));
    }
    let on = not_future("decided_on", input.decided_on)?;
    if on < t.requested_on {
        return Err(Refusal::invalid(
            "decided_on",
            "must not be before the request",
        ));
    }
    if !input.accept && input.reason.trim().is_empty() {
        return Err(Refusal::invalid(
            "reason",
            "a declined transfer needs its reason",
        ));
    }
    let decided = transfer::Entity::update_many()
        .set(transfer::ActiveModel {
            status: Set(if input.accept { "accepted" } else { "declined" }.into()),
            decided_on: Set(Some(on)),
            decided_by: Set(Some(who.subject.clone())),
            ..Default::default()
        })
        .filter(transfer::Column::Id.eq(transfer_id))
        .filter(transfer::Column::Status.eq("requested"))
        .exec(tx)
        .await?;
    if decided.rows_affected == 0 {
        return Err(Refusal::conflict(
            "transfer-not-pending",
            "this transfer was answered meanwhile",
        ));
    }
    let c = &loaded.case;
    let mut changes = case::ActiveModel::default();
    let mut due_on = c.due_on;
    if input.accept {
        changes.owner_unit = Set(t.to_unit.clone());
        changes.village_code = Set(t.to_village_code.clone());
        changes.township_code = Set(t.to_village_code[..9].to_owned());
        if c.major && c.supervision_done_on.is_none() {
            let level = Level::of_code(&t.to_unit).unwrap_or(Level::District);
            let refs = reference::load(tx).await?;
            due_on = Some(deadline(&refs, level, on).map_err(reference::missing)?);
            changes.due_on = Set(due_on);
        }
        // The new holder no longer needs a referral to itself.
        referral::Entity::update_many()
            .set(referral::ActiveModel {
                status: Set("completed".into()),
                completed_on: Set(Some(on)),
                ..Default::default()
            })
            .filter(referral::Column::CaseId.eq(id))
            .filter(referral::Column::ToUnit.eq(t.to_unit.clone()))
            .filter(referral::Column::Status.eq("open"))
            .exec(tx)
            .await?;
    }
    let version = save(tx, id, c.version, changes).await?;
    let kind = if input.accept {
        "transfer_accepted"
    } else {
        "transfer_declined"
    };
    record_action(
        tx,
        who,
        id,
        kind,
        on,
        &format!("{} → {}", t.from_unit, t.to_unit),
        &input.reason,
    )
    .await?;
    Ok(Recorded {
        id: transfer_id,
        case_id: id,
        version,
        due_on,
    })
}
