//! Use cases: one transaction each, called by the REST edge and by event handlers alike.

pub mod actor;
pub mod applications;
pub mod assistance;
pub mod assistance_clock;
pub mod assistance_fund;
pub mod assistance_paperwork;
pub mod assistance_payee;
pub mod benefits;
pub mod benefits_certificates;
pub mod deaths;
pub mod enrollment;
pub mod enrollment_overlaps;
pub mod enrollment_standards;
pub mod enrollment_steps;
pub mod household_changes;
pub mod households;
pub mod monitoring;
pub mod monitoring_referrals;
pub mod payment;
pub mod procedure;
pub mod procedure_decision;
pub mod procedure_facts;
pub mod procedure_publicity;
pub mod procedure_steps;
pub mod procedure_verification;
pub mod reference;
pub mod relatives;
pub mod vagrant;
/// The staff-relative register under the name the procedures use (`staff_relatives::lookup`).
pub use relatives as staff_relatives;
