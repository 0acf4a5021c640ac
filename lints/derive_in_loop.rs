use syn::{Expr, ExprAssign, Stmt};

use crate::checker::Checker;
use crate::diagnostic::{Diagnostic, Edit, Fix, Level};
use crate::model::catalog::{Callable, Kind, Returns, Role};
use crate::model::loops::Loop;
use crate::model::uncloned;
use crate::model::{BindingId, SpanKey, WriteKind};
use crate::source::Span;

super::declare_rule! {
    /// ## What it does
    /// Finds a context declared outside a loop that is re-assigned to a child of itself in
    /// the loop (`ctx = ctx.with_value(…)`, `(ctx, cancel) = with_timeout(&ctx, d)`,
    /// `ctx = WithValue(ctx, k, v)`): the chain grows by one layer every iteration.
    ///
    /// A fresh timeout derived on every iteration from the same parent is the pedantic
    /// `timeout_in_loop`'s.
    ///
    /// ## Why is this bad?
    /// A context is a chain of layers; after n iterations of `ctx = ctx.with_value(…)` every
    /// lookup walks n layers, every cancellation visits them, and none can be freed while the
    /// last one lives (Go's `fatcontext`).
    ///
    /// Spared: shadowing (`let ctx = ctx.with_value(…)` inside the loop, which starts from the
    /// outer context each time), a context that is reset to a root earlier in the same
    /// iteration, contexts declared inside the loop, and loops whose body always leaves in its
    /// first iteration.
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
    /// only, which changes behaviour if later code relied on the old one, so it is applied
    /// only with `--unsafe-fixes`, and only shown where the place is a field or the
    /// assignment sits deeper than the loop body's own statements.
    ///
    /// ## References
    /// - Go's `fatcontext` linter
    pub static DERIVE_IN_LOOP = {
        name: "derive_in_loop",
        summary: "a context is replaced by a child of itself on every iteration of a loop",
        group: super::Group::Perf,
        level: Level::Warn,
        on_expr: check,
    }
}

fn check(checker: &Checker, expr: &Expr) {
    if let Expr::Assign(assign) = expr {
        check_self_derivation(checker, assign);
    }
}

/// The innermost loop around the node being checked that runs more than once.
pub(super) fn repeating_loop<'a>(checker: &Checker<'a>) -> Option<Loop<'a>> {
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
    let binding = checker.model.binding(root);
    // After the fix the outer binding is never assigned: its `mut` would only draw rustc's
    // "does not need to be mutable".
    let unmut = (binding.mutable
        && top_level
        && binding.writes.iter().all(|w| {
            w.kind == WriteKind::Assign
                && found.span().contains(w.at)
                && w.at.range().start >= at.range().start
        }))
    .then(|| mut_keyword(checker, &binding.ident))
    .flatten();
    let read_later = binding.references.iter().any(|r| {
        let mention = SpanKey::from_span(*r);
        found.span().contains(mention) && mention.range().start >= at.range().end
    });
    if top_level && !read_later {
        // Nothing later in the iteration reads the derived context: a shadow would be an
        // unused variable, so the derivation goes (or, in a tuple, its context element).
        let mut edits = match &*assign.left {
            Expr::Tuple(tuple) => {
                let mut edits = vec![Edit::insert(left.start, "let ")];
                edits.extend(
                    tuple
                        .elems
                        .iter()
                        .filter(|elem| checker.model.binding_of(elem) == Some(root))
                        .map(|elem| Edit::replace(checker.span(elem), "_")),
                );
                edits
            }
            _ => {
                let statement = found.block().and_then(|body| {
                    body.stmts
                        .iter()
                        .find(|stmt| matches!(stmt, Stmt::Expr(Expr::Assign(a), Some(_)) if std::ptr::eq(a, assign)))
                });
                let Some(statement) = statement else {
                    return Fix::has_placeholders(title, vec![Edit::insert(left.start, keyword)]);
                };
                vec![Edit::replace(
                    checker.source.whole_lines(checker.span(statement)),
                    "",
                )]
            }
        };
        edits.extend(unmut);
        edits.extend(deferred_declarations(checker, assign, root, found));
        let title = match &*assign.left {
            Expr::Tuple(_) => "drop the derived context: nothing later in the iteration reads it",
            _ => "remove the derivation: nothing later in the iteration reads it",
        };
        // Read after the loop, the growing chain may be what the code wants to hand on: the
        // values should travel differently, which needs a person.
        let read_after_loop = binding
            .references
            .iter()
            .any(|r| SpanKey::from_span(*r).range().start >= found.span().range().end);
        return match read_after_loop {
            true => Fix::has_placeholders(title, edits),
            false => Fix::maybe_incorrect(title, edits),
        };
    }
    // `let mut (a, b)` is not Rust: in a tuple, `mut` goes on the element assigned again.
    let mut edits = match &*assign.left {
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
    edits.extend(unmut);
    if top_level {
        edits.extend(deferred_declarations(checker, assign, root, found));
    }
    if top_level {
        Fix::maybe_incorrect(title, edits)
    } else {
        Fix::has_placeholders(title, edits)
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
pub(super) fn same_place(checker: &Checker, a: &Expr, b: &Expr) -> bool {
    let text = |e: &Expr| checker.text(e).split_whitespace().collect::<String>();
    place_root(checker, a).is_some() && place_root(checker, a) == place_root(checker, b) && text(a) == text(b)
}

/// `let cancel;` statements of the loop body for the other names the tuple assignment sets:
/// once the assignment is a `let`, it declares them itself and those would be unused.
fn deferred_declarations(checker: &Checker, assign: &ExprAssign, root: BindingId, found: &Loop) -> Vec<Edit> {
    let (Expr::Tuple(tuple), Some(body)) = (&*assign.left, found.block()) else {
        return Vec::new();
    };
    let model = checker.model;
    let at = SpanKey::of(assign);
    let mut edits = Vec::new();
    for id in tuple.elems.iter().filter_map(|elem| model.binding_of(elem)) {
        let binding = model.binding(id);
        if id == root || !binding.writes.iter().all(|w| at.contains(w.at)) {
            continue;
        }
        let declaration = body.stmts.iter().find(|stmt| {
            matches!(stmt, Stmt::Local(local) if local.init.is_none()
                && matches!(&local.pat, syn::Pat::Ident(pat) if SpanKey::of(&pat.ident) == SpanKey::of(&binding.ident)))
        });
        if let Some(statement) = declaration {
            edits.push(Edit::replace(
                checker.source.whole_lines(checker.span(statement)),
                "",
            ));
        }
    }
    edits
}

/// The edit removing `mut ` before a binding's name (`mut cx: Context`, `let mut cx`).
fn mut_keyword(checker: &Checker, ident: &syn::Ident) -> Option<Edit> {
    let start = checker.span(ident).start;
    let before = &checker.source.text[..start];
    let keyword = before.trim_end().strip_suffix("mut")?;
    let preceded_by_ref = keyword.trim_end().ends_with("ref");
    let separated =
        keyword.is_empty() || keyword.ends_with(|c: char| c.is_whitespace() || c == '(' || c == ',');
    (separated && !preceded_by_ref).then(|| Edit::replace(Span::new(keyword.len(), start), ""))
}

fn is_name(expr: &Expr) -> bool {
    matches!(expr, Expr::Path(p) if p.path.get_ident().is_some())
}
