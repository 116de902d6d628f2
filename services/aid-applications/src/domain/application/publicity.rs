//! Publicity (公示): opened for a number of calendar days, closable only once they have elapsed;
//! an objection ends the round and sends the case back to investigation.

use chrono::{Days, NaiveDate};

use super::{Application, ApplicationError, ApplicationEvent, Objection, Publicity, Status};
use crate::domain::actor::Actor;
use crate::domain::money::Fen;
use crate::domain::reference::Parameters;

impl Application {
    /// Opens the publicity (公示) in the village for the configured number of calendar days,
    /// the opening day counted as the first.
    pub fn open_publicity(
        &mut self,
        actor: &Actor,
        on: NaiveDate,
        parameters: &Parameters,
    ) -> Result<ApplicationEvent, ApplicationError> {
        self.step("open the publicity of", &[Status::Reviewed], on)?;
        self.township_or_district(actor, "opening the publicity")?;
        let days = self.procedure_parameters(parameters)?.publicity_days.max(1);
        let closes_on = on
            .checked_add_days(Days::new(u64::from(days - 1)))
            .unwrap_or(on);
        let round = u32::try_from(self.publicity.len())
            .unwrap_or(u32::MAX)
            .saturating_add(1);
        self.publicity.push(Publicity {
            round,
            opened_on: on,
            closes_on,
            closed_on: None,
            objection: None,
        });
        self.enter(Status::InPublicity, on);
        Ok(ApplicationEvent::PublicityOpened {
            application_id: self.id,
            round,
            opened_on: on,
            closes_on,
            proposed_monthly_amount: self.proposed_amount.unwrap_or(Fen::ZERO),
        })
    }

    /// Records an objection to the running publicity: the round ends, the proposal lapses and the
    /// case goes back to investigation. The objection stays pending until a new investigation
    /// round starts; only then can the case be reviewed and publicised again.
    pub fn lodge_objection(
        &mut self,
        actor: &Actor,
        on: NaiveDate,
        summary: &str,
    ) -> Result<ApplicationEvent, ApplicationError> {
        self.step("lodge an objection to", &[Status::InPublicity], on)?;
        if summary.trim().is_empty() {
            return Err(ApplicationError::TextRequired("the objection's summary"));
        }
        let objection = Objection {
            lodged_on: on,
            recorded_by: actor.id,
            summary: summary.trim().to_owned(),
        };
        let round = match self.publicity.last_mut() {
            Some(current) => {
                current.objection = Some(objection);
                current.round
            }
            None => 0,
        };
        self.review = None;
        self.proposed_amount = None;
        self.objection_pending = true;
        self.enter(Status::Investigating, on);
        Ok(ApplicationEvent::ObjectionLodged {
            application_id: self.id,
            round,
            lodged_on: on,
            recorded_by: actor.id,
        })
    }

    /// Closes the publicity once its days have elapsed (from the day after its last day).
    pub fn close_publicity(
        &mut self,
        actor: &Actor,
        on: NaiveDate,
    ) -> Result<ApplicationEvent, ApplicationError> {
        self.step("close the publicity of", &[Status::InPublicity], on)?;
        self.township_or_district(actor, "closing the publicity")?;
        let Some(current) = self.publicity.last_mut() else {
            return Err(ApplicationError::WrongStatus {
                action: "close the publicity of",
                status: self.status,
            });
        };
        let earliest = current
            .closes_on
            .checked_add_days(Days::new(1))
            .unwrap_or(current.closes_on);
        if on < earliest {
            return Err(ApplicationError::PublicityNotElapsed {
                closes_on: current.closes_on,
                earliest,
            });
        }
        current.closed_on = Some(on);
        let round = current.round;
        self.enter(Status::PublicityClosed, on);
        Ok(ApplicationEvent::PublicityClosed {
            application_id: self.id,
            round,
            closed_on: on,
        })
    }
}
