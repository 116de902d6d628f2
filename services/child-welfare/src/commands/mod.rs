//! Use cases: one transaction each, called by the REST edge and by event handlers alike.

pub mod allowance_changes;
pub mod care;
pub mod conditions;
pub mod flags;
pub mod holds;
pub mod lifecycle;
pub mod partner_facts;
pub mod payments;
pub mod programmes;
pub mod records;
pub mod registration;
pub mod standards;
pub mod support;
