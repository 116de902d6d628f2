//! Home care beds: application (with the person's ID number, held here), capability assessment,
//! installation by a contracted provider (publishes `elderly.home-bed.established.v1`), service
//! visits, closure (publishes `elderly.home-bed.closed.v1`).

use chrono::NaiveDate;
use contracts::{
    common::{PersonRef, TownshipCode, VillageCode},
    elderly::{HomeBedCloseReason, HomeBedClosed, HomeBedEstablished},
};
use kit::{
    Principal, Refusal, Role, audit,
    identity::{IdNumber, PersonRefKey},
    outbox::Outbox,
};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{ApplyError, divisions, reference};
use crate::{
    domain::{
        home_bed::{self, CapabilityLevel, HomeBedStatus},
        reference::Parameter,
    },
    store::{home_bed as bed, home_bed_service, provider},
};

/// An application for a home care bed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewHomeBed {
    /// 12-digit village or community code where the person lives.
    pub village_code: String,
    /// 18-character resident ID number (GB 11643).
    #[schema(example = "500112195006010042")]
    pub id_number: String,
    pub name: String,
    pub address: String,
    /// The day the application was made, when it is entered later (default today).
    #[serde(default)]
    pub applied_on: Option<NaiveDate>,
}

/// A home care bed as the edge shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HomeBedView {
    pub id: Uuid,
    pub person_ref: String,
    /// Masked (`500112********123X`) unless asked for by a role that needs it.
    pub id_number: String,
    pub name: String,
    pub address: String,
    pub township_code: String,
    pub village_code: String,
    #[schema(value_type = HomeBedStatus)]
    pub status: String,
    pub applied_on: NaiveDate,
    pub capability_level: Option<String>,
    pub assessed_on: Option<NaiveDate>,
    pub provider_id: Option<Uuid>,
    pub established_on: Option<NaiveDate>,
    pub retrofit: bool,
    pub monthly_subsidy_fen: Option<i64>,
    pub closed_on: Option<NaiveDate>,
    pub close_reason: Option<String>,
    pub version: i32,
}

impl HomeBedView {
    /// The view with the ID number masked, or in full when `unmasked`.
    pub fn of(b: bed::Model, unmasked: bool) -> Self {
        let id_number = if unmasked {
            b.id_number
        } else {
            IdNumber::parse(&b.id_number)
                .map(|i| i.masked())
                .unwrap_or_default()
        };
        Self {
            id: b.id,
            person_ref: b.person_ref,
            id_number,
            name: b.name,
            address: b.address,
            township_code: b.township_code,
            village_code: b.village_code,
            status: b.status,
            applied_on: b.applied_on,
            capability_level: b.capability_level,
            assessed_on: b.assessed_on,
            provider_id: b.provider_id,
            established_on: b.established_on,
            retrofit: b.retrofit,
            monthly_subsidy_fen: b.monthly_subsidy_fen,
            closed_on: b.closed_on,
            close_reason: b.close_reason,
            version: b.version,
        }
    }
}

fn status_of(b: &bed::Model) -> Result<HomeBedStatus, Refusal> {
    HomeBedStatus::parse(&b.status).ok_or_else(Refusal::internal)
}

fn refused(e: home_bed::TransitionError) -> Refusal {
    Refusal::conflict("home-bed-status", e.to_string())
}

/// A bed the caller may see.
pub async fn visible_bed(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
) -> Result<bed::Model, Refusal> {
    bed::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|b| who.sees(&b.village_code))
        .ok_or_else(|| Refusal::not_found("no such home care bed in your division"))
}

/// Records an application; refuses someone younger than the elderly age in force and a person
/// who already has a bed or an open application.
pub async fn apply(
    tx: &impl ConnectionTrait,
    key: &PersonRefKey,
    who: &Principal,
    input: &NewHomeBed,
    today: NaiveDate,
) -> Result<HomeBedView, Refusal> {
    who.require(&[Role::VillageStaff, Role::TownshipClerk])?;
    let township =
        divisions::village_in_scope(tx, who, "village_code", &input.village_code).await?;
    let id_number = IdNumber::parse_entered(&input.id_number, kit::clock::today())
        .map_err(|e| Refusal::invalid("id_number", e.to_string()))?;
    if input.name.trim().is_empty() {
        return Err(Refusal::invalid("name", "required"));
    }
    if input.address.trim().is_empty() {
        return Err(Refusal::invalid("address", "required"));
    }
    let applied_on = input.applied_on.unwrap_or(today);
    if applied_on > today {
        return Err(Refusal::invalid("applied_on", "cannot be in the future"));
    }
    let min_age = reference::require(tx, Parameter::ElderlyMinAgeYears, applied_on).await?;
    if home_bed::age_on(id_number.birth_date(), applied_on) < min_age {
        return Err(Refusal::invalid(
            "id_number",
            format!("the person is younger than {min_age}: home care beds are for older people"),
        ));
    }
    let person_ref = key.person_ref(&id_number);
    let open = bed::Entity::find()
        .filter(bed::Column::PersonRef.eq(person_ref.as_str()))
        .filter(bed::Column::Status.is_in(HomeBedStatus::OPEN.map(HomeBedStatus::as_str)))
        .one(tx)
        .await?;
    if let Some(open) = open {
        return Err(Refusal::conflict(
            "home-bed-exists",
            format!(
                "home care bed {} for this person is {}",
                open.id, open.status
            ),
        )
        .field(
            "id_number",
            "already has a home care bed or an open application",
        ));
    }
    let model = bed::ActiveModel {
        id: Set(Uuid::now_v7()),
        person_ref: Set(person_ref.as_str().to_owned()),
        id_number: Set(id_number.expose().to_owned()),
        name: Set(input.name.trim().to_owned()),
        address: Set(input.address.trim().to_owned()),
        township_code: Set(township),
        village_code: Set(input.village_code.clone()),
        status: Set(HomeBedStatus::Applied.as_str().to_owned()),
        applied_on: Set(applied_on),
        capability_level: Set(None),
        assessed_on: Set(None),
        provider_id: Set(None),
        established_on: Set(None),
        retrofit: Set(false),
        monthly_subsidy_fen: Set(None),
        closed_on: Set(None),
        close_reason: Set(None),
        created_at: Set(kit::clock::now()),
        version: Set(1),
    };
    let saved = bed::Entity::insert(model).exec_with_returning(tx).await?;
    audit::record(
        tx,
        who,
        "apply-home-bed",
        "home-bed",
        &saved.id.to_string(),
        "",
    )
    .await?;
    Ok(HomeBedView::of(saved, false))
}

/// The capability assessment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Assessment {
    pub capability_level: CapabilityLevel,
    pub assessed_on: NaiveDate,
}

async fn save(
    tx: &impl ConnectionTrait,
    current: &bed::Model,
    mut changes: bed::ActiveModel,
) -> Result<bed::Model, Refusal> {
    changes.version = Set(current.version + 1);
    let done = bed::Entity::update_many()
        .set(changes)
        .filter(bed::Column::Id.eq(current.id))
        .filter(bed::Column::Version.eq(current.version))
        .exec(tx)
        .await?;
    if done.rows_affected != 1 {
        return Err(Refusal::changed_meanwhile());
    }
    bed::Entity::find_by_id(current.id)
        .one(tx)
        .await?
        .ok_or_else(Refusal::internal)
}

/// Records the assessment (township clerks): the bed is warranted or the application rejected.
pub async fn assess(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    version: i32,
    input: &Assessment,
    today: NaiveDate,
) -> Result<HomeBedView, Refusal> {
    who.require(&[Role::TownshipClerk])?;
    let current = visible_bed(tx, who, id).await?;
    if current.version != version {
        return Err(Refusal::changed_meanwhile());
    }
    if input.assessed_on > today || input.assessed_on < current.applied_on {
        return Err(Refusal::invalid(
            "assessed_on",
            "must be between the application and today",
        ));
    }
    let min =
        reference::require(tx, Parameter::HomeBedMinCapabilityLevel, input.assessed_on).await?;
    let next =
        home_bed::assess(status_of(&current)?, input.capability_level, min).map_err(refused)?;
    let saved = save(
        tx,
        &current,
        bed::ActiveModel {
            status: Set(next.as_str().to_owned()),
            capability_level: Set(Some(input.capability_level.as_str().to_owned())),
            assessed_on: Set(Some(input.assessed_on)),
            ..Default::default()
        },
    )
    .await?;
    audit::record(
        tx,
        who,
        "assess-home-bed",
        "home-bed",
        &id.to_string(),
        next.as_str(),
    )
    .await?;
    Ok(HomeBedView::of(saved, false))
}

/// Installation by a contracted provider.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Installation {
    pub provider_id: Uuid,
    pub installed_on: NaiveDate,
    /// An age-friendly retrofit of the home was done with it.
    #[serde(default)]
    pub retrofit: bool,
    /// Monthly service subsidy in fen, when subsidised.
    #[serde(default)]
    pub monthly_subsidy_fen: Option<i64>,
}

fn contract_ref<T, E>(r: Result<T, E>, what: &'static str) -> Result<T, Refusal> {
    r.map_err(|_| Refusal::from(ApplyError::Contract(what)))
}

/// Records the installation (township clerks): the bed is established and the event published.
pub async fn install(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    id: Uuid,
    version: i32,
    input: &Installation,
    today: NaiveDate,
) -> Result<HomeBedView, Refusal> {
    who.require(&[Role::TownshipClerk])?;
    let current = visible_bed(tx, who, id).await?;
    if current.version != version {
        return Err(Refusal::changed_meanwhile());
    }
    let next = home_bed::install(status_of(&current)?).map_err(refused)?;
    if input.installed_on > today || Some(input.installed_on) < current.assessed_on {
        return Err(Refusal::invalid(
            "installed_on",
            "must be between the assessment and today",
        ));
    }
    if input.monthly_subsidy_fen.is_some_and(|f| f < 0) {
        return Err(Refusal::invalid(
            "monthly_subsidy_fen",
            "cannot be negative",
        ));
    }
    let contracted = provider::Entity::find_by_id(input.provider_id)
        .one(tx)
        .await?
        .ok_or_else(|| Refusal::invalid("provider_id", "no such provider"))?;
    if input.installed_on < contracted.contract_from || input.installed_on > contracted.contract_to
    {
        return Err(Refusal::invalid(
            "provider_id",
            "the provider's contract does not cover the installation date",
        ));
    }
    let saved = save(
        tx,
        &current,
        bed::ActiveModel {
            status: Set(next.as_str().to_owned()),
            provider_id: Set(Some(input.provider_id)),
            established_on: Set(Some(input.installed_on)),
            retrofit: Set(input.retrofit),
            monthly_subsidy_fen: Set(input.monthly_subsidy_fen),
            ..Default::default()
        },
    )
    .await?;
    outbox
        .enqueue(
            tx,
            &HomeBedEstablished {
                home_bed_id: saved.id,
                person_ref: contract_ref(PersonRef::parse(&saved.person_ref), "person_ref")?,
                provider_id: input.provider_id,
                retrofit: input.retrofit,
                monthly_subsidy_fen: input.monthly_subsidy_fen,
                township_code: contract_ref(TownshipCode::parse(&saved.township_code), "township")?,
                village_code: contract_ref(VillageCode::parse(&saved.village_code), "village")?,
                established_on: input.installed_on,
            },
        )
        .await
        .map_err(ApplyError::from)?;
    audit::record(tx, who, "install-home-bed", "home-bed", &id.to_string(), "").await?;
    Ok(HomeBedView::of(saved, false))
}

/// Closing a bed (or withdrawing an application not yet established).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Closure {
    #[schema(value_type = String, example = "withdrawn")]
    pub reason: HomeBedCloseReason,
    pub closed_on: NaiveDate,
}

/// Closes the bed (township clerks); the closure of an established bed is published.
pub async fn close(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    id: Uuid,
    version: i32,
    input: &Closure,
    today: NaiveDate,
) -> Result<HomeBedView, Refusal> {
    who.require(&[Role::TownshipClerk])?;
    let current = visible_bed(tx, who, id).await?;
    if current.version != version {
        return Err(Refusal::changed_meanwhile());
    }
    let earliest = current.established_on.unwrap_or(current.applied_on);
    if input.closed_on > today || input.closed_on < earliest {
        return Err(Refusal::invalid(
            "closed_on",
            "must be between the start and today",
        ));
    }
    let saved = close_bed(tx, outbox, &current, input.reason, input.closed_on).await?;
    audit::record(
        tx,
        who,
        "close-home-bed",
        "home-bed",
        &id.to_string(),
        &saved.status,
    )
    .await?;
    Ok(HomeBedView::of(saved, false))
}

/// Closes or withdraws a bed and publishes the closure of an established one.
pub async fn close_bed(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    current: &bed::Model,
    reason: HomeBedCloseReason,
    on: NaiveDate,
) -> Result<bed::Model, Refusal> {
    let next = home_bed::close(status_of(current)?).map_err(refused)?;
    let saved = save(
        tx,
        current,
        bed::ActiveModel {
            status: Set(next.as_str().to_owned()),
            closed_on: Set(Some(on)),
            close_reason: Set(Some(home_bed::close_reason_str(reason).to_owned())),
            ..Default::default()
        },
    )
    .await?;
    if next == HomeBedStatus::Closed {
        outbox
            .enqueue(
                tx,
                &HomeBedClosed {
                    home_bed_id: saved.id,
                    person_ref: contract_ref(PersonRef::parse(&saved.person_ref), "person_ref")?,
                    reason,
                    township_code: contract_ref(
                        TownshipCode::parse(&saved.township_code),
                        "township",
                    )?,
                    village_code: contract_ref(VillageCode::parse(&saved.village_code), "village")?,
                    closed_on: on,
                },
            )
            .await
            .map_err(ApplyError::from)?;
    }
    Ok(saved)
}

/// A service visit by the provider's staff.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewService {
    pub served_on: NaiveDate,
    /// What was done (care, cleaning, health check…).
    pub service_items: String,
    /// Minutes spent.
    pub minutes: i32,
}

/// A recorded service visit.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ServiceView {
    pub id: Uuid,
    pub home_bed_id: Uuid,
    pub served_on: NaiveDate,
    pub service_items: String,
    pub minutes: i32,
}

/// Records a service visit to an established bed.
pub async fn record_service(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    input: &NewService,
    today: NaiveDate,
) -> Result<ServiceView, Refusal> {
    who.require(&[Role::VillageStaff, Role::TownshipClerk, Role::Service])?;
    let current = visible_bed(tx, who, id).await?;
    if !home_bed::can_serve(status_of(&current)?) {
        return Err(Refusal::conflict(
            "home-bed-status",
            "service visits are recorded only for an established bed",
        ));
    }
    if input.served_on > today || Some(input.served_on) < current.established_on {
        return Err(Refusal::invalid(
            "served_on",
            "must be between the installation and today",
        ));
    }
    if input.service_items.trim().is_empty() {
        return Err(Refusal::invalid("service_items", "required"));
    }
    if !(1..=24 * 60).contains(&input.minutes) {
        return Err(Refusal::invalid("minutes", "must be 1 to 1440"));
    }
    let saved = home_bed_service::Entity::insert(home_bed_service::ActiveModel {
        id: Set(Uuid::now_v7()),
        home_bed_id: Set(id),
        served_on: Set(input.served_on),
        service_items: Set(input.service_items.trim().to_owned()),
        minutes: Set(input.minutes),
        recorded_by: Set(who.subject.clone()),
        recorded_at: Set(kit::clock::now()),
    })
    .exec_with_returning(tx)
    .await?;
    Ok(ServiceView {
        id: saved.id,
        home_bed_id: id,
        served_on: saved.served_on,
        service_items: saved.service_items,
        minutes: saved.minutes,
    })
}
