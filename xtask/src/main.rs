//! `cargo xtask …`: the project's two entry points, which install whatever a
//! fresh machine lacks before doing their job.
//!
//! - `cargo xtask run`: builds the SPA and the server, prepares the SQLite
//!   database with demo data the first time, and serves the app.
//! - `cargo xtask test`: every test suite (native, wasm in headless Chromium,
//!   Playwright against the real server), the wasm size budget, and one
//!   summary line `N passed, N failed`.

mod tools;

use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};
use tools::Toolbox;

/// Raw and brotli budgets of the release wasm, in bytes. Raised from
/// 900 / 300 KB when the customer-data pages (account form, import wizard,
/// duplicates, MRR chart) took the bundle to 1,391 / 408 KB; see
/// BENCHMARKS.md. The next step down is lazily loaded routes.
const WASM_RAW_BUDGET: u64 = 1_500 * 1024;
const WASM_BROTLI_BUDGET: u64 = 450 * 1024;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("test") => test(&args[1..]),
        Some("build-spa") => Toolbox::prepare(false)
            .and_then(|t| build_spa(&t))
            .and_then(|wasm| check_wasm_budget(&wasm))
            .map(|()| ExitCode::SUCCESS),
        _ => {
            eprintln!(
                "usage: cargo xtask <command>\n\n  run   [--bind ADDR] [--database-url URL]   build and serve the app with demo data\n  test  [--skip-e2e]                          install what is missing and run every test\n  build-spa                                  build the SPA (release) into dist/"
            );
            return ExitCode::from(2);
        }
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
fn run(args: &[String]) -> Result<ExitCode> {
    let toolbox = Toolbox::prepare(false)?;
    build_spa(&toolbox)?;
    step("Building the server (profile `server`)");
    toolbox
        .cargo(&["build", "-p", "kizuna-server", "--profile", "server"])
        .status_ok()?;
    let kizuna = target_dir().join("server/kizuna");
    // `--bind` goes to `serve`; `--database-url` to both `demo` and `serve`.
    // Without them the server reads KIZUNA_BIND / KIZUNA_DATABASE_URL.
    let mut passthrough: Vec<String> = Vec::new();
    let mut db_args: Vec<String> = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let (name, value) = match arg.split_once('=') {
            Some((name, value)) => (name.to_owned(), value.to_owned()),
            None => {
                let value = iter
                    .next()
                    .with_context(|| format!("{arg} needs a value"))?;
                (arg.clone(), value.clone())
            }
        };
        match name.as_str() {
            "--bind" => passthrough.extend([name, value]),
            "--database-url" => {
                db_args.extend([name.clone(), value.clone()]);
                passthrough.extend([name, value]);
            }
            other => bail!("unknown option {other} (expected --bind or --database-url)"),
        }
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
        .args(&passthrough)
        .status_ok()?;
    Ok(ExitCode::SUCCESS)
}

/// Counts of one or all suites.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    passed: u64,
    failed: u64,
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, rhs: Self) {
        self.passed += rhs.passed;
        self.failed += rhs.failed;
    }
}

/// `cargo xtask test`.
fn test(args: &[String]) -> Result<ExitCode> {
    let skip_e2e = args.iter().any(|a| a == "--skip-e2e");
    let started = Instant::now();
    let toolbox = Toolbox::prepare(true)?;
    let mut total = Tally::default();
    let mut problems: Vec<String> = Vec::new();

    step("Native unit and integration tests");
    let native = run_counting(
        &mut toolbox.cargo(&[
            "test",
            "--workspace",
            "--exclude",
            "kizuna-app",
            "--no-fail-fast",
        ]),
        parse_cargo_test,
    )?;
    record("native", native, &mut total, &mut problems);

    step("wasm tests in headless Chromium (wasm-bindgen-test)");
    let scratch = target_dir().join("wasm-test-tmp");
    // chromedriver leaves profile folders in TMPDIR: give it one we clean.
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch)?;
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
        let wasm = run_counting(&mut cmd, parse_cargo_test)?;
        record(
            &format!("wasm ({package})"),
            wasm,
            &mut total,
            &mut problems,
        );
    }
    let _ = std::fs::remove_dir_all(&scratch);

    if skip_e2e {
        println!("(end-to-end suite skipped by --skip-e2e)");
    } else {
        let wasm = build_spa(&toolbox)?;
        match check_wasm_budget(&wasm) {
            Ok(()) => total.passed += 1,
            Err(err) => {
                total.failed += 1;
                problems.push(format!("wasm size budget: {err:#}"));
            }
        }
        step("End-to-end tests (Playwright, headless Chromium, real server)");
        let e2e = run_e2e(&toolbox)?;
        record("end-to-end", e2e, &mut total, &mut problems);
    }

    println!("\n==> Summary ({:.0?})", started.elapsed());
    for problem in &problems {
        println!("  FAILED: {problem}");
    }
    println!("{} passed, {} failed", total.passed, total.failed);
    Ok(if total.failed == 0 && problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn record(name: &str, outcome: (Tally, bool), total: &mut Tally, problems: &mut Vec<String>) {
    let (tally, success) = outcome;
    println!(
        "--> {name}: {} passed, {} failed",
        tally.passed, tally.failed
    );
    *total += tally;
    if !success {
        if tally.failed == 0 {
            // A suite that failed without a failing test (a build error, a
            // crash) still fails the run.
            total.failed += 1;
        }
        problems.push(format!("{name} suite"));
    }
}

/// Runs a command, echoing its output, and counts tests with `parse` over
/// its lines. Returns the tally and whether the command succeeded.
fn run_counting(cmd: &mut Command, parse: fn(&str, &mut Tally)) -> Result<(Tally, bool)> {
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

/// Fails when the release wasm exceeds its raw or brotli budget.
fn check_wasm_budget(wasm: &Path) -> Result<()> {
    let bytes = std::fs::read(wasm)?;
    let raw = bytes.len() as u64;
    let mut compressed = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut compressed, 64 * 1024, 11, 22);
        writer.write_all(&bytes)?;
    }
    let brotli_size = compressed.len() as u64;
    println!(
        "wasm size: {} raw ({:.0} KB, budget {} KB), {} brotli ({:.0} KB, budget {} KB)",
        raw,
        raw as f64 / 1024.0,
        WASM_RAW_BUDGET / 1024,
        brotli_size,
        brotli_size as f64 / 1024.0,
        WASM_BROTLI_BUDGET / 1024
    );
    if raw > WASM_RAW_BUDGET || brotli_size > WASM_BROTLI_BUDGET {
        bail!("the release wasm is over budget");
    }
    Ok(())
}

/// Starts the real server on a free port with a fresh database and demo
/// data, runs Playwright against it and stops it.
fn run_e2e(toolbox: &Toolbox) -> Result<(Tally, bool)> {
    // The native test step has built this binary already (cargo builds a
    // package's binaries for its integration tests, with the same features);
    // a separate `cargo build -p kizuna-server` would resolve features
    // differently and rebuild half the dependency tree.
    let kizuna = target_dir().join("debug/kizuna");
    if !kizuna.exists() {
        step("Building the server for the end-to-end run");
        toolbox
            .cargo(&["build", "-p", "kizuna-server"])
            .status_ok()?;
    }
    let work = target_dir().join("e2e-run");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let db = work.join("kizuna.db");
    let password = tools::random_password();
    let port = free_port()?;
    let base_url = format!("http://127.0.0.1:{port}");

    Command::new(&kizuna)
        .args(["demo", "--accounts", "600", "--seed", "7", "--database-url"])
        .arg(&db)
        .env("KIZUNA_DEMO_PASSWORD", &password)
        .stdout(Stdio::null())
        .status_ok()?;
    let log = std::fs::File::create(work.join("server.log"))?;
    let server = Command::new(&kizuna)
        .arg("serve")
        .arg("--bind")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--database-url")
        .arg(&db)
        .arg("--dist-dir")
        .arg(root().join("dist"))
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .context("starting the server")?;
    let mut server = KillOnDrop(server);
    wait_for_health(port, &mut server.0)?;

    let e2e = root().join("e2e");
    let mut cmd = Command::new(e2e.join("node_modules/.bin/playwright"));
    cmd.current_dir(&e2e)
        .arg("test")
        .env("KIZUNA_BASE_URL", &base_url)
        .env("KIZUNA_DEMO_PASSWORD", &password)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
    let outcome = run_counting(&mut cmd, parse_playwright);
    drop(server);
    outcome
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

fn wait_for_health(port: u16, server: &mut Child) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Some(status) = server.try_wait()? {
            bail!("the server exited early ({status}); see target/e2e-run/server.log");
        }
        if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) {
            let request = format!(
                "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
            );
            if stream.write_all(request.as_bytes()).is_ok() {
                let mut answer = String::new();
                let _ = stream.read_to_string(&mut answer);
                if answer.starts_with("HTTP/1.1 200") {
                    return Ok(());
                }
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    bail!("the server did not answer /api/health within 60 s")
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
}
