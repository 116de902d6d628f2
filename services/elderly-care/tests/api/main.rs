//! elderly-care through its REST edge and NATS, against real PostgreSQL and a nats-server of the
//! test's own (and the visit flow on SQLite, where migrations must also run).

mod facilities;
mod home_beds;
mod sqlite;
mod support;
mod visits;
