//! Macro bodies: syn leaves a macro's tokens unparsed, but cancellation code lives in
//! `select!`, `join!` and `defer!`. These bodies are parsed here into syntax whose spans point
//! into the file, so every lint sees inside them. Expression-shaped macros (`assert!`,
//! `println!`-like, `vec!`, logging) are parsed best-effort, argument by argument. A body that
//! does not parse is skipped silently: it is not a parse error of the file.

use foldhash::{HashMap, HashMapExt};

use proc_macro2::{TokenStream, TokenTree};
use syn::parse::{Parse, ParseStream, Parser};
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{Expr, Pat, Stmt, Token};

/// The parsed body of a macro call.
#[derive(Debug)]
pub enum MacroBody {
    Select(Select),
    /// Arguments that parsed as expressions (`join!`, `assert!`, `println!`, …).
    Exprs(Vec<Expr>),
    /// Statements (`defer! { … }`).
    Stmts(Vec<Stmt>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SelectFlavor {
    /// `tokio::select!`, `futures::select!`/`select_biased!`: `pat = future => handler`.
    Futures,
    /// crossbeam / go-lib: `recv(rx) -> msg => handler`.
    Channel,
}

#[derive(Debug)]
pub struct Select {
    pub flavor: SelectFlavor,
    /// `biased;` (tokio) or `select_biased!` (futures).
    pub biased: bool,
    pub arms: Vec<SelectArm>,
    /// `else =>` (tokio), `default =>` / `complete =>` (futures, channel selects).
    pub fallbacks: Vec<Fallback>,
}

#[derive(Debug)]
pub struct SelectArm {
    /// `pat` in `pat = future`, or in `recv(rx) -> pat`.
    pub pat: Option<Pat>,
    pub op: ArmOp,
    /// The future, or the channel of a `recv`/`send`.
    pub expr: Expr,
    /// `send(ch, value)`: the value.
    pub value: Option<Expr>,
    /// tokio's `, if cond`.
    pub guard: Option<Expr>,
    pub body: Expr,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArmOp {
    Await,
    Recv,
    Send,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FallbackKind {
    Else,
    Default,
    Complete,
}

#[derive(Debug)]
pub struct Fallback {
    pub kind: FallbackKind,
    /// The keyword (`else`, `default`, `complete`).
    pub keyword: proc_macro2::Span,
    /// `default(timeout) =>` in channel selects.
    pub timeout: Option<Expr>,
    pub body: Expr,
}

/// Macros whose arguments are expressions separated by commas.
const EXPRESSION_MACROS: &[&str] = &[
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "print",
    "println",
    "eprint",
    "eprintln",
    "format",
    "format_args",
    "write",
    "writeln",
    "panic",
    "unreachable",
    "todo",
    "unimplemented",
    "dbg",
    "vec",
    "matches",
    "pin",
    "pin_mut",
    "ready",
    "trace",
    "debug",
    "info",
    "warn",
    "error",
    "event",
    "anyhow",
    "bail",
    "ensure",
    "format_err",
];

/// Structured-logging macros, whose `name = value` arguments are fields.
const LOGGING_MACROS: &[&str] = &["trace", "debug", "info", "warn", "error", "event"];

/// Macros whose arguments are format strings, whose `{name}` arguments are references.
pub const FORMAT_MACROS: &[&str] = &[
    "print",
    "println",
    "eprint",
    "eprintln",
    "format",
    "format_args",
    "write",
    "writeln",
    "panic",
    "unreachable",
    "todo",
    "unimplemented",
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "trace",
    "debug",
    "info",
    "warn",
    "error",
    "event",
    "anyhow",
    "bail",
    "ensure",
    "format_err",
];

impl MacroBody {
    /// Walks the parsed body with a syn visitor: patterns, futures, guards and handlers of
    /// select arms, expressions, statements.
    pub fn visit<'ast, V: syn::visit::Visit<'ast> + ?Sized>(&'ast self, visitor: &mut V) {
        walk(self, visitor, true);
    }
}

/// The last segment of a macro's path: `tokio::select!` is `select`.
pub fn macro_name(mac: &syn::Macro) -> String {
    mac.path
        .segments
        .last()
        .map(|segment| segment.ident.to_string())
        .unwrap_or_default()
}

/// Parses a macro body ctxlint understands; `None` for other macros and for bodies that do not
/// parse.
///
/// The arguments of macros called inside the body are hidden while it parses and put back
/// after: syn copies every token below a parsed stream into its buffer, so parsing each of
/// `n` nested `select!`s with its callees' tokens would copy O(n²) tokens.
pub fn parse(mac: &syn::Macro) -> Option<MacroBody> {
    let mut hidden = HashMap::new();
    let tokens = hide_macro_arguments(&mac.tokens, &mut hidden);
    let mut body = parse_tokens(&macro_name(mac), tokens)?;
    if !hidden.is_empty() {
        Restore(hidden).visit_body_mut(&mut body);
    }
    Some(body)
}

fn parse_tokens(name: &str, tokens: TokenStream) -> Option<MacroBody> {
    match name {
        "select" | "select_biased" => {
            let biased = name == "select_biased";
            let select = (|input: ParseStream| parse_select(input, biased)).parse2(tokens);
            select.ok().map(MacroBody::Select)
        }
        "join" | "try_join" => parse_join.parse2(tokens).ok().map(MacroBody::Exprs),
        "defer" => syn::Block::parse_within.parse2(tokens).ok().map(MacroBody::Stmts),
        _ if EXPRESSION_MACROS.contains(&name) => {
            let mut exprs = expression_arguments(tokens);
            // `info!(user = name, …)` names a field: the value is the expression, and nothing
            // is assigned.
            if LOGGING_MACROS.contains(&name) {
                exprs = exprs
                    .into_iter()
                    .map(|expr| match expr {
                        Expr::Assign(field) if matches!(&*field.left, Expr::Path(_) | Expr::Field(_)) => {
                            *field.right
                        }
                        expr => expr,
                    })
                    .collect();
            }
            (!exprs.is_empty()).then_some(MacroBody::Exprs(exprs))
        }
        _ => None,
    }
}

/// `tokens` with the argument group of every macro call in it (`name!(…)`, at any depth)
/// replaced by an empty group of the same delimiter and span; the arguments go to `hidden`,
/// by the group's start.
fn hide_macro_arguments(tokens: &TokenStream, hidden: &mut HashMap<usize, TokenStream>) -> TokenStream {
    let mut out: Vec<TokenTree> = Vec::new();
    for tree in tokens.clone() {
        let TokenTree::Group(group) = tree else {
            out.push(tree);
            continue;
        };
        let called = match out.as_slice() {
            [.., TokenTree::Ident(name), TokenTree::Punct(bang)] => {
                bang.as_char() == '!' && !is_keyword(&name.to_string())
            }
            _ => false,
        };
        let stream = match called {
            true => {
                hidden.insert(group.span().byte_range().start, group.stream());
                TokenStream::new()
            }
            false => hide_macro_arguments(&group.stream(), hidden),
        };
        let mut replaced = proc_macro2::Group::new(group.delimiter(), stream);
        replaced.set_span(group.span());
        out.push(TokenTree::Group(replaced));
    }
    out.into_iter().collect()
}

/// Words before which `!` is an operator, not a macro call (`if !(…)`, `return !(…)`).
fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "as" | "async"
            | "await"
            | "box"
            | "break"
            | "const"
            | "continue"
            | "crate"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "self"
            | "Self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
            | "yield"
            | "become"
            | "do"
            | "gen"
    )
}

/// Puts hidden macro arguments back into the macro calls of a parsed body.
struct Restore(HashMap<usize, TokenStream>);

impl Restore {
    fn visit_body_mut(&mut self, body: &mut MacroBody) {
        match body {
            MacroBody::Select(select) => {
                for arm in &mut select.arms {
                    if let Some(pat) = &mut arm.pat {
                        self.visit_pat_mut(pat);
                    }
                    self.visit_expr_mut(&mut arm.expr);
                    if let Some(value) = &mut arm.value {
                        self.visit_expr_mut(value);
                    }
                    if let Some(guard) = &mut arm.guard {
                        self.visit_expr_mut(guard);
                    }
                    self.visit_expr_mut(&mut arm.body);
                }
                for fallback in &mut select.fallbacks {
                    if let Some(timeout) = &mut fallback.timeout {
                        self.visit_expr_mut(timeout);
                    }
                    self.visit_expr_mut(&mut fallback.body);
                }
            }
            MacroBody::Exprs(exprs) => exprs.iter_mut().for_each(|e| self.visit_expr_mut(e)),
            MacroBody::Stmts(stmts) => stmts.iter_mut().for_each(|s| self.visit_stmt_mut(s)),
        }
    }
}

impl VisitMut for Restore {
    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        let start = mac.delimiter.span().join().byte_range().start;
        if let Some(tokens) = self.0.remove(&start) {
            mac.tokens = tokens;
        }
    }
}

/// Visits the syntax a parsed macro body holds (select arms' patterns excepted) with any
/// visitor, so that walks over a function see inside its macros.
pub fn visit_body<'a, V: Visit<'a> + ?Sized>(visitor: &mut V, body: &'a MacroBody) {
    walk(body, visitor, false);
}

/// The parts of a body in source order; select arms' patterns only with `patterns`.
fn walk<'a, V: Visit<'a> + ?Sized>(body: &'a MacroBody, visitor: &mut V, patterns: bool) {
    match body {
        MacroBody::Select(select) => {
            for arm in &select.arms {
                if let Some(pat) = arm.pat.as_ref().filter(|_| patterns) {
                    visitor.visit_pat(pat);
                }
                visitor.visit_expr(&arm.expr);
                if let Some(value) = &arm.value {
                    visitor.visit_expr(value);
                }
                if let Some(guard) = &arm.guard {
                    visitor.visit_expr(guard);
                }
                visitor.visit_expr(&arm.body);
            }
            for fallback in &select.fallbacks {
                if let Some(timeout) = &fallback.timeout {
                    visitor.visit_expr(timeout);
                }
                visitor.visit_expr(&fallback.body);
            }
        }
        MacroBody::Exprs(exprs) => exprs.iter().for_each(|e| visitor.visit_expr(e)),
        MacroBody::Stmts(stmts) => stmts.iter().for_each(|s| visitor.visit_stmt(s)),
    }
}

fn parse_join(input: ParseStream) -> syn::Result<Vec<Expr>> {
    skip_biased(input)?;
    let exprs = input.parse_terminated(Expr::parse, Token![,])?;
    Ok(exprs.into_iter().collect())
}

fn skip_biased(input: ParseStream) -> syn::Result<bool> {
    if peek_word(input, "biased") && input.peek2(Token![;]) {
        input.parse::<syn::Ident>()?;
        input.parse::<Token![;]>()?;
        return Ok(true);
    }
    Ok(false)
}

fn peek_word(input: ParseStream, word: &str) -> bool {
    input.cursor().ident().is_some_and(|(ident, _)| ident == word)
}

fn parse_select(input: ParseStream, biased: bool) -> syn::Result<Select> {
    let mut select = Select {
        flavor: SelectFlavor::Futures,
        biased: skip_biased(input)? || biased,
        arms: Vec::new(),
        fallbacks: Vec::new(),
    };
    while !input.is_empty() {
        if input.peek(Token![else]) && input.peek2(Token![=>]) {
            let keyword = input.parse::<Token![else]>()?.span;
            input.parse::<Token![=>]>()?;
            let body = parse_handler(input)?;
            select.fallbacks.push(Fallback {
                kind: FallbackKind::Else,
                keyword,
                timeout: None,
                body,
            });
        } else if (peek_word(input, "default") || peek_word(input, "complete"))
            && (input.peek2(Token![=>]) || input.peek2(syn::token::Paren))
        {
            let keyword: syn::Ident = input.parse()?;
            let timeout = if input.peek(syn::token::Paren) {
                let content;
                syn::parenthesized!(content in input);
                Some(content.parse::<Expr>()?)
            } else {
                None
            };
            input.parse::<Token![=>]>()?;
            let body = parse_handler(input)?;
            select.fallbacks.push(Fallback {
                kind: if keyword == "default" {
                    FallbackKind::Default
                } else {
                    FallbackKind::Complete
                },
                keyword: keyword.span(),
                timeout,
                body,
            });
        } else if (peek_word(input, "recv") || peek_word(input, "send")) && input.peek2(syn::token::Paren) {
            select.flavor = SelectFlavor::Channel;
            let op: syn::Ident = input.parse()?;
            let content;
            syn::parenthesized!(content in input);
            let expr = content.parse::<Expr>()?;
            let value = if content.peek(Token![,]) {
                content.parse::<Token![,]>()?;
                Some(content.parse::<Expr>()?)
            } else {
                None
            };
            let pat = if input.peek(Token![->]) {
                input.parse::<Token![->]>()?;
                Some(Pat::parse_multi_with_leading_vert(input)?)
            } else {
                None
            };
            input.parse::<Token![=>]>()?;
            let body = parse_handler(input)?;
            select.arms.push(SelectArm {
                pat,
                op: if op == "recv" { ArmOp::Recv } else { ArmOp::Send },
                expr,
                value,
                guard: None,
                body,
            });
        } else {
            let pat = Pat::parse_multi_with_leading_vert(input)?;
            input.parse::<Token![=]>()?;
            let expr = input.parse::<Expr>()?;
            let guard = if input.peek(Token![,]) && input.peek2(Token![if]) {
                input.parse::<Token![,]>()?;
                input.parse::<Token![if]>()?;
                Some(input.parse::<Expr>()?)
            } else {
                None
            };
            input.parse::<Token![=>]>()?;
            let body = parse_handler(input)?;
            select.arms.push(SelectArm {
                pat: Some(pat),
                op: ArmOp::Await,
                expr,
                value: None,
                guard,
                body,
            });
        }
    }
    Ok(select)
}

/// An arm's handler: a block (comma optional) or an expression followed by a comma or the end.
fn parse_handler(input: ParseStream) -> syn::Result<Expr> {
    let body = if input.peek(syn::token::Brace) {
        Expr::Block(syn::ExprBlock {
            attrs: Vec::new(),
            label: None,
            block: input.parse()?,
        })
    } else {
        input.parse::<Expr>()?
    };
    if input.peek(Token![,]) {
        input.parse::<Token![,]>()?;
    } else if !input.is_empty() && !is_block_like(&body) {
        return Err(input.error("expected `,` after a select arm"));
    }
    Ok(body)
}

fn is_block_like(expr: &Expr) -> bool {
    matches!(
        expr,
        Expr::Block(_)
            | Expr::If(_)
            | Expr::Match(_)
            | Expr::Loop(_)
            | Expr::While(_)
            | Expr::ForLoop(_)
            | Expr::Unsafe(_)
            | Expr::TryBlock(_)
            | Expr::Const(_)
    )
}

/// Splits a token stream at top-level commas (and semicolons, for `vec![x; n]`) and keeps the
/// pieces that parse as expressions.
fn expression_arguments(tokens: TokenStream) -> Vec<Expr> {
    split_arguments(tokens)
        .into_iter()
        .filter_map(|piece| syn::parse2::<Expr>(piece).ok())
        .collect()
}

pub fn split_arguments(tokens: TokenStream) -> Vec<TokenStream> {
    let mut pieces = Vec::new();
    let mut current = Vec::new();
    for tree in tokens {
        match &tree {
            TokenTree::Punct(p) if matches!(p.as_char(), ',' | ';') => {
                pieces.push(current.drain(..).collect::<TokenStream>());
            }
            _ => current.push(tree),
        }
    }
    if !current.is_empty() {
        pieces.push(current.into_iter().collect());
    }
    pieces.retain(|piece| !piece.is_empty());
    pieces
}

/// Every identifier in a token stream (a macro's body ctxlint does not parse), with the names
/// written inside format strings (`"{cancel}"`, `"{cancel:?}"`).
pub fn mentioned_idents(tokens: &TokenStream, out: &mut Vec<(String, proc_macro2::Span)>) {
    mentioned(tokens, false, out);
}

/// [`mentioned_idents`] for a macro whose body ctxlint parses: the bodies of macros called in
/// it are left out, as the walk of the parsed body reaches those calls itself (taking them
/// here too would take a name once per enclosing macro: quadratic in the nesting).
pub fn mentioned_idents_outside_macros(tokens: &TokenStream, out: &mut Vec<(String, proc_macro2::Span)>) {
    mentioned(tokens, true, out);
}

fn mentioned(tokens: &TokenStream, skip_macro_calls: bool, out: &mut Vec<(String, proc_macro2::Span)>) {
    let mut after_bang = false;
    for tree in tokens.clone() {
        let bang = matches!(&tree, TokenTree::Punct(p) if p.as_char() == '!');
        match tree {
            TokenTree::Ident(ident) => out.push((ident.to_string(), ident.span())),
            TokenTree::Group(_) if skip_macro_calls && after_bang => {}
            TokenTree::Group(group) => mentioned(&group.stream(), skip_macro_calls, out),
            TokenTree::Literal(lit) => format_string_names(&lit, out),
            _ => {}
        }
        after_bang = bang;
    }
}

/// Names used as inline format arguments: `{name}` or `{name:…}` in a string literal.
pub fn format_string_names(lit: &proc_macro2::Literal, out: &mut Vec<(String, proc_macro2::Span)>) {
    let text = lit.to_string();
    if !text.starts_with('"') && !text.starts_with('r') {
        return;
    }
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'{' {
            if bytes.get(i + 1) == Some(&b'{') {
                i += 2;
                continue;
            }
            let start = i + 1;
            let mut end = start;
            while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
                end += 1;
            }
            if end > start && !bytes[start].is_ascii_digit() && matches!(bytes.get(end), Some(b'}' | b':')) {
                out.push((text[start..end].to_string(), lit.span()));
            }
            i = end;
        } else {
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(src: &str) -> Option<MacroBody> {
        let mac: syn::Macro = syn::parse_str(src).unwrap();
        parse(&mac)
    }

    /// Arguments of macros called in a body are hidden while it parses: they come back whole,
    /// and `!` after a keyword is no macro call.
    #[test]
    fn nested_macro_arguments_come_back() {
        let Some(MacroBody::Select(select)) = body(
            "tokio::select! { _ = t.cancelled() => { if !(a) { x() } tokio::select! { _ = s => vec![1, 2] } } }",
        ) else {
            panic!("not parsed")
        };
        let Expr::Block(block) = &select.arms[0].body else {
            panic!("{:?}", select.arms[0].body)
        };
        let [Stmt::Expr(Expr::If(check), None), Stmt::Macro(inner)] = block.block.stmts.as_slice() else {
            panic!("{:?}", block.block.stmts)
        };
        assert!(matches!(&*check.cond, Expr::Unary(u) if matches!(&*u.expr, Expr::Paren(_))));
        assert_eq!(inner.mac.tokens.to_string(), "_ = s => vec ! [1 , 2]");
        let Some(MacroBody::Select(inner)) = parse(&inner.mac) else {
            panic!("inner not parsed")
        };
        assert!(matches!(&inner.arms[0].body, Expr::Macro(m) if m.mac.tokens.to_string() == "1 , 2"));
    }

    #[test]
    fn tokio_select_with_biased_guard_and_else() {
        let Some(MacroBody::Select(select)) = body(
            "tokio::select! { biased; _ = token.cancelled() => break, Some(v) = rx.recv(), if open => { work(v) } else => {} }",
        ) else {
            panic!("not parsed")
        };
        assert!(select.biased);
        assert_eq!(select.flavor, SelectFlavor::Futures);
        assert_eq!(select.arms.len(), 2);
        assert!(select.arms[1].guard.is_some());
        assert_eq!(select.fallbacks[0].kind, FallbackKind::Else);
    }

    #[test]
    fn futures_select_with_default_and_complete() {
        let Some(MacroBody::Select(select)) =
            body("futures::select! { x = a => x, default => (), complete => break }")
        else {
            panic!("not parsed")
        };
        assert_eq!(select.arms.len(), 1);
        let kinds: Vec<_> = select.fallbacks.iter().map(|f| f.kind).collect();
        assert_eq!(kinds, [FallbackKind::Default, FallbackKind::Complete]);
    }

    #[test]
    fn channel_select() {
        let Some(MacroBody::Select(select)) = body(
            "go_lib::select! { recv(ctx.done()) -> _ => break, send(tx, 1) -> r => {}, default => { work(); } }",
        ) else {
            panic!("not parsed")
        };
        assert_eq!(select.flavor, SelectFlavor::Channel);
        assert_eq!(select.arms[0].op, ArmOp::Recv);
        assert_eq!(select.arms[1].op, ArmOp::Send);
        assert!(select.arms[1].value.is_some());
        assert_eq!(select.fallbacks[0].kind, FallbackKind::Default);
    }

    #[test]
    fn crossbeam_forms() {
        // Handlers that are assignments, macro calls without a trailing comma, blocks without a
        // comma before the next arm, and a timed `default`.
        let Some(MacroBody::Select(select)) = body(
            "crossbeam_channel::select! { recv(r) -> _ => seen[0] = true, send(s, 1) -> res => { check(res) } \
             recv(done) -> v => assert!(v.is_err()) }",
        ) else {
            panic!("not parsed")
        };
        assert_eq!(select.arms.len(), 3);
        assert!(matches!(select.arms[0].body, Expr::Assign(_)));
        let Some(MacroBody::Select(select)) =
            body("select_biased! { recv(r) -> msg => { handle(msg) } default(ms(100)) => {} }")
        else {
            panic!("not parsed")
        };
        assert!(select.biased);
        assert!(select.fallbacks[0].timeout.is_some());
    }

    #[test]
    fn futures_complete_after_a_block() {
        let Some(MacroBody::Select(select)) = body(
            "futures::select! { a = fut_a => total += a, b = rx.next() => { total += b? } complete => break }",
        ) else {
            panic!("not parsed")
        };
        assert_eq!(select.arms.len(), 2);
        assert_eq!(select.fallbacks[0].kind, FallbackKind::Complete);
    }

    #[test]
    fn join_defer_and_expression_macros() {
        assert!(matches!(body("tokio::join!(a, b.c())"), Some(MacroBody::Exprs(e)) if e.len() == 2));
        assert!(matches!(body("defer! { cancel.call(); }"), Some(MacroBody::Stmts(s)) if s.len() == 1));
        // `?x` does not parse as an expression; the rest does.
        assert!(matches!(body("info!(?x, \"m {}\", y)"), Some(MacroBody::Exprs(e)) if e.len() == 2));
        // A field is not an assignment.
        assert!(
            matches!(body("info!(user = name(), \"m\")"), Some(MacroBody::Exprs(e)) if matches!(e[0], Expr::Call(_)))
        );
        assert!(
            matches!(body("assert!(x = y)"), Some(MacroBody::Exprs(e)) if matches!(e[0], Expr::Assign(_)))
        );
        assert!(body("my_dsl! { <div> }").is_none());
        assert!(body("tokio::select! { this is not select }").is_none());
    }

    #[test]
    fn names_in_format_strings() {
        let mut out = Vec::new();
        let tokens: TokenStream = r#""{cancel} {x:?} {{skip}} {0} {}""#.parse().unwrap();
        mentioned_idents(&tokens, &mut out);
        let names: Vec<_> = out.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["cancel", "x"]);
    }
}
