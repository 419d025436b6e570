//! A small load driver for the KPI API (what BENCHMARKS.md reports): signs
//! in, then keeps `--clients` concurrent clients requesting the given paths
//! in turn for `--seconds`, and prints the latency percentiles.
//!
//! ```sh
//! cargo run --release -p kizuna-server --example kpi_load -- \
//!     --base http://127.0.0.1:8095 --email exec@demo.kizuna --password … \
//!     --clients 16 --seconds 30 /api/v1/kpis '/api/v1/kpis/series?period=month&from=2024-01&to=2025-12'
//! ```
//!
//! With `--distinct`, every request of the timed run asks a query no
//! request asked before (period kind × end month × tier × plan × segment),
//! so the server computes each one from its fact set: the uncached figure.
//!
//! Only for servers on this machine (loopback); the run is bounded in time.
//! Written instead of installing oha (about 5.5 min of compiling on two
//! shared cores) with the HTTP client the test suite already builds.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

#[derive(Debug)]
struct Args {
    base: String,
    email: String,
    password: String,
    clients: usize,
    seconds: u64,
    distinct: bool,
    paths: Vec<String>,
}

fn args() -> Args {
    let mut a = Args {
        base: "http://127.0.0.1:8080".into(),
        email: "exec@demo.kizuna".into(),
        password: std::env::var("KIZUNA_DEMO_PASSWORD").unwrap_or_default(),
        clients: 16,
        seconds: 30,
        distinct: false,
        paths: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().unwrap_or_default();
        match arg.as_str() {
            "--base" => a.base = value(),
            "--email" => a.email = value(),
            "--password" => a.password = value(),
            "--clients" => a.clients = value().parse().unwrap_or(16),
            "--seconds" => a.seconds = value().parse().unwrap_or(30).min(600),
            "--distinct" => a.distinct = true,
            _ => a.paths.push(arg),
        }
    }
    if a.paths.is_empty() {
        a.paths.push("/api/v1/kpis".into());
    }
    assert!(
        a.base.starts_with("http://127.") || a.base.starts_with("http://localhost"),
        "load tests only target this machine"
    );
    a
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let a = args();
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .pool_max_idle_per_host(a.clients)
        .build()
        .expect("client");
    let login = client
        .post(format!("{}/api/v1/session", a.base))
        .header("x-kizuna-csrf", "1")
        .json(&json!({ "email": a.email, "password": a.password }))
        .send()
        .await
        .expect("sign in");
    assert!(login.status().is_success(), "sign in: {}", login.status());
    let urls: Arc<Vec<String>> =
        Arc::new(a.paths.iter().map(|p| format!("{}{p}", a.base)).collect());

    // One request per path first: the cold (uncached) times.
    for url in urls.iter() {
        let t = Instant::now();
        let r = client.get(url).send().await.expect("request");
        let status = r.status();
        let body = r.bytes().await.map(|b| b.len()).unwrap_or(0);
        println!(
            "first  {:>8.1} ms  {status}  {body} B  {url}",
            t.elapsed().as_secs_f64() * 1e3
        );
    }

    let queries = if a.distinct {
        Some(Arc::new(distinct_queries(&client, &a.base).await))
    } else {
        None
    };
    let counter = Arc::new(std::sync::atomic::AtomicUsize::new(0));

    let deadline = Instant::now() + Duration::from_secs(a.seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..a.clients {
        let client = client.clone();
        let urls = urls.clone();
        let queries = queries.clone();
        let counter = counter.clone();
        let base = a.base.clone();
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut errors = 0_u64;
            let mut i = c;
            while Instant::now() < deadline {
                let url = match &queries {
                    Some(q) => {
                        let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        // Every combination asked once: the run ends early
                        // (the summary gives the real duration).
                        let Some(query) = q.get(n) else { break };
                        format!("{base}/api/v1/kpis?{query}")
                    }
                    None => urls[i % urls.len()].clone(),
                };
                i += 1;
                let t = Instant::now();
                match client.get(&url).send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        times.push(t.elapsed());
                    }
                    _ => errors += 1,
                }
            }
            (times, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (times, e) = t.await.expect("task");
        all.extend(times);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{} clients, {:.0} s: {} requests ({:.0}/s), {errors} errors; p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        a.clients,
        elapsed,
        all.len(),
        all.len() as f64 / elapsed,
        ms(percentile(&all, 50.0)),
        ms(percentile(&all, 90.0)),
        ms(percentile(&all, 99.0)),
        ms(all.last().copied().unwrap_or_default()),
    );
}

/// Query strings no request has asked yet: every period kind × 24 end
/// months × tier (or none) × plan (or none) × segment (or none).
async fn distinct_queries(client: &reqwest::Client, base: &str) -> Vec<String> {
    let series: serde_json::Value = client
        .get(format!("{base}/api/v1/kpis/series"))
        .send()
        .await
        .expect("series")
        .json()
        .await
        .expect("series json");
    let names = |key: &str| -> Vec<Option<String>> {
        let mut v: Vec<Option<String>> = series[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(|s| Some(s.to_owned())))
                    .collect()
            })
            .unwrap_or_default();
        v.push(None);
        v
    };
    let (segments, plans) = (names("segments"), names("plans"));
    let last = series["periods"]
        .as_array()
        .and_then(|p| p.last())
        .and_then(|p| p["period"]["last_month"].as_str())
        .unwrap_or("2025-12")
        .to_owned();
    let (year, month): (i64, i64) = (
        last[..4].parse().expect("year"),
        last[5..7].parse().expect("month"),
    );
    let mut out = Vec::new();
    let encode = |s: &str| -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    for back in 0..24 {
        let index = year * 12 + month - 1 - back;
        let to = format!("{:04}-{:02}", index / 12, index % 12 + 1);
        for period in ["month", "quarter", "year"] {
            for tier in [None, Some("high"), Some("low"), Some("tech")] {
                for plan in &plans {
                    for segment in &segments {
                        let mut q = format!("period={period}&to={to}");
                        if let Some(t) = tier {
                            q.push_str(&format!("&tier={t}"));
                        }
                        if let Some(p) = plan {
                            q.push_str(&format!("&plan={}", encode(p)));
                        }
                        if let Some(s) = segment {
                            q.push_str(&format!("&segment={}", encode(s)));
                        }
                        out.push(q);
                    }
                }
            }
        }
    }
    // Spread the kinds over the run rather than all months first.
    let n = out.len();
    (0..n).map(|i| out[(i * 7919) % n].clone()).collect()
}
