//! `partner-feeds [serve|check|migrate]`: see the crate documentation.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    partner_feeds::main(std::env::args().skip(1).collect()).await
}
