//! The `kizuna` binary: parses the command line and hands over to the library.

use clap::Parser;

fn main() -> anyhow::Result<()> {
    let cli = kizuna_server::cli::Cli::parse();
    kizuna_server::telemetry::init();
    kizuna_server::cli::run(cli)
}
