//! The byte pre-filter only skips files that cannot produce a finding: on a generated corpus
//! that reaches the catalog through every kind of import, findings are identical with and
//! without it (parse errors aside: a file the pre-filter skips is not parsed).

use std::fmt::Write as _;
use std::process::Command;

/// Ways a file brings a context API into scope, and the names it then uses.
const IMPORTS: &[(&str, &str, &str)] = &[
    (
        "use tokio_util::sync::CancellationToken;",
        "CancellationToken",
        "token",
    ),
    (
        "use tokio_util::sync::{self as s};",
        "s::CancellationToken",
        "token",
    ),
    ("use tokio_util::sync::CancellationToken as Tok;", "Tok", "token"),
    ("use tokio_util::sync::*;", "CancellationToken", "token"),
    (
        "extern crate tokio_util as tu;",
        "tu::sync::CancellationToken",
        "token",
    ),
    ("type Tok = tokio_util::sync::CancellationToken;", "Tok", "token"),
    ("", "tokio_util::sync::CancellationToken", "token"),
    (
        "use go_http::context::{background, with_cancel, Context};",
        "Context",
        "go",
    ),
    ("use goish::prelude::*;", "context::Context", "goish"),
    (
        "use core::context::{self, Background, WithValue};",
        "context::Context",
        "halo",
    ),
    // halo-core's lib is named `core`: beside libcore's paths, only its own count.
    (
        "use core::fmt::Debug as _; use core::{context::{self, Background, WithValue}};",
        "context::Context",
        "halo",
    ),
    ("use core::fmt::Write as _;", "core :: context::Context", "halo"),
    ("use opentelemetry::Context as Otel;", "Otel", "otel"),
    ("use stop_token::StopSource;", "StopSource", "stop"),
    ("", "Unknown", "token"),
];

/// Statements per flavour of API; some are findings, some are not.
fn statements(flavour: &str, ty: &str) -> Vec<String> {
    match flavour {
        "token" => vec![
            format!("let root = {ty}::new();"),
            "let _ = token.clone().drop_guard();".into(),
            "token.child_token().drop_guard();".into(),
            "let _guard = token.clone().drop_guard();".into(),
            "loop { if token.is_cancelled() { break; } std::thread::sleep(d); }".into(),
            "// ctxlint: allow(dropped_cancel_guard)".into(),
            "let _ = token.clone().drop_guard(); // ctxlint: allow(dropped_cancel_guard)".into(),
        ],
        "go" => vec![
            "let (c, _) = with_cancel(&parent);".into(),
            "let bg = background();".into(),
            "let (c, cancel) = with_cancel(&parent); cancel.cancel();".into(),
        ],
        "goish" => vec![
            "let (c, _) = context::WithCancel(parent.clone());".into(),
            "let v = parent.Value::<u32>(\"user\");".into(),
            "let c2 = context::WithValue(parent.clone(), \"k\", 1);".into(),
        ],
        "halo" => vec![
            "let c = WithValue(&parent, \"k\", 1);".into(),
            "let bg = Background();".into(),
            "for i in 0..3 { let v = parent.value(&\"k\"); }".into(),
        ],
        "otel" => vec![
            "let _ = parent.attach();".into(),
            "for i in 0..3 { let c = Otel::current(); }".into(),
            format!("let a = {ty}::current().with_value(A).with_value(B).with_value(C);"),
        ],
        _ => vec![
            format!("let s = {ty}::new().token();"),
            format!("let _ = {ty}::new();"),
        ],
    }
}

/// A small deterministic generator (no dependency needed for this).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % below
    }
}

fn generate(dir: &std::path::Path, files: usize) {
    let mut rng = Lcg(7);
    for n in 0..files {
        let mut text = String::new();
        let (import, ty, flavour) = IMPORTS[rng.next(IMPORTS.len())];
        let nested = rng.next(4) == 0;
        if nested {
            // The import sits in the parent module; the code reaches it through `super::*`.
            writeln!(text, "{import}\nmod inner {{\n    use super::*;").unwrap();
        } else {
            writeln!(text, "{import}").unwrap();
        }
        let param = match flavour {
            "token" => format!("token: {ty}"),
            "stop" => "n: u8".into(),
            // Not `ctx`: a file naming `ctx` and `Context` may use the `ctx` crate.
            _ => format!("parent: {ty}"),
        };
        let pool = statements(flavour, ty);
        for f in 0..1 + rng.next(3) {
            let extra = if rng.next(3) == 0 { ", n: usize" } else { "" };
            writeln!(text, "async fn f{f}({param}{extra}) {{").unwrap();
            for _ in 0..1 + rng.next(4) {
                writeln!(text, "    {}", pool[rng.next(pool.len())]).unwrap();
            }
            writeln!(text, "}}").unwrap();
        }
        if nested {
            writeln!(text, "}}").unwrap();
        }
        std::fs::write(dir.join(format!("f{n:03}.rs")), text).unwrap();
    }
    // Catalog values reached only through fields and `self`: the parse must keep their bodies.
    let fields = "use tokio_util::sync::{CancellationToken, DropGuard};\n\
struct State { cancel: CancellationToken }\n\
struct Guard(DropGuard);\n\
impl State {\n    fn stop(&self) { let _ = self.cancel.clone().drop_guard(); }\n    fn spin(&self, d: u64) { loop { if self.cancel.is_cancelled() { break; } std::thread::sleep(d); } }\n}\n\
impl Guard {\n    fn release(self) { let _ = self.0; }\n    fn again(&self) { self.0.token().clone().drop_guard(); }\n}\n\
fn through_a_binding(s: &State) { s.cancel.clone().drop_guard(); }\n\
fn unrelated(x: u8) -> u8 { x + 1 }\n";
    for n in 0..5 {
        std::fs::write(dir.join(format!("fields{n}.rs")), fields).unwrap();
    }
    // Shapes the parse must keep whole though a body names no catalog word: an alias of an
    // alias, a field whose type holds one, a tuple struct reached through `self.0`, an item
    // whose bound holds `=`.
    let reached = "use tokio_util::sync::CancellationToken as Tok;\n\
type Shared = Tok;\n\
struct Inner { stop: Shared }\n\
struct Outer { inner: Inner }\n\
struct Wrap(Shared);\n\
const LIMIT: Limits = Limits { n: 3 };\n\
fn bounded<I>(i: I) where I: Iterator<Item = u8> { i.count(); }\n\
fn deep(o: &Outer) { o.inner.stop.child_token().drop_guard(); }\n\
impl Wrap {\n    fn spin(&self) { while !self.0.is_cancelled() { std::thread::yield_now(); } }\n}\n\
fn after_bound(t: Shared) { let _ = t.child_token().drop_guard(); }\n";
    for n in 0..5 {
        std::fs::write(dir.join(format!("reached{n}.rs")), reached).unwrap();
    }
    // Files that mention no API, and one that mentions it only in a comment.
    for n in 0..50 {
        std::fs::write(
            dir.join(format!("plain{n:02}.rs")),
            "fn f(ctx: &mut Context<'_>) { let x = 1; }\n",
        )
        .unwrap();
    }
    std::fs::write(
        dir.join("comment.rs"),
        "// tokio_util::sync::CancellationToken\nfn f() {}\n",
    )
    .unwrap();
}

fn findings(dir: &std::path::Path, extra: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_ctxlint"))
        .args(["--message-format", "short"])
        .args(extra)
        .current_dir(dir)
        .output()
        .unwrap();
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter(|line| !line.contains("ctxlint::parse_error"))
        .map(|line| format!("{line}\n"))
        .collect()
}

#[test]
fn findings_are_identical_without_the_prefilter() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), 400);
    let with = findings(dir.path(), &[]);
    let without = findings(dir.path(), &["--no-prefilter"]);
    // The corpus does exercise the lints.
    for rule in [
        "dropped_cancel_guard",
        "background_in_handler",
        "done_polling",
        "unused_suppression",
    ] {
        assert!(
            with.contains(rule),
            "no {rule} finding in the generated corpus:\n{with}"
        );
    }
    assert_eq!(with, without);
}
