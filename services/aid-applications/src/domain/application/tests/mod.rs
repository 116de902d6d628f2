//! Tests of the application state machine: the procedure's guards, and its deadlines.

mod deadlines;
mod guards;

use chrono::NaiveDate;
use uuid::Uuid;

use super::*;
use crate::domain::actor::Office;
use crate::domain::benefit::Assessment;
use crate::domain::calendar;
use crate::domain::integrity::{DutyConflict, StaffRelation};
use crate::domain::month::Month;
use crate::domain::programme::Programme;
use crate::domain::reference::seed;

const TOWNSHIP: &str = "500112016";

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn id(n: u128) -> ActorId {
    ActorId(Uuid::from_u128(n))
}

fn township(n: u128) -> Actor {
    Actor {
        id: id(n),
        office: Office::Township {
            code: TOWNSHIP.into(),
        },
    }
}

fn other_township(n: u128) -> Actor {
    Actor {
        id: id(n),
        office: Office::Township {
            code: "500112017".into(),
        },
    }
}

fn district(n: u128) -> Actor {
    Actor {
        id: id(n),
        office: Office::District,
    }
}

fn village(n: u128) -> Actor {
    Actor {
        id: id(n),
        office: Office::Village {
            code: "500112016001".into(),
        },
    }
}

// Staff: 1 took the application in, 2 and 3 investigate, 4 reviews, 5 is the township head,
// 10 decides for the district, 11 makes the district's home visit.
const CLERK: u128 = 1;
const REVIEWER: u128 = 4;
const HEAD: u128 = 5;
const DISTRICT: u128 = 10;
const VISITOR: u128 = 11;

fn assessment(eligible: bool) -> Assessment {
    Assessment {
        programme: Programme::Dibao,
        eligible,
        reasons: if eligible {
            Vec::new()
        } else {
            vec!["income above the line".into()]
        },
        monthly_amount: if eligible { Fen(59_900) } else { Fen::ZERO },
        terms: Vec::new(),
        parameters_on: d(2022, 10, 10),
    }
}

fn submitted(relatives: StaffRelativeLookup) -> Application {
    let (app, event) = Application::submit(NewApplication {
        id: Uuid::from_u128(100),
        household_id: Uuid::from_u128(200),
        claim: Claim::Dibao,
        channel: Channel::Window,
        township: TOWNSHIP.into(),
        submitted_on: d(2022, 9, 26),
        submitted_by: id(CLERK),
        staff_relatives: relatives,
    });
    assert!(
        matches!(event, ApplicationEvent::Submitted { staff_relative, .. } if staff_relative == app.staff_relatives.is_registered())
    );
    app
}

fn relatives() -> StaffRelativeLookup {
    StaffRelativeLookup::Registered {
        relations: vec![StaffRelation {
            staff: id(77),
            office: Office::Village {
                code: "500112016001".into(),
            },
            relation: "子 son".into(),
        }],
    }
}

type Step<'a> = (
    Status,
    &'a dyn Fn(&mut Application) -> Result<ApplicationEvent, ApplicationError>,
);

/// Walks the procedure up to `until` (inclusive) with the regular actors.
fn walk(relatives: StaffRelativeLookup, until: Status) -> Application {
    let cal = calendar::seed();
    let params = seed();
    let mut app = submitted(relatives);
    let steps: [Step<'_>; 5] = [
        (Status::Accepted, &|a| {
            a.accept(&township(CLERK), d(2022, 9, 28), &cal, &params)
        }),
        (Status::Investigating, &|a| {
            a.start_investigation(
                &township(CLERK),
                &[id(2), id(3)],
                d(2022, 9, 29),
                &cal,
                &params,
            )
        }),
        (Status::Reviewed, &|a| {
            a.review(&township(REVIEWER), d(2022, 10, 10), &assessment(true))
        }),
        (Status::InPublicity, &|a| {
            a.open_publicity(&township(REVIEWER), d(2022, 10, 11), &params)
        }),
        (Status::PublicityClosed, &|a| {
            a.close_publicity(&township(REVIEWER), d(2022, 10, 18))
        }),
    ];
    for (status, step) in steps {
        if app.status() == until {
            break;
        }
        step(&mut app).unwrap();
        assert_eq!(app.status(), status);
    }
    app
}
