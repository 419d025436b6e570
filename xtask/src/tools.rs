//! Finds, and when missing installs, every tool the build and the tests need:
//! the wasm32 target, Trunk, wasm-bindgen-cli (the version in Cargo.lock),
//! npm's binaryen@132 `wasm-opt`, Debian's Chromium, ChromeDriver and a
//! Japanese font, the npm packages of `e2e/`, Debian's PostgreSQL and
//! libpq headers, and Python tools (schemathesis) in a private virtual
//! environment. Debian packages are installed when running as root; otherwise
//! the exact `apt-get` line is printed. Each check is cheap, so the commands
//! stay fast once everything is there.

use crate::{root, step, StatusOk};
use anyhow::{bail, Context, Result};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Trunk 0.22 needs a newer rustc than this machine has.
const TRUNK_VERSION: &str = "0.21.14";

/// The prepared environment: a PATH that finds every tool, and one
/// `ensure_*` method per tool a phase needs, so `--only native` installs
/// nothing it does not use.
pub struct Toolbox {
    path: OsString,
}

impl Toolbox {
    /// The PATH with cargo's and `tools/`' npm binaries first.
    pub fn new() -> Result<Toolbox> {
        let cargo_bin = cargo_home().join("bin");
        let npm_bin = root().join("tools/node_modules/.bin");
        let mut paths = vec![cargo_bin, npm_bin];
        if let Some(existing) = std::env::var_os("PATH") {
            paths.extend(std::env::split_paths(&existing));
        }
        let path = std::env::join_paths(paths).context("building PATH")?;
        Ok(Toolbox { path })
    }

    /// Installs what is missing. `for_tests` adds Chromium, ChromeDriver and
    /// the Playwright packages.
    pub fn prepare(for_tests: bool) -> Result<Toolbox> {
        let toolbox = Toolbox::new()?;
        toolbox.ensure_spa_tools()?;
        if for_tests {
            toolbox.ensure_chromium()?;
            toolbox.ensure_npm(&root().join("e2e"), "node_modules/.bin/playwright")?;
        }
        Ok(toolbox)
    }

    /// The wasm32 target, Trunk, wasm-bindgen-cli and binaryen's `wasm-opt`.
    pub fn ensure_spa_tools(&self) -> Result<()> {
        self.ensure_wasm_target()?;
        self.ensure_cargo_tool(
            "trunk",
            TRUNK_VERSION,
            &["install", "--locked", &format!("trunk@{TRUNK_VERSION}")],
        )?;
        let bindgen = wasm_bindgen_version()?;
        // Without --locked: its lock file pins a crate version the registry
        // here does not serve.
        self.ensure_cargo_tool(
            "wasm-bindgen",
            &bindgen,
            &["install", "wasm-bindgen-cli", "--version", &bindgen],
        )?;
        self.ensure_npm(&root().join("tools"), "node_modules/.bin/wasm-opt")
    }

    /// Debian's Chromium, ChromeDriver and a Japanese font.
    pub fn ensure_chromium(&self) -> Result<()> {
        ensure_debian_packages(&[
            (Path::new("/usr/bin/chromium").exists(), "chromium"),
            (
                Path::new("/usr/bin/chromedriver").exists(),
                "chromium-driver",
            ),
            // A Japanese font, so screenshots of the Japanese UI show text.
            (
                Path::new("/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf").exists(),
                "fonts-ipafont-gothic",
            ),
        ])
    }

    /// Debian's PostgreSQL server binaries (for a private test cluster) and
    /// libpq's headers (diesel's `postgres` feature links libpq); returns the
    /// newest `/usr/lib/postgresql/<version>/bin`.
    pub fn ensure_postgres(&self) -> Result<PathBuf> {
        ensure_debian_packages(&[
            (postgres_bin_dir().is_some(), "postgresql"),
            (
                Path::new("/usr/include/postgresql/libpq-fe.h").exists(),
                "libpq-dev",
            ),
        ])?;
        postgres_bin_dir()
            .context("no /usr/lib/postgresql/*/bin/initdb after installing postgresql")
    }

    /// A Python virtual environment under `target/` with `package==version`
    /// installed by pip; returns the environment's `bin` directory.
    pub fn ensure_python_tool(&self, venv: &Path, package: &str, version: &str) -> Result<PathBuf> {
        let bin = venv.join("bin");
        let current = self
            .output_of(&bin.join(package).to_string_lossy(), &["--version"])
            .unwrap_or_default();
        if current.split_whitespace().any(|w| w == version) {
            return Ok(bin);
        }
        ensure_debian_packages(&[(self.python_has_venv(), "python3-venv")])?;
        step(&format!(
            "Installing {package} {version} into {} (pip, once)",
            venv.display()
        ));
        let _ = std::fs::remove_dir_all(venv);
        self.command("python3")
            .args(["-m", "venv"])
            .arg(venv)
            .status_ok()?;
        self.command(&bin.join("pip").to_string_lossy())
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .arg(format!("{package}=={version}"))
            .status_ok()?;
        Ok(bin)
    }

    /// Whether `python3 -m venv` works (Debian ships it separately).
    fn python_has_venv(&self) -> bool {
        self.output_of("python3", &["-c", "import ensurepip, venv"])
            .is_some()
    }

    /// A `cargo` command with the prepared PATH.
    pub fn cargo(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        cmd.current_dir(root()).args(args).env("PATH", &self.path);
        cmd
    }

    /// A `trunk` command with the prepared PATH, offline and pinned tools.
    pub fn trunk(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("trunk");
        cmd.current_dir(root())
            .args(args)
            .env("PATH", &self.path)
            .env("TRUNK_SKIP_VERSION_CHECK", "true")
            .env_remove("NO_COLOR");
        cmd
    }

    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("PATH", &self.path);
        cmd
    }

    fn output_of(&self, program: &str, args: &[&str]) -> Option<String> {
        let out = self.command(program).args(args).output().ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    fn ensure_wasm_target(&self) -> Result<()> {
        let installed = self
            .output_of("rustup", &["target", "list", "--installed"])
            .unwrap_or_default();
        if installed
            .lines()
            .any(|l| l.trim() == "wasm32-unknown-unknown")
        {
            return Ok(());
        }
        step("Installing the wasm32-unknown-unknown target");
        self.command("rustup")
            .args(["target", "add", "wasm32-unknown-unknown"])
            .status_ok()
    }

    fn ensure_cargo_tool(&self, binary: &str, version: &str, install: &[&str]) -> Result<()> {
        let current = self.output_of(binary, &["--version"]).unwrap_or_default();
        if current.split_whitespace().any(|w| w == version) {
            return Ok(());
        }
        step(&format!(
            "Installing {binary} {version} (cargo install; a few minutes, once)"
        ));
        let mut cmd = self.command("cargo");
        cmd.args(install);
        cmd.status_ok()
    }

    /// Runs `npm ci` in `dir` when its packages are missing or older than
    /// its lock file.
    pub fn ensure_npm(&self, dir: &Path, marker: &str) -> Result<()> {
        let lock = dir.join("package-lock.json");
        let installed = dir.join("node_modules/.package-lock.json");
        let fresh = match (modified(&lock), modified(&installed)) {
            (Some(l), Some(i)) => i >= l && dir.join(marker).exists(),
            _ => false,
        };
        if fresh {
            return Ok(());
        }
        step(&format!("Installing npm packages in {}", dir.display()));
        self.command("npm")
            .current_dir(dir)
            .args(["ci", "--no-audit", "--no-fund"])
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
            .status_ok()
    }
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).ok()?.modified().ok()
}

fn cargo_home() -> PathBuf {
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        return PathBuf::from(home);
    }
    let home = std::env::var_os("HOME").unwrap_or_else(|| ".".into());
    PathBuf::from(home).join(".cargo")
}

/// The `wasm-bindgen` version in Cargo.lock: the CLI must match it exactly.
fn wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(version) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
                .and_then(|v| v.strip_suffix('"'))
            {
                return Ok(version.to_owned());
            }
        }
    }
    bail!("no wasm-bindgen in Cargo.lock")
}

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Installs the Debian packages whose flag says they are missing (as root),
/// or fails with the exact `apt-get` line to run.
fn ensure_debian_packages(wanted: &[(bool, &str)]) -> Result<()> {
    let missing: Vec<&str> = wanted
        .iter()
        .filter(|(present, _)| !present)
        .map(|(_, package)| *package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let install = format!("apt-get update && apt-get install -y {}", missing.join(" "));
    if !is_root() {
        bail!("missing system packages; run as root:\n    sudo sh -c '{install}'\nthen run this command again");
    }
    step(&format!("Installing {}", missing.join(", ")));
    Command::new("sh")
        .args(["-c", &install])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status_ok()
}

/// The newest `/usr/lib/postgresql/<major>/bin` holding `initdb`.
fn postgres_bin_dir() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let major = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((major, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

/// A random password for the throw-away end-to-end database.
pub fn random_password() -> String {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    // The standard library's per-process random hasher keys are enough for a
    // test-only secret; no need for a crypto crate in xtask.
    let mut out = String::from("e2e-");
    for i in 0..3u64 {
        let mut h = RandomState::new().build_hasher();
        h.write_u64(i);
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out
}
