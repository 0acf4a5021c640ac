use syn::{Expr, ExprAssign, Stmt};

use crate::checker::{Checker, Node};
use crate::diagnostic::{Diagnostic, Edit, Fix, Level};
use crate::model::catalog::{Callable, Kind, Returns, Role};
use crate::model::loops::Loop;
use crate::model::uncloned;
use crate::model::{BindingId, SpanKey, WriteKind};
use crate::source::Span;

super::declare_rule! {
    /// ## What it does
    /// Finds contexts derived inside loops in two shapes:
    ///
    /// - a context declared outside the loop is re-assigned to a child of itself
    ///   (`ctx = ctx.with_value(…)`, `(ctx, cancel) = with_timeout(&ctx, d)`,
    ///   `ctx = WithValue(ctx, k, v)`): the chain grows by one layer every iteration;
    /// - a timeout context is derived on every iteration from the same parent with the same
    ///   duration (`with_timeout(&parent, d)` with `parent` and `d` unchanged by the loop).
    ///
    /// ## Why is this bad?
    /// A context is a chain of layers; after n iterations of `ctx = ctx.with_value(…)` every
    /// lookup walks n layers, every cancellation visits them, and none can be freed while the
    /// last one lives (Go's `fatcontext`). A fresh timeout per iteration from the same parent
    /// starts a timer (for some crates a thread) and registers a child each time; where the
    /// loop should share one deadline, deriving it once is both cheaper and what was meant.
    ///
    /// Spared: shadowing (`let ctx = ctx.with_value(…)` inside the loop, which starts from the
    /// outer context each time), a context that is reset to a root earlier in the same
    /// iteration, contexts declared inside the loop, loops whose body always leaves in its first
    /// iteration, and per-iteration child tokens and cancel contexts without a duration (one per
    /// connection or job is the normal shape).
    ///
    /// ## Example
    /// ```rust
    /// let mut ctx = parent.clone();
    /// for item in items {
    ///     ctx = ctx.with_value(ItemId(item.id));
    ///     handle(&ctx, item);
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// for item in items {
    ///     let ctx = parent.with_value(ItemId(item.id));
    ///     handle(&ctx, item);
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Turning the assignment into a `let` shadows the context for the rest of the iteration
    /// only, and moving a timeout derivation before the loop makes every iteration share one
    /// deadline: both change behaviour if later code relied on the old one, so they are applied
    /// only with `--unsafe-fixes`, and only shown where the cancel function is used in the loop
    /// or the place is a field.
    ///
    /// ## References
    /// - Go's `fatcontext` linter
    pub static DERIVE_IN_LOOP = {
        name: "derive_in_loop",
        summary: "a context is derived from itself, or a timeout from the same parent, on every iteration of a loop",
        level: Level::Warn,
        on_expr: check,
    }
}

fn check(checker: &Checker, expr: &Expr) {
    match expr {
        Expr::Assign(assign) => check_self_derivation(checker, assign),
        Expr::Call(_) | Expr::MethodCall(_) => check_timeout(checker, expr),
        _ => {}
    }
}

/// The innermost loop around the node being checked that runs more than once.
fn repeating_loop<'a>(checker: &Checker<'a>) -> Option<Loop<'a>> {
    checker
        .enclosing_loops()
        .into_iter()
        .find(|found| !found.runs_once(checker.model))
}

// ---------------------------------------------------------------------------------------------
// `ctx = ctx.with_value(…)` in a loop.

fn check_self_derivation(checker: &Checker, assign: &ExprAssign) {
    let model = checker.model;
    let tuple = matches!(&*assign.left, Expr::Tuple(_));
    let place = match &*assign.left {
        Expr::Tuple(t) => match t.elems.first() {
            Some(first) => first,
            None => return,
        },
        left => left,
    };
    let Some(root) = place_root(checker, place) else {
        return;
    };
    let Some((call, callable)) = derivation(checker, &assign.right, tuple) else {
        return;
    };
    let Some(parent) = model.derived_from(call) else {
        return;
    };
    if !same_place(checker, uncloned(parent), place) {
        return;
    }
    let Some(found) = repeating_loop(checker) else {
        return;
    };
    if model.declared_within(root, found.span()) {
        return;
    }
    // A reset (or an earlier derivation, reported instead) earlier in the same iteration.
    let at = SpanKey::of(assign);
    let earlier = model.binding(root).writes.iter().any(|w| {
        w.kind == WriteKind::Assign && found.span().contains(w.at) && w.at.range().start < at.range().start
    });
    if earlier {
        return;
    }
    let name = checker.text(place);
    let message = format!(
        "`{name}` is replaced by a child of itself on every iteration of this loop (`{}`), so its chain grows without bound; derive from the outer context into a new binding",
        callable.name
    );
    let diagnostic = Diagnostic::new(DERIVE_IN_LOOP.name, checker.span(assign), message)
        .with_label("one more layer per iteration")
        .with_secondary(checker.loop_head(&found), "in this loop")
        .with_fix(shadow(checker, assign, root, &found));
    checker.report(diagnostic);
}

/// The derivation on the right of an assignment, unwrapping `?`, `.await`, parentheses and the
/// `.0` of a pair (`with_timeout(&ctx, d).0`), if it makes a context.
fn derivation<'a>(
    checker: &Checker<'a>,
    expr: &'a Expr,
    into_tuple: bool,
) -> Option<(&'a Expr, &'a Callable)> {
    let mut expr = expr;
    let mut field = false;
    loop {
        expr = match expr {
            Expr::Try(e) => &e.expr,
            Expr::Await(e) => &e.base,
            Expr::Paren(e) => &e.expr,
            Expr::Group(e) => &e.expr,
            Expr::Field(e) if matches!(&e.member, syn::Member::Unnamed(i) if i.index == 0) && !field => {
                field = true;
                &e.base
            }
            _ => break,
        };
    }
    let callable = checker.model.callable(expr)?;
    if !matches!(callable.role, Some(Role::Derive { .. } | Role::ValueSet(_))) {
        return None;
    }
    let context = match &callable.returns {
        Returns::One(ty) if !field && !into_tuple => *ty,
        Returns::Tuple(elems) if field || into_tuple => (*elems.first()?)?,
        _ => return None,
    };
    (checker.catalog.ty(context).kind == Kind::Context).then_some((expr, callable))
}

/// `let ctx = ctx.with_value(…);` (`let mut` if the loop assigns it again). Applied only to a
/// statement of the loop body itself assigning plain names: deeper in the body the shadow would
/// end with its block.
fn shadow(checker: &Checker, assign: &ExprAssign, root: BindingId, found: &Loop) -> Fix {
    let title = "shadow it with `let`, so that each iteration derives from the outer context";
    let left = checker.span(&*assign.left);
    let at = SpanKey::of(assign);
    let again = checker.model.binding(root).writes.iter().any(|w| {
        w.kind == WriteKind::Assign && found.span().contains(w.at) && w.at.range().start > at.range().start
    });
    let keyword = if again { "let mut " } else { "let " };
    let names = match &*assign.left {
        Expr::Tuple(t) => t.elems.iter().all(is_name),
        left => is_name(left),
    };
    if !names {
        // A field: derive into a local instead, and decide what the field should hold.
        let local = match &*assign.left {
            Expr::Field(field) => match &field.member {
                syn::Member::Named(name) => name.to_string(),
                syn::Member::Unnamed(_) => "ctx".to_string(),
            },
            _ => "ctx".to_string(),
        };
        return Fix::has_placeholders(
            "derive into a local binding with `let`, from the context the loop started with",
            vec![Edit::replace(left, format!("{keyword}{local}"))],
        );
    }
    let top_level = found.block().is_some_and(|body| {
        body.stmts
            .iter()
            .any(|stmt| matches!(stmt, Stmt::Expr(Expr::Assign(a), Some(_)) if std::ptr::eq(a, assign)))
    });
    // `let mut (a, b)` is not Rust: in a tuple, `mut` goes on the element assigned again.
    let edits = match &*assign.left {
        Expr::Tuple(tuple) if again => {
            let mut edits = vec![Edit::insert(left.start, "let ")];
            edits.extend(
                tuple
                    .elems
                    .iter()
                    .filter(|elem| checker.model.binding_of(elem) == Some(root))
                    .map(|elem| Edit::insert(checker.span(elem).start, "mut ")),
            );
            edits
        }
        _ => vec![Edit::insert(left.start, keyword)],
    };
    if top_level {
        Fix::maybe_incorrect(title, edits)
    } else {
        Fix::has_placeholders(title, edits)
    }
}

// ---------------------------------------------------------------------------------------------
// A fresh timeout per iteration.

fn check_timeout(checker: &Checker, expr: &Expr) {
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
        "`{}` derives a new timeout context from `{}` with the same duration on every iteration of this loop; derive it once before the loop",
        callable.name,
        checker.text(uncloned(parent))
    );
    let diagnostic = Diagnostic::new(DERIVE_IN_LOOP.name, checker.span(expr), message)
        .with_label("a new timer and child per iteration")
        .with_secondary(checker.loop_head(&found), "in this loop")
        .with_note("each iteration gets its own deadline; if it should, keep it and allow this finding")
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

// ---------------------------------------------------------------------------------------------
// Helpers.

/// The binding a place belongs to: `ctx`, `self.ctx`, `contexts[0]`.
fn place_root(checker: &Checker, place: &Expr) -> Option<BindingId> {
    match place {
        Expr::Path(_) => checker.model.binding_of(place),
        Expr::Field(e) => place_root(checker, &e.base),
        Expr::Index(e) => place_root(checker, &e.expr),
        Expr::Paren(e) => place_root(checker, &e.expr),
        _ => None,
    }
}

/// Whether two place expressions name the same place: the same text, rooted in the same binding.
fn same_place(checker: &Checker, a: &Expr, b: &Expr) -> bool {
    let text = |e: &Expr| checker.text(e).split_whitespace().collect::<String>();
    place_root(checker, a).is_some() && place_root(checker, a) == place_root(checker, b) && text(a) == text(b)
}

fn is_name(expr: &Expr) -> bool {
    matches!(expr, Expr::Path(p) if p.path.get_ident().is_some())
}
