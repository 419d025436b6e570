//! The `kizuna` command line (clap derive, every option also from `KIZUNA_*`
//! environment variables) and what each command does.

use std::net::TcpListener;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use garde::Validate;
use kizuna_shared::api::{AccountQuery, CreateUser, FieldError, ImportKind, MAX_IMPORT_BYTES};
use kizuna_shared::domain::Role;

use crate::auth::password;
use crate::auth::rate_limit::LoginLimits;
use crate::auth::session::{self, RotatedInto};
use crate::config::{Config, DEFAULT_DATABASE_URL, DEFAULT_HSTS_MAX_AGE};
use crate::db::audit::Actor;
use crate::db::sessions::Lifetime;
use crate::db::{self, DbPool, PoolOptions};
use crate::demo::{self, DemoOptions, DEMO_USERS};
use crate::import::{self, Options};

/// Kizuna: customer-success operations.
#[derive(Debug, Parser)]
#[command(name = "kizuna", version, about)]
pub struct Cli {
    /// Database: a SQLite file path (or `sqlite://path`).
    #[arg(long, global = true, env = "KIZUNA_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run pending migrations, then serve the API and the web app.
    Serve(ServeArgs),
    /// Run pending migrations.
    Migrate,
    /// Create the demo users and generate demo accounts.
    Demo(DemoArgs),
    /// Create a user.
    CreateUser(CreateUserArgs),
    /// Import a CSV file of accounts, monthly MRR or signal values (the same
    /// checks as the web import: nothing is written if any row has a problem).
    Import(ImportArgs),
    /// Export accounts (with MRR, owner and latest signals) as CSV.
    Export(ExportArgs),
    /// Replace the session signing key and end every session (everyone signs
    /// in again). Restart running servers afterwards so they sign new
    /// cookies with the new key.
    RotateSessionKey(RotateArgs),
}

/// Options of `kizuna rotate-session-key`.
#[derive(Debug, Args)]
pub struct RotateArgs {
    /// Write the new key into this file (the one `serve --session-key-file`
    /// reads) instead of the database.
    #[arg(long, env = "KIZUNA_SESSION_KEY_FILE")]
    pub session_key_file: Option<PathBuf>,
}

/// Options of `kizuna import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// What the file holds: accounts, mrr or signals.
    #[arg(long, value_parser = parse_kind)]
    pub kind: ImportKind,
    /// E-mail of the manager or admin the import is recorded for.
    #[arg(long = "as")]
    pub as_user: String,
    /// Only check the file and print what would change.
    #[arg(long)]
    pub dry_run: bool,
    /// Column mapping as JSON: {"our column": "your header"}.
    #[arg(long)]
    pub mapping: Option<String>,
    /// The currency of a file without a currency column (JPY, USD, EUR).
    #[arg(long)]
    pub currency: Option<kizuna_shared::domain::Currency>,
    /// The CSV file (UTF-8 with or without BOM, or Shift_JIS; comma or tab).
    pub file: PathBuf,
}

/// Options of `kizuna export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Only accounts with this status (active or churned).
    #[arg(long)]
    pub status: Option<String>,
    /// Text search over name, external id, industry and plan.
    #[arg(long)]
    pub q: Option<String>,
}

fn parse_kind(text: &str) -> Result<ImportKind, String> {
    ImportKind::ALL
        .iter()
        .copied()
        .find(|k| k.as_str() == text)
        .ok_or_else(|| "expected accounts, mrr or signals".to_owned())
}

/// Options of `kizuna serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "KIZUNA_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Directory of the built web app.
    #[arg(long, env = "KIZUNA_DIST_DIR", default_value = "dist")]
    pub dist_dir: PathBuf,
    /// The origin browsers use, `scheme://host[:port]` (default:
    /// `http://<bind address>`). State-changing requests must come from it,
    /// and an https origin turns on HSTS.
    #[arg(long, env = "KIZUNA_PUBLIC_ORIGIN")]
    pub public_origin: Option<String>,
    /// Allow a plain-http public origin on a non-loopback address (session
    /// cookies are then not `Secure`; logged as a warning at start).
    #[arg(long, env = "KIZUNA_ALLOW_INSECURE_HTTP")]
    pub allow_insecure_http: bool,
    /// `Strict-Transport-Security` max-age in seconds for an https origin; 0 turns the header off.
    #[arg(long, env = "KIZUNA_HSTS_MAX_AGE", default_value_t = DEFAULT_HSTS_MAX_AGE)]
    pub hsts_max_age: u64,
    /// Session signing key, hex or base64, at least 64 bytes (default: the
    /// key file, else generated and kept in the database).
    #[arg(long, env = "KIZUNA_SESSION_KEY", hide_env_values = true)]
    pub session_key: Option<String>,
    /// File holding the session signing key (outside the database).
    #[arg(long, env = "KIZUNA_SESSION_KEY_FILE")]
    pub session_key_file: Option<PathBuf>,
    /// A session unused this long ends (e.g. `8h`, `30m`).
    #[arg(long, env = "KIZUNA_SESSION_IDLE_TIMEOUT", default_value = "8h", value_parser = parse_duration)]
    pub session_idle_timeout: chrono::Duration,
    /// A session ends this long after signing in, used or not (e.g. `7d`).
    #[arg(long, env = "KIZUNA_SESSION_LIFETIME", default_value = "7d", value_parser = parse_duration)]
    pub session_lifetime: chrono::Duration,
    /// Header a trusted reverse proxy puts the client address in
    /// (`X-Forwarded-For`, `X-Real-IP` or `Forwarded`); ignored from other peers.
    #[arg(long, env = "KIZUNA_TRUSTED_PROXY_HEADER")]
    pub trusted_proxy_header: Option<String>,
    /// Addresses or networks of trusted proxies, comma-separated (default
    /// with a header: loopback only).
    #[arg(
        long = "trusted-proxy",
        env = "KIZUNA_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<String>,
    /// Sign-in attempts per minute per account (e-mail).
    #[arg(long, env = "KIZUNA_LOGIN_LIMIT_ACCOUNT", default_value_t = LoginLimits::default().per_account)]
    pub login_limit_account: u32,
    /// Sign-in attempts per minute per client address.
    #[arg(long, env = "KIZUNA_LOGIN_LIMIT_ADDRESS", default_value_t = LoginLimits::default().per_address)]
    pub login_limit_address: u32,
    /// Sign-in attempts per minute for the whole server.
    #[arg(long, env = "KIZUNA_LOGIN_LIMIT_GLOBAL", default_value_t = LoginLimits::default().global)]
    pub login_limit_global: u32,
    /// Database connections in the pool.
    #[arg(long, env = "KIZUNA_DB_POOL_SIZE", default_value_t = PoolOptions::default().max_size)]
    pub db_pool_size: u32,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "KIZUNA_WORKERS")]
    pub workers: Option<usize>,
    /// Requests per minute per client address to the public survey page and API.
    #[arg(long, env = "KIZUNA_PUBLIC_SURVEY_LIMIT", default_value_t = crate::auth::public_limit::DEFAULT_PER_MINUTE,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub public_survey_limit: u32,
    /// Gross margin in percent, for the LTV KPI.
    #[arg(long, env = "KIZUNA_GROSS_MARGIN_PCT", default_value_t = 80.0, value_parser = parse_margin)]
    pub gross_margin_pct: f64,
}

fn parse_margin(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if (0.0..=100.0).contains(&v) => Ok(v),
        _ => Err(format!("`{s}` is not a percentage between 0 and 100")),
    }
}

/// `8h`, `30m`, `7d`, `90s` (humantime) as a positive duration.
fn parse_duration(text: &str) -> Result<chrono::Duration, String> {
    let d = humantime::parse_duration(text).map_err(|e| format!("{e} (e.g. 8h, 30m, 7d)"))?;
    let d = chrono::Duration::from_std(d).map_err(|e| e.to_string())?;
    if d <= chrono::Duration::zero() {
        return Err("must be longer than zero".into());
    }
    Ok(d)
}

/// Options of `kizuna demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Number of accounts to generate.
    #[arg(long, default_value_t = 1500)]
    pub accounts: usize,
    /// Months of MRR and signal history, ending with the current month.
    #[arg(long, default_value_t = demo::DEFAULT_MONTHS, value_parser = clap::value_parser!(u32).range(1..=240))]
    pub months: u32,
    /// Random seed (same seed, same data).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Do nothing when the database already has users.
    #[arg(long)]
    pub if_empty: bool,
    /// Password of the demo users (default: generated and printed).
    #[arg(long, env = "KIZUNA_DEMO_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
}

/// Options of `kizuna create-user`.
#[derive(Debug, Args)]
pub struct CreateUserArgs {
    /// E-mail address (login name).
    #[arg(long)]
    pub email: String,
    /// Display name.
    #[arg(long)]
    pub name: String,
    /// Role: admin, manager, csm or executive.
    #[arg(long, value_parser = parse_role)]
    pub role: Role,
    /// Password, at least 12 characters (default: generated and printed).
    #[arg(long, env = "KIZUNA_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
}

fn parse_role(text: &str) -> Result<Role, String> {
    text.parse().map_err(|e| format!("{e}"))
}

fn open(database_url: &str) -> anyhow::Result<DbPool> {
    let pool = db::connect(database_url)?;
    for name in db::migrate(&pool)? {
        println!("applied migration {name}");
    }
    Ok(pool)
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve(&cli.database_url, args),
        Command::Migrate => {
            open(&cli.database_url)?;
            println!("database is up to date");
            Ok(())
        }
        Command::Demo(args) => run_demo(&cli.database_url, args),
        Command::CreateUser(args) => create_user(&cli.database_url, args),
        Command::Import(args) => import_file(&cli.database_url, args),
        Command::Export(args) => export_file(&cli.database_url, args),
        Command::RotateSessionKey(args) => rotate_session_key(&cli.database_url, args),
    }
}

fn rotate_session_key(database_url: &str, args: RotateArgs) -> anyhow::Result<()> {
    let pool = open(database_url)?;
    let mut conn = pool.get()?;
    let (into, ended) = session::rotate_key(&mut conn, args.session_key_file.as_deref())?;
    match into {
        RotatedInto::File(path) => println!("wrote a new session key to {}", path.display()),
        RotatedInto::Database => println!("stored a new session key in the database"),
    }
    println!("ended {ended} session(s); restart running servers so they sign with the new key");
    if std::env::var_os("KIZUNA_SESSION_KEY").is_some() {
        println!("note: KIZUNA_SESSION_KEY is set and takes precedence; replace its value as well");
    }
    Ok(())
}

fn import_file(database_url: &str, args: ImportArgs) -> anyhow::Result<()> {
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    anyhow::ensure!(
        bytes.len() <= MAX_IMPORT_BYTES,
        "{} is larger than the import limit of {} MiB",
        args.file.display(),
        MAX_IMPORT_BYTES >> 20
    );
    let mapping = match &args.mapping {
        Some(text) => serde_json::from_str(text).context("--mapping must be a JSON object")?,
        None => Default::default(),
    };
    let pool = open(database_url)?;
    let mut conn = pool.get()?;
    let as_user = kizuna_shared::api::Email::parse(&args.as_user)
        .map_err(|e| anyhow::anyhow!("--as-user: {e}"))?;
    let user = db::users::find_credentials(&mut conn, &as_user)?
        .with_context(|| format!("no user {}", args.as_user))?;
    anyhow::ensure!(
        user.0
            .role
            .may(kizuna_shared::domain::Capability::ManageAccounts),
        "{} is not a manager or admin",
        args.as_user
    );
    let options = Options {
        kind: args.kind,
        dry_run: args.dry_run,
        file_name: args
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned()),
        mapping,
        user: user.0.principal(),
        client_addr: None,
        currency: args.currency,
        date: None,
    };
    let started = std::time::Instant::now();
    let report = import::run(&mut conn, &bytes, &options, &|_, _, _| {})?;
    println!(
        "{} rows ({}, {}): {} to create, {} to update, {} unchanged, {} problems in {:.1?}",
        report.rows,
        report.encoding,
        report.delimiter,
        report.created,
        report.updated,
        report.unchanged,
        report.error_count,
        started.elapsed()
    );
    for e in report.errors.iter().take(50) {
        println!(
            "  row {} {}: {} ({})",
            e.row,
            e.column.as_deref().unwrap_or("-"),
            e.message,
            e.code
        );
    }
    anyhow::ensure!(report.error_count == 0, "nothing was imported");
    if report.applied {
        println!("applied (history entry {})", report.id.unwrap_or_default());
    } else {
        println!("dry run: nothing written");
    }
    Ok(())
}

fn export_file(database_url: &str, args: ExportArgs) -> anyhow::Result<()> {
    let status = match &args.status {
        Some(s) => Some(s.parse().map_err(|e| anyhow::anyhow!("--status: {e}"))?),
        None => None,
    };
    let query = AccountQuery {
        q: args.q,
        status,
        ..Default::default()
    };
    let pool = open(database_url)?;
    let mut conn = pool.get()?;
    let csv = import::export::accounts_csv(&mut conn, &query)?;
    match &args.output {
        Some(path) => {
            std::fs::write(path, &csv).with_context(|| format!("writing {}", path.display()))?
        }
        None => std::io::Write::write_all(&mut std::io::stdout(), &csv)?,
    }
    Ok(())
}

fn serve(database_url: &str, args: ServeArgs) -> anyhow::Result<()> {
    let config = Config {
        database_url: database_url.to_owned(),
        dist_dir: args.dist_dir,
        session_key: args.session_key,
        session_key_file: args.session_key_file,
        workers: args.workers,
        public_survey_limit: args.public_survey_limit,
        gross_margin: args.gross_margin_pct / 100.0,
        public_origin: args.public_origin,
        allow_insecure_http: args.allow_insecure_http,
        hsts_max_age: args.hsts_max_age,
        trusted_proxy_header: args.trusted_proxy_header,
        trusted_proxies: args.trusted_proxies,
        session_lifetime: Lifetime {
            idle: args.session_idle_timeout,
            absolute: args.session_lifetime,
        },
        login_limits: LoginLimits {
            per_account: args.login_limit_account,
            per_address: args.login_limit_address,
            global: args.login_limit_global,
        },
        pool: PoolOptions {
            max_size: args.db_pool_size.max(1),
            ..PoolOptions::default()
        },
    };
    let state = crate::build_state(&config)?;
    let listener =
        TcpListener::bind(&args.bind).with_context(|| format!("binding {}", args.bind))?;
    tracing::info!(address = %args.bind, "listening");
    actix_web::rt::System::new()
        .block_on(async move { crate::run(listener, state)?.await.context("serving") })
}

fn run_demo(database_url: &str, args: DemoArgs) -> anyhow::Result<()> {
    let pool = open(database_url)?;
    let mut conn = pool.get()?;
    if args.if_empty {
        let users = db::users::count(&mut conn)?;
        if users > 0 {
            println!("the database already has {users} users: no demo data added");
            return Ok(());
        }
    }
    let started = std::time::Instant::now();
    let report = demo::seed(
        &mut conn,
        &DemoOptions {
            accounts: args.accounts,
            months: args.months,
            seed: args.seed,
            password: args.password,
            as_of: chrono::Utc::now().date_naive(),
        },
    )?;
    println!(
        "added {} demo accounts with {} months of history (seed {}) in {:.1?}: \
         {} MRR rows, {} signal values, {} contacts",
        report.accounts_created,
        args.months,
        args.seed,
        started.elapsed(),
        report.mrr_rows,
        report.signal_rows,
        report.contacts_created
    );
    if report.users_created.is_empty() {
        println!("the demo users already existed; their passwords are unchanged");
    } else {
        println!("created {} demo users:", report.users_created.len());
        for (email, name, role) in DEMO_USERS {
            if report.users_created.iter().any(|e| e == email) {
                println!("  {email:<32} {:<10} {name}", role.as_str());
            }
        }
        if report.password_generated {
            println!("password of every demo user: {}", report.password);
            println!("(set KIZUNA_DEMO_PASSWORD to choose it instead)");
        } else {
            println!("password: the value of KIZUNA_DEMO_PASSWORD");
        }
    }
    Ok(())
}

fn create_user(database_url: &str, args: CreateUserArgs) -> anyhow::Result<()> {
    let (password, generated) = match args.password {
        Some(p) => (p, false),
        None => (password::random_password(20), true),
    };
    let request = CreateUser {
        email: kizuna_shared::api::Email::parse(&args.email)
            .map_err(|e| anyhow::anyhow!("invalid user: email: {e}"))?,
        name: args.name,
        role: args.role,
        password,
    };
    if let Err(report) = request.validate() {
        let problems: Vec<String> = FieldError::from_report(&report)
            .into_iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        anyhow::bail!("invalid user: {}", problems.join("; "));
    }
    let pool = open(database_url)?;
    let mut conn = pool.get()?;
    let user = db::users::create(
        &mut conn,
        &db::users::NewUser {
            email: request.email,
            name: request.name,
            role: request.role,
            password_hash: password::hash(&request.password)?,
        },
        &Actor::command_line("kizuna create-user"),
    )?;
    println!(
        "created user {} <{}> ({})",
        user.name, user.email, user.role
    );
    if generated {
        println!("password: {}", request.password);
    }
    Ok(())
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
    fn serve_takes_the_database_url_after_the_subcommand() {
        let cli = Cli::try_parse_from([
            "kizuna",
            "serve",
            "--database-url",
            "sqlite://x.db",
            "--bind",
            "0.0.0.0:1",
        ])
        .unwrap();
        assert_eq!(cli.database_url, "sqlite://x.db");
        assert!(
            matches!(cli.command, Command::Serve(ServeArgs { ref bind, .. }) if bind == "0.0.0.0:1")
        );
    }

    #[test]
    fn session_durations_read_as_people_write_them() {
        let cli = Cli::try_parse_from([
            "kizuna",
            "serve",
            "--session-idle-timeout",
            "30m",
            "--session-lifetime",
            "2d",
            "--trusted-proxy",
            "10.0.0.0/8,127.0.0.1",
        ])
        .unwrap();
        let Command::Serve(args) = cli.command else {
            panic!("serve expected")
        };
        assert_eq!(args.session_idle_timeout, chrono::Duration::minutes(30));
        assert_eq!(args.session_lifetime, chrono::Duration::days(2));
        assert_eq!(args.trusted_proxies, ["10.0.0.0/8", "127.0.0.1"]);
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("soon").is_err());
    }
}
