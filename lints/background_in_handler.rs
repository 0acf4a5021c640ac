use syn::visit::Visit;
use syn::{Expr, Pat, Stmt};

use crate::checker::{Checker, FnNode, FnOwner, Node};
use crate::diagnostic::{Diagnostic, Edit, Fix, Level};
use crate::model::catalog::{Kind, Returns, Role};
use crate::model::escape::{self, Owner};
use crate::model::extent::Extent;
use crate::model::fate;
use crate::model::unreferenced;
use crate::model::{BindingId, BindingKind, SpanKey, Ty};
use crate::source::{Span, mentions_ident};

super::declare_rule! {
    /// ## What it does
    /// Finds a root context or token — `CancellationToken::new()`/`default()`, go-lib
    /// `context::background()`, `Background()`/`TODO()`, a Go-style `Context::new()` — made
    /// inside a function or closure that already has a context in scope: a parameter, a
    /// binding the closure captures, or a framework request context such as rmcp's
    /// `RequestContext` (whose `ct` is the request's token). Also finds a root token made in
    /// a request handler (actix-web, rocket, poem and salvo routes, tonic service methods, rmcp
    /// tools) that is not tied to the request.
    ///
    /// Spared: roots that escape on purpose (returned, stored in a struct literal, a field, a
    /// collection or a constructor's result, sent on a channel, or tied to the scope by a
    /// `drop_guard()` kept in a named binding), `main`, tests and test modules (and files of
    /// `tests/`, `benches/`, `tests.rs`), functions that return a context, contexts in scope
    /// named `_…`, contexts the function cancels itself (it owns them), and roots linked by
    /// hand (the function waits for the parent, then cancels the root: a separate shutdown
    /// phase). stop-token's `StopSource` is never flagged: nothing derives one from a token,
    /// and a named source already stops its tokens when dropped.
    ///
    /// Not spared: a root kept only in struct-literal fields assigned somewhere
    /// (`self.op = Some(Op { cancel: cancel.clone() })`) while a parent is in scope, when
    /// nothing in the file cancels a field of that name (`op.cancel.cancel()`; the parent's own
    /// cancellation aside): no owner ever stops it.
    ///
    /// ## Why is this bad?
    /// A root is cancelled by nobody but its owner. Work started under it keeps running when
    /// the caller's context is cancelled or the request goes away: a shutdown that hangs, a
    /// query that runs on for a client long gone (contextcheck's "non-inherited new context",
    /// gosec G118).
    ///
    /// ## Example
    /// ```rust
    /// async fn handle(conn: Conn, cancel: CancellationToken) {
    ///     let token = CancellationToken::new();
    ///     tokio::spawn(pump(conn, token.clone()));
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// async fn handle(conn: Conn, cancel: CancellationToken) {
    ///     let token = cancel.child_token();
    ///     tokio::spawn(pump(conn, token.clone()));
    /// }
    /// ```
    /// In a handler with no context, tie the token to the request:
    /// `let _token_guard = token.clone().drop_guard();`.
    ///
    /// ## Fix safety
    /// Deriving from the context in scope changes when the work stops, which is the point but
    /// may not be wanted everywhere (a separate shutdown phase, a task meant to outlive the
    /// request); the fix is only applied with `--unsafe-fixes`.
    ///
    /// ## References
    /// - contextcheck, gosec G118 (Go)
    /// - `tokio_util::sync::CancellationToken::child_token`
    pub static BACKGROUND_IN_HANDLER = {
        name: "background_in_handler",
        summary: "a root context or token is made where a context is already in scope, or in a request handler",
        group: super::Group::Correctness,
        level: Level::Warn,
        on_expr: check_root,
    }
}

fn check_root(checker: &Checker, expr: &Expr) {
    let Expr::Call(call) = expr else {
        return;
    };
    let Some(callable) = checker.model.callable(expr) else {
        return;
    };
    if callable.role != Some(Role::Root) {
        return;
    }
    let returns = &callable.returns;
    let Some(function) = checker.enclosing_fn() else {
        return;
    };
    if exempt(checker, &function) {
        return;
    }
    let root = Root {
        expr,
        shown: format!("{}()", checker.text(&*call.func)),
        what: what(checker, returns),
    };
    let ups = escape::ups_of(checker);
    // A root stored somewhere (a field, a map, beside its task's handle) has an owner that
    // cancels it on its own schedule, parent or not: real code does that on purpose. Handed
    // to a constructor or a task with a parent in reach, it is detached from that parent.
    if let Some(parent) = parent_in_scope(checker, expr, returns) {
        if !escape::flows_out(checker, SpanKey::of(expr), &ups, Owner::Storage)
            || kept_where_nothing_cancels_it(checker, expr, &parent)
        {
            report_in_scope(checker, &root, &parent);
        }
        return;
    }
    if escape::flows_out(checker, SpanKey::of(expr), &ups, Owner::Any) {
        return;
    }
    if is_handler(checker, &function)
        && let Returns::One(ty) = *returns
        && let Some(guard) = checker.catalog.guard_template(ty)
    {
        report_in_handler(checker, &root, &function.name(), &guard);
    }
}

/// A root kept only in struct-literal fields (`Operation { cancel: cancel.clone(), .. }`) that
/// nothing in the file cancels, but through the parent itself: no owner stops it, and the
/// parent's shutdown does not reach it.
fn kept_where_nothing_cancels_it(checker: &Checker, root: &Expr, parent: &Parent) -> bool {
    let Some(root_let) = fate::root_let(checker, root) else {
        return false;
    };
    let kept = escape::kept_by_name(checker, root_let.block);
    let Some(kept) = kept.get(&root_let.ident.to_string()) else {
        return false;
    };
    if kept.fields.is_empty() || kept.elsewhere {
        return false;
    }
    !escape::cancelled_fields(checker)
        .iter()
        .any(|(path, field)| kept.fields.contains(field) && path.as_deref() != Some(parent.name.as_str()))
}

/// A context the root could be derived from.
struct Parent {
    /// How the code names it: `cancel`, `self.inner.cancel`.
    name: String,
    /// Where it is declared: the binding, or `self`.
    declared: Span,
    /// How to derive a child of the root's shape from it, `{}` standing for `name`.
    template: String,
    /// The derivation takes the parent by `&mut`, and it is not mutable: the fix is only shown.
    needs_mut: bool,
}

fn parent_in_scope(checker: &Checker, root: &Expr, returns: &Returns) -> Option<Parent> {
    if let Some((id, template, needs_mut)) = context_in_scope(checker, root, returns) {
        let binding = checker.model.binding(id);
        return Some(Parent {
            name: binding.name(),
            declared: checker.span(&binding.ident),
            template,
            needs_mut,
        });
    }
    self_field_parent(checker, root, returns)
}

/// A context held in a field of `self` (at any depth) in a method: the service's own token,
/// whose cancellation should reach the operations its methods start.
fn self_field_parent(checker: &Checker, root: &Expr, returns: &Returns) -> Option<Parent> {
    let model = checker.model;
    let receiver = model
        .visible_bindings(SpanKey::of(root))
        .into_iter()
        .find(|&id| model.binding(id).name() == "self")?;
    let binding = model.binding(receiver);
    let Some(Ty::Struct(owner)) = &binding.ty else {
        return None;
    };
    let (path, template) = field_with_context(checker, *owner, returns, 0)?;
    // Replacing the service's own token (`self.cancel = CancellationToken::new()`) is no
    // detachment.
    if assigned_to_self(checker) {
        return None;
    }
    Some(Parent {
        name: format!("self.{path}"),
        declared: checker.span(&binding.ident),
        template,
        needs_mut: false,
    })
}

/// The first field path (`inner.cancel`) of a struct that holds a context with a derivation
/// of the root's shape.
fn field_with_context(
    checker: &Checker,
    owner: crate::model::StructId,
    returns: &Returns,
    depth: usize,
) -> Option<(String, String)> {
    if depth > 3 {
        return None;
    }
    let def = checker.model.struct_def(owner);
    // A suggestion must name fields this file can reach (another module's private field is no
    // parent it can derive from).
    let mut fields: Vec<(&String, &Ty)> = def
        .fields
        .iter()
        .filter(|(name, _)| checker.model.field_reachable(owner, name))
        .collect();
    fields.sort_by(|a, b| a.0.cmp(b.0));
    for (name, ty) in &fields {
        if name.starts_with('_') {
            continue;
        }
        if let Ty::Api(api) = ty
            && let Some(template) = checker.catalog.derivation(*api, returns)
        {
            return Some((name.to_string(), template));
        }
    }
    fields.into_iter().find_map(|(name, ty)| match ty {
        Ty::Struct(inner) if !name.starts_with('_') => {
            field_with_context(checker, *inner, returns, depth + 1)
                .map(|(path, template)| (format!("{name}.{path}"), template))
        }
        _ => None,
    })
}

/// Whether the root's statement assigns it to a field of `self`.
fn assigned_to_self(checker: &Checker) -> bool {
    checker.parents().any(|node| match node {
        Node::Expr(Expr::Assign(assign)) => {
            let mut place = unreferenced(&assign.left);
            while let Expr::Field(field) = place {
                place = &field.base;
            }
            matches!(place, Expr::Path(p) if p.path.is_ident("self"))
        }
        _ => false,
    })
}

/// The root call being reported.
struct Root<'a> {
    expr: &'a Expr,
    /// `CancellationToken::new()`.
    shown: String,
    /// `token` or `context`.
    what: &'static str,
}

fn what(checker: &Checker, returns: &Returns) -> &'static str {
    let first = match returns {
        Returns::One(ty) => Some(*ty),
        Returns::Tuple(elems) => elems.iter().flatten().next().copied(),
        Returns::Unknown => None,
    };
    match first.map(|ty| checker.catalog.ty(ty).kind) {
        Some(Kind::Token) => "token",
        _ => "context",
    }
}

fn report_in_scope(checker: &Checker, root: &Root, parent: &Parent) {
    let name = &parent.name;
    let derived = parent.template.replace("{}", name);
    let (shown, what) = (&root.shown, root.what);
    let message = format!(
        "`{shown}` makes a root {what} although `{name}` is in scope: work under it keeps running when `{name}` is cancelled"
    );
    let span = checker.span(root.expr);
    let edits = vec![Edit::replace(span, derived.clone())];
    let fix = if parent.needs_mut {
        Fix::has_placeholders(
            format!("derive it from `{name}` (which must be mutable for this): `{derived}`"),
            edits,
        )
    } else {
        Fix::maybe_incorrect(format!("derive it from `{name}`: `{derived}`"), edits)
    };
    let diagnostic = Diagnostic::new(BACKGROUND_IN_HANDLER.name, span, message)
        .with_label(format!("new root {what}"))
        .with_secondary(parent.declared, format!("`{name}` is in scope here"))
        .with_fix(fix);
    checker.report(diagnostic);
}

fn report_in_handler(checker: &Checker, root: &Root, handler: &str, guard: &str) {
    let (shown, what) = (&root.shown, root.what);
    let message = format!(
        "`{shown}` in the request handler `{handler}` makes a {what} the request does not cancel: nothing stops work under it when the request is dropped"
    );
    let diagnostic = Diagnostic::new(BACKGROUND_IN_HANDLER.name, checker.span(root.expr), message)
        .with_label(format!("new root {what}"))
        .with_fix(guard_fix(checker, root.expr, guard));
    checker.report(diagnostic);
}

/// `main`, tests, test modules, and functions that hand a context back to their caller (a
/// deliberate detachment, contextcheck's escape hatch).
fn exempt(checker: &Checker, function: &FnNode) -> bool {
    let is_main = function.name() == "main" && matches!(function.owner, FnOwner::Free);
    let returns_context = match &function.sig.output {
        syn::ReturnType::Type(_, ty) => !checker.model.catalog_types_in(ty).is_empty(),
        syn::ReturnType::Default => false,
    };
    is_main || checker.in_test() || returns_context
}

fn is_handler(checker: &Checker, function: &FnNode) -> bool {
    checker.model.handler_attribute(function.attrs).is_some()
        || matches!(function.owner, FnOwner::Impl(item) if checker.model.is_handler_impl(item))
}

/// A context the root could be derived from: a parameter of the enclosing function or
/// closures, or a binding the closure or async block around the root captures (mentions),
/// with a catalog derivation to the root's shape. The most recently declared one wins.
fn context_in_scope(checker: &Checker, root: &Expr, returns: &Returns) -> Option<(BindingId, String, bool)> {
    // The innermost closure or async block: bindings declared outside it are captures.
    let mut boundary = None;
    for node in checker.parents() {
        match node {
            Node::Expr(e @ (Expr::Closure(_) | Expr::Async(_))) => {
                boundary = Some(SpanKey::of(e));
                break;
            }
            Node::Fn(_) => break,
            _ => {}
        }
    }
    // Only a parameter, or a binding a closure captures, can be the context in scope: the
    // function's other bindings are passed over before asking whether the name is visible
    // (a function making thousands of roots would otherwise list them all for each).
    let node = SpanKey::of(root);
    let candidates = checker
        .model
        .function_bindings(node, boundary.is_none())
        .into_iter()
        .filter(|&id| {
            let binding = checker.model.binding(id);
            let param = matches!(binding.kind, BindingKind::Param | BindingKind::ClosureParam);
            matches!(binding.ty, Some(Ty::Api(_)))
                && (param || boundary.is_some())
                && checker.model.names_at(id, node)
        });
    let candidates: Vec<BindingId> = candidates.collect();
    candidates.into_iter().rev().find_map(|id| {
        let binding = checker.model.binding(id);
        let Some(Ty::Api(ty)) = binding.ty else {
            return None;
        };
        if binding.name().starts_with('_') {
            return None;
        }
        // A binding of the function's own body counts once a closure captures it.
        let declared = SpanKey::from_span(binding.ident.span());
        let captured = boundary.is_some_and(|b| {
            !b.contains(declared)
                && binding
                    .references
                    .iter()
                    .any(|r| b.contains(SpanKey::from_span(*r)))
        });
        let param = matches!(binding.kind, BindingKind::Param | BindingKind::ClosureParam);
        if !(param || captured) {
            return None;
        }
        let template = checker.catalog.derivation(ty, returns)?;
        // A context this function cancels is its own to manage, not a caller's to honour.
        if uses_with_role(checker, id, &[Role::Cancel]) {
            return None;
        }
        // Linked by hand: the function waits for the parent and then cancels the root.
        let waits = uses_with_role(checker, id, &[Role::Wait, Role::RunUntilCancelled]);
        if waits && root_is_cancelled(checker, root) {
            return None;
        }
        // `new_child_context(&mut self)` compiles only on a mutable binding.
        let needs_mut = checker.catalog.derivation_mutates(ty, returns) && !binding.mutable;
        Some((id, template, needs_mut))
    })
}

/// Whether the root, or the binding it is stored in, is cancelled in the function.
fn root_is_cancelled(checker: &Checker, root: &Expr) -> bool {
    let Some(Node::Stmt(Stmt::Local(local))) = checker.parents().next() else {
        return false;
    };
    let Pat::Ident(ident) = escape::strip_type(&local.pat) else {
        return false;
    };
    checker
        .model
        .binding_declared_by(&ident.ident)
        .is_some_and(|id| uses_with_role(checker, id, &[Role::Cancel]))
        && local
            .init
            .as_ref()
            .is_some_and(|init| SpanKey::of(&*init.expr) == SpanKey::of(root))
}

/// Whether the enclosing function calls a method with one of `roles` on the binding (or a
/// clone of it): `token.cancel()`, `token.cancelled()` in a `select!`.
fn uses_with_role(checker: &Checker, id: BindingId, roles: &[Role]) -> bool {
    struct Calls<'c, 'a> {
        checker: &'c Checker<'a>,
        id: BindingId,
        roles: &'c [Role],
        found: bool,
        named: Vec<usize>,
    }
    impl<'a> Visit<'a> for Calls<'_, 'a> {
        fn visit_block(&mut self, block: &'a syn::Block) {
            for stmt in escape::stmts_naming(block, &self.named) {
                self.visit_stmt(stmt);
            }
        }

        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.found || !escape::names_inside(&self.named, expr.extent()) {
                return;
            }
            if let Expr::MethodCall(call) = expr {
                let mut receiver = unreferenced(&call.receiver);
                while let Expr::MethodCall(inner) = receiver
                    && inner.method == "clone"
                {
                    receiver = unreferenced(&inner.receiver);
                }
                let role = self.checker.model.callable(expr).and_then(|c| c.role);
                if self.checker.model.binding_of(receiver) == Some(self.id)
                    && role.is_some_and(|r| self.roles.contains(&r))
                {
                    self.found = true;
                }
            }
            syn::visit::visit_expr(self, expr);
        }

        fn visit_item(&mut self, _: &'a syn::Item) {}

        fn visit_macro(&mut self, mac: &'a syn::Macro) {
            let model: &'a crate::model::Model<'a> = self.checker.model;
            if let Some(body) = model.macro_body(mac) {
                body.visit(self);
            }
        }
    }
    let Some(block) = checker.enclosing_fn().and_then(|f| f.block) else {
        return false;
    };
    let mut calls = Calls {
        checker,
        id,
        roles,
        found: false,
        named: escape::named_at(checker, id),
    };
    calls.visit_block(block);
    calls.found
}

/// Ties a root made in a handler to the handler: a guard kept to the end of its scope.
fn guard_fix(checker: &Checker, root: &Expr, guard: &str) -> Fix {
    let newline = checker.source.newline();
    // `let token = CancellationToken::new();`: keep a guard right after it.
    if let Some(Node::Stmt(stmt @ Stmt::Local(local))) = checker.parents().next()
        && let Pat::Ident(ident) = escape::strip_type(&local.pat)
    {
        let name = ident.ident.to_string();
        let guard_name = format!("_{}_guard", name.trim_start_matches('_'));
        let span = checker.span(stmt);
        let indent = checker.source.indent_at(span.start);
        let text = format!(
            "{newline}{indent}let {guard_name} = {};",
            guard.replace("{}", &name)
        );
        let at = checker.source.end_of_line_after(span.end);
        return Fix::maybe_incorrect(
            format!(
                "cancel it when the handler returns or is dropped: `let {guard_name} = {};`",
                guard.replace("{}", &name)
            ),
            vec![Edit::insert(at, text)],
        );
    }
    // Otherwise name it before its statement, with its guard.
    let body = checker
        .enclosing_fn()
        .and_then(|f| f.block)
        .map_or("", |b| checker.text(b));
    let name = (1..)
        .map(|i| {
            if i == 1 {
                "token".to_string()
            } else {
                format!("token{i}")
            }
        })
        .find(|name| !mentions_ident(body, name))
        .expect("a free name");
    let guard_name = format!("_{name}_guard");
    let guard_call = guard.replace("{}", &name);
    let title = format!("name it and keep a guard: `let {guard_name} = {guard_call};`");
    let mut edits = vec![Edit::replace(checker.span(root), name.clone())];
    let Some(statement) = checker.enclosing_statement() else {
        return Fix::has_placeholders(title, edits);
    };
    let start = checker.span(statement).start;
    let indent = checker.source.indent_at(start);
    let text = checker.text(root);
    edits.push(Edit::insert(
        start,
        format!("let {name} = {text};{newline}{indent}let {guard_name} = {guard_call};{newline}{indent}"),
    ));
    Fix::maybe_incorrect(title, edits)
}
