//! disability-subsidies through NATS and its REST edge, against real PostgreSQL and a nats-server
//! of the test's own: partner and aid facts arrive (in order, out of order, twice) and the cases,
//! stops, findings, payments and programme cases that follow are asserted; personal data is
//! checked sealed at rest.

mod applications;
mod certificates;
mod events;
mod findings;
mod programmes;
mod sealing;
mod sqlite;
mod support;
