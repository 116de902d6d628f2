//! One payment line: an enrollment's amount for a month (the run's own, an earlier one in
//! arrears, or a top-up) or a temporary-assistance grant (exactly one of the two), its fate at the
//! bank (issued, held, returned) and the line that replaced a returned or held one.

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
    /// issued, held, returned, reissued (returned, then paid in `reissued_in`) or released (held,
    /// then paid in `reissued_in`).
    pub status: String,
    pub return_id: Option<Uuid>,
    pub return_reason: Option<String>,
    pub returned_on: Option<Date>,
    pub reissued_in: Option<Uuid>,
    /// What the line pays: `month` (the run's month), `arrears` (an earlier month owed and not
    /// paid), `top_up` (the difference owed for a month paid before a standard rose), `grant`.
    pub kind: String,
    /// Why a held line was held: `no_account`, or `account_returned` (the bank returned a
    /// payment to the account on record and nobody has confirmed it since).
    pub hold_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
