//! Pure rules of child welfare: who qualifies, from when to when the allowance is paid, at which
//! standard, and which programmes a child may draw. No I/O.

pub mod basis;
pub mod category;
pub mod eligibility;
pub mod entitlement;
pub mod programme;
pub mod reference;
