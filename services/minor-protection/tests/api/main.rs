//! minor-protection through its REST edge and NATS, against real PostgreSQL and a nats-server of
//! the test's own. One binary; the modules follow the service's areas.

mod cases;
mod flags;
mod handover;
mod left_behind;
mod supervision;
mod support;
mod welfare;
