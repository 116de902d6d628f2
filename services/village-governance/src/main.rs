//! village-governance: `serve` (default) or `migrate`.

use village_governance::{CONTEXT, PORT, SERVICE, parts, store::Migrator};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    kit::service::main::<Migrator>(SERVICE, PORT, CONTEXT, parts).await
}
