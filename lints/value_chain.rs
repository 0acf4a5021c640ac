use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use syn::Expr;
use syn::visit::Visit;

use crate::checker::{Checker, FnNode};
use crate::diagnostic::{Diagnostic, Edit, Fix, Level};
use crate::model::SpanKey;
use crate::model::catalog::Role;
use crate::model::macros;
use crate::model::uncloned;
use crate::source::Span;

super::declare_rule! {
    /// ## What it does
    /// Finds three or more `with_value` layers stacked on the same context in one function:
    /// `cx.with_value(a).with_value(b).with_value(c)`, `WithValue(WithValue(WithValue(ctx, …)))`,
    /// or `let ctx = ctx.with_value(…);` three times in a row. The chain is reported once, at
    /// its third layer.
    ///
    /// ## Why is this bad?
    /// Each layer is a new context wrapping the previous one. In Go-style crates (goish,
    /// halo-core, rs_ctx, ctx) every lookup walks the layers one by one, so each value set makes
    /// every later lookup slower; OpenTelemetry copies the whole value map for each layer. One
    /// value holding everything the callee needs costs one layer.
    ///
    /// ## Example
    /// ```rust
    /// let ctx = WithValue(ctx, "user", user);
    /// let ctx = WithValue(ctx, "tenant", tenant);
    /// let ctx = WithValue(ctx, "request_id", id);
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// let ctx = WithValue(ctx, "request", RequestInfo { user, tenant, id });
    /// ```
    ///
    /// ## Fix safety
    /// The values must be gathered into a type of your own, and every lookup changed to read
    /// it: the fix only sketches the single layer, and is never applied.
    pub static VALUE_CHAIN = {
        name: "value_chain",
        summary: "three or more value layers are stacked on one context",
        group: super::Group::Perf,
        level: Level::Warn,
        on_fn: check_fn,
    }
}

/// The placeholder the fix leaves for the combined value.
const COMBINED: &str = "/* one value holding what these layers set */";

fn check_fn(checker: &Checker, function: &FnNode) {
    let Some(block) = function.block else {
        return;
    };
    let mut collector = Collector {
        checker,
        exprs: None,
        layers: Vec::new(),
    };
    collector.visit_block(block);
    if collector.layers.len() < 3 {
        return;
    }
    // Bindings lead to the expressions they hold: index them all.
    let mut collector = Collector {
        checker,
        exprs: Some(HashMap::new()),
        layers: Vec::new(),
    };
    collector.visit_block(block);
    let mut chains = Chains {
        checker,
        exprs: collector.exprs.unwrap_or_default(),
        below: HashMap::new(),
        visiting: HashSet::new(),
    };
    let mut reported = HashSet::new();
    for layer in collector.layers {
        let chain = chains.chain(layer);
        let [first, second, third] = chain.as_slice() else {
            continue;
        };
        // Chains that share their first two layers are reported once.
        if !reported.insert(SpanKey::of(*second)) {
            continue;
        }
        report(checker, [first, second, third]);
    }
}

fn report(checker: &Checker, [first, second, third]: [&&Expr; 3]) {
    let name = crate::model::callee_name(third);
    let message = format!(
        "third `{name}` layer on the same context: every layer wraps it again; attach one value holding all of them instead"
    );
    let diagnostic = Diagnostic::new(VALUE_CHAIN.name, layer_span(checker, third), message)
        .with_label("third layer")
        .with_secondary(layer_span(checker, first), "first layer")
        .with_secondary(layer_span(checker, second), "second layer")
        .with_fix(single_layer(checker, first, third));
    checker.report(diagnostic);
}

/// The third layer rewritten as one layer on the context the first one started from.
fn single_layer(checker: &Checker, first: &Expr, third: &Expr) -> Fix {
    let parent = checker.model.derived_from(first).map(|p| checker.text(p));
    let replacement = match (first, parent) {
        (Expr::MethodCall(call), Some(parent)) => format!("{parent}.{}({COMBINED})", call.method),
        (Expr::Call(call), Some(parent)) => format!("{}({parent}, {COMBINED})", checker.text(&*call.func)),
        (Expr::Call(call), None) => format!("{}({COMBINED})", checker.text(&*call.func)),
        _ => COMBINED.to_string(),
    };
    Fix::has_placeholders(
        "set one value holding all three, on the context the first layer started from",
        vec![Edit::replace(checker.span(third), replacement)],
    )
}

/// A layer as written: `with_value(v)` of a method chain, or the whole call.
fn layer_span(checker: &Checker, layer: &Expr) -> Span {
    match layer {
        Expr::MethodCall(call) => Span::new(checker.span(&call.method).start, checker.span(layer).end),
        _ => checker.span(layer),
    }
}

/// The value layers of a function in source order (macro bodies included, nested items not),
/// and, when asked for, every expression.
struct Collector<'c, 'a> {
    checker: &'c Checker<'a>,
    exprs: Option<HashMap<SpanKey, &'a Expr>>,
    layers: Vec<&'a Expr>,
}

impl<'a> Visit<'a> for Collector<'_, 'a> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Some(exprs) = &mut self.exprs {
            exprs.insert(SpanKey::of(expr), expr);
        }
        if is_layer(self.checker, expr) {
            self.layers.push(expr);
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

fn is_layer(checker: &Checker, expr: &Expr) -> bool {
    matches!(expr, Expr::Call(_) | Expr::MethodCall(_))
        && checker
            .model
            .callable(expr)
            .is_some_and(|c| matches!(c.role, Some(Role::ValueSet(_))))
}

/// Follows layers down to the context they started from.
struct Chains<'c, 'a> {
    checker: &'c Checker<'a>,
    exprs: HashMap<SpanKey, &'a Expr>,
    /// The layer each layer is set on, if it is one.
    below: HashMap<SpanKey, Option<&'a Expr>>,
    visiting: HashSet<SpanKey>,
}

impl<'a> Chains<'_, 'a> {
    /// The layers under `layer` and `layer` itself, bottom first.
    fn chain(&mut self, layer: &'a Expr) -> Vec<&'a Expr> {
        let mut chain = vec![layer];
        let mut current = layer;
        while let Some(below) = self.below(current) {
            if chain.iter().any(|l| std::ptr::eq(*l, below)) {
                break;
            }
            chain.push(below);
            current = below;
        }
        chain.reverse();
        chain
    }

    fn below(&mut self, layer: &'a Expr) -> Option<&'a Expr> {
        let key = SpanKey::of(layer);
        if let Some(found) = self.below.get(&key) {
            return *found;
        }
        if !self.visiting.insert(key) {
            return None;
        }
        let found = self
            .checker
            .model
            .derived_from(layer)
            .and_then(|parent| self.layer_of(parent));
        self.visiting.remove(&key);
        self.below.insert(key, found);
        found
    }

    /// The layer an expression evaluates to: the layer itself, or the value a binding holds.
    fn layer_of(&self, expr: &'a Expr) -> Option<&'a Expr> {
        let expr = strip(expr);
        if is_layer(self.checker, expr) {
            return Some(expr);
        }
        let model = self.checker.model;
        let id = model.binding_of(expr)?;
        let value = model.reaching_value(id, SpanKey::of(expr))?;
        let value = self.exprs.get(&value)?;
        let value = strip(value);
        is_layer(self.checker, value).then_some(value)
    }
}

/// Without `&`, parentheses, `.clone()`, `?` and `.await`.
fn strip(expr: &Expr) -> &Expr {
    match uncloned(expr) {
        Expr::Try(e) => strip(&e.expr),
        Expr::Await(e) => strip(&e.base),
        expr => expr,
    }
}
