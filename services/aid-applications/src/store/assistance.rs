//! Temporary assistance (临时救助): grants from request to decision, and the township reserve
//! funds (临时救助备用金) with their append-only ledgers.

/// A request for temporary assistance and its decision.
pub mod grant {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "temporary_grants")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub household_id: Uuid,
        pub applicant_member_id: Uuid,
        pub applicant_ref: String,
        pub emergency_type: String,
        pub applied_at: String,
        pub amount_fen: i64,
        /// Paid at once from the handling township's reserve fund on approval.
        pub act_first: bool,
        /// The township handling the request (and paying an act-first grant).
        pub township_code: String,
        /// The household's village.
        pub village_code: String,
        pub circumstances: String,
        /// requested, granted or rejected.
        pub status: String,
        /// The level that must approve (township up to its cap, district above).
        pub tier: String,
        pub recorded_by: String,
        pub recorded_on: Date,
        pub approved_by: Option<String>,
        pub approver: Option<String>,
        pub decided_on: Option<Date>,
        pub rejection_reasons: Option<String>,
        pub paperwork_due: Option<Date>,
        pub paperwork_completed_on: Option<Date>,
        pub paperwork_late: bool,
        /// The account a grant paid by the bank goes to (not for act-first grants: cash).
        pub payee_name: Option<String>,
        pub payee_bank: Option<String>,
        pub payee_account: Option<String>,
        /// request, enrollment (copied from the household's enrollment at approval) or staff.
        pub payee_source: Option<String>,
        /// The bank returned the grant's payment: held until the payee is confirmed again.
        pub payee_returned_on: Option<Date>,
        pub version: i32,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A township's reserve fund: its balance (never negative: a CHECK constraint backs the rule).
pub mod fund {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "reserve_funds")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub township_code: String,
        pub balance_fen: i64,
        pub version: i32,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// One ledger line of a reserve fund; lines are only appended.
pub mod entry {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "reserve_fund_entries")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub township_code: String,
        pub entry_on: Date,
        /// draw or replenishment.
        pub kind: String,
        pub grant_id: Option<Uuid>,
        pub reference: Option<String>,
        pub amount_fen: i64,
        pub balance_after_fen: i64,
        pub recorded_by: String,
        pub recorded_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
