//! A fresh timeout per iteration of a loop. Shares its loop and place helpers with
//! `derive_in_loop`, which it was split from.

use syn::{Expr, Stmt};

use super::derive_in_loop::{repeating_loop, same_place};
use crate::checker::{Checker, Node};
use crate::diagnostic::{Diagnostic, Edit, Fix, Level};
use crate::model::catalog::{Kind, Role};
use crate::model::loops::Loop;
use crate::model::uncloned;
use crate::model::{BindingId, SpanKey};
use crate::source::Span;

super::declare_rule! {
    /// ## What it does
    /// Finds a timeout context derived on every iteration of a loop from the same parent with
    /// the same duration (`with_timeout(&parent, d)` with `parent` and `d` unchanged by the
    /// loop). Pedantic: allowed unless you enable it (`-W timeout_in_loop`, `-W pedantic`).
    ///
    /// ## Why is this bad?
    /// Often it is not: a timeout per job is a per-job budget, and deriving it once before the
    /// loop would turn it into one budget shared by all jobs, a behaviour change. Where the
    /// loop should share one deadline, though, a fresh timeout per iteration starts a timer
    /// (for some crates a thread) and registers a child each time, and deriving it once is
    /// both cheaper and what was meant.
    ///
    /// Spared: derivations whose parent or duration changes in the loop, per-iteration child
    /// tokens and cancel contexts without a duration (one per connection or job is the normal
    /// shape), and loops whose body always leaves in its first iteration. A context assigned
    /// back to its own parent is `derive_in_loop`'s.
    ///
    /// ## Example
    /// ```rust
    /// for request in requests {
    ///     let (ctx, _cancel) = with_timeout(&parent, BATCH_DEADLINE);
    ///     send(&ctx, request);
    /// }
    /// ```
    ///
    /// Use instead, if the whole batch shares the deadline:
    /// ```rust
    /// let (ctx, _cancel) = with_timeout(&parent, BATCH_DEADLINE);
    /// for request in requests {
    ///     send(&ctx, request);
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Moving the derivation before the loop makes every iteration share one deadline, so it
    /// is applied only with `--unsafe-fixes`, and only shown where the cancel function is used
    /// in the loop.
    pub static TIMEOUT_IN_LOOP = {
        name: "timeout_in_loop",
        summary: "a timeout is derived from the same parent and duration on every iteration of a loop",
        group: super::Group::Pedantic,
        level: Level::Allow,
        on_expr: check_timeout,
    }
}

fn check_timeout(checker: &Checker, expr: &Expr) {
    if !matches!(expr, Expr::Call(_) | Expr::MethodCall(_)) {
        return;
    }
    let model = checker.model;
    let Some(callable) = model.callable(expr) else {
        return;
    };
    if callable.role != Some(Role::Derive { timeout: true }) {
        return;
    }
    let Some(parent) = model.derived_from(expr) else {
        return;
    };
    if assigned_back(checker, parent) {
        return;
    }
    let Some(found) = repeating_loop(checker) else {
        return;
    };
    let args: Vec<&Expr> = match expr {
        Expr::Call(call) => call.args.iter().collect(),
        Expr::MethodCall(call) => std::iter::once(&*call.receiver).chain(call.args.iter()).collect(),
        _ => return,
    };
    if !args.iter().all(|arg| model.is_invariant(arg, found.span())) {
        return;
    }
    let message = format!(
        "`{}` derives a new timeout context from `{}` with the same duration on every iteration of this loop",
        callable.name,
        checker.text(uncloned(parent))
    );
    let diagnostic = Diagnostic::new(TIMEOUT_IN_LOOP.name, checker.span(expr), message)
        .with_label("a new timer and child per iteration")
        .with_secondary(checker.loop_head(&found), "in this loop")
        .with_note("this may be intended: each iteration gets its own budget (a per-job timeout); deriving it once before the loop makes all iterations share one deadline")
        .with_fix(hoist_statement(checker, expr, &found));
    checker.report(diagnostic);
}

/// Whether the derivation is assigned back to its own parent (the first shape, reported as such).
fn assigned_back(checker: &Checker, parent: &Expr) -> bool {
    for node in checker.parents() {
        match node {
            Node::Expr(Expr::Assign(assign)) => {
                let place = match &*assign.left {
                    Expr::Tuple(t) => t.elems.first(),
                    left => Some(left),
                };
                return place.is_some_and(|place| same_place(checker, uncloned(parent), place));
            }
            Node::Stmt(_) => return false,
            _ => {}
        }
    }
    false
}

/// Moves the `let` holding the derivation before the loop, when it is a statement of the loop
/// body and nothing it binds is a cancel function used in the loop.
fn hoist_statement(checker: &Checker, expr: &Expr, found: &Loop) -> Fix {
    let title = "derive it once before the loop";
    let statement = checker.parents().find_map(|node| match node {
        Node::Stmt(stmt) => Some(stmt),
        _ => None,
    });
    let target = checker.statement_around(found.expr);
    let (Some(statement @ Stmt::Local(local)), Some(target), Some(body)) = (statement, target, found.block())
    else {
        return placeholder_hoist(checker, expr, found, title);
    };
    let at_top = body.stmts.iter().any(|s| std::ptr::eq(s, statement));
    let init = local.init.as_ref().map(|init| &*init.expr);
    let derives = init.is_some_and(|init| {
        let mut e = init;
        loop {
            e = match e {
                Expr::Try(t) => &t.expr,
                Expr::Paren(p) => &p.expr,
                Expr::Field(f) => &f.base,
                _ => break,
            };
        }
        std::ptr::eq(e, expr)
    });
    if !at_top || !derives {
        return placeholder_hoist(checker, expr, found, title);
    }
    let source = checker.source;
    let span = checker.span(statement);
    let line = source.line_index(span.start);
    let line_range = source.full_line_range(line);
    let alone = source.text[line_range.start..span.start].trim().is_empty()
        && source.text[span.end..source.line_range(source.line_index(span.end)).end]
            .trim()
            .is_empty();
    let removal = if alone {
        Span::new(
            line_range.start,
            source.full_line_range(source.line_index(span.end)).end,
        )
    } else {
        span
    };
    let start = checker.span(target).start;
    let indent = source.indent_at(start);
    let newline = source.newline();
    let edits = vec![
        Edit::insert(start, format!("{}{newline}{indent}", checker.text(statement))),
        Edit::replace(removal, ""),
    ];
    // A cancel function called in the loop would cancel the shared context after one
    // iteration.
    let cancels_in_loop = bound_cancel_fns(checker, &local.pat).iter().any(|&id| {
        checker
            .model
            .binding(id)
            .references
            .iter()
            .any(|r| found.span().contains(SpanKey::from_span(*r)))
    });
    if cancels_in_loop {
        Fix::has_placeholders(
            "derive it once before the loop, and cancel it after the loop",
            edits,
        )
    } else {
        Fix::maybe_incorrect(title, edits)
    }
}

/// A `let` before the loop for a derivation that is not a statement of its own.
fn placeholder_hoist(checker: &Checker, expr: &Expr, found: &Loop, title: &str) -> Fix {
    let mut edits = vec![Edit::replace(checker.span(expr), "derived.clone()")];
    if let Some(target) = checker.statement_around(found.expr) {
        let start = checker.span(target).start;
        let indent = checker.source.indent_at(start);
        let newline = checker.source.newline();
        edits.push(Edit::insert(
            start,
            format!("let derived = {};{newline}{indent}", checker.text(expr)),
        ));
    }
    Fix::has_placeholders(title, edits)
}

/// The cancel functions a pattern binds.
fn bound_cancel_fns(checker: &Checker, pat: &syn::Pat) -> Vec<BindingId> {
    let mut out = Vec::new();
    collect_bindings(checker, pat, &mut out);
    out.retain(|&id| {
        matches!(
            checker.model.binding(id).ty,
            Some(crate::model::Ty::Api(ty)) if checker.catalog.ty(ty).kind == Kind::CancelFn
        )
    });
    out
}

fn collect_bindings(checker: &Checker, pat: &syn::Pat, out: &mut Vec<BindingId>) {
    match pat {
        syn::Pat::Ident(p) => out.extend(checker.model.binding_declared_by(&p.ident)),
        syn::Pat::Tuple(t) => t.elems.iter().for_each(|e| collect_bindings(checker, e, out)),
        syn::Pat::Type(t) => collect_bindings(checker, &t.pat, out),
        syn::Pat::Paren(p) => collect_bindings(checker, &p.pat, out),
        _ => {}
    }
}
