//! 政策找人 (policy seeks the person): when the 残联's certificate and the bureau's own dibao
//! record together make a person eligible, the case is opened and granted without an
//! application (免申即享), from the month the rules give; a person whose village is not known is
//! handed to the township as an "eligible but not claiming" finding instead.

use chrono::NaiveDate;
use contracts::{
    common::Month,
    disability::{AnomalyKind, SubsidyKind, SubsidyOrigin},
};
use kit::{Principal, audit, outbox::Outbox};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::{
    CommandError, cases,
    facts::Facts,
    findings::{self, NewFinding},
    reference, snake,
};
use crate::domain::{eligibility::eligible, months::start_month};

/// The actor of decisions the service takes by itself.
pub const SYSTEM: &str = "system:active-discovery";

/// The principal recorded in the audit trail for the service's own decisions.
pub fn system_principal() -> Principal {
    Principal::system(SYSTEM)
}

/// What prompted a discovery.
#[derive(Debug, Clone, Copy)]
pub struct Prompt {
    /// The month that counts as the month of application.
    pub application_month: Month,
    /// First month of the other condition (dibao for the living subsidy).
    pub eligible_since: Option<Month>,
    pub household_id: Option<Uuid>,
    pub on: NaiveDate,
}

/// Opens and grants `kind` for the person when eligible and not already open. Returns the case.
pub async fn discover(
    db: &impl ConnectionTrait,
    outbox: &Outbox,
    facts: &Facts,
    kind: SubsidyKind,
    prompt: Prompt,
) -> Result<Option<Uuid>, CommandError> {
    let Some(cert) = facts.certificate.as_ref() else {
        return Ok(None);
    };
    if cases::open_case(db, &facts.person_ref, kind)
        .await?
        .is_some()
    {
        return Ok(None);
    }
    let rules = reference::rules(db, prompt.on).await?;
    let start = start_month(
        prompt.application_month,
        Month::from_date(cert.issued_on),
        prompt.eligible_since,
        rules.back_pay_max_months,
    );
    if eligible(kind, &facts.situation(start), start, &rules).is_err() {
        return Ok(None);
    }
    let (Some(township), village) = facts.place() else {
        return Ok(None);
    };
    let Some(village) = village else {
        findings::raise(
            db,
            outbox,
            NewFinding {
                kind: AnomalyKind::EligibleNotClaiming,
                subsidy_kind: Some(kind),
                subsidy_id: None,
                person_ref: facts.person_ref.clone(),
                comparison_month: prompt.application_month,
                amount_at_risk_fen: None,
                township_code: township,
            },
            &rules,
            prompt.on,
        )
        .await?;
        return Ok(None);
    };
    let case = cases::insert(
        db,
        cases::NewCase {
            person_ref: facts.person_ref.clone(),
            kind,
            origin: SubsidyOrigin::ActiveDiscovery,
            township_code: township.clone(),
            village_code: village,
            household_id: prompt.household_id.filter(|_| kind == SubsidyKind::Living),
            received_at: township,
            cross_province: false,
            applied_on: prompt.on,
            start_month: start,
            rate_level: cert.level,
            submitted_by: SYSTEM.to_owned(),
        },
    )
    .await?;
    let granted = cases::grant(db, outbox, case, SYSTEM, prompt.on).await?;
    audit::record(
        db,
        &system_principal(),
        "grant-by-active-discovery",
        "subsidy",
        &granted.id.to_string(),
        &format!(
            "{} from {start}: certificate level {}, issued {}; {}",
            snake(kind),
            cert.level,
            cert.issued_on,
            match prompt.eligible_since {
                Some(since) => format!("dibao from {since}"),
                None => "no other condition".to_owned(),
            }
        ),
    )
    .await?;
    Ok(Some(granted.id))
}

/// Looks for both subsidies after a new fact about a certificate holder: the nursing subsidy on
/// the certificate alone, the living subsidy with a dibao enrollment that has not ended before
/// `prompt.application_month`.
pub async fn discover_both(
    db: &impl ConnectionTrait,
    outbox: &Outbox,
    facts: &Facts,
    application_month: Month,
    on: NaiveDate,
) -> Result<(), CommandError> {
    discover(
        db,
        outbox,
        facts,
        SubsidyKind::Nursing,
        Prompt {
            application_month,
            eligible_since: None,
            household_id: None,
            on,
        },
    )
    .await?;
    let dibao = facts
        .enrollments
        .iter()
        .filter(|(e, b)| super::facts::is_dibao(e, *b))
        .filter(|(e, _)| {
            e.start_month.is_some()
                && e.end_month
                    .as_deref()
                    .and_then(|m| m.parse::<Month>().ok())
                    .is_none_or(|end| end >= application_month)
        })
        .max_by_key(|(e, _)| e.start_month.clone());
    if let Some((e, _)) = dibao {
        let since = e.start_month.as_deref().and_then(|m| m.parse().ok());
        discover(
            db,
            outbox,
            facts,
            SubsidyKind::Living,
            Prompt {
                application_month,
                eligible_since: since,
                household_id: Some(e.household_id),
                on,
            },
        )
        .await?;
    }
    Ok(())
}
