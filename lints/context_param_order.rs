use syn::visit::Visit;
use syn::{Expr, FnArg};

use crate::checker::{Checker, FnNode, FnOwner};
use crate::diagnostic::{Diagnostic, Edit, Fix, Level};
use crate::lints::Rule;
use crate::model::Ty;
use crate::model::calls::{self, Callee, Owner};
use crate::model::catalog::{Kind, Position, glob_match, type_spelling};

super::declare_rule! {
    /// ## What it does
    /// Checks that a function taking a Go-style context (go-lib, goish, halo-core, ctx,
    /// rs_ctx, or any API configured with `position = "first"`) takes it **first**, as in
    /// Go, with its other context and token parameters beside it.
    ///
    /// Cancellation tokens and framework contexts alone are `token_param_order`'s (pedantic):
    /// Rust has no "first" convention for them. A function taking both a Go-style context and
    /// a token is checked here: the contexts go together at the start or the end.
    ///
    /// The receiver does not count, several context parameters may sit side by side, and one
    /// finding is reported per function. In-house contexts (types named `…Context`/`…Ctx`) and
    /// tracing `Span`s may stand next to the group, and callbacks and futures (`impl FnOnce`,
    /// `F: Future`) may follow it, as Rust puts them last. A function whose contexts are all
    /// only stored in struct literals (a constructor's `Self { ctx, .. }`) is not checked: they
    /// are part of the value being built, not the context of the call. Methods of `impl Trait
    /// for T` are not checked (the trait fixes their signature; its declaration is checked
    /// instead), nor are closures, `extern` functions, `std::task::Context` (a poll context)
    /// and OpenTelemetry's `Context` (a value carrier with no position convention).
    ///
    /// ## Why is this bad?
    /// A context is the one argument every call in a chain passes along. Go-style context
    /// crates carry Go's convention over: the context comes first. Where it always sits in the
    /// same place, call sites read alike and a missing or swapped context stands out.
    ///
    /// ## Example
    /// ```rust
    /// fn lookup(key: &str, ctx: go_lib::context::Context) { … }
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// fn lookup(ctx: go_lib::context::Context, key: &str) { … }
    /// ```
    ///
    /// ## Configuration
    /// In `ctxlint.toml`, per API (a built-in one is named to change it):
    /// ```toml
    /// [[api]]
    /// name = "go-lib"
    /// position = "first"                   # "first" | "last" | "either" | "none"
    /// allow_types_before = ["&mut Formatter", "&TestHarness"]
    /// allow_types_after = ["Tripwire"]
    /// ```
    /// An API at `first` is checked by this rule; one at `last` or `either` by
    /// `token_param_order`. `allow_types_before` lists parameter types that may precede the
    /// contexts (test handles, formatters), `allow_types_after` those that may follow them;
    /// they are compared without whitespace, lifetimes and module paths, `&T` is not `T`, and
    /// `*` matches any text (`"*Handle"`).
    ///
    /// ## Fix safety
    /// The fix reorders the signature and the arguments of every call in the same file that
    /// surely calls the function: `name(…)`, `Self::name(…)`, `Type::name(…)`, and method calls
    /// on `self` inside the type's impl or on a binding of the type. Mentions it cannot be sure
    /// of (the function passed as a value, a method call on a receiver of unknown type, a macro
    /// ctxlint does not read) are named in a note and left alone, and callers in other files
    /// and implementations of a trait must change by hand, so it is only applied with
    /// `--unsafe-fixes`.
    ///
    /// ## References
    /// - revive `context-as-argument` (Go)
    /// - <https://go.dev/wiki/CodeReviewComments#contexts>
    pub static CONTEXT_PARAM_ORDER = {
        name: "context_param_order",
        summary: "a Go-style context parameter is not first",
        group: super::Group::Style,
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
    check(checker, function, &CONTEXT_PARAM_ORDER);
}

/// Checks a function's parameter order for `rule`: `context_param_order` takes the functions
/// with a Go-style context (an API at `first`), `token_param_order` the others.
pub(super) fn check(checker: &Checker, function: &FnNode, rule: &'static Rule) {
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
    let go_style = params
        .iter()
        .filter_map(|p| p.context)
        .any(|id| checker.catalog.ty(id).position == Position::First);
    if go_style != (rule.name == CONTEXT_PARAM_ORDER.name) {
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
    report(checker, rule, function, &params, &order, moved, position, end);
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

#[allow(clippy::too_many_arguments)]
fn report(
    checker: &Checker,
    rule: &'static Rule,
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
    let name = function.name();
    let title = match end {
        End::Start => format!("move the {what} to the start: `{name}({})`", slots.join(", ")),
        End::End => format!("move the {what} to the end: `{name}({})`", slots.join(", ")),
    };
    let (fix, notes) = reorder_fix(checker, function, order, title);
    let mut diagnostic = Diagnostic::new(rule.name, checker.span(param), message)
        .with_label(label)
        .with_fix(fix);
    for note in notes {
        diagnostic = diagnostic.with_note(note);
    }
    checker.report(diagnostic);
}

/// The fix that puts `function`'s parameters (the receiver not counted) in `order` (for each
/// slot, the index of the parameter that goes there), with every call in this file that
/// surely calls it rewritten alike, and notes naming the calls it could not rewrite. The fix
/// is MaybeIncorrect: calls in other files (and implementations of a trait) are not seen.
pub(crate) fn reorder_fix(
    checker: &Checker,
    function: &FnNode,
    order: &[usize],
    title: String,
) -> (Fix, Vec<String>) {
    let params: Vec<&syn::PatType> = function
        .sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            FnArg::Typed(arg) => Some(arg),
            FnArg::Receiver(_) => None,
        })
        .collect();
    let mut edits = Vec::new();
    for (slot, &from) in order.iter().enumerate() {
        if from != slot {
            edits.push(Edit::replace(
                checker.span(params[slot]),
                checker.text(params[from]).to_string(),
            ));
        }
    }
    let callee = Callee {
        name: function.name(),
        owner: match function.owner {
            FnOwner::Free => Owner::Free,
            FnOwner::Impl(item) => match item.self_ty.as_ref() {
                syn::Type::Path(ty) => Owner::Type(
                    ty.path
                        .segments
                        .last()
                        .map(|s| s.ident.to_string())
                        .unwrap_or_default(),
                ),
                _ => Owner::Type(String::new()),
            },
            FnOwner::Trait(item) => Owner::Trait(item.ident.to_string()),
        },
        receiver: matches!(function.sig.inputs.first(), Some(FnArg::Receiver(_))),
        arity: params.len(),
    };
    let code = checker.source.code();
    let mut sites = calls::call_sites(checker.file, code, &callee, Some(checker.model));
    // Calls in bodies the parse left out: look again in the whole file.
    if !sites.unread.is_empty()
        && let Some(full) = checker.full_file()
    {
        sites = calls::call_sites(full, code, &callee, Some(checker.model));
    }
    let line = |at: usize| {
        checker
            .source
            .location(checker.source.span_from_code(at..at).start)
            .line
    };
    let mut rewritten = Vec::new();
    for call in &sites.calls {
        rewritten.push(line(call.span.start));
        // A call inside another's arguments moves with them: the outer call is rewritten whole.
        let inside_another = sites
            .calls
            .iter()
            .any(|other| other.span != call.span && contains(&other.span, &call.span));
        if !inside_another {
            let span = checker.source.span_from_code(call.span.clone());
            edits.push(Edit::replace(span, rewrite_call(code, call, &sites.calls, order)));
        }
    }
    edits.sort_by_key(|edit| edit.span.start);
    let name = &callee.name;
    let mut notes = Vec::new();
    rewritten.dedup();
    match rewritten.as_slice() {
        [] => {}
        [one] => notes.push(format!(
            "the fix also rewrites the call of `{name}` on line {one}"
        )),
        lines => notes.push(format!(
            "the fix also rewrites the calls of `{name}` on lines {}",
            join(lines)
        )),
    }
    let mut unsure: Vec<String> = sites
        .unsure
        .iter()
        .map(|u| format!("line {} ({})", line(u.at), u.why))
        .collect();
    unsure.extend(
        sites
            .unread
            .iter()
            .map(|&at| format!("line {} (code ctxlint does not read)", line(at))),
    );
    unsure.dedup();
    if !unsure.is_empty() {
        notes.push(format!(
            "not rewritten, as ctxlint cannot tell whether they call it: {}",
            unsure.join(", ")
        ));
    }
    notes.push(match function.owner {
        FnOwner::Trait(_) => format!(
            "callers of `{name}` in other files, and every implementation of the trait, must change too"
        ),
        _ => format!("callers of `{name}` in other files must change too"),
    });
    (Fix::maybe_incorrect(title, edits), notes)
}

fn contains(outer: &std::ops::Range<usize>, inner: &std::ops::Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// The text of `call` with its arguments in `order`, calls nested in them rewritten too.
fn rewrite_call(code: &str, call: &calls::Call, all: &[calls::Call], order: &[usize]) -> String {
    let mut out = String::new();
    let mut cursor = call.span.start;
    for (slot, &from) in order.iter().enumerate() {
        // The receiver (`a.f(x).f(y)`) may hold a call too.
        out.push_str(&rewrite_range(code, &(cursor..call.args[slot].start), all, order));
        out.push_str(&rewrite_range(code, &call.args[from], all, order));
        cursor = call.args[slot].end;
    }
    out.push_str(&code[cursor..call.span.end]);
    out
}

/// The text of `range` with the outermost calls inside it rewritten.
fn rewrite_range(code: &str, range: &std::ops::Range<usize>, all: &[calls::Call], order: &[usize]) -> String {
    let mut out = String::new();
    let mut cursor = range.start;
    // `all` is sorted by start: the first call found at a point is the outermost.
    for call in all.iter().filter(|c| contains(range, &c.span)) {
        if call.span.start < cursor {
            continue;
        }
        out.push_str(&code[cursor..call.span.start]);
        out.push_str(&rewrite_call(code, call, all, order));
        cursor = call.span.end;
    }
    out.push_str(&code[cursor..range.end]);
    out
}

fn join(lines: &[usize]) -> String {
    lines
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
