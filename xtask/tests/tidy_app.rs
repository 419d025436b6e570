//! Tidy checks of the browser app's source (`app/src`), read as plain text
//! (comments are ignored; string literals are looked at only by the date
//! rule). Every failure names the file, the line and the rule.
//!
//! **Layers** (`[layers]`). Each module of `app/src` sits in a layer, top to
//! bottom: `router` → `shell` → `pages` → `components`, `charts` → `api`,
//! `session`, `live`, `format`, `i18n`, `import_file`, `clock` (the base).
//! A module names (`crate::…`, `super::…`, `self::…`, also in `use` groups
//! and inside `view!`) only modules of its own layer or below, and:
//! - a page (`pages/<name>.rs` or `pages/<name>/`) names no other page —
//!   what two pages share lives in `components/` or `charts/`;
//! - the shell names no page: the router places pages into it;
//! - `lib.rs` only declares modules and re-exports `App` (`[lib.rs]`);
//! - a new top-level module must be given a layer in [`MODULES`].
//!
//! **Dates** (`[dates]`). Dates and months are written for people only in
//! `app/src/format.rs`. Outside it (and outside `#[cfg(test)]` modules,
//! whose expected strings may spell dates) these fail:
//! - a string literal with a chrono/strftime conversion (`%Y`, `%-m`,
//!   `%b`, `%d`, `%H`, … — `%` and two hex digits is percent-encoding and
//!   passes);
//! - the browser's date formatters by name (`DateTimeFormat`,
//!   `RelativeTimeFormat`, `toLocale…String`, `to_locale_…string`);
//! - a string literal with 年, 月 or 日 next to an interpolation (`{…}`) or
//!   a digit (`"{}年{}月"`, `"4月"`);
//! - a format string with a zero-padded field `:02}` / `:04}` (the shape of
//!   `2025-04`, `09:30`);
//! - an English month name as a literal (`"Jan"`, `"January"`, …);
//! - a date part (`.year()`, `.month()`, `.month0()`, `.day()`, `.hour()`,
//!   `.minute()`, `.weekday()`) inside the arguments of `format!`,
//!   `write!`, `writeln!`, `format_args!`, `t!`, `t_string!` or
//!   `td_string!`, or followed by `.to_string()`.
//!
//! Machine forms — a date's ISO `Display` (`to_string()`) for `<input>`
//! values, URLs and CSV cells — are not display formatting and pass.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

/// The layers of the app, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Layer {
    /// API client, session, live updates, formatting, texts, import rules,
    /// the user's calendar.
    Base,
    /// `components/` and `charts/`.
    Widgets,
    /// `pages/`.
    Pages,
    /// `shell.rs` / `shell/`.
    Shell,
    /// `router.rs`.
    Router,
    /// `lib.rs` and `main.rs`.
    Entry,
}

/// Every top-level module of `app/src` with its layer.
const MODULES: &[(&str, Layer)] = &[
    ("router", Layer::Router),
    ("shell", Layer::Shell),
    ("pages", Layer::Pages),
    ("components", Layer::Widgets),
    ("charts", Layer::Widgets),
    ("api", Layer::Base),
    ("session", Layer::Base),
    ("live", Layer::Base),
    ("format", Layer::Base),
    ("i18n", Layer::Base),
    ("import_file", Layer::Base),
    ("clock", Layer::Base),
];

const BASE_NAMES: &str = "api, session, live, format, i18n, import_file, clock";

fn layer_of(module: &str) -> Option<Layer> {
    MODULES.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

/// One broken rule at one place.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Violation {
    file: String,
    line: usize,
    rule: &'static str,
    message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: [{}] {}",
            self.file, self.line, self.rule, self.message
        )
    }
}

// ---------------------------------------------------------------------
// Scanning: comments blanked, literals emptied, tokens with their lines.
// ---------------------------------------------------------------------

/// A token of the code (literals are one `Str` token each).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    /// `::`
    Path,
    Punct(char),
    /// A string literal's text (escapes left as written).
    Str(String),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    line: usize,
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Splits Rust source into tokens, dropping comments, whitespace and char
/// literals, keeping string literals (normal, raw, byte) as `Tok::Str`.
fn tokens(src: &str) -> Vec<Token> {
    let c: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let at = |k: usize| c.get(k).copied().unwrap_or('\0');
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if c[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if let Some((text, end, lines)) = raw_string(&c, i) {
            out.push(Token {
                tok: Tok::Str(text),
                line,
            });
            line += lines;
            i = end;
        } else if ch == '"'
            || (ch == 'b' && at(i + 1) == '"' && !is_ident_char(at(i.wrapping_sub(1))))
        {
            let start_line = line;
            i += if ch == 'b' { 2 } else { 1 };
            let mut text = String::new();
            while i < c.len() && c[i] != '"' {
                if c[i] == '\\' {
                    text.push(c[i]);
                    i += 1;
                }
                if i < c.len() {
                    if c[i] == '\n' {
                        line += 1;
                    }
                    text.push(c[i]);
                    i += 1;
                }
            }
            i += 1;
            out.push(Token {
                tok: Tok::Str(text),
                line: start_line,
            });
        } else if ch == '\'' {
            // A char literal ('a', '\n', '\u{1F600}', '{') or a lifetime.
            if at(i + 1) == '\\' {
                let mut k = i + 3;
                while k < c.len() && c[k] != '\'' {
                    k += 1;
                }
                i = k + 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                out.push(Token {
                    tok: Tok::Punct('\''),
                    line,
                });
                i += 1;
            }
        } else if is_ident_start(ch) {
            let start = i;
            while i < c.len() && is_ident_char(c[i]) {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Ident(c[start..i].iter().collect()),
                line,
            });
        } else if ch == ':' && at(i + 1) == ':' {
            out.push(Token {
                tok: Tok::Path,
                line,
            });
            i += 2;
        } else {
            out.push(Token {
                tok: Tok::Punct(ch),
                line,
            });
            i += 1;
        }
    }
    out
}

/// A raw string (`r"…"`, `r#"…"#`, `br"…"`) starting at `i`: its text, the
/// index after it and the newlines inside.
fn raw_string(c: &[char], i: usize) -> Option<(String, usize, usize)> {
    if i > 0 && is_ident_char(c[i - 1]) {
        return None;
    }
    let mut k = i;
    if c.get(k) == Some(&'b') {
        k += 1;
    }
    if c.get(k) != Some(&'r') {
        return None;
    }
    k += 1;
    let mut hashes = 0;
    while c.get(k) == Some(&'#') {
        hashes += 1;
        k += 1;
    }
    if c.get(k) != Some(&'"') {
        return None;
    }
    k += 1;
    let start = k;
    loop {
        if k >= c.len() {
            return None;
        }
        if c[k] == '"' && (0..hashes).all(|h| c.get(k + 1 + h) == Some(&'#')) {
            let text: String = c[start..k].iter().collect();
            let lines = text.matches('\n').count();
            return Some((text, k + 1 + hashes, lines));
        }
        k += 1;
    }
}

/// The module path of a file under `app/src` (`pages/dashboard/tiles.rs`
/// → `pages::dashboard::tiles`; `mod.rs` is its folder; `lib.rs` the root).
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if let Some(last) = parts.pop() {
        let stem = last.trim_end_matches(".rs").to_owned();
        if stem != "mod" && stem != "lib" {
            parts.push(stem);
        }
    }
    parts
}

/// The lines inside `#[cfg(test)]` items, and for each token the inline
/// modules (`mod name { … }`) it sits in.
struct Structure {
    test_lines: Vec<(usize, usize)>,
    inline: Vec<Vec<String>>,
}

fn structure(toks: &[Token]) -> Structure {
    let mut depth = 0_usize;
    let mut stack: Vec<(String, usize)> = Vec::new();
    let mut pending_mod: Option<String> = None;
    let mut pending_test = false;
    let mut test_open: Option<(usize, usize)> = None;
    let mut test_lines = Vec::new();
    let mut inline = Vec::with_capacity(toks.len());
    for (i, t) in toks.iter().enumerate() {
        inline.push(stack.iter().map(|(n, _)| n.clone()).collect());
        match &t.tok {
            Tok::Punct('#') => {
                let words: Vec<&Tok> = toks[i + 1..].iter().take(6).map(|t| &t.tok).collect();
                if words.len() == 6
                    && words[0] == &Tok::Punct('[')
                    && words[1] == &Tok::Ident("cfg".into())
                    && words[2] == &Tok::Punct('(')
                    && words[3] == &Tok::Ident("test".into())
                    && words[4] == &Tok::Punct(')')
                {
                    pending_test = true;
                }
            }
            Tok::Ident(w) if w == "mod" => {
                if let Some(Token {
                    tok: Tok::Ident(name),
                    ..
                }) = toks.get(i + 1)
                {
                    pending_mod = Some(name.clone());
                }
            }
            Tok::Punct(';') => {
                pending_mod = None;
                pending_test = false;
            }
            Tok::Punct('{') => {
                depth += 1;
                if let Some(name) = pending_mod.take() {
                    stack.push((name, depth));
                }
                if pending_test && test_open.is_none() {
                    test_open = Some((t.line, depth));
                }
                pending_test = false;
            }
            Tok::Punct('}') => {
                if stack.last().is_some_and(|(_, d)| *d == depth) {
                    stack.pop();
                }
                if let Some((start, d)) = test_open {
                    if d == depth {
                        test_lines.push((start, t.line));
                        test_open = None;
                    }
                }
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
    }
    Structure { test_lines, inline }
}

/// The full paths a path starting at token `i` names: `crate::a::{b, c::d}`
/// gives `crate::a::b` and `crate::a::c::d` (segments as written).
fn paths_at(toks: &[Token], i: usize) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut k = i;
    walk_path(toks, &mut k, Vec::new(), &mut out);
    out
}

fn walk_path(toks: &[Token], k: &mut usize, mut prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    loop {
        match toks.get(*k).map(|t| &t.tok) {
            Some(Tok::Ident(s)) => {
                prefix.push(s.clone());
                *k += 1;
            }
            Some(Tok::Punct('*')) => {
                prefix.push("*".into());
                *k += 1;
                out.push(prefix);
                return;
            }
            Some(Tok::Punct('{')) => {
                *k += 1;
                loop {
                    match toks.get(*k).map(|t| &t.tok) {
                        None => return,
                        Some(Tok::Punct('}')) => {
                            *k += 1;
                            return;
                        }
                        Some(Tok::Punct(',')) => *k += 1,
                        Some(_) => {
                            let before = *k;
                            walk_path(toks, k, prefix.clone(), out);
                            // `x as y`: skip the alias.
                            while matches!(toks.get(*k).map(|t| &t.tok), Some(Tok::Ident(_))) {
                                *k += 1;
                            }
                            if *k == before {
                                *k += 1;
                            }
                        }
                    }
                }
            }
            _ => {
                if !prefix.is_empty() {
                    out.push(prefix);
                }
                return;
            }
        }
        if toks.get(*k).map(|t| &t.tok) == Some(&Tok::Path) {
            *k += 1;
        } else {
            out.push(prefix);
            return;
        }
    }
}

/// Resolves a path written in module `here` to a path from the crate root
/// (`None` when it does not start at `crate`, `self` or `super`).
fn resolve(here: &[String], path: &[String]) -> Option<Vec<String>> {
    let mut it = path.iter().peekable();
    let mut base: Vec<String> = match it.next()?.as_str() {
        "crate" => Vec::new(),
        "self" => here.to_vec(),
        "super" => {
            let mut b = here.to_vec();
            b.pop();
            while it.peek().is_some_and(|s| s.as_str() == "super") {
                it.next();
                b.pop();
            }
            b
        }
        _ => return None,
    };
    for s in it {
        if s == "self" {
            continue;
        }
        base.push(s.clone());
    }
    Some(base)
}

/// The `[layers]` and `[lib.rs]` violations of one file.
fn check_layers(rel: &Path, src: &str) -> Vec<Violation> {
    let file = format!("app/src/{}", rel.display());
    let module = module_path(rel);
    let mut found = Vec::new();
    let v = |line: usize, rule: &'static str, message: String| Violation {
        file: file.clone(),
        line,
        rule,
        message,
    };
    if rel == Path::new("main.rs") {
        return found;
    }
    let toks = tokens(src);
    if rel == Path::new("lib.rs") {
        found.extend(check_lib(&toks).into_iter().map(|(line, what)| {
            v(
                line,
                "lib.rs",
                format!("`{what}`: lib.rs only declares modules (`pub mod x;`) and re-exports `App` (`pub use router::App;`)"),
            )
        }));
    }
    let (layer, page) = match module.first() {
        None => (Layer::Entry, None),
        Some(top) => match layer_of(top) {
            Some(l) => (l, module.get(1).cloned()),
            None => {
                found.push(v(
                    1,
                    "layers",
                    format!("module `{top}` has no layer: give it one in MODULES (xtask/tests/tidy_app.rs)"),
                ));
                return found;
            }
        },
    };
    let structure = structure(&toks);
    for (i, t) in toks.iter().enumerate() {
        let Tok::Ident(word) = &t.tok else { continue };
        if !matches!(word.as_str(), "crate" | "self" | "super")
            || toks.get(i + 1).map(|t| &t.tok) != Some(&Tok::Path)
            || (i > 0 && toks[i - 1].tok == Tok::Path)
        {
            continue;
        }
        let mut here = module.clone();
        here.extend(structure.inline[i].iter().cloned());
        let mut seen = BTreeSet::new();
        for path in paths_at(&toks, i) {
            let Some(target) = resolve(&here, &path) else {
                continue;
            };
            let Some(top) = target.first() else { continue };
            let shown = format!(
                "crate::{}",
                target
                    .iter()
                    .take(2)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("::")
            );
            if !seen.insert(shown.clone()) {
                continue;
            }
            if let Some(message) = layer_rule(
                layer,
                page.as_deref(),
                top,
                target.get(1).map(String::as_str),
                &shown,
            ) {
                found.push(v(t.line, "layers", message));
            }
        }
    }
    found
}

/// Why `layer` (and `page`) may not name `top` (`target_page`), if so.
fn layer_rule(
    layer: Layer,
    page: Option<&str>,
    top: &str,
    target_page: Option<&str>,
    shown: &str,
) -> Option<String> {
    if layer == Layer::Entry {
        return None;
    }
    let Some(target) = layer_of(top) else {
        return Some(format!(
            "`{shown}` is not a module with a layer (lib.rs holds nothing but modules)"
        ));
    };
    match layer {
        Layer::Pages if target > Layer::Pages || (target == Layer::Pages && (page.is_none() || target_page != page)) => {
            Some(format!(
                "page `{}` names `{shown}`: pages import only from components, charts and the base ({BASE_NAMES}) — never router, shell or another page; move what two pages share into components/ or charts/",
                page.unwrap_or("pages")
            ))
        }
        Layer::Widgets if target > Layer::Widgets => Some(format!(
            "`{shown}` from components/charts: widgets never import pages, shell or router"
        )),
        Layer::Base if target > Layer::Base => Some(format!(
            "`{shown}` from a base module: {BASE_NAMES} import only each other"
        )),
        Layer::Shell if target >= Layer::Pages && top != "shell" => Some(format!(
            "the shell names `{shown}`: it imports only components, charts and the base; the router places pages into it"
        )),
        Layer::Router if target > Layer::Router => {
            Some(format!("`{shown}` from the router"))
        }
        _ => None,
    }
}

/// Lines of lib.rs that are not a module declaration, `#[macro_use]` or
/// the re-export of `App`.
fn check_lib(toks: &[Token]) -> Vec<(usize, String)> {
    let mut bad = Vec::new();
    let mut stmt: Vec<&Token> = Vec::new();
    let mut depth = 0_i32;
    for t in toks {
        stmt.push(t);
        match t.tok {
            Tok::Punct('[') => depth += 1,
            Tok::Punct(']') => {
                depth -= 1;
                if depth == 0 && stmt.first().map(|t| &t.tok) == Some(&Tok::Punct('#')) {
                    let text = render(&stmt);
                    if text != "#[macro_use]" && !text.starts_with("#![") {
                        bad.push((stmt[0].line, text));
                    }
                    stmt.clear();
                }
            }
            Tok::Punct(';') | Tok::Punct('}') if depth == 0 => {
                let text = render(&stmt);
                let words: Vec<&str> = text.trim_end_matches(';').split(' ').collect();
                let ok = matches!(words.as_slice(), ["pub", "mod", _] | ["mod", _])
                    || text == "pub use router::App;";
                if !ok {
                    bad.push((stmt[0].line, text));
                }
                stmt.clear();
            }
            _ => {}
        }
    }
    bad
}

fn render(toks: &[&Token]) -> String {
    let mut s = String::new();
    for t in toks {
        match &t.tok {
            Tok::Ident(w) => {
                if s.ends_with(|c: char| is_ident_char(c)) {
                    s.push(' ');
                }
                s.push_str(w);
            }
            Tok::Path => s.push_str("::"),
            Tok::Punct(c) => s.push(*c),
            Tok::Str(x) => {
                s.push('"');
                s.push_str(x);
                s.push('"');
            }
        }
    }
    s
}

// ---------------------------------------------------------------------
// Dates.
// ---------------------------------------------------------------------

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const DATE_FORMATTERS: [&str; 9] = [
    "DateTimeFormat",
    "RelativeTimeFormat",
    "toLocaleDateString",
    "toLocaleTimeString",
    "toLocaleString",
    "to_locale_date_string",
    "to_locale_time_string",
    "to_locale_string",
    "format_to_parts",
];

const DATE_PARTS: [&str; 8] = [
    "year", "month", "month0", "day", "day0", "hour", "minute", "weekday",
];

const FORMAT_MACROS: [&str; 7] = [
    "format",
    "write",
    "writeln",
    "format_args",
    "t",
    "t_string",
    "td_string",
];

/// The strftime conversion in a literal, if any (`%Y`, `%-m`, `%b`, …).
fn strftime_in(s: &str) -> Option<String> {
    let c: Vec<char> = s.chars().collect();
    for i in 0..c.len() {
        if c[i] != '%' {
            continue;
        }
        let hex = |k: usize| c.get(k).is_some_and(char::is_ascii_hexdigit);
        if hex(i + 1) && hex(i + 2) {
            continue; // percent-encoding
        }
        let mut k = i + 1;
        if c.get(k).is_some_and(|f| "-_0^#".contains(*f)) {
            k += 1;
        }
        if c.get(k)
            .is_some_and(|x| "YCyqmbBhdeaAjuwUWGgVHIklMSpPfFDTRrcxXzZs".contains(*x))
        {
            return Some(c[i..=k].iter().collect());
        }
    }
    None
}

/// Why literal `s` writes a date or month, if it does.
fn date_literal(s: &str) -> Option<String> {
    if let Some(spec) = strftime_in(s) {
        return Some(format!("chrono/strftime conversion `{spec}` in \"{s}\""));
    }
    let c: Vec<char> = s.chars().collect();
    for (i, ch) in c.iter().enumerate() {
        if !matches!(ch, '年' | '月' | '日') {
            continue;
        }
        let near = |k: Option<usize>| {
            k.and_then(|k| c.get(k))
                .is_some_and(|x| x.is_ascii_digit() || *x == '{' || *x == '}')
        };
        if near(i.checked_sub(1)) || near(Some(i + 1)) {
            return Some(format!(
                "Japanese date word `{ch}` next to a number in \"{s}\""
            ));
        }
    }
    if s.contains('{') && (s.contains(":02}") || s.contains(":04}")) {
        return Some(format!("zero-padded date/time field in \"{s}\""));
    }
    let t = s.trim();
    if MONTHS
        .iter()
        .any(|m| *m == t || (t.len() == 3 && m.starts_with(t)))
    {
        return Some(format!("month name \"{s}\""));
    }
    None
}

/// The `[dates]` violations of one file.
fn check_dates(rel: &Path, src: &str) -> Vec<Violation> {
    if rel == Path::new("format.rs") {
        return Vec::new();
    }
    let file = format!("app/src/{}", rel.display());
    let toks = tokens(src);
    let tests = structure(&toks).test_lines;
    let in_test = |line: usize| tests.iter().any(|(a, b)| (*a..=*b).contains(&line));
    let mut found = Vec::new();
    let mut push = |line: usize, what: String| {
        if !in_test(line) {
            found.push(Violation {
                file: file.clone(),
                line,
                rule: "dates",
                message: format!(
                    "{what}: dates and months are formatted only in app/src/format.rs"
                ),
            });
        }
    };
    let is = |k: usize, tok: &Tok| toks.get(k).map(|t| &t.tok) == Some(tok);
    let part_at = |k: usize| -> Option<&str> {
        if !is(k, &Tok::Punct('.')) || !is(k + 2, &Tok::Punct('(')) || !is(k + 3, &Tok::Punct(')'))
        {
            return None;
        }
        match toks.get(k + 1).map(|t| &t.tok) {
            Some(Tok::Ident(w)) if DATE_PARTS.contains(&w.as_str()) => Some(w.as_str()),
            _ => None,
        }
    };
    for (i, t) in toks.iter().enumerate() {
        match &t.tok {
            Tok::Str(s) => {
                if let Some(why) = date_literal(s) {
                    push(t.line, why);
                }
            }
            Tok::Ident(w) if DATE_FORMATTERS.contains(&w.as_str()) => {
                push(t.line, format!("the browser's date formatter `{w}`"));
            }
            Tok::Ident(w)
                if FORMAT_MACROS.contains(&w.as_str())
                    && is(i + 1, &Tok::Punct('!'))
                    && is(i + 2, &Tok::Punct('(')) =>
            {
                let mut depth = 0;
                let mut k = i + 2;
                while k < toks.len() {
                    match toks[k].tok {
                        Tok::Punct('(') | Tok::Punct('[') | Tok::Punct('{') => depth += 1,
                        Tok::Punct(')') | Tok::Punct(']') | Tok::Punct('}') => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    if let Some(part) = part_at(k) {
                        push(toks[k].line, format!("`.{part}()` written by `{w}!`"));
                    }
                    k += 1;
                }
            }
            Tok::Punct('.') => {
                if let Some(part) = part_at(i) {
                    if is(i + 4, &Tok::Punct('.')) && is(i + 5, &Tok::Ident("to_string".into())) {
                        push(t.line, format!("`.{part}().to_string()`"));
                    }
                }
            }
            _ => {}
        }
    }
    found
}

// ---------------------------------------------------------------------
// The checks over app/src.
// ---------------------------------------------------------------------

fn app_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .join("app/src")
}

/// Every `.rs` file under `app/src`, relative to it, sorted.
fn sources() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<(PathBuf, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
            .map(|e| e.expect("directory entry").path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, root, out);
            } else if p.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&p)
                    .unwrap_or_else(|e| panic!("reading {}: {e}", p.display()));
                let rel = p.strip_prefix(root).expect("under app/src").to_path_buf();
                out.push((rel, text));
            }
        }
    }
    let root = app_src();
    let mut out = Vec::new();
    walk(&root, &root, &mut out);
    assert!(
        out.len() > 20,
        "found only {} source files under {}",
        out.len(),
        root.display()
    );
    out
}

fn report(found: &[Violation], what: &str) {
    if !found.is_empty() {
        let lines: Vec<String> = found.iter().map(ToString::to_string).collect();
        panic!(
            "{} {what} violation(s):\n{}\n",
            found.len(),
            lines.join("\n")
        );
    }
}

#[test]
fn tidy_app_modules_import_only_their_own_layer_and_below() {
    let found: Vec<Violation> = sources()
        .iter()
        .flat_map(|(rel, src)| check_layers(rel, src))
        .collect();
    report(&found, "layering");
}

#[test]
fn tidy_app_dates_and_months_are_formatted_only_in_format_rs() {
    let found: Vec<Violation> = sources()
        .iter()
        .flat_map(|(rel, src)| check_dates(rel, src))
        .collect();
    report(&found, "date formatting");
}

// ---------------------------------------------------------------------
// The checker itself, on made-up sources.
// ---------------------------------------------------------------------

fn layers(rel: &str, src: &str) -> Vec<String> {
    check_layers(Path::new(rel), src)
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn dates(rel: &str, src: &str) -> Vec<String> {
    check_dates(Path::new(rel), src)
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn tidy_checker_refuses_a_page_naming_another_page_however_written() {
    for src in [
        "use crate::pages::dashboard::ChartCard;",
        "use crate::pages::{login, dashboard::Hit};",
        "use crate::{api, pages::dashboard};",
        "use super::dashboard::Hit;",
        "use super::*;",
        "use crate::pages;",
        "fn f() { view! { <crate::pages::tasks::TaskList /> } }",
        "use crate::shell::LanguageSwitch;",
        "fn f() { crate::router::App(); }",
    ] {
        let found = layers("pages/accounts.rs", &format!("\n{src}\n"));
        assert!(!found.is_empty(), "not found: {src}");
        for f in &found {
            assert!(
                f.starts_with("app/src/pages/accounts.rs:2: [layers] page `accounts`"),
                "{found:?}"
            );
        }
    }
}

#[test]
fn tidy_checker_lets_a_page_use_its_own_modules_and_the_layers_below() {
    let src = r#"
        //! Uses crate::pages::other in a comment only.
        use crate::components::form::ErrorAlert;
        use crate::charts::card::{ChartCard, Hit};
        use crate::{api, format, i18n::*};
        use super::state::DashState;
        use crate::pages::dashboard::tiles::Tiles;
        const NOTE: &str = "crate::pages::other::X";
        fn f<'a>(x: &'a str) -> char { '{' }
        mod inner { use super::*; use super::super::dashboard::state; }
        #[cfg(test)]
        mod tests { use super::*; }
    "#;
    assert_eq!(
        layers("pages/dashboard/charts.rs", src),
        Vec::<String>::new()
    );
    assert_eq!(
        layers(
            "pages/dashboard/mod.rs",
            "use self::state::X; use super::dashboard::Y;"
        ),
        Vec::<String>::new()
    );
}

#[test]
fn tidy_checker_refuses_widgets_and_base_modules_looking_up() {
    assert_eq!(
        layers("components/pager.rs", "use crate::pages::login::HOME;").len(),
        1
    );
    assert_eq!(
        layers("charts/card.rs", "use crate::shell::Shell;").len(),
        1
    );
    assert_eq!(
        layers("components/pager.rs", "use crate::charts::PALETTE;").len(),
        0
    );
    assert_eq!(
        layers("session.rs", "use crate::components::labels::role_label;").len(),
        1
    );
    assert_eq!(
        layers("format.rs", "use crate::i18n::Locale; use super::clock;").len(),
        0
    );
    assert_eq!(
        layers("shell.rs", "use crate::pages::login::login_path;").len(),
        1
    );
    assert_eq!(
        layers("shell.rs", "use crate::components::labels::role_label;").len(),
        0
    );
    assert_eq!(
        layers("router.rs", "use crate::pages; use crate::shell::Shell;").len(),
        0
    );
    let unknown = layers("widgets.rs", "fn f() {}");
    assert!(unknown[0].contains("has no layer"), "{unknown:?}");
    assert!(layers("pages/a.rs", "use crate::text;")[0].contains("not a module with a layer"));
}

#[test]
fn tidy_checker_keeps_lib_rs_to_module_declarations() {
    let ok =
        "//! Doc.\n#[macro_use]\npub mod i18n;\npub mod api;\nmod x;\n\npub use router::App;\n";
    assert_eq!(layers("lib.rs", ok), Vec::<String>::new());
    let bad = layers(
        "lib.rs",
        "pub mod api;\nuse leptos::prelude::*;\nfn helper() {}\n",
    );
    assert_eq!(bad.len(), 2, "{bad:?}");
    assert!(bad[0].starts_with("app/src/lib.rs:2: [lib.rs]"), "{bad:?}");
}

#[test]
fn tidy_checker_finds_dates_formatted_outside_format_rs() {
    for src in [
        r#"let s = d.format("%b %Y").to_string();"#,
        r#"let s = m.format("%Y年%-m月").to_string();"#,
        r#"let s = at.format("%Y-%m-%d %H:%M").to_string();"#,
        r#"let s = format!("{}年{}月", m.year(), m.month());"#,
        r#"let s = format!("{y}-{m:02}");"#,
        r#"let s = format!("Q{q} {}",
                first.year());"#,
        r#"let s = first.year().to_string();"#,
        r#"const M: [&str; 2] = ["Jan", "Feb"];"#,
        r#"let f = js_sys::Intl::DateTimeFormat::new(&l, &o);"#,
        r#"let s = t_string!(i18n, when, year = d.year());"#,
    ] {
        let found = dates("pages/dashboard.rs", &format!("\n{src}\n"));
        assert!(!found.is_empty(), "not found: {src}");
        for f in &found {
            assert!(
                f.starts_with("app/src/pages/dashboard.rs:") && f.contains(" [dates] "),
                "{found:?}"
            );
        }
    }
    assert_eq!(
        dates("format.rs", r#"let s = d.format("%Y-%m-%d");"#).len(),
        0
    );
}

#[test]
fn tidy_checker_lets_numbers_urls_and_machine_dates_pass() {
    let src = r#"
        // d.format("%Y") in a comment
        let a = format!("{p:.0}%");
        let b = " (%)".to_owned();
        let c = "/accounts?q=%E6%A0%AA";
        let d = format!("{n:04x}");
        let e = day.to_string();
        let f = js_sys::Date::new_with_year_month_day(d.year() as u32, 0, 1);
        let g = format!("{} ({:.0} %)", w, s);
        #[cfg(test)]
        mod tests { const L: [&str; 1] = ["2025年1月"]; }
    "#;
    assert_eq!(dates("pages/survey.rs", src), Vec::<String>::new());
}
