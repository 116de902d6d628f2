//! minor-protection: `serve` (default) or `migrate`.

use minor_protection::{CONTEXT, PORT, SERVICE, parts, store::Migrator};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    kit::service::main::<Migrator>(SERVICE, PORT, CONTEXT, parts).await
}
