//! Pure rules of social assistance: no I/O.

pub mod actor;
pub mod application;
pub mod benefit;
pub mod benefits;
pub mod calendar;
pub mod enrollment;
pub mod household;
pub mod integrity;
pub mod money;
pub mod monitoring;
pub mod month;
pub mod programme;
pub mod property;
pub mod reference;
pub mod temporary;
pub mod vagrant;
