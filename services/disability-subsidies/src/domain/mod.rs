//! Pure rules of the two disability subsidies and the disability programmes: no I/O, so every
//! rule is a table-driven unit test.

pub mod certificate;
pub mod eligibility;
pub mod money;
pub mod months;
pub mod payee;
pub mod payment;
pub mod programmes;
pub mod reference;
