//! Encrypts in place the personal data written in plain text before sealing existed: ID and
//! certificate numbers, payee and agent names, bank accounts (see `sealed`). Values already
//! sealed are left alone, so a re-run changes nothing. The key comes from the environment, as
//! for `serve`: production without `DISABILITY_DATA_KEY` refuses to migrate.

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};
use sea_orm_migration::prelude::*;

use super::sealed::{DataKeys, binding};

pub(super) struct SealPersonalData;

impl MigrationName for SealPersonalData {
    fn name(&self) -> &str {
        "m20261215_000203_disability_sealed_columns"
    }
}

/// A table whose columns hold sealed values, and the key its rows are bound by.
pub struct SealedTable {
    pub table: &'static str,
    pub key: &'static str,
    pub uuid_key: bool,
    pub columns: &'static [&'static str],
}

/// Every sealed column of the service.
pub const SEALED: [SealedTable; 4] = [
    SealedTable {
        table: "identities",
        key: "person_ref",
        uuid_key: false,
        columns: &["id_number", "certificate_number"],
    },
    SealedTable {
        table: "payees",
        key: "person_ref",
        uuid_key: false,
        columns: &["name", "account_number", "account_holder_name"],
    },
    SealedTable {
        table: "agents",
        key: "id",
        uuid_key: true,
        columns: &["name"],
    },
    SealedTable {
        table: "payment_lines",
        key: "id",
        uuid_key: true,
        columns: &["account_number", "account_holder_name"],
    },
];

const PAGE: u64 = 500;

/// Seals every plain value of the sealed columns; returns how many rows changed.
pub async fn seal_existing(db: &impl ConnectionTrait, keys: &DataKeys) -> Result<u64, DbErr> {
    let backend = db.get_database_backend();
    let mut changed = 0;
    for t in &SEALED {
        let cols = t.columns.join(", ");
        let mut after: Option<Value> = None;
        loop {
            let (sql, values) = match &after {
                None => (
                    format!(
                        "SELECT {}, {cols} FROM {} ORDER BY {} LIMIT {PAGE}",
                        t.key, t.table, t.key
                    ),
                    vec![],
                ),
                Some(v) => (
                    format!(
                        "SELECT {}, {cols} FROM {} WHERE {} > $1 ORDER BY {} LIMIT {PAGE}",
                        t.key, t.table, t.key, t.key
                    ),
                    vec![v.clone()],
                ),
            };
            let rows = db
                .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
                .await?;
            let Some(last) = rows.last() else { break };
            after = Some(if t.uuid_key {
                last.try_get::<uuid::Uuid>("", t.key)?.into()
            } else {
                last.try_get::<String>("", t.key)?.into()
            });
            for r in &rows {
                let (row, key_value): (String, Value) = if t.uuid_key {
                    let id: uuid::Uuid = r.try_get("", t.key)?;
                    (id.to_string(), id.into())
                } else {
                    let id: String = r.try_get("", t.key)?;
                    (id.clone(), id.into())
                };
                let mut sets = Vec::new();
                let mut values = Vec::new();
                for c in t.columns {
                    let v: Option<String> = r.try_get("", c)?;
                    if let Some(plain) = v.filter(|v| !DataKeys::is_sealed(v)) {
                        values.push(
                            keys.seal(&binding(&format!("{}.{c}", t.table), &row), &plain)
                                .into(),
                        );
                        sets.push(format!("{c} = ${}", values.len()));
                    }
                }
                if sets.is_empty() {
                    continue;
                }
                values.push(key_value);
                let sql = format!(
                    "UPDATE {} SET {} WHERE {} = ${}",
                    t.table,
                    sets.join(", "),
                    t.key,
                    values.len()
                );
                db.execute_raw(Statement::from_sql_and_values(backend, sql, values))
                    .await?;
                changed += 1;
            }
        }
    }
    Ok(changed)
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for SealPersonalData {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let keys = DataKeys::from_env().map_err(|e| DbErr::Custom(e.to_string()))?;
        let db = m.get_connection();
        // Sealed values outgrow the plain columns' lengths. SQLite does not enforce VARCHAR
        // lengths (and cannot alter a column's type), so only PostgreSQL needs the change.
        if db.get_database_backend() == DbBackend::Postgres {
            for (table, column) in [
                ("identities", "id_number"),
                ("identities", "certificate_number"),
                ("payees", "name"),
                ("payees", "account_number"),
                ("payees", "account_holder_name"),
                ("agents", "name"),
                ("payment_lines", "account_number"),
                ("payment_lines", "account_holder_name"),
            ] {
                db.execute_unprepared(&format!(
                    "ALTER TABLE {table} ALTER COLUMN {column} TYPE TEXT"
                ))
                .await?;
            }
        }
        // An index of ciphertexts finds nothing: shared accounts are found by opening them.
        m.drop_index(
            Index::drop()
                .name("payees_account")
                .table(Alias::new("payees"))
                .if_exists()
                .to_owned(),
        )
        .await?;
        seal_existing(db, &keys).await?;
        Ok(())
    }
}
