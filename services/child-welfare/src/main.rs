//! child-welfare: `serve` (default) or `migrate`.

use child_welfare::{CONTEXT, PORT, SERVICE, parts, store::Migrator};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    kit::service::main::<Migrator>(SERVICE, PORT, CONTEXT, parts).await
}
