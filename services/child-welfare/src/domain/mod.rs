//! Pure rules of child welfare: who qualifies, from when to when the allowance is paid, at which
//! standard, which programmes a child may draw, and no allowance during extreme-poverty support.
//! No I/O.

pub mod basis;
pub mod category;
pub mod eligibility;
pub mod entitlement;
pub mod programme;
pub mod reference;
pub mod support;
