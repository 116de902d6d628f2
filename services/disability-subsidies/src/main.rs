//! disability-subsidies: `serve` (default) or `migrate`.

use disability_subsidies::{CONTEXT, PORT, SERVICE, parts_with, store::Migrator};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Refuses to start in production without a data key of its own.
    let keys = disability_subsidies::store::sealed::DataKeys::from_env()?;
    kit::service::main::<Migrator>(SERVICE, PORT, CONTEXT, move |p| parts_with(p, keys)).await
}
