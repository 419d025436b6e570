//! Load driver for the public survey answer endpoint, through real HTTP
//! against a running `kizuna serve` (see BENCHMARKS.md for the set-up).
//!
//! It signs in as a manager, creates an account and an NPS survey, issues
//! `--answers` personal links (500 per request), then `--clients` concurrent
//! clients submit one answer per link as fast as they can
//! (`POST /api/public/surveys/{token}`, scores 0–10, so about 64 % are
//! detractors whose follow-up task is written in the same transaction).
//! It reports the sustained answers per second and the latency
//! percentiles, then proves nothing was lost or doubled: a second
//! submission of a sample of used links must all get 409, and the
//! server's counts of answers, answered links and follow-up tasks must equal
//! the number of 201 answers.
//!
//! ```text
//! cargo run --profile server -p kizuna-server --example survey_load -- \
//!     --url http://127.0.0.1:8080 --email manager@load.kizuna --password '…' \
//!     --answers 30000 --clients 32
//! ```

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context};
use clap::Parser;
use kizuna_shared::api::{IssuedLink, Page, Survey, SurveySummary, Task, CSRF_HEADER};
use rand::Rng;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::json;

#[derive(Debug, Parser)]
struct Args {
    /// The server, e.g. `http://127.0.0.1:8080`.
    #[arg(long)]
    url: String,
    /// A manager's e-mail address.
    #[arg(long)]
    email: String,
    /// Their password.
    #[arg(long)]
    password: String,
    /// Answers to submit (one link each).
    #[arg(long, default_value_t = 30_000)]
    answers: usize,
    /// Concurrent clients.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// Used links submitted a second time to check none is taken twice.
    #[arg(long, default_value_t = 2_000)]
    replays: usize,
}

fn staff_client() -> anyhow::Result<reqwest::Client> {
    let mut headers = HeaderMap::new();
    headers.insert(CSRF_HEADER, HeaderValue::from_static("1"));
    Ok(reqwest::Client::builder()
        .cookie_store(true)
        .default_headers(headers)
        .build()?)
}

async fn ok_json<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
    what: &str,
) -> anyhow::Result<T> {
    let status = response.status();
    if !status.is_success() {
        bail!(
            "{what}: {status} {}",
            response.text().await.unwrap_or_default()
        );
    }
    response.json().await.with_context(|| what.to_owned())
}

/// Latency percentile (`p` in 0–100) of sorted samples.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Submits one answer per token from `tokens` with `clients` concurrent
/// clients; returns the latencies and the count per status.
async fn submit_all(
    base: &str,
    tokens: Arc<Vec<String>>,
    clients: usize,
) -> anyhow::Result<(
    Vec<Duration>,
    std::collections::BTreeMap<u16, usize>,
    Duration,
)> {
    let next = Arc::new(AtomicUsize::new(0));
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(tokens.len())));
    let statuses = Arc::new(Mutex::new(std::collections::BTreeMap::<u16, usize>::new()));
    // One connection per client: each keeps its own keep-alive connection.
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (base, tokens, next) = (base.to_owned(), tokens.clone(), next.clone());
        let (latencies, statuses) = (latencies.clone(), statuses.clone());
        let mut headers = HeaderMap::new();
        headers.insert(CSRF_HEADER, HeaderValue::from_static("1"));
        let client = reqwest::Client::builder()
            .default_headers(headers)
            .pool_max_idle_per_host(1)
            .build()?;
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            let mut counts = std::collections::BTreeMap::<u16, usize>::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(token) = tokens.get(i) else { break };
                let score: u8 = rand::rng().random_range(0..=10);
                let body = if i % 3 == 0 {
                    json!({ "score": score, "comment": "負荷試験のコメント / load test comment" })
                } else {
                    json!({ "score": score })
                };
                let sent = Instant::now();
                let status = match client
                    .post(format!("{base}/api/public/surveys/{token}"))
                    .json(&body)
                    .send()
                    .await
                {
                    Ok(r) => {
                        let status = r.status().as_u16();
                        let _ = r.bytes().await;
                        status
                    }
                    Err(_) => 0,
                };
                mine.push(sent.elapsed());
                *counts.entry(status).or_default() += 1;
            }
            latencies
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend(mine);
            let mut all = statuses.lock().unwrap_or_else(|e| e.into_inner());
            for (s, n) in counts {
                *all.entry(s).or_default() += n;
            }
        }));
    }
    for task in tasks {
        task.await?;
    }
    let elapsed = started.elapsed();
    let mut latencies = std::mem::take(&mut *latencies.lock().unwrap_or_else(|e| e.into_inner()));
    latencies.sort_unstable();
    let statuses = std::mem::take(&mut *statuses.lock().unwrap_or_else(|e| e.into_inner()));
    Ok((latencies, statuses, elapsed))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let base = args.url.trim_end_matches('/').to_owned();
    let staff = staff_client()?;
    ok_json::<serde_json::Value>(
        staff
            .post(format!("{base}/api/v1/session"))
            .json(&json!({ "email": args.email, "password": args.password }))
            .send()
            .await?,
        "signing in",
    )
    .await?;
    let me: serde_json::Value = ok_json(
        staff.get(format!("{base}/api/v1/session")).send().await?,
        "session",
    )
    .await?;
    let run = rand::rng().random_range(0..u32::MAX);
    let account: serde_json::Value = ok_json(
        staff
            .post(format!("{base}/api/v1/accounts"))
            .json(
                &json!({ "name": format!("Load test {run}"), "mrr_minor": 100_000,
                           "currency": "JPY", "status": "active", "owner_id": me["id"] }),
            )
            .send()
            .await?,
        "creating the account",
    )
    .await?;
    let account_id = account["id"].as_i64().context("account id")?;
    let survey: Survey = ok_json(
        staff
            .post(format!("{base}/api/v1/surveys"))
            .json(&json!({ "kind": "nps", "name": format!("Load test {run}"),
                           "question": { "en": "How likely…?", "ja": "すすめる可能性は？" } }))
            .send()
            .await?,
        "creating the survey",
    )
    .await?;

    let issuing = Instant::now();
    let mut tokens = Vec::with_capacity(args.answers);
    while tokens.len() < args.answers {
        let n = (args.answers - tokens.len()).min(500);
        let targets: Vec<_> = (0..n)
            .map(|_| json!({ "account_id": account_id }))
            .collect();
        let links: Vec<IssuedLink> = ok_json(
            staff
                .post(format!("{base}/api/v1/surveys/{}/links", survey.id))
                .json(&json!({ "targets": targets, "expires_in_days": 1 }))
                .send()
                .await?,
            "issuing links",
        )
        .await?;
        tokens.extend(
            links
                .into_iter()
                .map(|l| l.path.trim_start_matches("/s/").to_owned()),
        );
    }
    println!(
        "issued {} links in {:.1} s",
        tokens.len(),
        issuing.elapsed().as_secs_f64()
    );

    let tokens = Arc::new(tokens);
    let (latencies, statuses, elapsed) = submit_all(&base, tokens.clone(), args.clients).await?;
    let created = statuses.get(&201).copied().unwrap_or(0);
    println!(
        "{} answers from {} clients in {:.2} s: {:.0} answers/s; statuses {statuses:?}",
        latencies.len(),
        args.clients,
        elapsed.as_secs_f64(),
        created as f64 / elapsed.as_secs_f64()
    );
    println!(
        "latency p50 {} · p90 {} · p99 {} · p99.9 {} · max {}",
        ms(percentile(&latencies, 50.0)),
        ms(percentile(&latencies, 90.0)),
        ms(percentile(&latencies, 99.0)),
        ms(percentile(&latencies, 99.9)),
        ms(percentile(&latencies, 100.0)),
    );

    // Replays: used links must all be refused.
    let sample: Vec<String> = tokens.iter().take(args.replays).cloned().collect();
    let (_, replayed, _) = submit_all(&base, Arc::new(sample), args.clients).await?;
    println!(
        "replayed {} used links: statuses {replayed:?}",
        args.replays.min(tokens.len())
    );

    // The server's own counts.
    let survey_now: Survey = ok_json(
        staff
            .get(format!("{base}/api/v1/surveys/{}", survey.id))
            .send()
            .await?,
        "reading the survey",
    )
    .await?;
    let summary: SurveySummary = ok_json(
        staff
            .get(format!("{base}/api/v1/surveys/{}/summary", survey.id))
            .send()
            .await?,
        "reading the summary",
    )
    .await?;
    let answered: Page<serde_json::Value> = ok_json(
        staff
            .get(format!(
                "{base}/api/v1/surveys/{}/links?status=answered&per_page=1",
                survey.id
            ))
            .send()
            .await?,
        "reading the links",
    )
    .await?;
    let tasks: Page<Task> = ok_json(
        staff
            .get(format!(
                "{base}/api/v1/tasks?account={account_id}&per_page=1"
            ))
            .send()
            .await?,
        "reading the tasks",
    )
    .await?;
    println!(
        "server: {} answers, {} answered links, {} follow-up tasks (detractors {}), NPS {:?}",
        survey_now.responses,
        answered.total,
        tasks.total,
        summary.overall.negative,
        summary.overall.score
    );
    ensure!(
        survey_now.responses == created as u64,
        "answers stored {} ≠ 201 answers {created}",
        survey_now.responses
    );
    ensure!(
        answered.total == created as u64,
        "answered links ≠ 201 answers"
    );
    ensure!(
        tasks.total == summary.overall.negative,
        "one task per detractor"
    );
    ensure!(
        replayed.get(&409).copied().unwrap_or(0) == args.replays.min(tokens.len()),
        "every replay of a used link must get 409"
    );
    ensure!(created == tokens.len(), "every link was answered once");
    println!("checked: none lost, none doubled");
    Ok(())
}
