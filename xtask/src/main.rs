//! `cargo xtask …`: the project's entry points, which install whatever a
//! fresh machine lacks before doing their job.
//!
//! - `cargo xtask run`: builds the SPA and the server, prepares the SQLite
//!   database with demo data the first time, and serves the app.
//! - `cargo xtask test`: every test suite (native, PostgreSQL, wasm in
//!   headless Chromium, Playwright and schemathesis against the real server),
//!   the wasm size budget, and one summary line `N passed, N failed`.
//! - `cargo xtask build-spa`: the release SPA into `dist/` and its budget.
//!
//! Arguments are parsed by clap, so an unknown flag is a usage error (exit 2)
//! rather than something silently ignored.

mod live;
mod postgres;
mod schemathesis;
mod suite;
mod tools;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;
use tools::Toolbox;

/// Raw and brotli budgets of the release wasm, in bytes. Raised from
/// 900 / 300 KB when the customer-data pages (account form, import wizard,
/// duplicates, MRR chart) took the bundle to 1,391 / 408 KB; see
/// BENCHMARKS.md. Raised again to 1,750 / 520 KB for the KPI dashboard
/// (issue 12 allows at most +100 KB brotli; the build was 1,669 / 493 KB
/// before Leptos' `erase_components` was turned on for wasm32, see
/// BENCHMARKS.md). Raised to 2,900 / 745 KB with issue 10's workbench,
/// signals and health pages and issue 11's survey and sheet pages on main
/// (measured 2,850 / 739 KB; the issues allow +100 KB brotli each on 520,
/// i.e. 720 KB: both are over their allowance — recorded in BENCHMARKS.md —
/// and trimming or lazily loaded routes must bring the figure back).
/// Lowered to 2,700 / 730 KB after the `tr!` texts took the build to
/// 2,649 / 715 KB, then to 2,700 / **720 KB** — 520 + 100 for issue 10 +
/// 100 for issue 11 — once issue 12's last charts were in (measured 2,666 /
/// 718.5 KB on main d51d6d1): the two issues' pages together stay inside
/// their two allowances, and the next page must pay for itself.
const WASM_RAW_BUDGET: u64 = 2_700 * 1024;
const WASM_BROTLI_BUDGET: u64 = 720 * 1024;

/// Kizuna's developer commands.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Build the SPA and the server, load demo data the first time, serve.
    Run(RunArgs),
    /// Install what is missing and run every test suite; ends with one
    /// `N passed, N failed` line.
    Test(suite::TestArgs),
    /// Build the SPA (release) into dist/ and check the wasm size budget.
    BuildSpa,
}

#[derive(Debug, Args)]
struct RunArgs {
    /// Address to serve on (default: KIZUNA_BIND or 127.0.0.1:8080).
    #[arg(long, value_name = "ADDR")]
    bind: Option<String>,
    /// Database: a SQLite path, or a PostgreSQL URL with the `postgres`
    /// feature (default: KIZUNA_DATABASE_URL or data/kizuna.db).
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
}

fn main() -> ExitCode {
    // `Cli::parse` prints the usage and exits with 2 on anything it does not
    // understand.
    let cli = Cli::parse();
    let result = match cli.command {
        Cmd::Run(args) => run(&args),
        Cmd::Test(args) => suite::test(&args),
        Cmd::BuildSpa => Toolbox::prepare(false)
            .and_then(|t| build_spa(&t))
            .and_then(|wasm| check_wasm_budget(&wasm))
            .map(|budget| {
                println!("{budget}");
                ExitCode::SUCCESS
            }),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("xtask: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (xtask lives one level below it).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Cargo's target directory (`CARGO_TARGET_DIR` when set).
fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                root().join(dir)
            }
        }
        None => root().join("target"),
    }
}

fn step(title: &str) {
    println!("\n==> {title}");
}

/// `cargo xtask run`.
fn run(args: &RunArgs) -> Result<ExitCode> {
    let toolbox = Toolbox::prepare(false)?;
    build_spa(&toolbox)?;
    step("Building the server (profile `server`)");
    toolbox
        .cargo(&["build", "-p", "kizuna-server", "--profile", "server"])
        .status_ok()?;
    let kizuna = target_dir().join("server/kizuna");
    // `--bind` goes to `serve`; `--database-url` to both `demo` and `serve`.
    // Without them the server reads KIZUNA_BIND / KIZUNA_DATABASE_URL.
    let mut db_args: Vec<String> = Vec::new();
    if let Some(url) = &args.database_url {
        db_args.extend(["--database-url".to_owned(), url.clone()]);
    }
    let mut serve_args = db_args.clone();
    if let Some(bind) = &args.bind {
        serve_args.extend(["--bind".to_owned(), bind.clone()]);
    }
    step("Preparing the database (demo data on first run)");
    Command::new(&kizuna)
        .current_dir(root())
        .arg("demo")
        .arg("--if-empty")
        .args(&db_args)
        .status_ok()?;
    step("Serving Kizuna (Ctrl-C stops it)");
    Command::new(&kizuna)
        .current_dir(root())
        .arg("serve")
        .arg("--dist-dir")
        .arg(root().join("dist"))
        .args(&serve_args)
        .status_ok()?;
    Ok(ExitCode::SUCCESS)
}

/// Builds the SPA in release mode into `dist/` and returns the wasm file.
fn build_spa(toolbox: &Toolbox) -> Result<PathBuf> {
    step("Building the SPA (trunk build --release)");
    let started = Instant::now();
    toolbox.trunk(&["build", "--release"]).status_ok()?;
    println!("SPA built in {:.1?}", started.elapsed());
    let dist = root().join("dist");
    let wasm = std::fs::read_dir(&dist)
        .with_context(|| format!("reading {}", dist.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|e| e == "wasm"))
        .context("trunk produced no .wasm file in dist/")?;
    Ok(wasm)
}

/// Measures the release wasm against its raw and brotli budgets: `Ok` with
/// the figures when within both, `Err` with them when over either.
fn check_wasm_budget(wasm: &Path) -> Result<String> {
    let bytes = std::fs::read(wasm)?;
    let raw = bytes.len() as u64;
    let mut compressed = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut compressed, 64 * 1024, 11, 22);
        writer.write_all(&bytes)?;
    }
    let brotli_size = compressed.len() as u64;
    let figures = format!(
        "{:.0} KB raw (budget {} KB), {:.0} KB brotli (budget {} KB)",
        raw as f64 / 1024.0,
        WASM_RAW_BUDGET / 1024,
        brotli_size as f64 / 1024.0,
        WASM_BROTLI_BUDGET / 1024
    );
    if raw > WASM_RAW_BUDGET || brotli_size > WASM_BROTLI_BUDGET {
        bail!("over budget: {figures}");
    }
    Ok(format!("within budget: {figures}"))
}

/// `Command::status` that fails on a non-zero exit.
trait StatusOk {
    fn status_ok(&mut self) -> Result<()>;
}

impl StatusOk for Command {
    fn status_ok(&mut self) -> Result<()> {
        let status = self
            .status()
            .with_context(|| format!("starting {:?}", self.get_program()))?;
        if !status.success() {
            bail!("{self:?} failed with {status}");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn unknown_flags_are_usage_errors() {
        let err = Cli::try_parse_from(["cargo xtask", "test", "--skip-e2ee"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        let err = Cli::try_parse_from(["cargo xtask", "test", "--only", "nope"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        let err = Cli::try_parse_from(["cargo xtask", "run", "--port", "1"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        let err = Cli::try_parse_from(["cargo xtask"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
    }
}
