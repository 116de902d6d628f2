//! A fresh PostgreSQL database per test on the machine's server (or a container's).

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};

/// A database created for one test. Left behind on drop (dropping needs a connection and the
/// runtime may be gone); databases of earlier runs older than an hour are swept on creation.
pub struct TestDatabase {
    pub name: String,
    pub url: String,
}

/// The server to create test databases on: `TEST_DATABASE_URL`, else a container (feature
/// `containers`, Docker reachable), else PostgreSQL on 127.0.0.1:5432 as user postgres.
pub async fn server_url() -> String {
    if let Ok(url) = std::env::var("TEST_DATABASE_URL") {
        return url;
    }
    #[cfg(feature = "containers")]
    if let Some(url) = super::containers::postgres_url().await {
        return url;
    }
    "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable".to_owned()
}

impl TestDatabase {
    /// Creates an empty database with a unique name and returns its URL.
    pub async fn create() -> Self {
        let server = server_url().await;
        let admin = Database::connect(&server).await.unwrap_or_else(|e| {
            panic!(
                "PostgreSQL is not reachable at {server} ({e}); start it or set TEST_DATABASE_URL"
            )
        });
        let now = chrono::Utc::now().timestamp();
        sweep(&admin, now).await;
        let name = format!(
            "t_{now}_{}",
            &uuid::Uuid::now_v7().simple().to_string()[20..]
        );
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("CREATE DATABASE");
        let url = replace_database(&server, &name);
        Self { name, url }
    }

    /// Connects to the database.
    pub async fn connect(&self) -> DatabaseConnection {
        crate::db::connect(&self.url, std::time::Duration::from_secs(10))
            .await
            .expect("connect to test database")
    }
}

async fn sweep(admin: &DatabaseConnection, now: i64) {
    // A few at a time: every test creates a database, so each one clears a little of what earlier
    // runs left, and no test waits on dropping hundreds.
    let rows = admin
        .query_all_raw(Statement::from_string(
            admin.get_database_backend(),
            "SELECT datname FROM pg_database WHERE datname LIKE 't\\_%' ORDER BY datname LIMIT 50",
        ))
        .await
        .unwrap_or_default();
    let stale = rows
        .iter()
        .filter_map(|row| row.try_get::<String>("", "datname").ok())
        .filter(|name| {
            let created = name
                .split('_')
                .nth(1)
                .and_then(|t| t.parse::<i64>().ok())
                .unwrap_or(now);
            now - created > 3600
        })
        .take(3);
    for name in stale {
        let _ = admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await;
    }
}

fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let prefix = base.rsplit_once('/').map_or(base, |(p, _)| p);
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}?sslmode=disable"),
    }
}
