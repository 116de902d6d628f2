//! Use cases: one transaction each, called by the REST edge and by event handlers alike.

pub mod applications;
pub mod assistance_clock;
pub mod deaths;
pub mod households;
pub mod relatives;
pub mod vagrant;
/// The staff-relative register under the name the procedures use (`staff_relatives::lookup`).
pub use relatives as staff_relatives;
