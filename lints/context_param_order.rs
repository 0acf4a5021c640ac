use syn::visit::Visit;
use syn::{Expr, FnArg};

use crate::checker::{Checker, FnNode, FnOwner};
use crate::diagnostic::{Diagnostic, Edit, Fix, Level};
use crate::model::Ty;
use crate::model::catalog::{Kind, Position, glob_match, type_spelling};

super::declare_rule! {
    /// ## What it does
    /// Checks that a function's context and cancellation-token parameters sit together at
    /// the end of the parameter list their API expects:
    ///
    /// - Go-style contexts (go-lib, goish, halo-core, ctx, rs_ctx) come **first**, as in Go;
    /// - cancellation tokens (tokio-util, stop-token) and framework or tree contexts
    ///   (scuffle-context, tokio-context, rmcp's `RequestContext`) come first **or** last,
    ///   never in the middle.
    ///
    /// The receiver does not count, several context parameters may sit side by side, and one
    /// finding is reported per function. In-house contexts (types named `…Context`/`…Ctx`) and
    /// tracing `Span`s may stand next to the group, and callbacks and futures (`impl FnOnce`,
    /// `F: Future`) may follow it, as Rust puts them last. A function whose tokens are all only
    /// stored in struct literals (a constructor's `Self { shutdown, .. }`) is not checked: they
    /// are part of the value being built, not the context of the call. Methods of `impl Trait for T` are
    /// not checked (the
    /// trait fixes their signature; its declaration is checked instead), nor are closures,
    /// `extern` functions, `std::task::Context` (a poll context) and OpenTelemetry's `Context`
    /// (a value carrier with no position convention).
    ///
    /// ## Why is this bad?
    /// A context is the one argument every call in a chain passes along. Where it always sits
    /// in the same place, call sites read alike and a missing or swapped context stands out.
    /// Real Rust code puts tokens last far more often than first, so tokens may go at either
    /// end; a token lost between two ordinary arguments is the shape to avoid.
    ///
    /// ## Example
    /// ```rust
    /// fn fetch(url: &str, cancel: &CancellationToken, retries: u32) { … }
    /// fn lookup(key: &str, ctx: go_lib::context::Context) { … }
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// fn fetch(url: &str, retries: u32, cancel: &CancellationToken) { … }
    /// fn lookup(ctx: go_lib::context::Context, key: &str) { … }
    /// ```
    ///
    /// ## Configuration
    /// In `ctxlint.toml`, per API (a built-in one is named to change it):
    /// ```toml
    /// [[api]]
    /// name = "tokio-util"
    /// position = "last"                    # "first" | "last" | "either" | "none"
    /// allow_types_before = ["&mut Formatter", "&TestHarness"]
    /// allow_types_after = ["Tripwire"]
    /// ```
    /// `allow_types_before` lists parameter types that may precede the contexts (test
    /// handles, formatters), `allow_types_after` those that may follow them; they are compared
    /// without whitespace, lifetimes and module paths, `&T` is not `T`, and `*` matches any
    /// text (`"*Handle"`).
    ///
    /// ## Fix safety
    /// The fix reorders the signature only. Every call site must change with it (the note
    /// names those in the same file), and so must callers in other files and implementations
    /// of a trait, so it is only applied with `--unsafe-fixes`.
    ///
    /// ## References
    /// - revive `context-as-argument` (Go)
    /// - <https://go.dev/wiki/CodeReviewComments#contexts>
    pub static CONTEXT_PARAM_ORDER = {
        name: "context_param_order",
        summary: "context parameters are not together at the start or end of the parameter list",
        level: Level::Warn,
        on_fn: check_fn,
    }
}

/// A parameter other than the receiver.
struct Param<'a> {
    arg: &'a syn::PatType,
    /// The catalog type, for a context or token parameter.
    context: Option<crate::model::catalog::TypeId>,
}

/// Which end of the list the contexts go to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    Start,
    End,
}

fn check_fn(checker: &Checker, function: &FnNode) {
    if function.is_trait_impl() || function.sig.abi.is_some() {
        return;
    }
    let params: Vec<Param> = function
        .sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            FnArg::Typed(arg) => Some(Param {
                arg,
                context: context_type(checker, &arg.ty),
            }),
            FnArg::Receiver(_) => None,
        })
        .collect();
    let contexts: Vec<usize> = (0..params.len())
        .filter(|&i| params[i].context.is_some())
        .collect();
    if contexts.is_empty() || contexts.len() == params.len() {
        return;
    }
    // Tokens the function only stores in a struct are part of the value being built
    // (`new(.., shutdown, ..) -> Self`), not the context of this call.
    if contexts
        .iter()
        .all(|&i| only_stored(function, &params[i].arg.pat))
    {
        return;
    }
    let position = position_of(checker, &params);
    let (before, after) = allowed_types(checker, &params);
    let spelled: Vec<String> = params
        .iter()
        .map(|p| type_spelling(checker.text(&*p.arg.ty)))
        .collect();
    let allowed = |list: &[String], i: usize| list.iter().any(|pattern| glob_match(pattern, &spelled[i]));
    let may_precede = |i: usize| params[i].context.is_none() && allowed(&before, i);
    let may_follow = |i: usize| {
        params[i].context.is_none() && (allowed(&after, i) || is_callback(function, &params[i].arg.ty))
    };
    let (first, last) = (contexts[0], *contexts.last().unwrap());
    let contiguous = last - first + 1 == contexts.len();
    let at_start = contiguous && (0..first).all(may_precede);
    let at_end = contiguous && (last + 1..params.len()).all(may_follow);
    let ok = match position {
        Position::First => at_start,
        Position::Last => at_end,
        Position::Either => at_start || at_end,
        Position::None => true,
    };
    if ok {
        return;
    }
    // What stays before the contexts at the start, and after them at the end.
    let head = (0..params.len()).take_while(|&i| may_precede(i)).count();
    let tail = (0..params.len()).rev().take_while(|&i| may_follow(i)).count();
    let end = match position {
        Position::First => End::Start,
        Position::Last => End::End,
        _ => {
            // The end that already holds more of them; the end on a tie (Rust's habit).
            let leading = params[head..].iter().take_while(|p| p.context.is_some()).count();
            let trailing = params[..params.len() - tail]
                .iter()
                .rev()
                .take_while(|p| p.context.is_some())
                .count();
            if leading > trailing { End::Start } else { End::End }
        }
    };
    let order = reordered(&params, head, tail, end);
    let Some(moved) = (0..params.len()).find(|&i| params[i].context.is_some() && order[i] != i) else {
        return;
    };
    report(checker, function, &params, &order, moved, position, end);
}

/// Whether the parameter bound by `pat` is used, and only as a field value of struct
/// literals (`Self { shutdown }`, `Info { cancel: cancel.clone() }`).
fn only_stored(function: &FnNode, pat: &syn::Pat) -> bool {
    let (syn::Pat::Ident(binding), Some(block)) = (pat, function.block) else {
        return false;
    };
    let mut uses = Uses {
        name: &binding.ident,
        stored: 0,
        other: 0,
    };
    uses.visit_block(block);
    uses.stored > 0 && uses.other == 0
}

/// The uses of a name in a body: as a struct field value, or otherwise.
struct Uses<'n> {
    name: &'n syn::Ident,
    stored: usize,
    other: usize,
}

impl Uses<'_> {
    fn is_name(&self, expr: &Expr) -> bool {
        matches!(expr, Expr::Path(p) if p.qself.is_none() && p.path.is_ident(self.name))
    }
}

impl<'ast> Visit<'ast> for Uses<'_> {
    fn visit_field_value(&mut self, field: &'ast syn::FieldValue) {
        let value = match &field.expr {
            Expr::MethodCall(call) if call.method == "clone" && call.args.is_empty() => &*call.receiver,
            expr => expr,
        };
        if self.is_name(value) {
            self.stored += 1;
        } else {
            syn::visit::visit_field_value(self, field);
        }
    }

    fn visit_expr_path(&mut self, path: &'ast syn::ExprPath) {
        if path.qself.is_none() && path.path.is_ident(self.name) {
            self.other += 1;
        }
    }

    // Code inside a macro is not visited as syntax: a mention there is a use of another kind.
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if crate::source::mentions_ident(&mac.tokens.to_string(), &self.name.to_string()) {
            self.other += 1;
        }
    }
}

/// In-house contexts and tracing spans travel with the contexts: they may stand next to them.
const CONTEXT_LIKE: &[&str] = &["*Context", "*Ctx", "Span", "&Span"];

/// Whether a parameter is a callback or a future, which Rust puts last (`timeout(d, fut)`).
fn is_callback(function: &FnNode, ty: &syn::Type) -> bool {
    let callable = |bounds: &syn::punctuated::Punctuated<syn::TypeParamBound, syn::Token![+]>| {
        bounds.iter().any(|bound| match bound {
            syn::TypeParamBound::Trait(t) => t.path.segments.last().is_some_and(|s| {
                matches!(
                    s.ident.to_string().as_str(),
                    "Fn" | "FnMut"
                        | "FnOnce"
                        | "AsyncFn"
                        | "AsyncFnMut"
                        | "AsyncFnOnce"
                        | "Future"
                        | "IntoFuture"
                )
            }),
            _ => false,
        })
    };
    match ty {
        syn::Type::ImplTrait(t) => callable(&t.bounds),
        syn::Type::TraitObject(t) => callable(&t.bounds),
        syn::Type::Reference(r) => is_callback(function, &r.elem),
        syn::Type::Paren(p) => is_callback(function, &p.elem),
        syn::Type::Path(p) => {
            let last = p.path.segments.last();
            // `Box<dyn FnOnce()>`, `Pin<Box<dyn Future<…>>>`.
            if let Some(syn::PathArguments::AngleBracketed(args)) = last.map(|s| &s.arguments)
                && matches!(
                    last.map(|s| s.ident.to_string()).as_deref(),
                    Some("Box" | "Pin" | "Arc")
                )
                && let Some(syn::GenericArgument::Type(inner)) = args.args.first()
            {
                return is_callback(function, inner);
            }
            // A type parameter bounded by `Fn…`/`Future` in the generics or the where clause.
            let Some(name) = p.path.get_ident() else {
                return false;
            };
            let generics = &function.sig.generics;
            let in_params = generics
                .type_params()
                .any(|tp| tp.ident == *name && callable(&tp.bounds));
            let in_where = generics.where_clause.iter().flat_map(|w| &w.predicates).any(|pred| {
                matches!(pred, syn::WherePredicate::Type(t)
                    if matches!(&t.bounded_ty, syn::Type::Path(b) if b.path.is_ident(name)) && callable(&t.bounds))
            });
            in_params || in_where
        }
        _ => false,
    }
}

/// The catalog context or token type a parameter has, unless its API has no position rule.
fn context_type(checker: &Checker, ty: &syn::Type) -> Option<crate::model::catalog::TypeId> {
    let Some(Ty::Api(id)) = checker.model.written_type(ty) else {
        return None;
    };
    let def = checker.catalog.ty(*id);
    let counts = matches!(def.kind, Kind::Context | Kind::Token) && def.position != Position::None;
    counts.then_some(*id)
}

/// The rule for a list of parameters: `first` if any of its contexts wants to be first, `last`
/// if any wants to be last, `either` otherwise (or when they disagree).
fn position_of(checker: &Checker, params: &[Param]) -> Position {
    let positions: Vec<Position> = params
        .iter()
        .filter_map(|p| p.context)
        .map(|id| checker.catalog.ty(id).position)
        .collect();
    let first = positions.contains(&Position::First);
    let last = positions.contains(&Position::Last);
    match (first, last) {
        (true, false) => Position::First,
        (false, true) => Position::Last,
        _ => Position::Either,
    }
}

/// Types that may precede and follow the contexts: in-house contexts and spans, and those
/// every API among the parameters allows.
fn allowed_types(checker: &Checker, params: &[Param]) -> (Vec<String>, Vec<String>) {
    let mut before: Vec<String> = CONTEXT_LIKE.iter().map(|t| t.to_string()).collect();
    let mut after = before.clone();
    for id in params.iter().filter_map(|p| p.context) {
        let api = checker.catalog.api(checker.catalog.ty(id).api);
        before.extend(api.allow_types_before.iter().cloned());
        after.extend(api.allow_types_after.iter().cloned());
    }
    (before, after)
}

/// For each slot of the parameter list, the index of the parameter that goes there: the
/// contexts move after the `head` parameters that may precede them, or before the `tail` ones
/// that may follow them.
fn reordered(params: &[Param], head: usize, tail: usize, end: End) -> Vec<usize> {
    let n = params.len();
    let contexts = (0..n).filter(|&i| params[i].context.is_some());
    match end {
        End::Start => {
            let rest = (head..n).filter(|&i| params[i].context.is_none());
            (0..head).chain(contexts).chain(rest).collect()
        }
        End::End => {
            let rest = (0..n - tail).filter(|&i| params[i].context.is_none());
            rest.chain(contexts).chain(n - tail..n).collect()
        }
    }
}

fn report(
    checker: &Checker,
    function: &FnNode,
    params: &[Param],
    order: &[usize],
    moved: usize,
    position: Position,
    end: End,
) {
    let param = params[moved].arg;
    let id = params[moved].context.expect("a context parameter");
    let def = checker.catalog.ty(id);
    let api = &checker.catalog.api(def.api).name;
    let what = match def.kind {
        Kind::Token => "cancellation token",
        _ => "context",
    };
    let shown = format!("{}: {}", checker.text(&*param.pat), checker.text(&*param.ty));
    let several = params.iter().filter(|p| p.context.is_some()).count() > 1;
    let group = if several { "with the other contexts, " } else { "" };
    let (message, label) = match position {
        Position::First => (
            format!("{api} {what} `{shown}` should be the first parameter, {group}as Go-style contexts are"),
            "should come first",
        ),
        Position::Last => (
            format!(
                "{api} {what} `{shown}` should be the last parameter{}",
                if several { ", with the other contexts" } else { "" }
            ),
            "should come last",
        ),
        _ => (
            format!(
                "{api} {what} `{shown}` sits among other parameters: keep contexts together at the start or the end of the list"
            ),
            "in the middle of the parameter list",
        ),
    };
    let slots: Vec<String> = order
        .iter()
        .map(|&i| checker.text(params[i].arg).to_string())
        .collect();
    let mut edits = Vec::new();
    for (slot, &from) in order.iter().enumerate() {
        if from != slot {
            edits.push(Edit::replace(checker.span(params[slot].arg), slots[slot].clone()));
        }
    }
    let name = function.name();
    let title = match end {
        End::Start => format!("move the {what} to the start: `{name}({})`", slots.join(", ")),
        End::End => format!("move the {what} to the end: `{name}({})`", slots.join(", ")),
    };
    let mut diagnostic = Diagnostic::new(CONTEXT_PARAM_ORDER.name, checker.span(param), message)
        .with_label(label)
        .with_fix(Fix::maybe_incorrect(title, edits));
    let lines = call_sites(checker, function, params.len());
    diagnostic = diagnostic.with_note(match lines.as_slice() {
        [] => format!("no call of `{name}` in this file; callers elsewhere must change too"),
        [line] => format!("the call of `{name}` on line {line} must change too"),
        _ => {
            let lines: Vec<String> = lines.iter().map(ToString::to_string).collect();
            format!(
                "the calls of `{name}` on lines {} must change too",
                lines.join(", ")
            )
        }
    });
    if let FnOwner::Trait(_) = function.owner {
        diagnostic = diagnostic.with_note("every implementation of the trait must change too");
    }
    checker.report(diagnostic);
}

/// Lines of the calls in this file that may call `function` with `arity` arguments: a method
/// call of its name; a path call of a free function (`name(…)`, `self::name(…)`); or of an
/// associated function through its type (`Self::name(…)`, `Type::name(…)`).
fn call_sites(checker: &Checker, function: &FnNode, arity: usize) -> Vec<usize> {
    struct Calls<'c, 'a> {
        checker: &'c Checker<'a>,
        name: String,
        method: bool,
        /// For an associated function, the names its type goes by (`Self`, `Type`).
        owners: Vec<String>,
        arity: usize,
        lines: Vec<usize>,
    }
    impl Calls<'_, '_> {
        fn calls_it(&self, expr: &Expr) -> bool {
            match expr {
                Expr::MethodCall(call) => {
                    self.method && call.method == self.name && call.args.len() == self.arity
                }
                Expr::Call(call) => {
                    let Expr::Path(path) = &*call.func else {
                        return false;
                    };
                    let names: Vec<String> = path.path.segments.iter().map(|s| s.ident.to_string()).collect();
                    let Some((last, before)) = names.split_last() else {
                        return false;
                    };
                    let prefix_ok = if self.owners.is_empty() {
                        before
                            .iter()
                            .all(|s| matches!(s.as_str(), "self" | "super" | "crate"))
                    } else {
                        before.last().is_some_and(|owner| self.owners.contains(owner))
                    };
                    let arity = if self.method { self.arity + 1 } else { self.arity };
                    *last == self.name && prefix_ok && call.args.len() == arity
                }
                _ => false,
            }
        }
    }
    impl<'ast> Visit<'ast> for Calls<'_, '_> {
        fn visit_expr(&mut self, expr: &'ast Expr) {
            if self.calls_it(expr) {
                let at = self.checker.span(expr).start;
                self.lines.push(self.checker.source.location(at).line);
            }
            syn::visit::visit_expr(self, expr);
        }

        fn visit_macro(&mut self, mac: &'ast syn::Macro) {
            if let Some(body) = self.checker.model.macro_body(mac) {
                body.visit(self);
            }
        }
    }
    let method = function
        .sig
        .inputs
        .first()
        .is_some_and(|input| matches!(input, FnArg::Receiver(_)));
    let owners = match function.owner {
        FnOwner::Free => Vec::new(),
        FnOwner::Impl(item) => {
            let mut owners = vec!["Self".to_string()];
            if let syn::Type::Path(ty) = &*item.self_ty
                && let Some(last) = ty.path.segments.last()
            {
                owners.push(last.ident.to_string());
            }
            owners
        }
        FnOwner::Trait(item) => vec!["Self".to_string(), item.ident.to_string()],
    };
    let mut calls = Calls {
        checker,
        name: function.name(),
        method,
        owners,
        arity,
        lines: Vec::new(),
    };
    calls.visit_file(checker.file);
    calls.lines.sort_unstable();
    calls.lines.dedup();
    calls.lines
}
