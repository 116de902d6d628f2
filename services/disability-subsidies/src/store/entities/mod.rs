//! sea-orm entities of the service's tables.

pub mod agent;
pub mod death;
pub mod enrollment;
pub mod enrollment_member;
pub mod finding;
pub mod holder;
pub mod identity;
pub mod parameter;
pub mod payee;
pub mod payment_batch;
pub mod payment_line;
pub mod pilot_township;
pub mod programme_case;
pub mod reminder;
pub mod service_record;
pub mod standard;
pub mod subsidy;
pub mod work_injury;
