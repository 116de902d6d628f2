//! The village publicity board: postings arrive from `aid.publicity.opened.v1` (applied once per
//! publicity, whatever the delivery), residents' objections are recorded at the village and
//! published as `village.publicity.objection.raised.v1` without the objector's identity.

use chrono::NaiveDate;
use contracts::{
    aid::PublicityOpened,
    common::{TownshipCode, VillageCode},
    village::{ObjectionGrounds, PublicityObjectionRaised},
};
use kit::wire::name as wire;
use kit::{Principal, Refusal, Role, audit, outbox::Outbox};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    TryInsertResult,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{internal, required_text, villages::parse_village_code};
use crate::{
    domain::publicity::{Window, mask_name, mask_phone, window},
    store::publicity::{objection, posting},
};

/// Why a publicity event cannot be posted (it contradicts itself): a dead letter.
#[derive(Debug, thiserror::Error)]
pub enum PostingRefused {
    #[error("closes_on {closes_on} is before opened_on {opened_on}")]
    ClosesBeforeOpening {
        opened_on: NaiveDate,
        closes_on: NaiveDate,
    },
    #[error("village {village} does not belong to township {township}")]
    VillageOutsideTownship { village: String, township: String },
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

/// Posts a publicity on its village's board. The same publicity delivered again (another event id,
/// a replay) changes nothing; returns whether it was new.
pub async fn post_publicity(
    tx: &impl ConnectionTrait,
    event: &PublicityOpened,
) -> Result<bool, PostingRefused> {
    if event.closes_on < event.opened_on {
        return Err(PostingRefused::ClosesBeforeOpening {
            opened_on: event.opened_on,
            closes_on: event.closes_on,
        });
    }
    if !event
        .village_code
        .as_str()
        .starts_with(event.township_code.as_str())
    {
        return Err(PostingRefused::VillageOutsideTownship {
            village: event.village_code.to_string(),
            township: event.township_code.to_string(),
        });
    }
    let inserted = posting::Entity::insert(posting::ActiveModel {
        publicity_id: Set(event.publicity_id),
        application_id: Set(event.application_id),
        publicity_number: Set(event.publicity_number.clone()),
        round: Set(event.round as i32),
        programme: Set(wire(event.programme)),
        residence: Set(wire(event.residence)),
        household_size: Set(event.household_size as i32),
        proposed_monthly_amount_fen: Set(event.proposed_monthly_amount_fen),
        township_code: Set(event.township_code.to_string()),
        village_code: Set(event.village_code.to_string()),
        opened_on: Set(event.opened_on),
        closes_on: Set(event.closes_on),
        received_at: Set(kit::clock::now()),
    })
    .on_conflict_do_nothing_on([posting::Column::PublicityId])
    .exec_without_returning(tx)
    .await?;
    Ok(matches!(inserted, TryInsertResult::Inserted(n) if n > 0))
}

/// A posting as the board shows it: a number instead of a name, the programme, the household size
/// and the proposed amount.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BoardItem {
    pub publicity_id: Uuid,
    pub publicity_number: String,
    pub round: i32,
    pub programme: String,
    pub residence: String,
    pub household_size: i32,
    pub proposed_monthly_amount_fen: i64,
    pub opened_on: NaiveDate,
    pub closes_on: NaiveDate,
}

/// The village's board on a date.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Board {
    pub village_code: String,
    pub on: NaiveDate,
    pub items: Vec<BoardItem>,
}

/// What the board of `village_code` shows on `on` (today by default).
pub async fn board(
    db: &impl ConnectionTrait,
    who: &Principal,
    village_code: &str,
    on: Option<NaiveDate>,
) -> Result<Board, Refusal> {
    let code = parse_village_code(village_code, "village_code")?;
    who.require_scope(code.as_str())?;
    let on = on.unwrap_or_else(kit::clock::today);
    let items = posting::Entity::find()
        .filter(posting::Column::VillageCode.eq(code.as_str()))
        .filter(posting::Column::OpenedOn.lte(on))
        .filter(posting::Column::ClosesOn.gte(on))
        .order_by_asc(posting::Column::OpenedOn)
        .order_by_asc(posting::Column::PublicityNumber)
        .all(db)
        .await?
        .into_iter()
        .map(|p| BoardItem {
            publicity_id: p.publicity_id,
            publicity_number: p.publicity_number,
            round: p.round,
            programme: p.programme,
            residence: p.residence,
            household_size: p.household_size,
            proposed_monthly_amount_fen: p.proposed_monthly_amount_fen,
            opened_on: p.opened_on,
            closes_on: p.closes_on,
        })
        .collect();
    Ok(Board {
        village_code: code.as_str().to_owned(),
        on,
        items,
    })
}

/// A resident's objection as village staff record it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewObjection {
    pub publicity_id: Uuid,
    /// income_understated, property_hidden, not_resident, household_composition or other.
    #[schema(value_type = String, example = "income_understated")]
    pub grounds: ObjectionGrounds,
    /// What the resident says (stays in this service).
    pub statement: String,
    /// The objector's name; may be withheld (anonymous objections are accepted).
    #[serde(default)]
    pub objector_name: Option<String>,
    /// The objector's phone, for the re-investigation to call back; may be withheld.
    #[serde(default)]
    pub objector_phone: Option<String>,
}

/// An objection as shown; the objector's identity masked unless asked for by an allowed role.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ObjectionView {
    pub id: Uuid,
    pub publicity_id: Uuid,
    pub publicity_number: String,
    pub village_code: String,
    pub grounds: String,
    pub statement: String,
    pub objector_name: String,
    pub objector_phone: String,
    pub raised_on: NaiveDate,
}

fn view(o: objection::Model, publicity_number: String, unmasked: bool) -> ObjectionView {
    let (name, phone) = if unmasked {
        (o.objector_name, o.objector_phone)
    } else {
        (mask_name(&o.objector_name), mask_phone(&o.objector_phone))
    };
    ObjectionView {
        id: o.id,
        publicity_id: o.publicity_id,
        publicity_number,
        village_code: o.village_code,
        grounds: o.grounds,
        statement: o.statement,
        objector_name: name,
        objector_phone: phone,
        raised_on: o.raised_on,
    }
}

fn check_phone(phone: &str) -> Result<String, Refusal> {
    let p = phone.trim();
    let ok = (5..=20).contains(&p.len())
        && p.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' '));
    if ok {
        Ok(p.to_owned())
    } else {
        Err(Refusal::invalid(
            "objector_phone",
            "5 to 20 digits, spaces, '-' or '+'",
        ))
    }
}

/// Records an objection while the publicity shows and publishes its event; refused before the
/// publicity opens and after it closed.
pub async fn raise_objection(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    input: &NewObjection,
) -> Result<ObjectionView, Refusal> {
    who.require(&[Role::VillageStaff, Role::TownshipClerk])?;
    let post = posting::Entity::find_by_id(input.publicity_id)
        .one(tx)
        .await?
        .filter(|p| who.sees(&p.village_code))
        .ok_or_else(|| {
            Refusal::not_found("no such publicity on a board of your division")
                .field("publicity_id", "unknown")
        })?;
    let statement = required_text(&input.statement, "statement", 2000)?;
    let name = match input.objector_name.as_deref().map(str::trim) {
        None | Some("") => String::new(),
        Some(n) => required_text(n, "objector_name", 64)?,
    };
    let phone = match input.objector_phone.as_deref().map(str::trim) {
        None | Some("") => String::new(),
        Some(p) => check_phone(p)?,
    };
    let today = kit::clock::today();
    match window(post.opened_on, post.closes_on, today) {
        Window::Open => {}
        Window::NotYetOpen => {
            return Err(Refusal::conflict(
                "publicity-not-open",
                format!("the publicity opens on {}", post.opened_on),
            )
            .field("publicity_id", "not yet on the board"));
        }
        Window::Closed => {
            return Err(Refusal::conflict(
                "publicity-closed",
                format!(
                    "the publicity closed on {}; objections are taken while it shows",
                    post.closes_on
                ),
            )
            .field("publicity_id", format!("closed on {}", post.closes_on)));
        }
    }
    let model = objection::Model {
        id: Uuid::now_v7(),
        publicity_id: post.publicity_id,
        application_id: post.application_id,
        village_code: post.village_code.clone(),
        township_code: post.township_code.clone(),
        grounds: wire(input.grounds),
        statement,
        objector_name: name,
        objector_phone: phone,
        raised_on: today,
        recorded_by: who.subject.clone(),
        created_at: kit::clock::now(),
    };
    objection::Entity::insert(objection::ActiveModel::from(model.clone()))
        .exec_without_returning(tx)
        .await?;
    outbox
        .enqueue(
            tx,
            &PublicityObjectionRaised {
                objection_id: model.id,
                publicity_id: post.publicity_id,
                application_id: post.application_id,
                grounds: input.grounds,
                township_code: TownshipCode::parse(&post.township_code)
                    .map_err(|_| internal("township_code"))?,
                village_code: VillageCode::parse(&post.village_code)
                    .map_err(|_| internal("village_code"))?,
                raised_on: today,
            },
        )
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "outbox");
            Refusal::internal()
        })?;
    audit::record(
        tx,
        who,
        "raise-objection",
        "objection",
        &model.id.to_string(),
        &post.publicity_id.to_string(),
    )
    .await?;
    Ok(view(model, post.publicity_number, false))
}

/// Reads an objection of the caller's division; the objector's identity unmasked only for township
/// clerks and district officers who ask, and that read is audited.
pub async fn show_objection(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    unmasked: bool,
) -> Result<ObjectionView, Refusal> {
    let o = objection::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|o| who.sees(&o.village_code))
        .ok_or_else(|| Refusal::not_found("no such objection in your division"))?;
    if unmasked {
        who.require(&[Role::TownshipClerk, Role::DistrictOfficer])?;
        audit::record(
            db,
            who,
            "read-unmasked-objector",
            "objection",
            &id.to_string(),
            "",
        )
        .await?;
    }
    let number = posting::Entity::find_by_id(o.publicity_id)
        .one(db)
        .await?
        .map(|p| p.publicity_number)
        .unwrap_or_default();
    Ok(view(o, number, unmasked))
}
