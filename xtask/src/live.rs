//! A live `kizuna` server for the phases that test it from outside
//! (Playwright, schemathesis): a fresh demo database in a work directory, a
//! free port, and a process that is stopped when the value is dropped.

use anyhow::{bail, Context, Result};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{tools, StatusOk};

/// A running server; killed on drop.
pub struct LiveServer {
    child: Child,
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    /// The demo users' password.
    pub password: String,
}

impl LiveServer {
    /// Loads `accounts` demo accounts into a fresh SQLite file in `work`
    /// (emptied first) and serves it, with the SPA from `dist` when given
    /// (otherwise the API only).
    pub fn start(kizuna: &Path, work: &Path, accounts: u32, dist: Option<&Path>) -> Result<Self> {
        let _ = std::fs::remove_dir_all(work);
        std::fs::create_dir_all(work)?;
        let db = work.join("kizuna.db");
        let password = tools::random_password();
        Command::new(kizuna)
            .args(["demo", "--seed", "7", "--accounts", &accounts.to_string()])
            .arg("--database-url")
            .arg(&db)
            .env("KIZUNA_DEMO_PASSWORD", &password)
            .stdout(Stdio::null())
            .status_ok()?;
        let port = free_port()?;
        let log_path = work.join("server.log");
        let log = std::fs::File::create(&log_path)?;
        let dist: PathBuf = dist.map_or_else(|| work.join("no-dist"), Path::to_path_buf);
        let child = Command::new(kizuna)
            .arg("serve")
            .arg("--bind")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--database-url")
            .arg(&db)
            .arg("--dist-dir")
            .arg(dist)
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("starting the server")?;
        let mut server = LiveServer {
            child,
            port,
            base_url: format!("http://127.0.0.1:{port}"),
            password,
        };
        server.wait_for_health(&log_path)?;
        Ok(server)
    }

    fn wait_for_health(&mut self, log: &Path) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait()? {
                bail!("the server exited early ({status}); see {}", log.display());
            }
            if let Ok(answer) = request(self.port, "GET", "/api/health", &[], None) {
                if answer.status == 200 {
                    return Ok(());
                }
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        bail!(
            "the server did not answer /api/health within 60 s; see {}",
            log.display()
        )
    }
}

impl Drop for LiveServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free TCP port on 127.0.0.1 (free when asked; the caller binds it soon).
pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// An HTTP answer.
pub struct Answer {
    pub status: u16,
    /// Header names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
}

/// One HTTP/1.1 request to 127.0.0.1 (`Connection: close`). Hand-written
/// rather than pulling an HTTP client into xtask: it only signs in and polls
/// the health check of our own server.
pub fn request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Result<Answer> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut head =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    let body = body.unwrap_or_default();
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    stream.write_all(head.as_bytes())?;
    stream.write_all(body.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse_answer(&String::from_utf8_lossy(&raw))
}

fn parse_answer(raw: &str) -> Result<Answer> {
    let head = raw.split("\r\n\r\n").next().unwrap_or_default();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .context("no HTTP status line")?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Ok(Answer { status, headers })
}

impl Answer {
    /// The `name=value` pairs of every `Set-Cookie`, as a `Cookie` header value.
    pub fn cookies(&self) -> String {
        self.headers
            .iter()
            .filter(|(n, _)| n == "set-cookie")
            .filter_map(|(_, v)| v.split(';').next())
            .map(str::trim)
            .collect::<Vec<_>>()
            .join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_give_their_status_and_cookies() {
        let raw = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nSet-Cookie: a=1; Path=/; HttpOnly\r\nset-cookie: __Host-b=x=y; Secure\r\n\r\n{}";
        let answer = parse_answer(raw).unwrap();
        assert_eq!(answer.status, 200);
        assert_eq!(answer.cookies(), "a=1; __Host-b=x=y");
        assert!(parse_answer("garbage").is_err());
    }
}
