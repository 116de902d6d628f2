//! Pure rules of social assistance: no I/O.

pub mod calendar;
pub mod household;
pub mod money;
pub mod programme;
pub mod reference;
