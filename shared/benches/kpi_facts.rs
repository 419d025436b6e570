//! Criterion benchmarks of the columnar KPI fact set at the size of the
//! issue-12 target (100,000 accounts × 24 months, 1–3 product lines each):
//! one `/api/v1/kpis` answer computes the revenue KPIs of two periods (the
//! chosen one and the previous one) and counts the accounts behind them.
//! Run with `cargo bench -p kizuna-shared --bench kpi_facts`.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use criterion::{criterion_group, Criterion};
    use kizuna_shared::domain::{Currency, Tier};
    use kizuna_shared::metrics::kpi::{AccountAttrs, FactFilter, KpiFacts, KpiFactsBuilder};
    use kizuna_shared::metrics::{Month, Period};
    use std::hint::black_box;

    const ACCOUNTS: i64 = 100_000;
    const MONTHS: i64 = 24;

    /// A small deterministic generator (xorshift64*), so the data set is
    /// the same on every run without a `rand` dependency.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    pub fn facts() -> KpiFacts {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let first = Month::new(2024, 1).expect("month");
        let products = ["core", "analytics", "support", "api"];
        let segments = [
            "IT",
            "製造",
            "小売",
            "金融",
            "医療",
            "教育",
            "物流",
            "不動産",
        ];
        let plans = ["Starter", "Growth", "Enterprise"];
        let tiers = [Tier::High, Tier::Low, Tier::Tech];
        let mut b = KpiFactsBuilder::with_capacity(3_000_000);
        for account in 1..=ACCOUNTS {
            b.account(
                account,
                AccountAttrs {
                    segment: Some(segments[rng.below(8) as usize].to_owned()),
                    tier: Some(tiers[rng.below(3) as usize]),
                    owner: Some(1 + rng.below(60) as i64),
                    plan: Some(plans[rng.below(3) as usize].to_owned()),
                    ..AccountAttrs::default()
                },
            );
            let currency = if rng.below(20) == 0 {
                Currency::Usd
            } else {
                Currency::Jpy
            };
            let start = rng.below(MONTHS as u64) as i64;
            let end = (start + 1 + rng.below(MONTHS as u64) as i64).min(MONTHS);
            let lines = 1 + rng.below(3) as usize;
            for product in products.iter().take(lines) {
                let mut amount = 10_000 + rng.below(200_000) as i64;
                for m in start..end {
                    if rng.below(10) == 0 {
                        amount = (amount + rng.below(40_000) as i64 - 20_000).max(0);
                    }
                    let month = first.plus(m).expect("month");
                    b.row(account, currency, product, month, amount);
                }
            }
        }
        b.build().expect("fits")
    }

    fn benches(c: &mut Criterion) {
        let facts = facts();
        let last = Month::new(2025, 12).expect("month");
        let current = Period::quarter_of(last);
        let previous = Period::quarter_of(last.plus(-3).expect("month"));
        let all = FactFilter::default();
        let segment = FactFilter {
            segment: Some("製造".into()),
            ..FactFilter::default()
        };
        let narrow = FactFilter {
            segment: Some("IT".into()),
            tier: Some(Tier::High),
            plan: Some("Growth".into()),
            ..FactFilter::default()
        };
        let mut g = c.benchmark_group("kpis 100k x 24");
        for (name, filter) in [
            ("all", &all),
            ("segment", &segment),
            ("segment+tier+plan", &narrow),
        ] {
            g.bench_function(format!("two quarters + count, {name}"), |b| {
                b.iter(|| {
                    black_box(facts.revenue(filter, current, 0.8).expect("fits"));
                    black_box(facts.revenue(filter, previous, 0.8).expect("fits"));
                    black_box(facts.matching_accounts(filter))
                })
            });
        }
        g.bench_function("count only, segment", |b| {
            b.iter(|| black_box(facts.matching_accounts(black_box(&segment))))
        });
        g.finish();
    }

    criterion_group!(kpi_facts, benches);
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(native::kpi_facts);
