//! Times `api::scoring_data::decode` on a body saved from
//! `GET /api/v1/scoring-data` (BENCHMARKS.md, "Scoring data over
//! loopback"): `cargo run --release -p kizuna-shared --example
//! decode_scoring_data -- body.bin [runs]`. Prints the accounts and signal
//! columns decoded, then the best and median time of `runs` decodes.

use std::time::Instant;

use kizuna_shared::api::scoring_data::decode;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: decode_scoring_data <file> [runs]")?;
    let runs: usize = args.next().map_or(Ok(20), |r| r.parse())?;
    let bytes = std::fs::read(&path)?;
    let data = decode(&bytes)?;
    println!(
        "{} bytes: {} accounts, {} signal columns, {} lagged columns",
        bytes.len(),
        data.len(),
        data.signals().columns().count(),
        data.signals().lagged_columns().count()
    );
    let mut times: Vec<f64> = (0..runs.max(1))
        .map(|_| {
            let start = Instant::now();
            let decoded = decode(&bytes);
            let elapsed = start.elapsed().as_secs_f64() * 1e3;
            assert!(decoded.is_ok());
            elapsed
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!(
        "decode: best {:.2} ms, median {:.2} ms over {} runs",
        times[0],
        times[times.len() / 2],
        times.len()
    );
    Ok(())
}
