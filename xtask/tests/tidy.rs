//! Tidy checks: the invariants of ARCHITECTURE.md that the compiler cannot
//! see, read off the source text so that breaking one fails `cargo xtask
//! test` (its native phase runs these) with the file, line and rule.
//!
//! - **SQL lives in `server/src/db/`**: no query builder or SQL text in any
//!   other server module.
//! - **Roles are named only in `shared::domain`**: who may do what is a
//!   `Capability` or an ownership predicate of `shared/src/domain/access.rs`;
//!   a `Role::Admin`-style variant anywhere else (but labels, demo data and
//!   tests) is a rule written in a second place.
//!
//! Code after a file's first `#[cfg(test)]` is its tests and is not
//! checked. The app's own layering and date rules are in `tidy_app.rs`; the
//! page envelope of every list is checked against the OpenAPI document by
//! the server's `openapi::every_v1_list_answers_the_page_envelope`.

use std::path::{Path, PathBuf};

/// The workspace root (the parent of `xtask/`).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The lines of `path` before its first `#[cfg(test)]`, numbered from 1,
/// with `//` comments removed (doc comments may name what they forbid).
fn code_lines(path: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .enumerate()
        .take_while(|(_, l)| !l.trim_start().starts_with("#[cfg(test)]"))
        .map(|(i, l)| {
            let code = match l.find("//") {
                // `//` inside a string literal (a URL) is kept: only a
                // comment start outside quotes ends the code.
                Some(at) if l[..at].matches('"').count() % 2 == 0 => &l[..at],
                _ => l,
            };
            (i + 1, code.to_owned())
        })
        .collect()
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// What marks SQL or a query: diesel's builder and raw SQL text.
const SQL_MARKERS: &[&str] = &[
    "sql_query(",
    "batch_execute(",
    "insert_into(",
    "diesel::update(",
    "diesel::delete(",
    "diesel::dsl::",
    "QueryDsl",
    "schema::",
    "\"SELECT ",
    "\"INSERT ",
    "\"UPDATE ",
    "\"DELETE ",
    "\"PRAGMA ",
    "\"CREATE ",
    "\"DROP ",
    "\"LISTEN ",
];

/// The lines of `files` (outside `allowed`) where `find` finds something.
fn offences(
    files: &[PathBuf],
    allowed: &[&str],
    find: impl Fn(&str) -> Option<String>,
) -> Vec<String> {
    let mut found = Vec::new();
    for file in files {
        let rel = relative(file);
        if allowed.iter().any(|a| rel.starts_with(a)) {
            continue;
        }
        for (n, line) in code_lines(file) {
            if let Some(what) = find(&line) {
                found.push(format!("{rel}:{n}: {what}: {}", line.trim()));
            }
        }
    }
    found
}

fn sql_in(line: &str) -> Option<String> {
    SQL_MARKERS
        .iter()
        .find(|m| line.contains(**m))
        .map(|m| format!("SQL outside server/src/db/ (`{m}`)"))
}

/// `Role::Admin` and friends (CamelCase variants), not `ResponsibleRole::Csm`
/// or associated constants such as `Role::ALL` and `Role::FOR_NEW_USER`.
fn role_variant_in(line: &str) -> Option<String> {
    let mut rest = line;
    let mut offset = 0;
    while let Some(at) = rest.find("Role::") {
        let start = offset + at;
        let before = line[..start].chars().next_back();
        let after = &line[start + "Role::".len()..];
        let variant: String = after
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let is_ident_char = |c: char| c.is_alphanumeric() || c == '_';
        if !before.is_some_and(is_ident_char)
            && variant.chars().next().is_some_and(char::is_uppercase)
            && variant.chars().any(char::is_lowercase)
        {
            return Some(format!(
                "`Role::{variant}` outside shared::domain (write the rule as a Capability or predicate in shared/src/domain/access.rs)"
            ));
        }
        offset = start + "Role::".len();
        rest = &line[offset..];
    }
    None
}

#[test]
fn sql_lives_only_in_the_servers_db_module() {
    let files = rust_files(&root().join("server/src"));
    assert!(
        files.len() > 40,
        "server sources not found under {:?}",
        root()
    );
    let found = offences(&files, &["server/src/db/"], sql_in);
    assert!(found.is_empty(), "\n{}", found.join("\n"));
}

#[test]
fn role_variants_are_named_only_in_the_domain() {
    let mut files = Vec::new();
    for dir in ["server/src", "shared/src", "app/src"] {
        files.extend(rust_files(&root().join(dir)));
    }
    let allowed = [
        // The rules themselves.
        "shared/src/domain/",
        // The words a role is shown with.
        "app/src/components/labels.rs",
        // Demo data names each demo user's role; it decides nothing.
        "server/src/demo/",
    ];
    let found = offences(&files, &allowed, role_variant_in);
    assert!(found.is_empty(), "\n{}", found.join("\n"));
}

#[test]
fn the_checks_find_what_they_look_for() {
    assert!(sql_in("diesel::sql_query(\"SELECT 1\")").is_some());
    assert!(sql_in("let q = accounts::table.filter(x);").is_none());
    assert!(sql_in("use crate::db::schema::accounts;").is_some());
    assert!(role_variant_in("if user.role == Role::Admin {").is_some());
    assert!(role_variant_in("matches!(r, Some(Role::Csm | Role::Manager))").is_some());
    assert!(role_variant_in("ResponsibleRole::Csm => x").is_none());
    assert!(role_variant_in("for r in Role::ALL {").is_none());
    assert!(role_variant_in("RwSignal::new(Role::FOR_NEW_USER)").is_none());
    assert!(role_variant_in("use kizuna_shared::domain::Role;").is_none());
}
