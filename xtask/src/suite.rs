//! `cargo xtask test`: the phases of a test run, their counts and the one
//! summary line.
//!
//! Order: the native build (the very binary the later phases start, so they
//! never test a stale one), native tests, the server suite on a throw-away
//! PostgreSQL, wasm tests in headless Chromium, the SPA build with its size
//! budget, Playwright, schemathesis. Each phase prints its own
//! `--> name: N passed, N failed` line; the budget is a check on its own
//! line and never counted as a test.

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use crate::tools::Toolbox;
use crate::{build_spa, check_wasm_budget, live, postgres, root, schemathesis, step, target_dir};

/// The phases of a test run, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Phase {
    /// `cargo test` of every crate but the app, natively (SQLite).
    Native,
    /// The server's integration suite on a private PostgreSQL cluster.
    Postgres,
    /// `wasm_bindgen_test`s of shared and app in headless Chromium.
    Wasm,
    /// The release wasm against its size budget (builds the SPA).
    Budget,
    /// Playwright journeys against the real server (builds the SPA).
    E2e,
    /// schemathesis against the live server's OpenAPI document.
    Schemathesis,
}

const ALL_PHASES: [Phase; 6] = [
    Phase::Native,
    Phase::Postgres,
    Phase::Wasm,
    Phase::Budget,
    Phase::E2e,
    Phase::Schemathesis,
];

/// Options of `cargo xtask test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Run only these phases (comma-separated or repeated).
    #[arg(long, value_enum, value_delimiter = ',', value_name = "PHASE")]
    only: Vec<Phase>,
    /// Skip these phases (comma-separated or repeated); the summary names them.
    #[arg(long, value_enum, value_delimiter = ',', value_name = "PHASE")]
    skip: Vec<Phase>,
    /// Same as `--skip e2e`: skips Playwright only; the wasm budget is still checked.
    #[arg(long)]
    skip_e2e: bool,
    /// Run only the Rust tests whose name contains FILTER (native and postgres phases).
    #[arg(long, value_name = "FILTER")]
    filter: Option<String>,
    /// Run only the Playwright tests whose title matches REGEX (`playwright test --grep`).
    #[arg(long, value_name = "REGEX")]
    e2e_grep: Option<String>,
    /// Test cases schemathesis generates per API operation and phase.
    #[arg(long, value_name = "N", default_value_t = schemathesis::DEFAULT_EXAMPLES)]
    schemathesis_examples: u32,
}

impl TestArgs {
    fn wants(&self, phase: Phase) -> bool {
        let skipped = self.skip.contains(&phase) || (self.skip_e2e && phase == Phase::E2e);
        (self.only.is_empty() || self.only.contains(&phase)) && !skipped
    }

    fn why_not(&self, phase: Phase) -> &'static str {
        if !self.only.is_empty() && !self.only.contains(&phase) {
            "not selected by --only"
        } else if self.skip_e2e && phase == Phase::E2e {
            "skipped by --skip-e2e"
        } else {
            "skipped by --skip"
        }
    }
}

/// Counts of one or all suites.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub passed: u64,
    pub failed: u64,
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, rhs: Self) {
        self.passed += rhs.passed;
        self.failed += rhs.failed;
    }
}

/// What a run has found so far.
#[derive(Default)]
struct Report {
    total: Tally,
    /// `--> …` lines repeated in the summary.
    lines: Vec<String>,
    problems: Vec<String>,
    budget: Option<String>,
}

impl Report {
    /// Adds a suite's counts; a suite that failed without a failing test (a
    /// build error, a crash) still fails the run.
    fn record(&mut self, name: &str, outcome: (Tally, bool), elapsed: Duration) {
        let (tally, success) = outcome;
        let line = format!(
            "--> {name}: {} passed, {} failed ({})",
            tally.passed,
            tally.failed,
            minutes(elapsed)
        );
        println!("{line}");
        self.lines.push(line);
        self.total += tally;
        if !success {
            if tally.failed == 0 {
                self.total.failed += 1;
            }
            self.problems.push(format!("{name} suite"));
        }
    }

    /// A phase that could not run (its tool or build failed).
    fn broken(&mut self, name: &str, err: &anyhow::Error) {
        let line = format!("--> {name}: could not run: {err:#}");
        println!("{line}");
        self.lines.push(line);
        self.total.failed += 1;
        self.problems.push(format!("{name}: {err:#}"));
    }

    fn note(&mut self, line: String) {
        println!("{line}");
        self.lines.push(line);
    }
}

/// `2m 05s`.
fn minutes(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 {
        format!("{}m {:02}s", s / 60, s % 60)
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

/// The cargo arguments of the native phase; the build step uses exactly the
/// same ones (plus `--no-run`), so both resolve features identically and the
/// test step rebuilds nothing.
const NATIVE: [&str; 5] = [
    "test",
    "--workspace",
    "--exclude",
    "kizuna-app",
    "--no-fail-fast",
];

/// `cargo xtask test`.
pub fn test(args: &TestArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let toolbox = Toolbox::new()?;
    let mut report = Report::default();
    let wants = |p| args.wants(p);
    for phase in ALL_PHASES.iter().filter(|p| !args.wants(**p)) {
        let name = format!("{phase:?}").to_lowercase();
        report.note(format!("--> {name}: not run ({})", args.why_not(*phase)));
    }

    // The server binary the live phases start: built now, by this run.
    let mut kizuna: Option<PathBuf> = None;
    if wants(Phase::Native) || wants(Phase::E2e) || wants(Phase::Schemathesis) {
        let phase_started = Instant::now();
        step("Building the native tests and the server binary");
        match build_native(&toolbox) {
            Ok(bin) => {
                println!(
                    "built {} in {}",
                    bin.display(),
                    minutes(phase_started.elapsed())
                );
                kizuna = Some(bin);
            }
            Err(err) => report.broken("native build", &err),
        }
    }

    if wants(Phase::Native) && kizuna.is_some() {
        step("Native unit and integration tests");
        let phase_started = Instant::now();
        let mut cmd = toolbox.cargo(&NATIVE);
        add_filter(&mut cmd, args);
        let outcome = run_counting(&mut cmd, parse_cargo_test)?;
        report.record("native", outcome, phase_started.elapsed());
    }

    if wants(Phase::Postgres) {
        step("Server integration tests on PostgreSQL (private throw-away cluster)");
        let phase_started = Instant::now();
        match run_postgres(&toolbox, args) {
            Ok(outcome) => report.record("postgres", outcome, phase_started.elapsed()),
            Err(err) => report.broken("postgres", &err),
        }
    }

    if wants(Phase::Wasm) {
        step("wasm tests in headless Chromium (wasm-bindgen-test)");
        let phase_started = Instant::now();
        match run_wasm(&toolbox) {
            Ok(outcome) => report.record("wasm", outcome, phase_started.elapsed()),
            Err(err) => report.broken("wasm", &err),
        }
    }

    let mut spa_built = false;
    if wants(Phase::Budget) || wants(Phase::E2e) {
        let phase_started = Instant::now();
        match toolbox
            .ensure_spa_tools()
            .and_then(|()| build_spa(&toolbox))
        {
            Ok(wasm) => {
                spa_built = true;
                println!("SPA phase took {}", minutes(phase_started.elapsed()));
                if wants(Phase::Budget) {
                    match check_wasm_budget(&wasm) {
                        Ok(figures) => report.budget = Some(format!("wasm size budget: {figures}")),
                        Err(err) => {
                            report.budget = Some(format!("wasm size budget: FAILED, {err:#}"));
                            report.problems.push(format!("wasm size budget: {err:#}"));
                        }
                    }
                }
            }
            Err(err) => report.broken("SPA build", &err),
        }
    }
    if !wants(Phase::Budget) {
        report.budget = Some(format!(
            "wasm size budget: not checked ({})",
            args.why_not(Phase::Budget)
        ));
    } else if !spa_built && report.budget.is_none() {
        report.budget = Some("wasm size budget: not checked (the SPA did not build)".into());
        report
            .problems
            .push("wasm size budget: the SPA did not build".into());
    }

    if wants(Phase::E2e) {
        step("End-to-end tests (Playwright, headless Chromium, real server)");
        let phase_started = Instant::now();
        match (&kizuna, spa_built) {
            (Some(bin), true) => match run_e2e(&toolbox, bin, args) {
                Ok(outcome) => report.record("end-to-end", outcome, phase_started.elapsed()),
                Err(err) => report.broken("end-to-end", &err),
            },
            _ => report.broken(
                "end-to-end",
                &anyhow::anyhow!("the server or the SPA did not build"),
            ),
        }
    }

    if wants(Phase::Schemathesis) {
        step("schemathesis against the live server's OpenAPI document");
        let phase_started = Instant::now();
        match &kizuna {
            Some(bin) => match schemathesis::run(&toolbox, bin, args.schemathesis_examples) {
                Ok(outcome) => report.record("schemathesis", outcome, phase_started.elapsed()),
                Err(err) => report.broken("schemathesis", &err),
            },
            None => report.broken("schemathesis", &anyhow::anyhow!("the server did not build")),
        }
    }

    println!("\n==> Summary ({})", minutes(started.elapsed()));
    for line in &report.lines {
        println!("{line}");
    }
    if let Some(budget) = &report.budget {
        println!("{budget}");
    }
    for problem in &report.problems {
        println!("  FAILED: {problem}");
    }
    println!(
        "{} passed, {} failed",
        report.total.passed, report.total.failed
    );
    Ok(if report.total.failed == 0 && report.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn add_filter(cmd: &mut Command, args: &TestArgs) {
    if let Some(filter) = &args.filter {
        cmd.arg("--").arg(filter);
    }
}

/// Builds every native test and the `kizuna` binary with the native phase's
/// own arguments, fails when the build fails, and returns a snapshot of the
/// binary cargo reports having built (later builds with other features,
/// e.g. the PostgreSQL phase, overwrite `target/debug/kizuna`).
fn build_native(toolbox: &Toolbox) -> Result<PathBuf> {
    let mut cmd = toolbox.cargo(&NATIVE);
    cmd.args(["--no-run", "--message-format=json-render-diagnostics"])
        .stdout(Stdio::piped());
    let mut child = cmd.spawn().context("starting cargo")?;
    let stdout = child.stdout.take().context("no stdout")?;
    let mut executable = None;
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        if let Some(path) = kizuna_executable(&line) {
            executable = Some(path);
        }
    }
    let status = child.wait()?;
    if !status.success() {
        anyhow::bail!("cargo test --no-run failed ({status}); nothing was tested");
    }
    let built = executable.context("cargo built no `kizuna` binary")?;
    let snapshot_dir = target_dir().join("xtask");
    std::fs::create_dir_all(&snapshot_dir)?;
    let snapshot = snapshot_dir.join("kizuna");
    let _ = std::fs::remove_file(&snapshot);
    std::fs::hard_link(&built, &snapshot)
        .or_else(|_| std::fs::copy(&built, &snapshot).map(|_| ()))
        .with_context(|| format!("copying {}", built.display()))?;
    Ok(snapshot)
}

/// The `executable` of cargo's JSON artifact message for the `kizuna` binary
/// (not the test harness of its own unit tests, which `cargo test --no-run`
/// also builds, under the same target name and kind, with `profile.test`).
fn kizuna_executable(line: &str) -> Option<PathBuf> {
    let msg: serde_json::Value = serde_json::from_str(line).ok()?;
    let target = &msg["target"];
    let is_bin = target["kind"]
        .as_array()
        .is_some_and(|kinds| kinds.iter().any(|k| k == "bin"));
    let is_test_harness = msg["profile"]["test"].as_bool().unwrap_or(false);
    (msg["reason"] == "compiler-artifact"
        && target["name"] == "kizuna"
        && is_bin
        && !is_test_harness)
        .then(|| msg["executable"].as_str().map(PathBuf::from))
        .flatten()
}

/// The server suite with `--features postgres` against a private cluster.
fn run_postgres(toolbox: &Toolbox, args: &TestArgs) -> Result<(Tally, bool)> {
    let bin_dir = toolbox.ensure_postgres()?;
    let cluster = postgres::Cluster::start(&bin_dir)?;
    println!("PostgreSQL running at {}", cluster.url());
    // Same workspace selection as the native phase, so features unify the
    // same way; only the server's `postgres` feature is added.
    let mut cmd = toolbox.cargo(&[
        "test",
        "--workspace",
        "--exclude",
        "kizuna-app",
        "--features",
        "kizuna-server/postgres",
        "--test",
        "api",
        "--no-fail-fast",
    ]);
    cmd.env("KIZUNA_TEST_POSTGRES_URL", cluster.url());
    add_filter(&mut cmd, args);
    let outcome = run_counting(&mut cmd, parse_cargo_test);
    drop(cluster);
    outcome
}

/// Both crates' `wasm_bindgen_test`s in headless Chromium.
fn run_wasm(toolbox: &Toolbox) -> Result<(Tally, bool)> {
    toolbox.ensure_spa_tools()?;
    toolbox.ensure_chromium()?;
    let scratch = target_dir().join("wasm-test-tmp");
    // chromedriver leaves profile folders in TMPDIR: give it one we clean.
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch)?;
    let mut total = (Tally::default(), true);
    for package in ["kizuna-shared", "kizuna-app"] {
        let mut cmd = toolbox.cargo(&[
            "test",
            "-p",
            package,
            "--target",
            "wasm32-unknown-unknown",
            "--no-fail-fast",
        ]);
        cmd.env("CHROMEDRIVER", "/usr/bin/chromedriver")
            .env("TMPDIR", &scratch)
            .env("WASM_BINDGEN_TEST_TIMEOUT", "180");
        let (tally, ok) = run_counting(&mut cmd, parse_cargo_test)?;
        println!(
            "--> wasm ({package}): {} passed, {} failed",
            tally.passed, tally.failed
        );
        total.0 += tally;
        total.1 &= ok;
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(total)
}

/// Playwright against the live server with a fresh demo database.
fn run_e2e(toolbox: &Toolbox, kizuna: &Path, args: &TestArgs) -> Result<(Tally, bool)> {
    toolbox.ensure_chromium()?;
    toolbox.ensure_npm(&root().join("e2e"), "node_modules/.bin/playwright")?;
    let server = live::LiveServer::start(
        kizuna,
        &target_dir().join("e2e-run"),
        600,
        Some(&root().join("dist")),
    )?;
    let e2e = root().join("e2e");
    let mut cmd = Command::new(e2e.join("node_modules/.bin/playwright"));
    cmd.current_dir(&e2e)
        .arg("test")
        .env("KIZUNA_BASE_URL", &server.base_url)
        .env("KIZUNA_DEMO_PASSWORD", &server.password)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
    if let Some(grep) = &args.e2e_grep {
        cmd.arg("--grep").arg(grep);
    }
    let outcome = run_counting(&mut cmd, parse_playwright);
    drop(server);
    outcome
}

/// Runs a command, echoing its output, and counts tests with `parse` over
/// its lines. Returns the tally and whether the command succeeded.
pub fn run_counting(cmd: &mut Command, parse: fn(&str, &mut Tally)) -> Result<(Tally, bool)> {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {cmd:?}"))?;
    let stderr = child.stderr.take().context("no stderr")?;
    let err_thread = std::thread::spawn(move || {
        let mut tally = Tally::default();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            eprintln!("{line}");
            parse(&line, &mut tally);
        }
        tally
    });
    let mut tally = Tally::default();
    let stdout = child.stdout.take().context("no stdout")?;
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        println!("{line}");
        parse(&line, &mut tally);
    }
    let status = child.wait()?;
    if let Ok(t) = err_thread.join() {
        tally += t;
    }
    Ok((tally, status.success()))
}

/// Parses cargo test / wasm-bindgen-test-runner summary lines:
/// `test result: ok. 12 passed; 0 failed; 0 ignored; …`.
fn parse_cargo_test(line: &str, tally: &mut Tally) {
    let Some(rest) = line.trim().strip_prefix("test result: ") else {
        return;
    };
    for part in rest.split(';') {
        let words: Vec<&str> = part.split_whitespace().collect();
        for pair in words.windows(2) {
            let n = pair[0].parse::<u64>().ok();
            match (n, pair[1]) {
                (Some(n), "passed") => tally.passed += n,
                (Some(n), "failed") => tally.failed += n,
                _ => {}
            }
        }
    }
}

/// Parses Playwright's list reporter summary: `  5 passed (12.3s)`,
/// `  1 failed`, `  1 flaky`.
fn parse_playwright(line: &str, tally: &mut Tally) {
    let words: Vec<&str> = line.split_whitespace().collect();
    if words.len() < 2 {
        return;
    }
    let Ok(n) = words[0].parse::<u64>() else {
        return;
    };
    match words[1] {
        "passed" => tally.passed += n,
        "failed" | "flaky" | "interrupted" => tally.failed += n,
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Wrapper {
        #[command(flatten)]
        args: TestArgs,
    }

    fn parse(args: &[&str]) -> TestArgs {
        Wrapper::try_parse_from(std::iter::once("test").chain(args.iter().copied()))
            .unwrap()
            .args
    }

    #[test]
    fn cargo_test_summaries_are_counted() {
        let mut t = Tally::default();
        parse_cargo_test(
            "test result: ok. 12 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.1s",
            &mut t,
        );
        parse_cargo_test("running 12 tests", &mut t);
        assert_eq!((t.passed, t.failed), (12, 1));
    }

    #[test]
    fn playwright_summaries_are_counted() {
        let mut t = Tally::default();
        parse_playwright("  7 passed (21.4s)", &mut t);
        parse_playwright("  2 failed", &mut t);
        parse_playwright("  1 flaky", &mut t);
        parse_playwright("Running 10 tests using 1 worker", &mut t);
        assert_eq!((t.passed, t.failed), (7, 3));
    }

    #[test]
    fn phases_are_chosen_by_only_and_skip() {
        let all = parse(&[]);
        assert!(ALL_PHASES.iter().all(|p| all.wants(*p)));
        let only = parse(&["--only", "native,postgres"]);
        assert!(only.wants(Phase::Native) && only.wants(Phase::Postgres));
        assert!(!only.wants(Phase::E2e) && !only.wants(Phase::Budget));
        let skip_e2e = parse(&["--skip-e2e"]);
        assert!(!skip_e2e.wants(Phase::E2e));
        // Skipping Playwright keeps the budget check.
        assert!(skip_e2e.wants(Phase::Budget));
        assert_eq!(skip_e2e.why_not(Phase::E2e), "skipped by --skip-e2e");
        let skip = parse(&["--skip", "schemathesis", "--skip", "wasm"]);
        assert!(!skip.wants(Phase::Schemathesis) && !skip.wants(Phase::Wasm));
        assert!(skip.wants(Phase::Native));
    }

    #[test]
    fn the_kizuna_binary_is_found_in_cargo_messages() {
        let bin = r#"{"reason":"compiler-artifact","target":{"kind":["bin"],"name":"kizuna"},"executable":"/t/debug/kizuna","fresh":true}"#;
        assert_eq!(
            kizuna_executable(bin),
            Some(PathBuf::from("/t/debug/kizuna"))
        );
        let harness = r#"{"reason":"compiler-artifact","target":{"kind":["bin"],"name":"kizuna"},"profile":{"test":true},"executable":"/t/debug/deps/kizuna-1"}"#;
        assert_eq!(kizuna_executable(harness), None);
        let test = r#"{"reason":"compiler-artifact","target":{"kind":["test"],"name":"api"},"executable":"/t/debug/deps/api-1"}"#;
        assert_eq!(kizuna_executable(test), None);
        let lib = r#"{"reason":"compiler-artifact","target":{"kind":["lib"],"name":"kizuna"},"executable":null}"#;
        assert_eq!(kizuna_executable(lib), None);
        assert_eq!(kizuna_executable("not json"), None);
    }

    #[test]
    fn durations_read_as_minutes() {
        assert_eq!(minutes(Duration::from_secs(125)), "2m 05s");
        assert_eq!(minutes(Duration::from_millis(4_200)), "4.2s");
    }
}
