//! disability-subsidies through NATS and its REST edge, against real PostgreSQL and a nats-server
//! of the test's own: partner and aid facts arrive (in order, out of order, twice) and the cases,
//! stops, findings and payments that follow are asserted.

mod applications;
mod events;
mod support;
