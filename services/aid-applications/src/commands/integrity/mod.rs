//! Integrity of the procedures: the staff-relative register (近亲属备案) whose cases need the
//! district's own visit and decision.

pub mod relatives;
