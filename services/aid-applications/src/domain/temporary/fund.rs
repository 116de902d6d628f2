//! The township reserve fund (临时救助备用金) for act-first payments: a ledger whose balance can
//! never go negative, drawn by the township and replenished by the district.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::actor::{Actor, ActorId};
use crate::domain::money::Fen;

/// What a ledger entry records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EntryKind {
    /// An act-first payment.
    Draw {
        /// The grant paid.
        grant_id: Uuid,
    },
    /// Money added by the district.
    Replenishment {
        /// The district's transfer reference.
        reference: String,
    },
}

/// One ledger line; entries are only ever appended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// Date.
    pub on: NaiveDate,
    /// Draw or replenishment.
    pub kind: EntryKind,
    /// Amount moved (always positive).
    pub amount: Fen,
    /// Balance after the entry.
    pub balance_after: Fen,
    /// Who recorded it.
    pub by: ActorId,
}

/// Why a ledger movement is refused; the balance is then unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReserveFundError {
    /// Amounts must be above zero.
    #[error("the amount must be above zero, got {0} 元")]
    AmountNotPositive(Fen),
    /// Drawing more than the balance.
    #[error("the reserve fund holds {balance} 元, less than the {requested} 元 requested")]
    Insufficient {
        /// Current balance.
        balance: Fen,
        /// Amount asked for.
        requested: Fen,
    },
    /// Only the district replenishes.
    #[error("only the district replenishes a township reserve fund")]
    ReplenishedByDistrictOnly,
    /// Only the fund's township draws.
    #[error("only township {0} draws on its reserve fund")]
    OtherTownship(String),
    /// The balance would not fit.
    #[error("the balance would overflow")]
    Overflow,
}

/// A township's reserve fund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReserveFund {
    township: String,
    balance: Fen,
    entries: Vec<LedgerEntry>,
}

impl ReserveFund {
    /// An empty fund for township `township` (9-digit code); the district replenishes it.
    pub fn open(township: impl Into<String>) -> Self {
        Self {
            township: township.into(),
            balance: Fen::ZERO,
            entries: Vec::new(),
        }
    }

    /// A fund as stored: its township and current balance (the ledger lines live in the store,
    /// whose constraint keeps the balance from going negative); new entries append from here.
    pub fn resume(township: impl Into<String>, balance: Fen) -> Self {
        Self {
            township: township.into(),
            balance,
            entries: Vec::new(),
        }
    }

    /// The township.
    pub fn township(&self) -> &str {
        &self.township
    }

    /// Current balance; never negative.
    pub fn balance(&self) -> Fen {
        self.balance
    }

    /// The ledger, oldest first.
    pub fn entries(&self) -> &[LedgerEntry] {
        &self.entries
    }

    /// Pays `amount` for `grant_id`; refused, with nothing changed, if it exceeds the balance.
    pub fn draw(
        &mut self,
        on: NaiveDate,
        grant_id: Uuid,
        amount: Fen,
        by: &Actor,
    ) -> Result<&LedgerEntry, ReserveFundError> {
        if !by.is_township(&self.township) {
            return Err(ReserveFundError::OtherTownship(self.township.clone()));
        }
        if !amount.is_positive() {
            return Err(ReserveFundError::AmountNotPositive(amount));
        }
        if amount > self.balance {
            return Err(ReserveFundError::Insufficient {
                balance: self.balance,
                requested: amount,
            });
        }
        let balance_after = self
            .balance
            .checked_sub(amount)
            .ok_or(ReserveFundError::Overflow)?;
        Ok(self.append(
            on,
            EntryKind::Draw { grant_id },
            amount,
            balance_after,
            by.id,
        ))
    }

    /// Adds `amount` transferred by the district under `reference`.
    pub fn replenish(
        &mut self,
        on: NaiveDate,
        amount: Fen,
        reference: &str,
        by: &Actor,
    ) -> Result<&LedgerEntry, ReserveFundError> {
        if !by.is_district() {
            return Err(ReserveFundError::ReplenishedByDistrictOnly);
        }
        if !amount.is_positive() {
            return Err(ReserveFundError::AmountNotPositive(amount));
        }
        let balance_after = self
            .balance
            .checked_add(amount)
            .ok_or(ReserveFundError::Overflow)?;
        let kind = EntryKind::Replenishment {
            reference: reference.trim().to_owned(),
        };
        Ok(self.append(on, kind, amount, balance_after, by.id))
    }

    fn append(
        &mut self,
        on: NaiveDate,
        kind: EntryKind,
        amount: Fen,
        balance_after: Fen,
        by: ActorId,
    ) -> &LedgerEntry {
        self.balance = balance_after;
        self.entries.push(LedgerEntry {
            on,
            kind,
            amount,
            balance_after,
            by,
        });
        // Just pushed, so the ledger is not empty.
        &self.entries[self.entries.len() - 1]
    }
}
