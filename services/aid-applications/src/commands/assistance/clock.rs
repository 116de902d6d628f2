//! The bureau's date: Chongqing is UTC+8 all year, and deadlines, yearly limits and ledger dates
//! are counted in local calendar days — read from the services' clock in kit.

pub use kit::clock::{china, day_of as local_date, today};
