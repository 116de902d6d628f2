//! One payment line: an enrollment's amount for a month or a temporary-assistance grant (exactly
//! one of the two), its fate at the bank (issued, held, returned) and the re-issue that replaced
//! a returned line (or a held grant line).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_lines")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub batch_id: Uuid,
    /// The enrollment paid (None for a grant's line).
    pub enrollment_id: Option<Uuid>,
    /// The temporary-assistance grant paid (None for an enrollment's line).
    pub grant_id: Option<Uuid>,
    pub month: i32,
    pub township_code: String,
    pub amount_fen: i64,
    /// issued, held, returned, reissued (returned, then paid in `reissued_in`) or released (a
    /// held grant line paid in the re-issue `reissued_in`).
    pub status: String,
    pub return_id: Option<Uuid>,
    pub return_reason: Option<String>,
    pub returned_on: Option<Date>,
    pub reissued_in: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
