//! Loading a case together with what the caller may do with it; every command and read goes
//! through here, so the scope rules live in one place (domain::access).

use kit::{Principal, Refusal, Role};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::domain::{
    access::{Access, Caller, Record, access},
    level::Level,
};
use crate::store::{case, referral, transfer};

/// The level a role works at as protection staff; auditors and machines own nothing.
pub fn caller(who: &Principal) -> Caller<'_> {
    let staff_level = match who.role {
        Role::VillageStaff => Some(Level::Village),
        Role::TownshipClerk | Role::TownshipApprover => Some(Level::Township),
        Role::DistrictOfficer | Role::DistrictApprover => Some(Level::District),
        Role::Auditor | Role::Service => None,
    };
    Caller {
        division: who.division.as_str(),
        staff_level,
    }
}

/// A case with its open referrals, pending transfer, and the caller's access.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub case: case::Model,
    pub referrals: Vec<referral::Model>,
    pub pending_transfer: Option<transfer::Model>,
    pub access: Access,
}

impl Loaded {
    /// Refuses unless the caller has at least `needed` (`what` says what was refused).
    pub fn require(&self, needed: Access, what: &str) -> Result<(), Refusal> {
        if self.access >= needed {
            Ok(())
        } else if needed == Access::Owner {
            Err(Refusal::forbidden(format!(
                "only staff of the unit holding the case ({}) may {what}",
                self.case.owner_unit
            )))
        } else {
            Err(Refusal::forbidden(format!(
                "only the unit holding the case or a unit it was referred to may {what}"
            )))
        }
    }

    /// Refuses work on a closed case.
    pub fn require_open(&self) -> Result<(), Refusal> {
        if self.case.status == "open" {
            Ok(())
        } else {
            Err(Refusal::conflict("case-closed", "the case is closed"))
        }
    }

    /// Whether the caller may see the full record.
    pub fn full(&self) -> bool {
        self.access == Access::Owner
    }
}

/// Loads case `id` for a command of `who`, locking the case's row until the command's
/// transaction ends (`SELECT … FOR UPDATE` on PostgreSQL; SQLite has one writer at a time): a
/// partner's fact noted on the case meanwhile waits for the command instead of changing the
/// version under it, which made the command's save fail as "changed meanwhile" although the
/// caller had sent no version at all. A case the caller may not see at all is not found.
pub async fn load(tx: &impl ConnectionTrait, who: &Principal, id: Uuid) -> Result<Loaded, Refusal> {
    let case = case::Entity::find_by_id(id)
        .lock_exclusive()
        .one(tx)
        .await?;
    with_access(tx, who, id, case).await
}

/// Loads case `id` to show it to `who`, without a lock.
pub async fn load_to_read(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
) -> Result<Loaded, Refusal> {
    let case = case::Entity::find_by_id(id).one(db).await?;
    with_access(db, who, id, case).await
}

async fn with_access(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    case: Option<case::Model>,
) -> Result<Loaded, Refusal> {
    let not_found = || Refusal::not_found("no such case in your division");
    let case = case.ok_or_else(not_found)?;
    let referrals = referral::Entity::find()
        .filter(referral::Column::CaseId.eq(id))
        .all(db)
        .await?;
    let pending_transfer = transfer::Entity::find()
        .filter(transfer::Column::CaseId.eq(id))
        .filter(transfer::Column::Status.eq("requested"))
        .one(db)
        .await?;
    let working: Vec<String> = referrals
        .iter()
        .filter(|r| r.status == "open")
        .filter_map(|r| r.to_unit.clone())
        .collect();
    let access = access(
        &caller(who),
        &Record {
            owner: &case.owner_unit,
            village_code: &case.village_code,
            referred_to: &working,
            transfer_to: pending_transfer.as_ref().map(|t| t.to_unit.as_str()),
        },
    );
    if access == Access::None {
        return Err(not_found());
    }
    Ok(Loaded {
        case,
        referrals,
        pending_transfer,
        access,
    })
}
