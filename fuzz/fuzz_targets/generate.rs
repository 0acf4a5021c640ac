//! Syntactically valid Rust assembled from context-API snippets, chosen by the fuzzer's bytes:
//! imports, parameters, statements and the loops, closures and macros that wrap them.

const IMPORTS: &[&str] = &[
    "use tokio_util::sync::{CancellationToken, DropGuard};",
    "use tokio_context::context::{Context, Handle};",
    "use scuffle_context::{Context as Sc, Handler};",
    "use stop_token::StopSource;",
    "use go_lib::context::{self, background, with_cancel, with_timeout};",
    "use goish::prelude::*;",
    "use core::context::{Background, WithCancel, WithValue};",
    "use opentelemetry::Context as Otel;",
    "use std::task::Context;",
    "use rmcp::service::RequestContext;",
];

const PARAMS: &[&str] = &[
    "token: CancellationToken",
    "token: &CancellationToken",
    "ctx: Context",
    "ctx: &go_lib::context::Context",
    "cx: &mut Context<'_>",
    "cx: Otel",
    "context: RequestContext<RoleServer>",
    "n: usize",
    "name: &str",
    "_ctx: Context",
];

const STMTS: &[&str] = &[
    "let _ = token.clone().drop_guard();",
    "token.clone().drop_guard();",
    "let _guard = token.child_token().drop_guard();",
    "let (c, _) = with_timeout(&ctx, d);",
    "let (c, cancel) = with_cancel(&ctx);",
    "let (c, _) = Context::new();",
    "let t = StopSource::new().token();",
    "let _ = cx.attach();",
    "let root = CancellationToken::new();",
    "let bg = background();",
    "let v = ctx.value(\"user\");",
    "let c2 = WithValue(&ctx, \"k\", 1);",
    "ctx = ctx.with_value(1);",
    "let x = Otel::current();",
    "if token.is_cancelled() { break; }",
    "std::thread::sleep(d);",
    "tokio::time::sleep(d).await;",
    "work().await;",
    "return;",
    "cancel.cancel();",
    "let s = format!(\"{cancel:?}\");",
    "spawn(async move { token.cancelled().await; });",
];

const WRAPPERS: &[(&str, &str)] = &[
    ("", ""),
    ("loop { ", " }"),
    ("while !token.is_cancelled() { ", " }"),
    ("for i in 0..n { ", " }"),
    ("if n > 0 { ", " } else { }"),
    ("let f = move || { ", " };"),
    ("async { ", " };"),
    ("tokio::select! { _ = token.cancelled() => break, _ = sleep(d) => { ", " } }"),
    ("tokio::select! { _ = token.cancelled() => {}, else => { ", " } }"),
    ("tokio::join!(async { ", " }, work());"),
    ("go_lib::select! { recv(ctx.done()) -> _ => break, default => { ", " } }"),
    ("defer! { ", " }"),
    ("items.iter().for_each(|i| { ", " });"),
];

fn pick<'a, T>(data: &mut &[u8], from: &'a [T]) -> Option<&'a T> {
    let (&byte, rest) = data.split_first()?;
    *data = rest;
    from.get(byte as usize % from.len())
}

/// The Rust file `data` chooses.
pub fn text(data: &[u8]) -> String {
    let mut data = data;
    let mut text = String::new();
    for _ in 0..3 {
        if let Some(import) = pick(&mut data, IMPORTS) {
            text.push_str(import);
            text.push('\n');
        }
    }
    while !data.is_empty() {
        text.push_str("async fn f(");
        for _ in 0..2 {
            if let Some(param) = pick(&mut data, PARAMS) {
                text.push_str(param);
                text.push_str(", ");
            }
        }
        text.push_str(") {\n");
        for _ in 0..4 {
            let (Some((open, close)), Some(stmt)) = (pick(&mut data, WRAPPERS), pick(&mut data, STMTS)) else {
                break;
            };
            text.push_str(&format!("    {open}{stmt}{close}\n"));
        }
        text.push_str("}\n");
    }
    text
}
