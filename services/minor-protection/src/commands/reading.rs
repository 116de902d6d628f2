//! Reading cases. The holder's staff get the full record; everyone else who may see the case gets
//! the restricted view (no names, ID numbers, addresses, narrative, parents; child-welfare's
//! registration as a flag only). Every read — of one case or of a list — is written to the audit
//! trail before anything is answered.

use chrono::NaiveDate;
use kit::{Principal, Refusal, Role, audit, audit::AuditEntry, identity::IdNumber};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::access::{Loaded, caller, load_to_read};
use super::welfare::{self, ChildWelfareView};
use crate::domain::{access::Access, level::Level};
use crate::store::{action, case, escalation, guardianship, parent, referral, transfer};

/// The child, in the full view only.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChildView {
    pub name: String,
    /// Masked unless the holder asked for it unmasked.
    pub id_number: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub address: String,
    pub deceased_on: Option<NaiveDate>,
}

/// A parent, in the full view only.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ParentView {
    pub parent: String,
    pub situation: String,
    pub since: Option<NaiveDate>,
    pub term_months: Option<i32>,
    pub name: Option<String>,
    pub id_number: Option<String>,
}

/// Work on the case; `detail` (narrative) in the full view only.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ActionView {
    pub kind: String,
    pub on: NaiveDate,
    pub by_division: String,
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A referral as shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReferralView {
    pub id: Uuid,
    pub agency: String,
    pub to_unit: Option<String>,
    pub status: String,
    pub referred_on: NaiveDate,
    pub completed_on: Option<NaiveDate>,
}

/// A transfer as shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TransferView {
    pub id: Uuid,
    pub from_unit: String,
    pub to_unit: String,
    pub status: String,
    pub requested_on: NaiveDate,
}

/// An escalation as shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EscalationView {
    pub from_level: String,
    pub to_level: String,
    pub to_unit: String,
    pub reason: String,
    pub escalated_on: NaiveDate,
    pub due_on: Option<NaiveDate>,
}

/// Fallback guardianship as shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GuardianshipView {
    pub id: Uuid,
    pub kind: String,
    pub placement: String,
    pub started_on: NaiveDate,
    pub next_review_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: Option<String>,
}

/// A case as shown. Fields absent from the restricted view are simply not there.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CaseView {
    pub id: Uuid,
    /// full or restricted.
    pub view: String,
    /// owner, referred or restricted: what the caller may do.
    pub access: String,
    pub function: String,
    pub reporter: String,
    pub status: String,
    pub level: String,
    pub owner_unit: String,
    pub township_code: String,
    pub village_code: String,
    pub major: bool,
    pub risk_level: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub supervision_done_on: Option<NaiveDate>,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub outcome: Option<String>,
    pub guardianship_active: bool,
    pub version: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub child: Option<ChildView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closure_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parents: Option<Vec<ParentView>>,
    /// Whether child-welfare registered the child (orphan or de facto unsupported): in both views
    /// of one case, never in lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub child_welfare_registered: Option<bool>,
    /// The child's standing with child-welfare, in the full view only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub child_welfare: Option<ChildWelfareView>,
    pub referrals: Vec<ReferralView>,
    pub pending_transfer: Option<TransferView>,
    pub escalations: Vec<EscalationView>,
    pub guardianships: Vec<GuardianshipView>,
    pub actions: Vec<ActionView>,
}

fn access_name(a: Access) -> &'static str {
    match a {
        Access::Owner => "owner",
        Access::Referred => "referred",
        Access::Restricted | Access::None => "restricted",
    }
}

fn mask(raw: &str, unmasked: bool) -> String {
    if unmasked {
        raw.to_owned()
    } else {
        IdNumber::parse(raw).map(|i| i.masked()).unwrap_or_default()
    }
}

/// The summary every viewer may see (the list view).
fn summary(c: &case::Model, access: Access) -> CaseView {
    CaseView {
        id: c.id,
        view: if access == Access::Owner {
            "full"
        } else {
            "restricted"
        }
        .into(),
        access: access_name(access).into(),
        function: c.function.clone(),
        reporter: c.reporter.clone(),
        status: c.status.clone(),
        level: Level::of_code(&c.owner_unit)
            .map(Level::as_str)
            .unwrap_or_default()
            .into(),
        owner_unit: c.owner_unit.clone(),
        township_code: c.township_code.clone(),
        village_code: c.village_code.clone(),
        major: c.major,
        risk_level: c.risk_level.clone(),
        due_on: c.due_on,
        supervision_done_on: c.supervision_done_on,
        opened_on: c.opened_on,
        closed_on: c.closed_on,
        outcome: c.outcome.clone(),
        guardianship_active: c.guardianship_active,
        version: c.version,
        child: None,
        narrative: None,
        closure_reason: None,
        parents: None,
        child_welfare_registered: None,
        child_welfare: None,
        referrals: Vec::new(),
        pending_transfer: None,
        escalations: Vec::new(),
        guardianships: Vec::new(),
        actions: Vec::new(),
    }
}

/// Reads one case; `unmasked` shows full ID numbers to the holder's staff. Audited.
pub async fn read_case(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    unmasked: bool,
) -> Result<CaseView, Refusal> {
    let loaded: Loaded = load_to_read(db, who, id).await?;
    if unmasked && !loaded.full() {
        return Err(Refusal::forbidden(
            "only staff of the unit holding the case may see full ID numbers",
        ));
    }
    let detail = match (loaded.full(), unmasked) {
        (true, true) => "full-unmasked",
        (true, false) => "full",
        _ => "restricted",
    };
    audit::record(db, who, "read-case", "case", &id.to_string(), detail).await?;
    let c = &loaded.case;
    let full = loaded.full();
    let mut v = summary(c, loaded.access);
    v.referrals = loaded
        .referrals
        .iter()
        .map(|r| ReferralView {
            id: r.id,
            agency: r.agency.clone(),
            to_unit: r.to_unit.clone(),
            status: r.status.clone(),
            referred_on: r.referred_on,
            completed_on: r.completed_on,
        })
        .collect();
    v.pending_transfer = loaded
        .pending_transfer
        .as_ref()
        .map(|t: &transfer::Model| TransferView {
            id: t.id,
            from_unit: t.from_unit.clone(),
            to_unit: t.to_unit.clone(),
            status: t.status.clone(),
            requested_on: t.requested_on,
        });
    v.escalations = escalation::Entity::find()
        .filter(escalation::Column::CaseId.eq(id))
        .order_by_asc(escalation::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|e| EscalationView {
            from_level: e.from_level,
            to_level: e.to_level,
            to_unit: e.to_unit,
            reason: e.reason,
            escalated_on: e.escalated_on,
            due_on: e.due_on,
        })
        .collect();
    v.guardianships = guardianship::Entity::find()
        .filter(guardianship::Column::CaseId.eq(id))
        .order_by_asc(guardianship::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|g| GuardianshipView {
            id: g.id,
            kind: g.kind,
            placement: g.placement,
            started_on: g.started_on,
            next_review_on: g.next_review_on,
            ended_on: g.ended_on,
            end_reason: g.end_reason,
        })
        .collect();
    v.actions = action::Entity::find()
        .filter(action::Column::CaseId.eq(id))
        .order_by_asc(action::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|a| ActionView {
            kind: a.kind,
            on: a.on_date,
            by_division: a.actor_division,
            summary: a.summary,
            detail: full.then_some(a.detail),
        })
        .collect();
    if let Some(child_ref) = c.child_person_ref.as_deref() {
        v.child_welfare_registered = Some(welfare::is_registered(db, child_ref).await?);
        if full {
            v.child_welfare = welfare::view(db, child_ref).await?;
        }
    }
    if full {
        v.child = Some(ChildView {
            name: c.child_name.clone(),
            id_number: c.child_id_number.as_deref().map(|i| mask(i, unmasked)),
            birth_date: c.child_birth_date,
            address: c.child_address.clone(),
            deceased_on: c.child_deceased_on,
        });
        v.narrative = Some(c.narrative.clone());
        v.closure_reason = c.closure_reason.clone();
        v.parents = Some(
            parent::Entity::find()
                .filter(parent::Column::CaseId.eq(id))
                .order_by_asc(parent::Column::Parent)
                .all(db)
                .await?
                .into_iter()
                .map(|p| ParentView {
                    parent: p.parent,
                    situation: p.situation,
                    since: p.since,
                    term_months: p.term_months,
                    name: p.name,
                    id_number: p.id_number.as_deref().map(|i| mask(i, unmasked)),
                })
                .collect(),
        );
    }
    Ok(v)
}

/// The cases the caller may see, as restricted summaries (lists never show names), id order after
/// `cursor`. Each case listed is audited.
pub async fn list_cases(
    db: &impl ConnectionTrait,
    who: &Principal,
    status: Option<&str>,
    overdue_on: Option<NaiveDate>,
    cursor: Option<Uuid>,
    limit: u64,
) -> Result<Vec<CaseView>, Refusal> {
    let me = caller(who);
    let division = who.division.as_str();
    let referred: Vec<Uuid> = referral::Entity::find()
        .filter(referral::Column::ToUnit.eq(division))
        .filter(referral::Column::Status.eq("open"))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.case_id)
        .collect();
    let receiving: Vec<Uuid> = transfer::Entity::find()
        .filter(transfer::Column::ToUnit.eq(division))
        .filter(transfer::Column::Status.eq("requested"))
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.case_id)
        .collect();
    let mut q = case::Entity::find()
        .filter(
            Condition::any()
                .add(case::Column::VillageCode.starts_with(division))
                .add(case::Column::OwnerUnit.starts_with(division))
                .add(case::Column::Id.is_in(referred.iter().chain(&receiving).copied())),
        )
        .order_by_asc(case::Column::Id)
        .limit(limit);
    if let Some(c) = cursor {
        q = q.filter(case::Column::Id.gt(c));
    }
    if let Some(s) = status {
        q = q.filter(case::Column::Status.eq(s));
    }
    if let Some(today) = overdue_on {
        q = q
            .filter(case::Column::Status.eq("open"))
            .filter(case::Column::Major.eq(true))
            .filter(case::Column::SupervisionDoneOn.is_null())
            .filter(case::Column::DueOn.lt(today));
    }
    let mut out = Vec::new();
    for c in q.all(db).await? {
        let access = if me.is_staff_of(&c.owner_unit) {
            Access::Owner
        } else if referred.contains(&c.id) && me.staff_level.is_some() {
            Access::Referred
        } else {
            Access::Restricted
        };
        audit::record(db, who, "list-case", "case", &c.id.to_string(), "summary").await?;
        let mut v = summary(&c, access);
        v.view = "summary".into();
        out.push(v);
    }
    Ok(out)
}

/// The audit trail of a case: district approvers and auditors.
pub async fn case_audit(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
) -> Result<Vec<AuditEntry>, Refusal> {
    who.require(&[Role::DistrictApprover, Role::Auditor])?;
    if case::Entity::find_by_id(id).one(db).await?.is_none() {
        return Err(Refusal::not_found("no such case"));
    }
    Ok(audit::for_resource(db, "case", &id.to_string()).await?)
}
