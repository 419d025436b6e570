//! A private, throw-away PostgreSQL cluster for one test run: `initdb` into a
//! temporary directory under `target/`, `pg_ctl start` on a free port with
//! the Unix socket in the same directory, TCP on 127.0.0.1 only, trust
//! authentication for the `kizuna` superuser; stopped and removed on drop.
//!
//! PostgreSQL refuses to run as root, and CI runs as root: then the cluster
//! belongs to the unprivileged `nobody` and its commands run through
//! `runuser`.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::live::free_port;
use crate::tools::is_root;
use crate::{target_dir, StatusOk};

/// The account the cluster runs as when xtask runs as root.
const UNPRIVILEGED: &str = "nobody";

/// A running cluster.
pub struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    run_as: Option<&'static str>,
}

impl Cluster {
    /// Creates and starts a cluster with the binaries of `bin` (e.g.
    /// `/usr/lib/postgresql/15/bin`).
    pub fn start(bin: &Path) -> Result<Cluster> {
        let run_as = is_root().then_some(UNPRIVILEGED);
        let dir = cluster_dir(run_as)?;
        let data = dir.join("data");
        let port = free_port()?;
        let cluster = Cluster {
            bin: bin.to_path_buf(),
            dir,
            port,
            run_as,
        };
        cluster
            .pg("initdb")
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                "kizuna",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            ])
            .stdout(Stdio::null())
            .status_ok()
            .context("initdb")?;
        // Settings for a disposable test database: no durability, enough
        // connections for parallel test apps with their pools.
        let settings = format!(
            "\n# cargo xtask test\nport = {port}\nlisten_addresses = '127.0.0.1'\n\
             unix_socket_directories = '{}'\nmax_connections = 300\nshared_buffers = 128MB\n\
             fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n",
            cluster.dir.display()
        );
        append(&data.join("postgresql.conf"), &settings)?;
        let started = cluster
            .pg("pg_ctl")
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(cluster.dir.join("server.log"))
            .args(["-w", "-t", "60", "start"])
            .stdout(Stdio::null())
            .status_ok();
        if let Err(err) = started {
            let log = std::fs::read_to_string(cluster.dir.join("server.log")).unwrap_or_default();
            bail!("{err:#}\nPostgreSQL's log:\n{log}");
        }
        Ok(cluster)
    }

    /// The server's URL without a database name; tests append one.
    pub fn url(&self) -> String {
        format!("postgres://kizuna@127.0.0.1:{}", self.port)
    }

    /// A command running `program` from the cluster's binaries, as the
    /// cluster's owner.
    fn pg(&self, program: &str) -> Command {
        let exe = self.bin.join(program);
        let mut cmd = match self.run_as {
            Some(user) => {
                let mut cmd = Command::new("runuser");
                cmd.args(["-u", user, "--"]).arg(exe);
                cmd
            }
            None => Command::new(exe),
        };
        cmd.current_dir(&self.dir).env_remove("PGDATA");
        cmd
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self
            .pg("pg_ctl")
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// An empty directory for the cluster, owned by `owner` when given:
/// `target/pg-test`, or a temporary directory when `owner` cannot reach
/// `target/` (e.g. a clone under root's private home).
fn cluster_dir(owner: Option<&str>) -> Result<PathBuf> {
    let preferred = target_dir().join("pg-test");
    stop_leftover(&preferred);
    let _ = std::fs::remove_dir_all(&preferred);
    std::fs::create_dir_all(&preferred)?;
    let Some(owner) = owner else {
        return Ok(preferred);
    };
    chown(&preferred, owner)?;
    let reachable = Command::new("runuser")
        .args(["-u", owner, "--", "test", "-w"])
        .arg(&preferred)
        .status()
        .is_ok_and(|s| s.success());
    if reachable {
        return Ok(preferred);
    }
    let _ = std::fs::remove_dir_all(&preferred);
    let fallback = std::env::temp_dir().join(format!("kizuna-pg-{}", std::process::id()));
    println!(
        "({owner} cannot reach {}; the cluster goes to {})",
        preferred.display(),
        fallback.display()
    );
    let _ = std::fs::remove_dir_all(&fallback);
    std::fs::create_dir_all(&fallback)?;
    chown(&fallback, owner)?;
    Ok(fallback)
}

/// Stops a cluster an interrupted earlier run may have left running.
fn stop_leftover(dir: &Path) {
    let pid_file = dir.join("data/postmaster.pid");
    let Ok(text) = std::fs::read_to_string(pid_file) else {
        return;
    };
    if let Some(pid) = text
        .lines()
        .next()
        .and_then(|l| l.trim().parse::<u32>().ok())
    {
        let _ = Command::new("kill").arg(pid.to_string()).status();
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
}

fn chown(dir: &Path, owner: &str) -> Result<()> {
    Command::new("chown")
        .arg(format!("{owner}:"))
        .arg(dir)
        .status_ok()
}

fn append(file: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(file)
        .with_context(|| format!("opening {}", file.display()))?;
    f.write_all(text.as_bytes())?;
    Ok(())
}
