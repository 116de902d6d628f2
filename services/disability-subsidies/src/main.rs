//! disability-subsidies: `serve` (default) or `migrate`.

use disability_subsidies::{CONTEXT, PORT, SERVICE, parts, store::Migrator};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    kit::service::main::<Migrator>(SERVICE, PORT, CONTEXT, parts).await
}
