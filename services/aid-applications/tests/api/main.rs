//! aid-applications through its REST edge and NATS, against real PostgreSQL and a nats-server of
//! the test's own — one test binary, by capability: submission and the procedure to a decision
//! (`submission`, `procedure`, `procedure_reference`), the household register (`households`),
//! enrollments (`enrollment`), payment runs and their ledger (`payments`), temporary assistance and
//! its payments (`assistance`, `assistance_payments`), low-income monitoring and other
//! departments' benefits (`monitoring`, `benefits`), vagrant relief (`vagrant`).

mod assistance_support;
mod procedure_support;

mod assistance;
mod assistance_payments;
mod benefits;
mod enrollment;
mod households;
mod monitoring;
mod payments;
mod procedure;
mod procedure_reference;
mod submission;
mod vagrant;
