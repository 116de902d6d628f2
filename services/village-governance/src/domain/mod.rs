//! Pure rules of village governance: no database, no HTTP, no NATS — only values and decisions,
//! so every threshold and transition is tested table by table.

pub mod centres;
pub mod councils;
pub mod lists;
pub mod publicity;
pub mod reference;
pub mod rules;
pub mod staffing;
pub mod vote;
