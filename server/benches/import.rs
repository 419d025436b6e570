//! The CSV import at 100,000 rows: preview (dry run) and apply into a fresh
//! SQLite file, for an accounts file and a monthly MRR file.
//!
//! Run: `cargo bench -p kizuna-server --bench import --profile server`
//! (the optimised profile the shipped binary uses). Figures go to
//! BENCHMARKS.md.

use std::collections::BTreeMap;
use std::fmt::Write;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use kizuna_server::auth::password;
use kizuna_server::db::{self, users::NewUser, DbPool};
use kizuna_server::import::{self, Options};
use kizuna_shared::api::ImportKind;
use kizuna_shared::domain::Role;

const ROWS: usize = 100_000;

fn accounts_file() -> Vec<u8> {
    let mut text = String::from(
        "external_id,name,domain,industry,plan,mrr,currency,contract_start,renewal_date,owner_email,status,churn_date,well_known,expansion_potential,champion_name\n",
    );
    for i in 0..ROWS {
        let (currency, mrr) = if i % 5 < 3 {
            ("JPY", format!("\"￥{},000\"", 30 + i % 900))
        } else {
            ("USD", format!("{}.{:02}", 100 + i % 5000, i % 100))
        };
        let (status, churn) = if i % 9 == 0 {
            ("churned", "2025/9/30")
        } else {
            ("active", "")
        };
        let _ = writeln!(
            text,
            "CRM-{i:07},株式会社テスト{i},test{i}.co.jp,SaaS,Growth,{mrr},{currency},2024/{}/1,2026-{:02}-01,csm{}@bench.kizuna,{status},{churn},{},upsell,佐藤 {i}",
            1 + i % 12,
            1 + i % 12,
            i % 8,
            if i % 10 == 0 { "はい" } else { "" },
        );
    }
    text.into_bytes()
}

fn mrr_file() -> Vec<u8> {
    // 4,167 accounts × 24 months = 100,008 rows.
    let mut text = String::from("external_id,month,product,mrr,currency\n");
    let accounts = ROWS / 24 + 1;
    for a in 0..accounts {
        let (currency, amount) = if a % 5 < 3 {
            ("JPY", "\"120,000\"")
        } else {
            ("USD", "99.50")
        };
        for m in 0..24 {
            let _ = writeln!(
                text,
                "CRM-{a:07},{}/{},core,{amount},{currency}",
                2024 + m / 12,
                1 + m % 12
            );
        }
    }
    text.into_bytes()
}

/// A fresh database with eight CSMs (and, for MRR, the accounts).
fn fresh_db(dir: &tempfile::TempDir, accounts: Option<&[u8]>) -> DbPool {
    let path = dir
        .path()
        .join(format!("{}.db", rand_name()))
        .to_string_lossy()
        .into_owned();
    let pool = db::connect(&path).unwrap();
    db::migrate(&pool).unwrap();
    let mut conn = pool.get().unwrap();
    let hash = password::hash("benchmark password").unwrap();
    for i in 0..8 {
        db::users::insert(
            &mut conn,
            &NewUser {
                email: kizuna_shared::api::Email::parse(&format!("csm{i}@bench.kizuna")).unwrap(),
                name: format!("CSM {i}"),
                role: Role::Csm,
                password_hash: hash.clone(),
            },
        )
        .unwrap();
    }
    if let Some(file) = accounts {
        import::run(
            &mut conn,
            file,
            &options(ImportKind::Accounts, false),
            &|_, _, _| {},
        )
        .unwrap();
    }
    drop(conn);
    pool
}

fn rand_name() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    format!("bench-{}", N.fetch_add(1, Ordering::Relaxed))
}

fn options(kind: ImportKind, dry_run: bool) -> Options {
    Options {
        kind,
        dry_run,
        file_name: Some("bench.csv".into()),
        mapping: BTreeMap::new(),
        user: kizuna_shared::domain::Principal::new(1, kizuna_shared::domain::Role::Manager),
        client_addr: None,
        currency: None,
        date: None,
    }
}

fn bench_import(c: &mut Criterion) {
    let accounts = accounts_file();
    let mrr = mrr_file();
    let dir = tempfile::tempdir().unwrap();
    let mut group = c.benchmark_group("import_100k");
    group.sample_size(10);

    let pool = fresh_db(&dir, None);
    group.bench_function("accounts_preview", |b| {
        b.iter(|| {
            let mut conn = pool.get().unwrap();
            let r = import::run(
                &mut conn,
                &accounts,
                &options(ImportKind::Accounts, true),
                &|_, _, _| {},
            )
            .unwrap();
            assert_eq!(
                (r.created, r.error_count),
                (ROWS as u64, 0),
                "{:?}",
                r.errors.first()
            );
        })
    });
    group.bench_function("accounts_apply_new", |b| {
        b.iter_batched(
            || fresh_db(&dir, None),
            |pool| {
                let mut conn = pool.get().unwrap();
                let r = import::run(
                    &mut conn,
                    &accounts,
                    &options(ImportKind::Accounts, false),
                    &|_, _, _| {},
                )
                .unwrap();
                assert!(r.applied);
                // Closing the pool checkpoints the WAL: outside the timing.
                drop(conn);
                pool
            },
            BatchSize::PerIteration,
        )
    });
    let loaded = fresh_db(&dir, Some(&accounts));
    group.bench_function("accounts_reimport_unchanged", |b| {
        b.iter(|| {
            let mut conn = loaded.get().unwrap();
            let r = import::run(
                &mut conn,
                &accounts,
                &options(ImportKind::Accounts, false),
                &|_, _, _| {},
            )
            .unwrap();
            assert_eq!(r.unchanged, ROWS as u64);
        })
    });
    // Every account changes plan: 100,000 updates.
    let changed = String::from_utf8(accounts.clone())
        .unwrap()
        .replace(",SaaS,Growth,", ",SaaS,Enterprise,")
        .into_bytes();
    group.bench_function("accounts_apply_all_updated", |b| {
        b.iter_batched(
            || fresh_db(&dir, Some(&accounts)),
            |pool| {
                let mut conn = pool.get().unwrap();
                let r = import::run(
                    &mut conn,
                    &changed,
                    &options(ImportKind::Accounts, false),
                    &|_, _, _| {},
                )
                .unwrap();
                assert_eq!(r.updated, ROWS as u64);
                drop(conn);
                pool
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("mrr_apply_new", |b| {
        b.iter_batched(
            || fresh_db(&dir, Some(&accounts)),
            |pool| {
                let mut conn = pool.get().unwrap();
                let r = import::run(
                    &mut conn,
                    &mrr,
                    &options(ImportKind::Mrr, false),
                    &|_, _, _| {},
                )
                .unwrap();
                assert!(r.applied, "{:?}", r.errors.first());
                drop(conn);
                pool
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, bench_import);
criterion_main!(benches);
