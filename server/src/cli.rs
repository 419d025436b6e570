//! The `kizuna` command line (clap derive, every option also from `KIZUNA_*`
//! environment variables) and what each command does.

use std::net::TcpListener;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use garde::Validate;
use kizuna_shared::api::{CreateUser, FieldError};
use kizuna_shared::domain::Role;

use crate::auth::password;
use crate::config::{Config, DEFAULT_DATABASE_URL};
use crate::db::{self, DbPool};
use crate::demo::{self, DemoOptions, DEMO_USERS};

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
    /// Mark the session cookie `Secure` (when served over HTTPS).
    #[arg(long, env = "KIZUNA_SECURE_COOKIE")]
    pub secure_cookie: bool,
    /// Session signing key, hex or base64, at least 64 bytes (default: generated and kept in the database).
    #[arg(long, env = "KIZUNA_SESSION_KEY", hide_env_values = true)]
    pub session_key: Option<String>,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "KIZUNA_WORKERS")]
    pub workers: Option<usize>,
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
    }
}

fn serve(database_url: &str, args: ServeArgs) -> anyhow::Result<()> {
    let config = Config {
        database_url: database_url.to_owned(),
        dist_dir: args.dist_dir,
        secure_cookie: args.secure_cookie,
        session_key: args.session_key,
        workers: args.workers,
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
        email: args.email,
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
    let user = db::users::insert(
        &mut conn,
        &db::users::NewUser {
            email: request.email,
            name: request.name,
            role: request.role,
            password_hash: password::hash(&request.password)?,
        },
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
}
