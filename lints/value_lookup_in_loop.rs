use syn::visit::Visit;
use syn::{Expr, ExprMethodCall};

use crate::checker::{Checker, Node};
use crate::diagnostic::{Diagnostic, Edit, Fix, Level};
use crate::model::catalog::{OnDrop, Role};
use crate::model::loops::Loop;
use crate::model::uncloned;
use crate::model::{SpanKey, Ty, macros};

super::declare_rule! {
    /// ## What it does
    /// Finds context value lookups inside a loop whose context and key are the same on every
    /// iteration: `ctx.value(&KEY)` (halo-core, rs_ctx, ctx), goish `ctx.Value::<T>("key")`,
    /// OpenTelemetry `cx.get::<T>()` and `Context::current()`, in a `for`, `while` or `loop`
    /// body, or in a closure an iterator adapter calls per item (`iter().map(…)`, `for_each`,
    /// `fold`, …).
    ///
    /// ## Why is this bad?
    /// A Go-style context stores each value in its own layer, and a lookup walks the layers one
    /// by one; `Context::current()` borrows a thread-local and clones the context. Doing that on
    /// every iteration for an answer that cannot change is wasted work in exactly the code that
    /// runs most often.
    ///
    /// Lookups are left alone when the context or the key is re-bound or assigned inside the
    /// loop, when the key depends on the loop variable, when the loop body always leaves in its
    /// first iteration, and (for `Context::current()`) when the loop attaches a context or may
    /// drop a context guard.
    ///
    /// ## Example
    /// ```rust
    /// for item in items {
    ///     let user = ctx.value(&USER_KEY);
    ///     handle(item, user);
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// let user = ctx.value(&USER_KEY);
    /// for item in items {
    ///     handle(item, user.clone());
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// The fix looks the value up once before the loop and uses that inside. It is only applied
    /// with `--unsafe-fixes`: the lookup then also runs when the loop runs zero times, and an
    /// owned value is cloned where it was used by value.
    ///
    /// ## References
    /// - `opentelemetry::Context::current`
    /// - Go's context optimisation notes: `Value` is linear in the depth of the context chain
    pub static VALUE_LOOKUP_IN_LOOP = {
        name: "value_lookup_in_loop",
        summary: "a context value is looked up on every iteration although the context and key do not change",
        group: super::Group::Perf,
        level: Level::Warn,
        on_expr: check_lookup,
    }
}

/// A value lookup, or a read of the ambient context.
struct Lookup<'a> {
    expr: &'a Expr,
    /// `Context::current()` rather than a keyed or typed lookup.
    current: bool,
    /// The result is a reference (or a copy of one): it can be used again freely.
    borrowed: bool,
    /// The context looked in (`None` for `Context::current()`), and the arguments.
    context: Option<&'a Expr>,
    args: Vec<&'a Expr>,
}

impl<'a> Lookup<'a> {
    fn of(checker: &Checker<'a>, expr: &'a Expr) -> Option<Lookup<'a>> {
        let callable = checker.model.callable(expr)?;
        let current = match callable.role? {
            Role::ValueGet(_) => false,
            Role::Current => true,
            _ => return None,
        };
        let (context, args) = match expr {
            Expr::MethodCall(call) => (Some(&*call.receiver), call.args.iter().collect()),
            Expr::Call(call) if current => (None, call.args.iter().collect()),
            // A method called by its path: `Context::get(&cx)`.
            Expr::Call(call) => {
                let mut args = call.args.iter();
                (Some(args.next()?), args.collect())
            }
            _ => return None,
        };
        Some(Lookup {
            expr,
            current,
            borrowed: callable.borrowed,
            context,
            args,
        })
    }

    fn name(&self) -> String {
        match self.expr {
            Expr::MethodCall(call) => call.method.to_string(),
            Expr::Call(call) => match &*call.func {
                Expr::Path(path) => path
                    .path
                    .segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .collect::<Vec<_>>()
                    .join("::"),
                _ => String::new(),
            },
            _ => String::new(),
        }
    }
}

fn check_lookup(checker: &Checker, expr: &Expr) {
    let Some(lookup) = Lookup::of(checker, expr) else {
        return;
    };
    // `Context::current().get::<T>()` is one lookup, reported at the `get`.
    if lookup.current && is_lookup_receiver(checker, expr) {
        return;
    }
    let Some(target) = outermost_invariant_loop(checker, &lookup) else {
        return;
    };
    // Identical lookups in the loop are reported once, at the first.
    let same = identical_lookups(checker, &lookup, &target);
    if same
        .first()
        .is_some_and(|first| SpanKey::of(*first) != SpanKey::of(expr))
    {
        return;
    }
    let message = if lookup.current {
        format!(
            "`{}()` reads the ambient context on every iteration of this loop; read it once before the loop",
            lookup.name()
        )
    } else {
        let context = lookup.context.map_or("the context".to_string(), |c| {
            format!("`{}`", checker.text(uncloned(c)))
        });
        let what = if lookup.args.is_empty() { "value" } else { "key" };
        format!(
            "`{}` looks up the same {what} in {context} on every iteration of this loop; look it up once before the loop",
            lookup.name()
        )
    };
    let mut diagnostic = Diagnostic::new(VALUE_LOOKUP_IN_LOOP.name, checker.span(expr), message)
        .with_label("same result every iteration")
        .with_secondary(checker.loop_head(&target), "in this loop");
    for other in same.iter().skip(1) {
        diagnostic = diagnostic.with_secondary(checker.span(*other), "and here");
    }
    let fix =
        move_let(checker, &lookup, &target, &same).unwrap_or_else(|| hoist(checker, &lookup, &target, &same));
    checker.report(diagnostic.with_fix(fix));
}

/// The outermost loop around the lookup that repeats it with the same result: the lookup is
/// invariant in it and in every loop in between, and one of them runs more than once.
fn outermost_invariant_loop<'a>(checker: &Checker<'a>, lookup: &Lookup) -> Option<Loop<'a>> {
    let mut target = None;
    let mut repeats = false;
    for found in checker.enclosing_loops() {
        if !is_invariant(checker, lookup, &found) {
            break;
        }
        repeats |= !found.runs_once(checker.model);
        if repeats {
            target = Some(found);
        }
    }
    target
}

fn is_invariant(checker: &Checker, lookup: &Lookup, within: &Loop) -> bool {
    let span = within.span();
    let model = checker.model;
    if !lookup.args.iter().all(|arg| model.is_invariant(arg, span)) {
        return false;
    }
    let context_invariant = match lookup.context {
        None => true,
        Some(context) => match Lookup::of(checker, uncloned(context)) {
            Some(inner) if inner.current => inner.args.iter().all(|arg| model.is_invariant(arg, span)),
            _ => model.is_invariant(context, span),
        },
    };
    let reads_current = lookup.current
        || lookup
            .context
            .is_some_and(|c| Lookup::of(checker, uncloned(c)).is_some_and(|l| l.current));
    context_invariant && !(reads_current && changes_current(checker, within))
}

/// `Context::current()` as the receiver of a lookup (`Context::current().get::<T>()`).
fn is_lookup_receiver(checker: &Checker, expr: &Expr) -> bool {
    for node in checker.parents() {
        match node {
            Node::Expr(Expr::Paren(_) | Expr::Group(_)) => continue,
            Node::Expr(parent @ Expr::MethodCall(call)) => {
                return std::ptr::eq(uncloned(&call.receiver), expr) && Lookup::of(checker, parent).is_some();
            }
            _ => return false,
        }
    }
    false
}

/// Whether the loop may change the ambient context: it attaches one (a call returning a guard
/// that undoes it when dropped), or may drop guards it did not make in this iteration
/// (`drop(…)`, `mem::take`, `guards.pop()` and other removals from a collection declared
/// outside). `Context::current()` can then differ between iterations.
fn changes_current(checker: &Checker, within: &Loop) -> bool {
    struct Finder<'c, 'a> {
        checker: &'c Checker<'a>,
        within: SpanKey,
        found: bool,
    }
    impl<'a> Visit<'a> for Finder<'_, 'a> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            let model = self.checker.model;
            match expr {
                Expr::Call(call) => {
                    let attaches = matches!(model.type_of(expr), Some(Ty::Api(id)) if self.checker.catalog.ty(id).on_drop == Some(OnDrop::Undo));
                    let drops = matches!(&*call.func, Expr::Path(p) if p.path.segments.last().is_some_and(|s| {
                        matches!(s.ident.to_string().as_str(), "drop" | "forget" | "take" | "replace")
                    }));
                    self.found |= attaches || drops;
                }
                Expr::MethodCall(call) => {
                    let attaches = matches!(model.type_of(expr), Some(Ty::Api(id)) if self.checker.catalog.ty(id).on_drop == Some(OnDrop::Undo));
                    let removes = RELEASING.contains(&call.method.to_string().as_str())
                        && model
                            .binding_of(uncloned(&call.receiver))
                            .is_some_and(|id| !model.declared_within(id, self.within));
                    self.found |= attaches || removes;
                }
                _ => {}
            }
            syn::visit::visit_expr(self, expr);
        }
        fn visit_macro(&mut self, mac: &'a syn::Macro) {
            if let Some(body) = self.checker.model.macro_body(mac) {
                macros::visit_body(self, body);
            }
        }
    }
    let mut finder = Finder {
        checker,
        within: within.span(),
        found: false,
    };
    finder.visit_expr(within.expr);
    finder.found
}

/// Methods that remove (and so may drop) what a collection or option holds.
const RELEASING: &[&str] = &[
    "pop",
    "pop_front",
    "pop_back",
    "clear",
    "truncate",
    "drain",
    "remove",
    "swap_remove",
    "take",
    "retain",
    "split_off",
];

/// The lookups in the loop with the same text and bindings as `lookup`, in source order.
fn identical_lookups<'a>(checker: &Checker<'a>, lookup: &Lookup, within: &Loop<'a>) -> Vec<&'a Expr> {
    struct Finder<'c, 'a> {
        checker: &'c Checker<'a>,
        repeats: Loop<'a>,
        shape: (String, Vec<Option<crate::model::BindingId>>),
        found: Vec<&'a Expr>,
    }
    impl<'a> Visit<'a> for Finder<'_, 'a> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            let key = SpanKey::of(expr);
            if self.repeats.repeats(key)
                && let Some(lookup) = Lookup::of(self.checker, expr)
                && shape(self.checker, lookup.expr) == self.shape
            {
                self.found.push(expr);
                return;
            }
            // A lookup on the ambient context counts once, not also as its receiver.
            if let Expr::MethodCall(ExprMethodCall { receiver, args, .. }) = expr
                && Lookup::of(self.checker, expr).is_some()
            {
                args.iter().for_each(|arg| self.visit_expr(arg));
                if Lookup::of(self.checker, uncloned(receiver)).is_none() {
                    self.visit_expr(receiver);
                }
                return;
            }
            syn::visit::visit_expr(self, expr);
        }
        fn visit_item(&mut self, _: &'a syn::Item) {}
        fn visit_macro(&mut self, mac: &'a syn::Macro) {
            if let Some(body) = self.checker.model.macro_body(mac) {
                macros::visit_body(self, body);
            }
        }
    }
    let mut finder = Finder {
        checker,
        repeats: *within,
        shape: shape(checker, lookup.expr),
        found: Vec::new(),
    };
    finder.visit_expr(within.expr);
    finder.found.sort_by_key(|e| SpanKey::of(*e));
    finder.found
}

/// An expression's text without whitespace, and the bindings it names.
fn shape(checker: &Checker, expr: &Expr) -> (String, Vec<Option<crate::model::BindingId>>) {
    struct Names<'c, 'a> {
        checker: &'c Checker<'a>,
        ids: Vec<Option<crate::model::BindingId>>,
    }
    impl<'a> Visit<'a> for Names<'_, 'a> {
        fn visit_expr_path(&mut self, path: &'a syn::ExprPath) {
            self.ids
                .push(self.checker.model.binding_of(&Expr::Path(path.clone())));
        }
    }
    let mut names = Names {
        checker,
        ids: Vec::new(),
    };
    names.visit_expr(expr);
    let text: String = checker.text(expr).split_whitespace().collect();
    (text, names.ids)
}

/// `let v = <lookup>;` before the loop, and `v` in place of each lookup. Shown only, when no
/// statement around the loop can take the `let`, or a name in the lookup is declared there.
fn hoist(checker: &Checker, lookup: &Lookup, target: &Loop, same: &[&Expr]) -> Fix {
    let name = checker.fresh_name(&binding_name(lookup));
    let title = format!("look it up once before the loop, as `{name}`");
    let mut edits = Vec::new();
    for expr in same {
        let replacement = if lookup.borrowed || !needs_clone(checker, lookup, target, expr) {
            name.clone()
        } else {
            format!("{name}.clone()")
        };
        edits.push(Edit::replace(checker.span(*expr), replacement));
    }
    let Some(statement) = checker.statement_around(target.expr) else {
        return Fix::has_placeholders(title, edits);
    };
    let start = checker.span(statement).start;
    let indent = checker.source.indent_at(start);
    let newline = checker.source.newline();
    let mut text = checker.text(lookup.expr).to_string();
    let mut lets = String::new();
    // A reference into a temporary context (`Context::current().get::<T>()`) needs the
    // context kept in a binding of its own.
    if lookup.borrowed
        && let Some(context) = lookup.context
        && !is_place(uncloned(context))
    {
        let context_name = checker.fresh_name("cx");
        let whole = checker.span(lookup.expr);
        let inner = checker.span(context);
        let range = inner.start - whole.start..inner.end - whole.start;
        lets = format!("let {context_name} = {};{newline}{indent}", &text[range.clone()]);
        text.replace_range(range, &context_name);
    }
    lets.push_str(&format!("let {name} = {text};{newline}{indent}"));
    edits.insert(0, Edit::insert(start, lets));
    // Every binding the lookup names must already exist where the `let` goes.
    let (_, ids) = shape(checker, lookup.expr);
    let declared_before = ids
        .iter()
        .flatten()
        .all(|id| checker.span(&checker.model.binding(*id).ident).start < start);
    if declared_before {
        Fix::maybe_incorrect(title, edits)
    } else {
        Fix::has_placeholders(title, edits)
    }
}

/// `let user = ctx.value(&KEY);` in the loop: the `let` itself moves before the loop, under its
/// own name, and a use inside the loop that takes the value by value clones it there.
/// `None` when the lookup is not such a `let` or its name is used for another binding in the
/// function (moving it could shadow that one).
fn move_let(checker: &Checker, lookup: &Lookup, target: &Loop, same: &[&Expr]) -> Option<Fix> {
    let (first, rest) = same.split_first()?;
    let syn::Stmt::Local(local) = checker.enclosing_statement()? else {
        return None;
    };
    let init = local.init.as_ref().filter(|init| init.diverge.is_none())?;
    let syn::Pat::Ident(pat) = &local.pat else {
        return None;
    };
    if pat.by_ref.is_some() || pat.mutability.is_some() || pat.subpat.is_some() || lookup.borrowed {
        return None;
    }
    if SpanKey::of(&*init.expr) != SpanKey::of(*first) {
        return None;
    }
    let model = checker.model;
    let (id, _) = model
        .bindings()
        .find(|(_, b)| b.init == Some(SpanKey::of(*first)))?;
    let name = pat.ident.to_string();
    let function = checker.enclosing_fn()?;
    let function = checker.span(&function.sig).start..function.block.map_or(0, |b| checker.span(b).end);
    let homonyms = model
        .bindings()
        .filter(|(_, b)| b.ident == name && function.contains(&checker.span(&b.ident).start))
        .count();
    let outer = checker.statement_around(target.expr)?;
    if homonyms != 1 {
        return None;
    }
    let start = checker.span(outer).start;
    let indent = checker.source.indent_at(start);
    let newline = checker.source.newline();
    let mut edits = vec![
        Edit::insert(
            start,
            format!("let {name} = {};{newline}{indent}", checker.text(*first)),
        ),
        Edit::replace(checker.source.whole_lines(checker.span(local)), ""),
    ];
    let owned_uses = uses(checker, id, target.expr)
        .into_iter()
        .chain(rest.iter().copied())
        .filter(|used| needs_clone(checker, lookup, target, used));
    for used in owned_uses {
        edits.push(Edit::replace(checker.span(used), format!("{name}.clone()")));
    }
    for other in rest
        .iter()
        .filter(|other| !needs_clone(checker, lookup, target, other))
    {
        edits.push(Edit::replace(checker.span(*other), name.clone()));
    }
    let title = format!("move `let {name}` before the loop");
    Some(Fix::maybe_incorrect(title, edits))
}

/// The expressions naming binding `id` within `within`, macro bodies included.
fn uses<'a>(checker: &Checker<'a>, id: crate::model::BindingId, within: &'a Expr) -> Vec<&'a Expr> {
    struct Finder<'c, 'a> {
        checker: &'c Checker<'a>,
        id: crate::model::BindingId,
        found: Vec<&'a Expr>,
    }
    impl<'a> Visit<'a> for Finder<'_, 'a> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if matches!(expr, Expr::Path(_)) && self.checker.model.binding_of(expr) == Some(self.id) {
                self.found.push(expr);
            }
            syn::visit::visit_expr(self, expr);
        }
        fn visit_macro(&mut self, mac: &'a syn::Macro) {
            if let Some(body) = self.checker.model.macro_body(mac) {
                macros::visit_body(self, body);
            }
        }
    }
    let mut finder = Finder {
        checker,
        id,
        found: Vec::new(),
    };
    finder.visit_expr(within);
    finder.found
}

/// Whether an owned result must be cloned where it was used: by value, a lookup could be
/// moved out of the hoisted binding in the first iteration. Under `&`, or as the receiver of a
/// method on the ambient context (which borrows it), the binding itself will do.
fn needs_clone(checker: &Checker, lookup: &Lookup, target: &Loop, expr: &Expr) -> bool {
    let Some(parent) = parent_of(checker, target.expr, expr) else {
        return true;
    };
    match parent {
        Expr::Reference(_) => false,
        Expr::MethodCall(call) if std::ptr::eq(uncloned(&call.receiver), expr) => {
            if lookup.current {
                checker.model.callable(parent).is_some_and(|c| c.consumes)
            } else {
                !borrows_receiver(&call.method.to_string())
            }
        }
        _ => true,
    }
}

/// `Option`/`Result` methods that take `&self`.
fn borrows_receiver(method: &str) -> bool {
    matches!(
        method,
        "is_some" | "is_none" | "is_ok" | "is_err" | "as_ref" | "as_deref"
    )
}

/// The expression directly around `expr`, which lies in `within`.
fn parent_of<'a>(checker: &Checker<'a>, within: &'a Expr, expr: &Expr) -> Option<&'a Expr> {
    struct Finder<'c, 'a> {
        checker: &'c Checker<'a>,
        target: SpanKey,
        stack: Vec<&'a Expr>,
        found: Option<&'a Expr>,
    }
    impl<'a> Visit<'a> for Finder<'_, 'a> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.found.is_some() {
                return;
            }
            if SpanKey::of(expr) == self.target {
                self.found = self.stack.last().copied();
                return;
            }
            self.stack.push(expr);
            syn::visit::visit_expr(self, expr);
            self.stack.pop();
        }
        fn visit_macro(&mut self, mac: &'a syn::Macro) {
            if let Some(body) = self.checker.model.macro_body(mac) {
                macros::visit_body(self, body);
            }
        }
    }
    let mut finder = Finder {
        checker,
        target: SpanKey::of(expr),
        stack: Vec::new(),
        found: None,
    };
    finder.visit_expr(within);
    finder.found
}

/// A name for the hoisted value: the key or looked-up type in snake case, else `value`.
fn binding_name(lookup: &Lookup) -> String {
    if lookup.current {
        return "cx".to_string();
    }
    let from_type = match lookup.expr {
        Expr::MethodCall(call) => call.turbofish.as_ref().and_then(|t| match t.args.first() {
            Some(syn::GenericArgument::Type(syn::Type::Path(p))) => {
                p.path.segments.last().map(|s| s.ident.to_string())
            }
            _ => None,
        }),
        _ => None,
    };
    let from_key = lookup.args.first().and_then(|key| match uncloned(key) {
        Expr::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s.value()),
        _ => None,
    });
    let raw = from_key.or(from_type).unwrap_or_default();
    let mut name = snake_case(&raw);
    for suffix in ["_key", "_KEY"] {
        if let Some(stripped) = name.strip_suffix(suffix) {
            name = stripped.to_string();
        }
    }
    let valid = name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && syn::parse_str::<syn::Ident>(&name).is_ok()
        && name != "_";
    if valid { name } else { "value".to_string() }
}

fn snake_case(text: &str) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if c.is_uppercase() {
            let previous_lower = text
                .chars()
                .nth(i.wrapping_sub(1))
                .is_some_and(|p| p.is_lowercase());
            if i > 0 && previous_lower {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else if c == '-' || c == ' ' || c == '.' {
            out.push('_');
        } else {
            out.push(c);
        }
    }
    out
}

/// A binding, or a field or element of one.
fn is_place(expr: &Expr) -> bool {
    match expr {
        Expr::Path(_) => true,
        Expr::Field(e) => is_place(&e.base),
        Expr::Index(e) => is_place(&e.expr),
        Expr::Paren(e) => is_place(&e.expr),
        _ => false,
    }
}
