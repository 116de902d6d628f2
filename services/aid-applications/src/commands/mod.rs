//! Use cases: one transaction each, called by the REST edge and by event handlers alike, by
//! capability — the procedure from submission to decision, the household register, enrollments,
//! payments, temporary assistance, low-income monitoring, integrity — beside the reference data,
//! vagrant relief and the actor every command acts as.

pub mod actor;
pub mod assistance;
pub mod enrollment;
pub mod households;
pub mod integrity;
pub mod monitoring;
pub mod payments;
pub mod procedure;
pub mod reference;
pub mod vagrant;
