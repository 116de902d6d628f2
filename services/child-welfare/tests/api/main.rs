//! child-welfare through its REST edge and NATS, against real PostgreSQL and a nats-server of
//! the test's own: registration and its refusals, evaluation of minor-protection flags, partner
//! facts (deaths, certificates), payment batches and bank returns, programmes and standards.

mod allowance_changes;
mod extreme_poverty;
mod flag_dates;
mod flags;
mod partner_facts;
mod payments;
mod registration;
mod support;
