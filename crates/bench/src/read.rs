//! disability-subsidies in this process, on a seeded register of 10,000 cases, as the target of
//! the REST read: `GET /v1/subsidies/{id}` with a district officer's token, ids in turn.

use std::{sync::Arc, time::Duration};

use kit::{
    Role,
    config::{Config, DEV_AUTH_SECRET},
    edge::auth::dev_token,
    service::Service,
    testing::{NatsServer, TestDatabase},
};

use crate::{baseline, drop_database, load, payments};

/// disability-subsidies in this process on a register of 10,000 cases, for the REST read.
pub struct ReadTarget {
    pub addr: std::net::SocketAddr,
    /// The same read without the mesh: [`baseline::bare_read`] on the same register.
    pub bare_addr: std::net::SocketAddr,
    bare: tokio::task::JoinHandle<()>,
    service: Service,
    db: TestDatabase,
    ids: Vec<uuid::Uuid>,
    token: String,
}

impl ReadTarget {
    pub async fn start(nats: &NatsServer) -> anyhow::Result<Self> {
        let db = TestDatabase::create().await;
        let conn = db.connect().await;
        let month = contracts::common::Month::from_date(disability_subsidies::commands::today());
        payments::seed(&conn, &db.url, 10_000, month, 1).await?;
        let ids = payments::case_ids(&conn, 10_000).await?;
        drop(conn);
        let vars = [
            ("HTTP_ADDR", "127.0.0.1:0".to_owned()),
            ("DATABASE_URL", db.url.clone()),
            ("NATS_URL", nats.url()),
            ("RUST_LOG", "warn".to_owned()),
        ];
        let config = Config::from_lookup(disability_subsidies::SERVICE, 0, |k| {
            vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
        })?;
        let service = Service::build::<disability_subsidies::store::Migrator>(
            config,
            disability_subsidies::CONTEXT,
            disability_subsidies::parts,
        )
        .await?;
        let token = dev_token(
            DEV_AUTH_SECRET,
            "bench-officer",
            Role::DistrictOfficer,
            "500112",
            chrono::Duration::hours(6),
        );
        let (bare_addr, bare) = baseline::bare_read(&db.url).await?;
        let target = Self {
            addr: service.addr,
            bare_addr,
            bare,
            service,
            db,
            ids,
            token,
        };
        // Warm the pool and the statement caches.
        baseline::http(target.addr, 2_000, target.request()).await?;
        baseline::http(target.bare_addr, 2_000, target.bare_request()).await?;
        Ok(target)
    }

    pub fn request(&self) -> load::MakeRequest {
        let ids = self.ids.clone();
        let token = self.token.clone();
        Arc::new(move |i| load::get(&format!("/v1/subsidies/{}", ids[i % ids.len()]), &token))
    }

    /// The same reads, for the bare server (no token needed).
    pub fn bare_request(&self) -> load::MakeRequest {
        let ids = self.ids.clone();
        Arc::new(move |i| load::get(&format!("/v1/subsidies/{}", ids[i % ids.len()]), ""))
    }

    pub async fn stop(self) {
        self.bare.abort();
        self.service.stop().await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        drop_database(&self.db).await;
    }
}
