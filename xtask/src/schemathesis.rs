//! The contract check: schemathesis (pinned, from PyPI, in a private virtual
//! environment under `target/`) against the live server's
//! `/api/openapi.json`, signed in as the demo admin, with every check and
//! every phase including the stateful one. Any operation the document lists
//! is covered, so routes added later are tested without touching this file;
//! the few left out (they would sign the run itself out) are listed with the
//! reason in `xtask/schemathesis.toml`.

use anyhow::{bail, Context, Result};
use std::path::Path;
use std::process::Command;

use crate::live::{request, LiveServer};
use crate::suite::{run_counting, Tally};
use crate::tools::Toolbox;
use crate::{root, target_dir};

/// The schemathesis release this project is checked with.
const VERSION: &str = "4.32.5";

/// Test cases per operation and phase; about 4,000 cases in all with the
/// routes of early 2026.
pub const DEFAULT_EXAMPLES: u32 = 60;

/// A fixed seed, so a green run stays green and a failure reproduces;
/// `KIZUNA_SCHEMATHESIS_SEED` picks another.
const DEFAULT_SEED: &str = "20260301";

/// The demo admin signs the run in (every route is open to admins).
const ADMIN: &str = "admin@demo.kizuna";

/// Starts a server with a fresh demo database, signs in and runs
/// schemathesis; returns its counts of passed and failed test cases.
pub fn run(toolbox: &Toolbox, kizuna: &Path, examples: u32) -> Result<(Tally, bool)> {
    let bin =
        toolbox.ensure_python_tool(&target_dir().join("schemathesis"), "schemathesis", VERSION)?;
    let work = target_dir().join("schemathesis-run");
    let server = LiveServer::start(kizuna, &work, 200, None)?;
    let body = serde_json::json!({ "email": ADMIN, "password": server.password }).to_string();
    let login = request(
        server.port,
        "POST",
        "/api/v1/session",
        &[("Content-Type", "application/json"), ("x-kizuna-csrf", "1")],
        Some(&body),
    )?;
    let cookie = login.cookies();
    if login.status != 200 || cookie.is_empty() {
        bail!(
            "signing in as {ADMIN} answered {} without a session cookie",
            login.status
        );
    }
    let seed = std::env::var("KIZUNA_SCHEMATHESIS_SEED").unwrap_or_else(|_| DEFAULT_SEED.into());
    let mut cmd = Command::new(bin.join("schemathesis"));
    cmd.current_dir(&work)
        .arg("--config-file")
        .arg(root().join("xtask/schemathesis.toml"))
        .arg("run")
        .arg(format!("{}/api/openapi.json", server.base_url))
        .args(["--checks", "all"])
        .args(["--phases", "examples,coverage,fuzzing,stateful"])
        .args(["--max-examples", &examples.to_string()])
        .args(["--seed", &seed])
        // One worker: with two, hypothesis describes filter lambdas with
        // `ast.parse` from two threads at once and CPython 3.11 fails with
        // "AST constructor recursion depth mismatch" (a run error, not ours).
        .args(["--workers", "1"])
        .args(["--header", &format!("Cookie: {cookie}")])
        .args(["--header", "x-kizuna-csrf: 1"])
        .args(["--report", "junit"])
        .arg("--report-junit-path")
        .arg(work.join("junit.xml"))
        .env("NO_COLOR", "1")
        .env("SCHEMATHESIS_HOOKS", "")
        .env_remove("PYTHONPATH");
    let outcome = run_counting(&mut cmd, parse_summary).context("running schemathesis")?;
    drop(server);
    Ok(outcome)
}

/// Counts test cases from schemathesis' summary line. It reads
/// `  3906 generated, 3906 passed` when nothing failed, and otherwise
/// `  812 generated, 3 found 2 unique failures, 1 errored, 4 skipped`
/// (passed cases are then not printed: they are the generated ones that
/// neither failed, errored nor went unchecked). Errors count as failures.
fn parse_summary(line: &str, tally: &mut Tally) {
    let line = line.trim();
    let Some((generated, rest)) = line.split_once(" generated") else {
        return;
    };
    let Ok(generated) = generated.trim().parse::<u64>() else {
        return;
    };
    let (mut passed, mut failed, mut unchecked) = (None, 0, 0);
    for part in rest.split(',') {
        let words: Vec<&str> = part.split_whitespace().collect();
        let n = words
            .first()
            .and_then(|w| w.parse::<u64>().ok())
            .unwrap_or(0);
        match words.get(1).copied() {
            Some("passed") => passed = Some(n),
            Some("found") | Some("errored") => failed += n,
            Some("skipped") => unchecked += n,
            _ => {}
        }
    }
    tally.passed += passed.unwrap_or_else(|| generated.saturating_sub(failed + unchecked));
    tally.failed += failed;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_are_counted() {
        let mut t = Tally::default();
        parse_summary("  3906 generated, 3906 passed", &mut t);
        assert_eq!((t.passed, t.failed), (3906, 0));
        let mut t = Tally::default();
        parse_summary(
            "  812 generated, 3 found 2 unique failures, 809 passed, 1 skipped",
            &mut t,
        );
        assert_eq!((t.passed, t.failed), (809, 3));
        let mut t = Tally::default();
        parse_summary("Operations: 24 generated", &mut t);
        parse_summary("nothing here", &mut t);
        assert_eq!((t.passed, t.failed), (0, 0));
    }
}
