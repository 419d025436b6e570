//! Finds, and when missing installs, every tool the build and the tests need:
//! the wasm32 target, Trunk, wasm-bindgen-cli (the version in Cargo.lock),
//! npm's binaryen@132 `wasm-opt`, Debian's Chromium, ChromeDriver and a
//! Japanese font, and the
//! npm packages of `e2e/`. Each check is cheap, so both commands stay fast
//! once everything is there.

use crate::{root, step, StatusOk};
use anyhow::{bail, Context, Result};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Trunk 0.22 needs a newer rustc than this machine has.
const TRUNK_VERSION: &str = "0.21.14";

/// The prepared environment: a PATH that finds every tool.
pub struct Toolbox {
    path: OsString,
}

impl Toolbox {
    /// Installs what is missing. `for_tests` adds Chromium, ChromeDriver and
    /// the Playwright packages.
    pub fn prepare(for_tests: bool) -> Result<Toolbox> {
        let cargo_bin = cargo_home().join("bin");
        let npm_bin = root().join("tools/node_modules/.bin");
        let mut paths = vec![cargo_bin, npm_bin];
        if let Some(existing) = std::env::var_os("PATH") {
            paths.extend(std::env::split_paths(&existing));
        }
        let path = std::env::join_paths(paths).context("building PATH")?;
        let toolbox = Toolbox { path };
        toolbox.ensure_wasm_target()?;
        toolbox.ensure_cargo_tool(
            "trunk",
            TRUNK_VERSION,
            &["install", "--locked", &format!("trunk@{TRUNK_VERSION}")],
        )?;
        let bindgen = wasm_bindgen_version()?;
        // Without --locked: its lock file pins a crate version the registry
        // here does not serve.
        toolbox.ensure_cargo_tool(
            "wasm-bindgen",
            &bindgen,
            &["install", "wasm-bindgen-cli", "--version", &bindgen],
        )?;
        toolbox.ensure_npm(&root().join("tools"), "node_modules/.bin/wasm-opt")?;
        if for_tests {
            ensure_debian_packages(&[
                ("/usr/bin/chromium", "chromium"),
                ("/usr/bin/chromedriver", "chromium-driver"),
                // A Japanese font, so screenshots of the Japanese UI show text.
                (
                    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
                    "fonts-ipafont-gothic",
                ),
            ])?;
            toolbox.ensure_npm(&root().join("e2e"), "node_modules/.bin/playwright")?;
        }
        Ok(toolbox)
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
    fn ensure_npm(&self, dir: &Path, marker: &str) -> Result<()> {
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

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn ensure_debian_packages(wanted: &[(&str, &str)]) -> Result<()> {
    let missing: Vec<&str> = wanted
        .iter()
        .filter(|(file, _)| !Path::new(file).exists())
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
