//! `mesh`: runs the whole mesh on one machine. See `mesh --help`.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    launcher::run(std::env::args().skip(1).collect()).await
}
