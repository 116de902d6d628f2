//! The cross-service flows of docs/architecture.md (cross-service flows), each a function that drives the mesh through its REST
//! edges and NATS subjects, narrates what it does and asserts what every service did — and that
//! the others did nothing. The e2e tests run them on a fresh mesh; the demo on the launcher's.

pub mod aid;
pub mod certificate;
pub mod death;
pub mod dibao_disability;
pub mod payments;
pub mod publicity;
pub mod temporary;
pub mod unsupported_child;
pub mod visits;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use kit::Role;
use serde_json::Value;

use crate::{
    Mesh,
    people::{DISTRICT, Place},
};

/// The flows by their number in docs/architecture.md (cross-service flows), with what each shows.
pub const FLOWS: [(u8, &str); 8] = [
    (
        1,
        "dibao for a household with a certified disabled member opens the living subsidy by itself; its end stops it",
    ),
    (
        2,
        "one death record ends what every service pays or schedules for the person",
    ),
    (
        3,
        "dispersed extreme-poverty support plans monthly visits; a missed one is raised",
    ),
    (
        4,
        "a publicity on the village board, masked, for 7 days; an objection sends the case back to investigation",
    ),
    (
        5,
        "minor-protection flags a de facto unsupported child; child-welfare registers and pays",
    ),
    (
        6,
        "a level-1 certificate opens a nursing subsidy; in a marginal household, a single-person dibao candidate",
    ),
    (
        7,
        "temporary assistance: township cap, district above, act-first from a reserve fund that never goes negative",
    ),
    (
        8,
        "payments exactly as owed: a held month, a standard raised back to a paid month, one benefit per person",
    ),
];

/// Runs flow `n` (1–8).
pub async fn run(n: u8, mesh: &Mesh) {
    match n {
        1 => dibao_disability::run(mesh).await,
        2 => death::run(mesh).await,
        3 => visits::run(mesh).await,
        4 => publicity::run(mesh).await,
        5 => unsupported_child::run(mesh).await,
        6 => certificate::run(mesh).await,
        7 => temporary::run(mesh).await,
        8 => payments::run(mesh).await,
        _ => panic!("there is no flow {n}: flows are numbered 1 to 8"),
    }
}

/// The lists a township clerk reads in each service: the "views" in which a flow's effects (new
/// applications, enrollments, subsidies, children, plans, beds, cases, board postings) appear.
pub const VIEWS: [(&str, &str); 11] = [
    ("aid-applications", "/v1/applications"),
    ("aid-applications", "/v1/enrollments"),
    ("aid-applications", "/v1/temporary-assistance"),
    ("aid-applications", "/v1/discovery-tasks"),
    ("disability-subsidies", "/v1/subsidies"),
    ("child-welfare", "/v1/children"),
    ("child-welfare", "/v1/evaluations"),
    ("elderly-care", "/v1/visit-plans"),
    ("elderly-care", "/v1/home-beds"),
    ("minor-protection", "/v1/cases"),
    ("village-governance", "/v1/villages/{village}/board"),
];

/// How many items each of `VIEWS` shows the township's clerk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewCounts(BTreeMap<String, usize>);

fn view_path(path: &str, place: &Place) -> String {
    path.replace("{village}", &place.village())
}

async fn count_view(mesh: &Mesh, service: &str, path: &str, token: &str) -> usize {
    let (status, body) = mesh.get(service, path, token).await;
    match status {
        404 => 0,
        200 => match &body {
            Value::Array(items) => items.len(),
            _ => mesh.list_all(service, path, token).await.len(),
        },
        _ => panic!("GET {service}{path}: {status} {body}"),
    }
}

impl ViewCounts {
    /// The counts now, as the place's township clerk sees them.
    pub async fn of(mesh: &Mesh, place: &Place) -> Self {
        let clerk = place.token("e2e-observer", Role::TownshipClerk);
        let mut counts = BTreeMap::new();
        for (service, path) in VIEWS {
            let p = view_path(path, place);
            counts.insert(
                format!("{service} {path}"),
                count_view(mesh, service, &p, &clerk).await,
            );
        }
        Self(counts)
    }

    /// Asserts that since `self` exactly the listed views grew, by the given numbers; every other
    /// view of every service shows the same number of items as before.
    pub async fn assert_grew(&self, mesh: &Mesh, place: &Place, grown: &[(&str, &str, usize)]) {
        let now = Self::of(mesh, place).await;
        let mut expected = self.0.clone();
        for (service, path, n) in grown {
            *expected
                .get_mut(&format!("{service} {path}"))
                .unwrap_or_else(|| panic!("{service} {path} is not one of VIEWS")) += n;
        }
        assert_eq!(
            now.0, expected,
            "the services' views (left) differ from what the flow should have added (right)"
        );
        mesh.saw(format!(
            "no new item in any other service's view ({} lists compared)",
            VIEWS.len()
        ));
    }
}

/// Asserts no service outside `except` shows anything of the person: no subsidy, no certificate
/// holder, no child, no enrollment, no plan or bed names their person_ref.
pub async fn no_trace_of(mesh: &Mesh, place: &Place, person_ref: &str, except: &[&str]) {
    let clerk = place.token("e2e-observer", Role::TownshipClerk);
    for (service, path) in VIEWS {
        if except.contains(&service) || path.contains("{village}") {
            continue;
        }
        let items = mesh.list_all(service, path, &clerk).await;
        let text = Value::Array(items).to_string();
        assert!(
            !text.contains(person_ref),
            "{service} {path} shows {person_ref}: {text}"
        );
    }
}

/// The first day of a `YYYY-MM` month.
pub fn first_day_of(month: &str) -> NaiveDate {
    NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").expect("a YYYY-MM month")
}

/// A child-welfare reference value in force on `on` (from its `/v1/standards` edge).
pub async fn child_standard(mesh: &Mesh, name: &str, on: NaiveDate) -> i64 {
    let officer = Mesh::token(Role::DistrictOfficer, DISTRICT);
    let (status, values) = mesh.get("child-welfare", "/v1/standards", &officer).await;
    assert_eq!(status, 200, "{values}");
    values
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| v["name"] == name)
        .filter(|v| {
            v["valid_from"]
                .as_str()
                .and_then(|d| d.parse::<NaiveDate>().ok())
                .is_some_and(|d| d <= on)
        })
        .max_by_key(|v| v["valid_from"].as_str().unwrap_or_default().to_owned())
        .and_then(|v| v["value"].as_i64())
        .unwrap_or_else(|| panic!("no {name} in force on {on}: {values}"))
}
