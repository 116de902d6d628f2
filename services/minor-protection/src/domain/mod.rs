//! Pure rules of minor protection (未成年人保护): levels, supervision deadlines and escalation,
//! the de facto unsupported predicate, who may see what, visit cadence, a child's standing with
//! child-welfare. No I/O.

pub mod access;
pub mod case;
pub mod level;
pub mod reference;
pub mod supervision;
pub mod unsupported;
pub mod visits;
pub mod welfare;
