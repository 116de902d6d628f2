//! Driving aid-applications as its staff and partners do: register a household, take an
//! application through the procedure (acceptance, investigation with the verification platform's
//! answer, township review, 7-day publicity, decision by the district), dated step by step in the
//! past so the enrollment is confirmed today or earlier.

use chrono::NaiveDate;
use contracts::aid::{EnrollmentStarted, PublicityOpened, VerificationRequested};
use kit::Role;
use serde_json::{Value, json};

use crate::{
    Mark, Mesh,
    people::{Person, Place, district, today},
};

/// The staff of one township who handle an application (distinct people, so separation of duties
/// holds: whoever submits or investigates does not review or decide).
pub struct Staff {
    pub clerk: String,
    pub investigator: String,
    pub reviewer: String,
    pub village: String,
    pub district_approver: String,
}

/// Subjects of the two staff on the home visit.
pub const INVESTIGATORS: [&str; 2] = ["investigator-li", "investigator-he"];

impl Staff {
    /// The staff of `place`.
    pub fn of(place: &Place) -> Self {
        Self {
            clerk: place.token("clerk-wang", Role::TownshipClerk),
            investigator: place.token(INVESTIGATORS[0], Role::TownshipClerk),
            reviewer: place.token("reviewer-chen", Role::TownshipApprover),
            village: place.token("village-wu", Role::VillageStaff),
            district_approver: district("district-approver-zhou", Role::DistrictApprover),
        }
    }
}

/// A member as registered with the household.
pub struct Member<'a> {
    pub person: &'a Person,
    pub name: &'a str,
    pub relationship: &'a str,
    pub monthly_income_fen: i64,
    pub able_to_work: bool,
}

/// Registers a household in the place's village; returns its id and its members' ids in order.
pub async fn household(
    mesh: &Mesh,
    place: &Place,
    staff: &Staff,
    residence: &str,
    members: &[Member<'_>],
) -> (String, Vec<String>) {
    let body = json!({
        "village_code": place.village(), "residence": residence,
        "address": format!("{}某村3组", place.name), "staff_relative": false,
        "members": members.iter().map(|m| json!({
            "name": m.name, "id_number": m.person.id_number, "relationship": m.relationship,
            "monthly_income_fen": m.monthly_income_fen, "employed": m.monthly_income_fen > 0,
            "able_to_work": m.able_to_work })).collect::<Vec<_>>(),
    });
    let created = mesh
        .create("aid-applications", "/v1/households", &staff.clerk, &body)
        .await;
    let id = created["id"].as_str().expect("household id").to_owned();
    let (status, h) = mesh
        .get(
            "aid-applications",
            &format!("/v1/households/{id}"),
            &staff.clerk,
        )
        .await;
    assert_eq!(status, 200, "{h}");
    let ids = h["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| m["id"].as_str().expect("member id").to_owned())
        .collect();
    (id, ids)
}

/// One application on its way through the procedure; step `n` is dated `base + n` days.
pub struct Procedure<'a> {
    pub mesh: &'a Mesh,
    pub staff: &'a Staff,
    pub id: String,
    pub household_id: String,
    base: NaiveDate,
    mark: Mark,
}

impl<'a> Procedure<'a> {
    /// Submits an application (`claim` adds `programme`, `member_id`, `support_mode`, …; dibao by
    /// default) received on `base`.
    pub async fn submit(
        mesh: &'a Mesh,
        staff: &'a Staff,
        household_id: &str,
        claim: Value,
        base: NaiveDate,
    ) -> Self {
        let mark = mesh.mark().await;
        let mut body = json!({ "household_id": household_id, "programme": "dibao",
                               "channel": "window", "submitted_on": base });
        for (k, v) in claim.as_object().into_iter().flatten() {
            body[k] = v.clone();
        }
        let a = mesh
            .create("aid-applications", "/v1/applications", &staff.clerk, &body)
            .await;
        Self {
            mesh,
            staff,
            id: a["id"].as_str().expect("application id").to_owned(),
            household_id: household_id.to_owned(),
            base,
            mark,
        }
    }

    /// The date of step `n`.
    pub fn day(&self, n: u64) -> NaiveDate {
        let d = self.base + chrono::Days::new(n);
        assert!(
            d <= today(),
            "step {n} of the procedure would be in the future"
        );
        d
    }

    /// POSTs a step and asserts it succeeded; returns the answer.
    pub async fn step(&self, route: &str, token: &str, body: Value) -> Value {
        self.mesh
            .create(
                "aid-applications",
                &format!("/v1/applications/{}/{route}", self.id),
                token,
                &body,
            )
            .await
    }

    /// The application as the clerk reads it.
    pub async fn view(&self) -> Value {
        let (status, a) = self
            .mesh
            .get(
                "aid-applications",
                &format!("/v1/applications/{}", self.id),
                &self.staff.clerk,
            )
            .await;
        assert_eq!(status, 200, "{a}");
        a
    }

    /// Accepts (day 1) and investigates (day 2); returns the `round`-th verification request.
    pub async fn investigate(&self) -> VerificationRequested {
        self.step(
            "acceptance",
            &self.staff.clerk,
            json!({ "on": self.day(1) }),
        )
        .await;
        self.reinvestigate(2, 1).await
    }

    /// Starts an investigation round on day `n`; returns its verification request.
    pub async fn reinvestigate(&self, n: u64, round: usize) -> VerificationRequested {
        self.step(
            "investigation",
            &self.staff.investigator,
            json!({ "investigators": INVESTIGATORS, "authorised_on": self.day(n), "on": self.day(n) }),
        )
        .await;
        let id = self.id.clone();
        let requests = self
            .mesh
            .expect_since::<VerificationRequested>(
                &self.mark,
                "aid asks the verification platform (家庭经济状况核对)",
                |r| {
                    r.iter()
                        .filter(|r| r.application_id.to_string() == id)
                        .count()
                        >= round
                },
            )
            .await;
        requests
            .into_iter()
            .filter(|r| r.application_id.to_string() == self.id)
            .nth(round - 1)
            .expect("the request")
    }

    /// The verification platform answers (as the partner publishes it) on day `n`; waits until
    /// aid has recorded the answer.
    pub async fn answer(&self, request: &VerificationRequested, income_fen: i64, n: u64) {
        self.mesh.say(format!(
            "The verification platform answers: household income {income_fen} fen a month, property within limits"
        ));
        let fact = partner_sim::verification(
            request.request_id,
            request.application_id,
            request.household_id,
            income_fen,
            true,
            self.day(n),
        );
        self.mesh
            .partner("verification")
            .await
            .publish(&fact)
            .await
            .expect("published");
        let request_id = request.request_id.to_string();
        self.mesh
            .expect_view(
                "aid-applications",
                &format!("/v1/applications/{}/assessment", self.id),
                &self.staff.clerk,
                "aid records the verification answer",
                |v| {
                    v["verification"]["request_id"] == request_id.as_str()
                        && v["verification"]["outcome"] == "complete"
                },
            )
            .await;
    }

    /// Township review (day `n`) and the publicity opened the next day; returns the publicity.
    pub async fn review_and_publish(&self, n: u64) -> PublicityOpened {
        self.step("review", &self.staff.reviewer, json!({ "on": self.day(n) }))
            .await;
        self.step(
            "publicity",
            &self.staff.clerk,
            json!({ "on": self.day(n + 1) }),
        )
        .await;
        let id = self.id.clone();
        let opened = self
            .mesh
            .expect_since::<PublicityOpened>(&self.mark, "aid opens the 7-day publicity", |p| {
                p.iter().any(|p| p.application_id.to_string() == id)
            })
            .await;
        opened
            .into_iter()
            .rfind(|p| p.application_id.to_string() == self.id)
            .expect("the publicity")
    }

    /// Closes the publicity (day `n`) and the district approves (day `n + 1`) with a payee
    /// account; returns the enrollment started.
    pub async fn close_and_approve(&self, n: u64) -> EnrollmentStarted {
        let payee =
            json!({ "name": "户主", "bank": "重庆农村商业银行", "account": "6217000012345678" });
        self.close_and_decide(n, Some(payee)).await
    }

    async fn close_and_decide(&self, n: u64, payee: Option<Value>) -> EnrollmentStarted {
        self.step(
            "publicity/close",
            &self.staff.clerk,
            json!({ "on": self.day(n) }),
        )
        .await;
        let mut decision = json!({ "outcome": "approved", "on": self.day(n + 1) });
        if let Some(payee) = payee {
            decision["payee"] = payee;
        }
        let decided = self
            .step("decision", &self.staff.district_approver, decision)
            .await;
        let enrollment = decided["enrollment_id"]
            .as_str()
            .expect("the enrollment")
            .to_owned();
        self.mesh
            .expect_since::<EnrollmentStarted>(&self.mark, "aid starts the enrollment", |e| {
                e.iter().any(|e| e.enrollment_id.to_string() == enrollment)
            })
            .await
            .into_iter()
            .find(|e| e.enrollment_id.to_string() == enrollment)
            .expect("started")
    }

    /// The whole procedure with the verification finding `income_fen`: investigation day 2,
    /// answer day 3, review day 4, publicity days 5–11, closed day 12, approved day 13.
    pub async fn through_to_enrollment(&self, income_fen: i64) -> EnrollmentStarted {
        let request = self.investigate().await;
        self.answer(&request, income_fen, 3).await;
        self.review_and_publish(4).await;
        self.close_and_approve(12).await
    }

    /// The same, decided without a payee account (its months are held until one is added).
    pub async fn through_to_enrollment_without_account(
        &self,
        income_fen: i64,
    ) -> EnrollmentStarted {
        let request = self.investigate().await;
        self.answer(&request, income_fen, 3).await;
        self.review_and_publish(4).await;
        self.close_and_decide(12, None).await
    }
}
