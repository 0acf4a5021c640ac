use syn::{Expr, Pat, Stmt};

use crate::checker::Checker;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Level};
use crate::model::Ty;
use crate::model::catalog::{Kind, OnDrop, TypeId};
use crate::source::Span;

super::declare_rule! {
    /// ## What it does
    /// Finds values whose drop cancels, or whose loss leaks, thrown away as soon as they are
    /// made:
    ///
    /// - a guard that cancels when dropped (tokio-util `DropGuard`/`DropGuardRef`, tokio-context
    ///   `Handle`/`TaskController`, scuffle-context `Handler`, stop-token `StopSource`,
    ///   tokio-tree-context `Context`, `AbortOnDropHandle`) bound to `_`, discarded as a
    ///   statement, left as the `_` of a tuple pattern, or used as a temporary receiver
    ///   (`StopSource::new().token()`);
    /// - a cancel function (go-lib, goish, halo-core, ctx, rs_ctx) discarded with `_`, or bound
    ///   to a name that is never used;
    /// - an OpenTelemetry `cx.attach()` guard bound to `_` or discarded.
    ///
    /// ## Why is this bad?
    /// `let _ = token.clone().drop_guard();` drops the guard at once, so the token is cancelled
    /// right there, before any of the work it was meant to guard has run. `DropGuard` has no
    /// `#[must_use]`, so rustc says nothing. A discarded go-style cancel function is the
    /// opposite bug (go vet's `lostcancel`): the derived context is never cancelled and lives
    /// until its parent is. A discarded attach guard undoes the attach immediately.
    ///
    /// Guards kept in a named binding (`_guard`), stored in a struct or collection, sent over a
    /// channel, returned, passed to a function, explicitly `drop()`ped or `disarm()`ed are fine.
    ///
    /// ## Example
    /// ```rust
    /// async fn serve(token: CancellationToken) {
    ///     let _ = token.clone().drop_guard();
    ///     let (ctx, _) = go_lib::context::with_timeout(&parent, Duration::from_secs(1));
    ///     run(token).await;
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// async fn serve(token: CancellationToken) {
    ///     let _guard = token.clone().drop_guard();
    ///     let (ctx, cancel) = go_lib::context::with_timeout(&parent, Duration::from_secs(1));
    ///     run(token).await;
    ///     cancel.cancel();
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Binding a guard to `_guard` keeps it alive to the end of the scope, which is what the
    /// guard is for: machine-applicable. Hoisting a temporary guard out of its statement, or
    /// calling a cancel function at the end of a block, may be the wrong place (early returns,
    /// `?`): those fixes are only applied with `--unsafe-fixes`, or not at all where the right
    /// place cannot be told.
    ///
    /// ## References
    /// - `tokio_util::sync::CancellationToken::drop_guard`
    /// - go vet `lostcancel`
    pub static DROPPED_CANCEL_GUARD = {
        name: "dropped_cancel_guard",
        summary: "a guard whose drop cancels, or a cancel function, is thrown away",
        group: super::Group::Correctness,
        level: Level::Warn,
        on_stmt: check_stmt,
        on_expr: check_temporary_receiver,
    }
}

/// What was lost, and what losing it does.
enum Violation {
    /// A guard dropped at once (`let _ = …`, a statement, a tuple's `_`).
    Dropped { ty: String, on_drop: OnDrop },
    /// A cancel function thrown away.
    DiscardedCancel { callee: String },
    /// A cancel function bound to a name nobody uses.
    UnusedCancel { name: String },
    /// A guard used as a temporary receiver, dropped at the end of the statement.
    Temporary { ty: String, on_drop: OnDrop },
}

impl Violation {
    fn message(&self) -> String {
        match self {
            Violation::Dropped { ty, on_drop } => match on_drop {
                OnDrop::Undo => format!("`{ty}` is dropped at once, which undoes the attach immediately"),
                _ => format!("`{ty}` is dropped at once, which cancels immediately"),
            },
            Violation::DiscardedCancel { callee } => format!(
                "the cancel function returned by `{callee}` should be called, not discarded, to avoid a context leak"
            ),
            Violation::UnusedCancel { name } => {
                format!(
                    "the cancel function `{name}` is never used: the context leaks until its parent is cancelled"
                )
            }
            Violation::Temporary { ty, on_drop } => match on_drop {
                OnDrop::Undo => {
                    format!("this temporary `{ty}` is dropped at the end of the statement, which undoes it")
                }
                _ => format!(
                    "this temporary `{ty}` is dropped at the end of the statement, which cancels immediately"
                ),
            },
        }
    }

    fn label(&self) -> &'static str {
        match self {
            Violation::Dropped { .. } | Violation::DiscardedCancel { .. } => "dropped here",
            Violation::UnusedCancel { .. } => "never used",
            Violation::Temporary { .. } => "temporary dropped at the end of the statement",
        }
    }

    fn report(self, checker: &Checker, span: Span, fix: Fix) {
        let diagnostic = Diagnostic::new(DROPPED_CANCEL_GUARD.name, span, self.message())
            .with_label(self.label())
            .with_fix(fix);
        checker.report(diagnostic);
    }
}

fn check_stmt(checker: &Checker, stmt: &Stmt) {
    match stmt {
        Stmt::Local(local) => {
            let Some(init) = &local.init else {
                return;
            };
            check_let(checker, &local.pat, &init.expr, &mut bound_names(&local.pat));
            check_unused_cancel(checker, &local.pat);
        }
        Stmt::Expr(Expr::Assign(assign), Some(_)) if produces_value(checker, &assign.right) => {
            let ty = checker.model.type_of(&assign.right);
            check_discarding_assignee(checker, &assign.left, ty.as_ref(), &assign.right);
        }
        Stmt::Expr(Expr::Assign(_), _) => {}
        Stmt::Expr(expr, Some(_)) => {
            if !produces_value(checker, expr) {
                return;
            }
            let Some(ty) = checker.model.type_of(expr) else {
                return;
            };
            let Some((guard, on_drop)) = dropped_guard(checker, &ty) else {
                return;
            };
            let span = checker.span(expr);
            let fix = Fix::machine_applicable(
                "bind it to a named variable, so that it lives until the end of the scope",
                vec![Edit::insert(span.start, "let _guard = ")],
            );
            Violation::Dropped { ty: guard, on_drop }.report(checker, span, fix);
        }
        _ => {}
    }
}

/// `let pat = init`; a tuple pattern bound to a tuple expression pairs up element by element
/// (`let (_, n) = (token.drop_guard(), 1)`).
/// `names` are those the whole pattern binds, so that a fix binding a second guard in it picks
/// another name.
fn check_let(checker: &Checker, pat: &Pat, init: &Expr, names: &mut Vec<String>) {
    if let (Pat::Tuple(pats), Expr::Tuple(values)) = (pat, init)
        && pats.elems.len() == values.elems.len()
        && !pats.elems.iter().any(|elem| matches!(elem, Pat::Rest(_)))
    {
        for (pat, value) in pats.elems.iter().zip(&values.elems) {
            check_let(checker, pat, value, names);
        }
        return;
    }
    if produces_value(checker, init) {
        let ty = checker.model.type_of(init);
        check_discarding_pattern(checker, pat, ty.as_ref(), init, names);
    }
}

/// `base`, or `base2`, `base3`… if the pattern already binds it; the name is then taken.
fn unused_name(base: &str, names: &mut Vec<String>) -> String {
    let name = std::iter::once(base.to_string())
        .chain((2..).map(|i| format!("{base}{i}")))
        .find(|name| !names.contains(name))
        .expect("a free name");
    names.push(name.clone());
    name
}

/// The names a pattern binds.
fn bound_names(pat: &Pat) -> Vec<String> {
    match pat {
        Pat::Ident(ident) => vec![ident.ident.to_string()],
        Pat::Type(typed) => bound_names(&typed.pat),
        Pat::Paren(paren) => bound_names(&paren.pat),
        Pat::Tuple(tuple) => tuple.elems.iter().flat_map(bound_names).collect(),
        _ => Vec::new(),
    }
}

/// `let _ = …`, `let (ctx, _) = …`, `let _: DropGuard = …`.
fn check_discarding_pattern(
    checker: &Checker,
    pat: &Pat,
    ty: Option<&Ty>,
    init: &Expr,
    names: &mut Vec<String>,
) {
    match pat {
        Pat::Wild(wild) => discarded(checker, checker.span(wild), ty, init, names),
        Pat::Type(typed) => {
            let written = checker.model.written_type(&typed.ty);
            check_discarding_pattern(checker, &typed.pat, written.or(ty), init, names);
        }
        Pat::Paren(paren) => check_discarding_pattern(checker, &paren.pat, ty, init, names),
        Pat::Tuple(tuple) => {
            let Some(Ty::Tuple(elems)) = ty else {
                return;
            };
            for (elem, elem_ty) in tuple.elems.iter().zip(elems) {
                if matches!(elem, Pat::Rest(_)) {
                    break;
                }
                check_discarding_pattern(checker, elem, elem_ty.as_ref(), init, names);
            }
        }
        _ => {}
    }
}

/// `_ = …` and `(ctx, _) = …` assignments.
fn check_discarding_assignee(checker: &Checker, left: &Expr, ty: Option<&Ty>, init: &Expr) {
    match left {
        // `_ = guard()` can become `let _guard = guard()`.
        Expr::Infer(infer) if matches!(ty, Some(Ty::Api(_))) => {
            let Some(ty) = ty else { return };
            let Some((guard, on_drop)) = dropped_guard(checker, ty) else {
                return discarded(checker, checker.span(infer), Some(ty), init, &mut Vec::new());
            };
            let span = checker.span(infer);
            let fix = Fix::machine_applicable(
                "bind it to a named variable, so that it lives until the end of the scope",
                vec![Edit::replace(span, "let _guard")],
            );
            Violation::Dropped { ty: guard, on_drop }.report(checker, span, fix);
        }
        Expr::Infer(infer) => discarded(checker, checker.span(infer), ty, init, &mut Vec::new()),
        Expr::Paren(paren) => check_discarding_assignee(checker, &paren.expr, ty, init),
        Expr::Tuple(tuple) => {
            let Some(Ty::Tuple(elems)) = ty else {
                return;
            };
            for (elem, elem_ty) in tuple.elems.iter().zip(elems) {
                check_discarding_assignee(checker, elem, elem_ty.as_ref(), init);
            }
        }
        _ => {}
    }
}

/// A value of type `ty`, made by `init`, is bound to the `_` at `wildcard`.
fn discarded(checker: &Checker, wildcard: Span, ty: Option<&Ty>, init: &Expr, names: &mut Vec<String>) {
    let Some(ty) = ty else {
        return;
    };
    if let Some((guard, on_drop)) = dropped_guard(checker, ty) {
        if is_mem_replace(init) && on_drop == OnDrop::Cancel {
            // `fn cancel(mut self)` swapping its guard out: cancelling is what it is for.
            if checker.in_cancelling_fn() {
                return;
            }
            // The displaced guard: keeping it to the end of the scope would still cancel.
            let span = checker.span(init);
            let fix = Fix::maybe_incorrect(
                "disarm the displaced guard if the old token must stay alive",
                vec![Edit::insert(span.end, ".disarm()")],
            );
            let diagnostic = Diagnostic::new(
                DROPPED_CANCEL_GUARD.name,
                wildcard,
                format!("the `{guard}` displaced by `mem::replace` is dropped at once, which cancels the old token"),
            )
            .with_label("dropped here")
            .with_note("if cancelling the old token is intended, `drop(…)` says so")
            .with_fix(fix);
            checker.report(diagnostic);
            return;
        }
        let fix = Fix::machine_applicable(
            "bind it to a named variable, so that it lives until the end of the scope",
            vec![Edit::replace(wildcard, unused_name("_guard", names))],
        );
        Violation::Dropped { ty: guard, on_drop }.report(checker, wildcard, fix);
    } else if let Some(cancel_ty) = cancel_fn(checker, ty) {
        let name = checker.fresh_name("cancel");
        // A pair dropped whole keeps its cancel function: `let (_, cancel) = …`.
        let binding = match ty {
            Ty::Tuple(elems) => {
                let elems: Vec<&str> = elems
                    .iter()
                    .map(|elem| match elem {
                        Some(Ty::Api(id)) if *id == cancel_ty => name.as_str(),
                        _ => "_",
                    })
                    .collect();
                format!("({})", elems.join(", "))
            }
            _ => name.clone(),
        };
        let call = cancel_call(checker, cancel_ty, &name);
        let mut fix = cancel_at_end_of_block(checker, &call);
        fix.edits.insert(0, Edit::replace(wildcard, binding));
        let callee = crate::model::callee_name(init);
        Violation::DiscardedCancel { callee }.report(checker, wildcard, fix);
    }
}

/// `let (ctx, cancel) = with_cancel(&parent);` where `cancel` is never used.
fn check_unused_cancel(checker: &Checker, pat: &Pat) {
    match pat {
        Pat::Ident(ident) => {
            let Some(id) = checker.model.binding_declared_by(&ident.ident) else {
                return;
            };
            let binding = checker.model.binding(id);
            let name = binding.name();
            if name.starts_with('_') || !binding.references.is_empty() {
                return;
            }
            let Some(cancel_ty) = binding.ty.as_ref().and_then(|ty| cancel_fn(checker, ty)) else {
                return;
            };
            let call = cancel_call(checker, cancel_ty, &name);
            let fix = cancel_at_end_of_block(checker, &call);
            let span = checker.span(&ident.ident);
            Violation::UnusedCancel { name }.report(checker, span, fix);
        }
        Pat::Tuple(tuple) => tuple
            .elems
            .iter()
            .for_each(|elem| check_unused_cancel(checker, elem)),
        Pat::Type(typed) => check_unused_cancel(checker, &typed.pat),
        Pat::Paren(paren) => check_unused_cancel(checker, &paren.pat),
        _ => {}
    }
}

/// `StopSource::new().token()`, `Context::new().0`: the guard is a temporary.
fn check_temporary_receiver(checker: &Checker, expr: &Expr) {
    let (receiver, consumes) = match expr {
        Expr::MethodCall(call) => {
            let consumes = checker.model.callable(expr).is_some_and(|c| c.consumes);
            (&*call.receiver, consumes)
        }
        Expr::Field(field) => (&*field.base, false),
        _ => return,
    };
    if consumes || !produces_value(checker, receiver) {
        return;
    }
    let Some(ty) = checker.model.type_of(receiver) else {
        return;
    };
    let (guard, on_drop) = match (&ty, expr) {
        // `Context::new().0` keeps the context and drops the handle.
        (Ty::Tuple(elems), Expr::Field(field)) => {
            let syn::Member::Unnamed(taken) = &field.member else {
                return;
            };
            let Some(found) = elems
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != taken.index as usize)
                .find_map(|(_, elem)| dropped_guard(checker, elem.as_ref()?))
            else {
                return;
            };
            found
        }
        (Ty::Api(_), _) => {
            let Some(found) = dropped_guard(checker, &ty) else {
                return;
            };
            found
        }
        _ => return,
    };
    let span = checker.span(receiver);
    let fix = hoist_receiver(checker, receiver, span);
    Violation::Temporary { ty: guard, on_drop }.report(checker, span, fix);
}

/// Moves a temporary guard into a named binding before the statement that uses it.
fn hoist_receiver(checker: &Checker, receiver: &Expr, span: Span) -> Fix {
    let name = checker.fresh_name("guard");
    let title = format!("keep it in a named variable (`{name}`) for as long as the work should run");
    let mut edits = vec![Edit::replace(span, name.clone())];
    let Some(statement) = checker.enclosing_statement() else {
        return Fix::has_placeholders(title, edits);
    };
    let start = checker.span(statement).start;
    let indent = checker.source.indent_at(start);
    let newline = checker.source.newline();
    let text = checker.text(receiver);
    edits.push(Edit::insert(
        start,
        format!("let {name} = {text};{newline}{indent}"),
    ));
    Fix::maybe_incorrect(title, edits)
}

/// Inserts `call;` at the end of the block holding the statement being checked. The fix is
/// applied with `--unsafe-fixes` when the block ends without a tail expression and nothing in
/// it leaves early; otherwise the place is a guess and the fix is only shown.
fn cancel_at_end_of_block(checker: &Checker, call: &str) -> Fix {
    let mut fix = cancel_at_end_of_block_unchecked(checker, call);
    // An async cancel (rs_ctx's `cancel().await`) cannot be awaited in synchronous code: the
    // place is shown, the call must be made another way.
    if call.contains(".await") && !checker.in_async() {
        fix.applicability = Applicability::HasPlaceholders;
    }
    fix
}

fn cancel_at_end_of_block_unchecked(checker: &Checker, call: &str) -> Fix {
    let title = format!("call `{call}` once the work under the context is done");
    let Some(block) = checker.enclosing_block() else {
        return Fix::has_placeholders(title, Vec::new());
    };
    let Some(last) = block.stmts.last() else {
        return Fix::has_placeholders(title, Vec::new());
    };
    let last_span = checker.span(last);
    let indent = checker.source.indent_at(last_span.start);
    let newline = checker.source.newline();
    if matches!(last, Stmt::Expr(_, None)) {
        // Before a tail expression, which may still need the context: only a hint.
        let edit = Edit::insert(last_span.start, format!("{call};{newline}{indent}"));
        return Fix::has_placeholders(title, vec![edit]);
    }
    let edit = Edit::insert(
        end_of_line_after(checker, last_span.end),
        format!("{newline}{indent}{call};"),
    );
    if leaves_early(block) {
        Fix::has_placeholders(title, vec![edit])
    } else {
        Fix::maybe_incorrect(title, vec![edit])
    }
}

/// The end of the line holding `at`, if only whitespace or a line comment follows `at` there
/// (so an insertion does not split the comment from its code); `at` otherwise.
fn end_of_line_after(checker: &Checker, at: usize) -> usize {
    let source = checker.source;
    let line_end = source.line_range(source.line_index(at)).end;
    let rest = source.text[at..line_end].trim_start();
    if rest.is_empty() || rest.starts_with("//") {
        line_end
    } else {
        at
    }
}

/// Whether a block may be left before its end: `return`, `?`, `break` or `continue` outside
/// nested closures and items.
fn leaves_early(block: &syn::Block) -> bool {
    use syn::visit::Visit;
    struct Finder(bool);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_expr(&mut self, expr: &'ast Expr) {
            match expr {
                Expr::Return(_) | Expr::Try(_) | Expr::Break(_) | Expr::Continue(_) => self.0 = true,
                Expr::Closure(_) | Expr::Async(_) => {}
                _ => syn::visit::visit_expr(self, expr),
            }
        }
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut finder = Finder(false);
    finder.visit_block(block);
    finder.0
}

/// The guard a value of type `ty` holds that cancels (or undoes) when dropped, with its name.
fn dropped_guard(checker: &Checker, ty: &Ty) -> Option<(String, OnDrop)> {
    match ty {
        Ty::Api(id) => {
            let def = checker.catalog.ty(*id);
            match def.on_drop? {
                OnDrop::Leak => None,
                on_drop => Some((def.name.clone(), on_drop)),
            }
        }
        // Dropping a whole tuple drops every guard in it.
        Ty::Tuple(elems) => elems
            .iter()
            .flatten()
            .find_map(|elem| dropped_guard(checker, elem)),
        Ty::Struct(_) => None,
    }
}

/// The cancel-function type a value of type `ty` is (or holds, for a tuple dropped whole).
fn cancel_fn(checker: &Checker, ty: &Ty) -> Option<TypeId> {
    match ty {
        Ty::Api(id) => {
            let def = checker.catalog.ty(*id);
            (def.kind == Kind::CancelFn && def.on_drop == Some(OnDrop::Leak)).then_some(*id)
        }
        Ty::Tuple(elems) => elems.iter().flatten().find_map(|elem| cancel_fn(checker, elem)),
        Ty::Struct(_) => None,
    }
}

fn cancel_call(checker: &Checker, cancel_ty: TypeId, name: &str) -> String {
    let template = checker.catalog.ty(cancel_ty).cancel.as_deref().unwrap_or("{}()");
    template.replace("{}", name)
}

/// An expression that makes a new owned value (whose temporary is dropped), as opposed to a
/// place such as `guard` or `self.guard`, which `let _ = …` leaves alone, or a call that
/// returns a reference (`Handler::global()`).
fn produces_value(checker: &Checker, expr: &Expr) -> bool {
    match expr {
        Expr::Call(_) | Expr::MethodCall(_) => !checker.model.callable(expr).is_some_and(|c| c.borrowed),
        Expr::Paren(e) => produces_value(checker, &e.expr),
        Expr::Group(e) => produces_value(checker, &e.expr),
        Expr::Try(e) => produces_value(checker, &e.expr),
        _ => false,
    }
}

/// `std::mem::replace(&mut place, new)`, which returns the displaced value.
fn is_mem_replace(expr: &Expr) -> bool {
    let Expr::Call(call) = expr else {
        return false;
    };
    let Expr::Path(func) = &*call.func else {
        return false;
    };
    let segments: Vec<String> = func.path.segments.iter().map(|s| s.ident.to_string()).collect();
    segments.ends_with(&["mem".to_string(), "replace".to_string()])
}
