//! The checker walks one file once, macro bodies included, and calls every enabled lint's hooks
//! on the nodes they ask for. Lints read the file through it: the semantic model, the source
//! text, and the chain of enclosing nodes.

use std::cell::RefCell;

use syn::Expr;
use syn::visit::Visit;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::lints::Rule;
use crate::model::catalog::Catalog;
use crate::model::extent::Extent;
use crate::model::loops::{self, Loop, LoopKind};
use crate::model::macros::{Fallback, MacroBody, SelectArm, macro_name};
use crate::model::{Model, SpanKey};
use crate::source::{SourceFile, Span};

/// A function, method or trait method with its signature and (maybe) body.
#[derive(Clone, Copy)]
pub struct FnNode<'a> {
    pub attrs: &'a [syn::Attribute],
    pub vis: Option<&'a syn::Visibility>,
    pub sig: &'a syn::Signature,
    pub block: Option<&'a syn::Block>,
    pub owner: FnOwner<'a>,
}

#[derive(Clone, Copy)]
pub enum FnOwner<'a> {
    /// A free function.
    Free,
    /// A method of an inherent or trait `impl`.
    Impl(&'a syn::ItemImpl),
    /// A method declared in a trait.
    Trait(&'a syn::ItemTrait),
}

impl<'a> FnNode<'a> {
    /// A method of `impl Trait for Type`: the trait fixes its signature.
    pub fn is_trait_impl(&self) -> bool {
        matches!(self.owner, FnOwner::Impl(item) if item.trait_.is_some())
    }

    pub fn name(&self) -> String {
        self.sig.ident.to_string()
    }
}

/// A macro call whose body the model parsed.
#[derive(Clone, Copy)]
pub struct MacroCall<'a> {
    pub mac: &'a syn::Macro,
    pub body: &'a MacroBody,
}

impl MacroCall<'_> {
    /// The last segment of the macro's path (`select` for `tokio::select!`).
    pub fn name(&self) -> String {
        macro_name(self.mac)
    }
}

/// A node on the path from the file to the node being checked.
#[derive(Clone, Copy)]
pub enum Node<'a> {
    Mod(&'a syn::ItemMod),
    Impl(&'a syn::ItemImpl),
    Trait(&'a syn::ItemTrait),
    Fn(FnNode<'a>),
    Block(&'a syn::Block),
    Stmt(&'a syn::Stmt),
    Expr(&'a syn::Expr),
    Arm(&'a syn::Arm),
    Macro(MacroCall<'a>),
    SelectArm(&'a SelectArm),
    Fallback(&'a Fallback),
}

pub struct Checker<'a> {
    /// The whole file, for lints that look beyond the node being checked.
    pub file: &'a syn::File,
    pub source: &'a SourceFile,
    pub model: &'a Model<'a>,
    pub catalog: &'a Catalog,
    /// The project's configuration, for lint options.
    pub config: &'a Config,
    /// Enclosing nodes, outermost first; the last one is the node being checked.
    stack: Vec<Node<'a>>,
    diagnostics: RefCell<Vec<Diagnostic>>,
    /// The file parsed again in full (the parse the model reads may leave bodies out), made
    /// once, for lints that need every call site.
    full: std::cell::OnceCell<Option<syn::File>>,
    /// Facts about the whole file a lint computes once and reads per node (see [`Self::per_file`]).
    per_file: RefCell<std::collections::HashMap<&'static str, std::rc::Rc<dyn std::any::Any>>>,
}

impl<'a> Checker<'a> {
    /// The value `build` gives, built once per file under the name `what`: a lint that needs
    /// a fact about the whole file for each node it checks (every call of a function, say)
    /// walks the file once, not once per node.
    pub fn per_file<T: 'static>(&self, what: &'static str, build: impl FnOnce() -> T) -> std::rc::Rc<T> {
        if let Some(known) = self.per_file.borrow().get(what)
            && let Ok(known) = known.clone().downcast::<T>()
        {
            return known;
        }
        let built = std::rc::Rc::new(build());
        self.per_file.borrow_mut().insert(what, built.clone());
        built
    }

    pub fn report(&self, diagnostic: Diagnostic) {
        self.diagnostics.borrow_mut().push(diagnostic);
    }

    /// The whole file, every function body included (parsed on first use).
    pub fn full_file(&self) -> Option<&syn::File> {
        self.full
            .get_or_init(|| syn::parse_file(self.source.code()).ok())
            .as_ref()
    }

    /// The file span of a syntax node.
    pub fn span(&self, node: &(impl Extent + ?Sized)) -> Span {
        self.source.span_from_code(node.extent())
    }

    /// The file span of a token span.
    pub fn span_of(&self, span: proc_macro2::Span) -> Span {
        self.source.span_from_code(span.byte_range())
    }

    /// The source text of a syntax node, as written.
    pub fn text(&self, node: &(impl Extent + ?Sized)) -> &'a str {
        self.source.slice(self.span(node))
    }

    /// The nodes enclosing the one being checked, innermost first.
    pub fn parents(&self) -> impl Iterator<Item = Node<'a>> + '_ {
        self.stack.iter().rev().skip(1).copied()
    }

    /// The block directly holding the statement being checked.
    pub fn enclosing_block(&self) -> Option<&'a syn::Block> {
        match self.parents().next()? {
            Node::Block(block) => Some(block),
            _ => None,
        }
    }

    /// The innermost function around the node being checked (closures are not functions).
    pub fn enclosing_fn(&self) -> Option<FnNode<'a>> {
        self.parents().find_map(|node| match node {
            Node::Fn(f) => Some(f),
            _ => None,
        })
    }

    /// Whether the node being checked is test code: in a `#[test]` (or `#[tokio::test]`,
    /// `#[bench]`) function, a `#[cfg(test)]` module or impl, or a test file ([`is_test_file`]).
    pub fn in_test(&self) -> bool {
        is_test_file(self.source.path())
            || self.parents().any(|node| match node {
                Node::Fn(f) => f.attrs.iter().any(is_test_attr),
                Node::Mod(module) => module.attrs.iter().any(is_test_attr),
                Node::Impl(item) => item.attrs.iter().any(is_test_attr),
                _ => false,
            })
    }

    /// Whether the enclosing function is named for cancelling or closing something (`cancel`,
    /// `close`, `shutdown`, `stop_all`…): cancellation there is its job, not an accident.
    pub fn in_cancelling_fn(&self) -> bool {
        let Some(function) = self.enclosing_fn() else {
            return false;
        };
        let name = function.name();
        let first = name.split('_').next().unwrap_or_default();
        matches!(
            first,
            "cancel" | "close" | "shutdown" | "stop" | "abort" | "terminate" | "kill" | "disconnect"
        )
    }
}

/// Cargo's test and bench crates (the nearest of `src/`, `tests/`, `benches/`, `examples/`
/// above the file is `tests/` or `benches/`), and files holding a test module (`tests.rs`,
/// `foo_tests.rs`).
pub fn is_test_file(path: &std::path::Path) -> bool {
    let nearest = path
        .parent()
        .into_iter()
        .flat_map(|dir| dir.components().rev())
        .filter_map(|c| c.as_os_str().to_str())
        .find(|c| matches!(*c, "src" | "tests" | "benches" | "examples"));
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    matches!(nearest, Some("tests" | "benches"))
        || matches!(stem, "tests" | "test")
        || stem.ends_with("_tests")
        || stem.ends_with("_test")
}

/// `#[test]`, `#[tokio::test]`, `#[bench]`, `#[cfg(test)]`.
pub fn is_test_attr(attr: &syn::Attribute) -> bool {
    let path = attr.path();
    let last = path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default();
    if matches!(last.as_str(), "test" | "bench") {
        return true;
    }
    path.is_ident("cfg")
        && attr.meta.require_list().is_ok_and(|list| {
            list.tokens
                .clone()
                .into_iter()
                .any(|t| matches!(t, proc_macro2::TokenTree::Ident(i) if i == "test"))
        })
}

impl<'a> Checker<'a> {
    /// The loops that run the node being checked once per iteration, innermost first: `for`,
    /// `while` and `loop` bodies (and `while` conditions), and closures iterator adapters call
    /// per item. The search stops at a function, at any other closure, and at an async or const
    /// block: their code runs when they are called or polled, not where they are written.
    pub fn enclosing_loops(&self) -> Vec<Loop<'a>> {
        let mut loops = Vec::new();
        // The nearest node with a span below the current parent; its key is worked out only
        // when a loop is met (a span's extent is not free, and `select!`s nest hundreds deep).
        let mut child = self.stack.last().copied().filter(has_key);
        let mut parents = self.parents().peekable();
        while let Some(node) = parents.next() {
            match node {
                Node::Expr(expr @ Expr::Closure(_)) => {
                    let per_item = matches!(
                        parents.peek(),
                        Some(Node::Expr(Expr::MethodCall(call)))
                            if loops::calls_closure_per_item(call)
                                && call.args.iter().any(|arg| std::ptr::eq(arg, expr))
                    );
                    if !per_item {
                        break;
                    }
                    loops.push(Loop {
                        kind: LoopKind::Closure,
                        expr,
                    });
                }
                Node::Expr(Expr::Async(_) | Expr::Const(_)) => break,
                Node::Expr(expr) => {
                    if let Some(found) = Loop::of(expr)
                        && child
                            .as_ref()
                            .and_then(node_key)
                            .is_some_and(|child| found.repeats(child))
                    {
                        loops.push(found);
                    }
                }
                Node::Fn(_) | Node::Mod(_) | Node::Impl(_) | Node::Trait(_) => break,
                _ => {}
            }
            if has_key(&node) {
                child = Some(node);
            }
        }
        loops
    }

    /// Whether the node being checked runs in async code (an `async fn`, block or closure), where
    /// it may `.await`.
    pub fn in_async(&self) -> bool {
        for node in self.parents() {
            match node {
                Node::Expr(Expr::Async(_)) => return true,
                Node::Expr(Expr::Closure(closure)) => return closure.asyncness.is_some(),
                Node::Fn(f) => return f.sig.asyncness.is_some(),
                Node::Mod(_) | Node::Impl(_) | Node::Trait(_) => return false,
                _ => {}
            }
        }
        false
    }

    /// The statement to put a `let` before so that it runs once before `expr` (an enclosing
    /// loop, say): the nearest statement around `expr` in the same function, closure or async
    /// block.
    pub fn statement_around(&self, expr: &Expr) -> Option<&'a syn::Stmt> {
        let target = SpanKey::of(expr);
        let mut found = false;
        for node in self.stack.iter().rev() {
            if !found {
                found = matches!(node, Node::Expr(e) if SpanKey::of(*e) == target);
                continue;
            }
            match node {
                Node::Stmt(stmt) => return Some(stmt),
                Node::Expr(Expr::Closure(_) | Expr::Async(_) | Expr::Const(_)) | Node::Fn(_) => return None,
                _ => {}
            }
        }
        None
    }

    /// The statement enclosing the node being checked, to put a `let` before: `None` when a
    /// closure, async block or function lies in between (hoisting out of it would run the code
    /// once for every call).
    pub fn enclosing_statement(&self) -> Option<&'a syn::Stmt> {
        for node in self.parents() {
            match node {
                Node::Stmt(stmt) => return Some(stmt),
                Node::Expr(Expr::Closure(_) | Expr::Async(_) | Expr::Const(_)) | Node::Fn(_) => return None,
                _ => {}
            }
        }
        None
    }

    /// The head of a loop, for a label: `for x in items`, `while cond`, `loop`, or the
    /// parameters of a closure called per item.
    pub fn loop_head(&self, found: &Loop) -> Span {
        match found.expr {
            Expr::ForLoop(e) => Span::new(self.span_of(e.for_token.span).start, self.span(&e.expr).end),
            Expr::While(e) => Span::new(self.span_of(e.while_token.span).start, self.span(&e.cond).end),
            Expr::Loop(e) => self.span_of(e.loop_token.span),
            Expr::Closure(c) => Span::new(
                self.span_of(c.inputs_begin.span).start,
                self.span_of(c.inputs_end.span).end,
            ),
            other => self.span(other),
        }
    }

    /// A name for a new binding that no binding of the enclosing function has.
    pub fn fresh_name(&self, base: &str) -> String {
        let function = self.enclosing_fn().map(|f| {
            let start = self.span(&f.sig).start;
            start..f.block.map_or(start, |b| self.span(b).end)
        });
        // Where each name is bound, made once per file: a fix per finding asks again.
        let bound = self.per_file("binding names", || {
            let mut bound: std::collections::HashMap<String, Vec<usize>> = std::collections::HashMap::new();
            for (_, binding) in self.model.bindings() {
                let at = self.span(&binding.ident).start;
                bound.entry(binding.ident.to_string()).or_default().push(at);
            }
            bound
        });
        let taken = |name: &str| {
            let Some(function) = &function else {
                return false;
            };
            bound
                .get(name)
                .is_some_and(|starts| starts.iter().any(|at| function.contains(at)))
        };
        if !taken(base) {
            return base.to_string();
        }
        (2..)
            .map(|i| format!("{base}{i}"))
            .find(|name| !taken(name))
            .expect("a free name")
    }
}

/// Whether [`node_key`] gives `node` an identity (without working out its span).
fn has_key(node: &Node) -> bool {
    matches!(
        node,
        Node::Block(_) | Node::Stmt(_) | Node::Expr(_) | Node::Arm(_) | Node::Macro(_)
    )
}

/// The identity of a node that lints can compare spans with (select arms have none).
fn node_key(node: &Node) -> Option<SpanKey> {
    match node {
        Node::Block(block) => Some(SpanKey::of(*block)),
        Node::Stmt(stmt) => Some(SpanKey::of(*stmt)),
        Node::Expr(expr) => Some(SpanKey::of(*expr)),
        Node::Arm(arm) => Some(SpanKey::of(*arm)),
        Node::Macro(call) => Some(SpanKey::of(call.mac)),
        _ => None,
    }
}

/// Runs `rules` over `file` and returns what they report.
pub fn check<'a>(
    file: &'a syn::File,
    source: &'a SourceFile,
    model: &'a Model<'a>,
    config: &'a Config,
    rules: &[&'static Rule],
) -> Vec<Diagnostic> {
    let mut walker = Walker {
        checker: Checker {
            file,
            source,
            model,
            catalog: model.catalog,
            config,
            stack: Vec::new(),
            diagnostics: RefCell::new(Vec::new()),
            full: std::cell::OnceCell::new(),
            per_file: RefCell::default(),
        },
        rules,
    };
    walker.visit_file(file);
    walker.checker.diagnostics.into_inner()
}

struct Walker<'a, 'r> {
    checker: Checker<'a>,
    rules: &'r [&'static Rule],
}

impl<'a> Walker<'a, '_> {
    fn enter(&mut self, node: Node<'a>) {
        self.checker.stack.push(node);
    }

    fn leave(&mut self) {
        self.checker.stack.pop();
    }

    fn owner(&self) -> FnOwner<'a> {
        match self.checker.stack.last() {
            Some(Node::Impl(item)) => FnOwner::Impl(item),
            Some(Node::Trait(item)) => FnOwner::Trait(item),
            _ => FnOwner::Free,
        }
    }

    fn visit_fn_node(&mut self, node: FnNode<'a>) {
        self.enter(Node::Fn(node));
        for rule in self.rules {
            if let Some(hook) = rule.hooks.on_fn {
                hook(&self.checker, &node);
            }
        }
        if let Some(block) = node.block {
            self.visit_block(block);
        }
        self.leave();
    }

    fn visit_select_parts(&mut self, arms: &'a [SelectArm], fallbacks: &'a [Fallback]) {
        for arm in arms {
            self.enter(Node::SelectArm(arm));
            if let Some(guard) = &arm.guard {
                self.visit_expr(guard);
            }
            self.visit_expr(&arm.expr);
            if let Some(value) = &arm.value {
                self.visit_expr(value);
            }
            self.visit_expr(&arm.body);
            self.leave();
        }
        for fallback in fallbacks {
            self.enter(Node::Fallback(fallback));
            if let Some(timeout) = &fallback.timeout {
                self.visit_expr(timeout);
            }
            self.visit_expr(&fallback.body);
            self.leave();
        }
    }
}

impl<'a> Visit<'a> for Walker<'a, '_> {
    fn visit_item_mod(&mut self, item: &'a syn::ItemMod) {
        self.enter(Node::Mod(item));
        syn::visit::visit_item_mod(self, item);
        self.leave();
    }

    fn visit_item_impl(&mut self, item: &'a syn::ItemImpl) {
        self.enter(Node::Impl(item));
        for impl_item in &item.items {
            self.visit_impl_item(impl_item);
        }
        self.leave();
    }

    fn visit_item_trait(&mut self, item: &'a syn::ItemTrait) {
        self.enter(Node::Trait(item));
        for trait_item in &item.items {
            self.visit_trait_item(trait_item);
        }
        self.leave();
    }

    fn visit_item_fn(&mut self, item: &'a syn::ItemFn) {
        let node = FnNode {
            attrs: &item.attrs,
            vis: Some(&item.vis),
            sig: &item.sig,
            block: Some(&item.block),
            owner: FnOwner::Free,
        };
        self.visit_fn_node(node);
    }

    fn visit_impl_item_fn(&mut self, item: &'a syn::ImplItemFn) {
        let node = FnNode {
            attrs: &item.attrs,
            vis: Some(&item.vis),
            sig: &item.sig,
            block: Some(&item.block),
            owner: self.owner(),
        };
        self.visit_fn_node(node);
    }

    fn visit_trait_item_fn(&mut self, item: &'a syn::TraitItemFn) {
        let node = FnNode {
            attrs: &item.attrs,
            vis: None,
            sig: &item.sig,
            block: item.default.as_ref(),
            owner: self.owner(),
        };
        self.visit_fn_node(node);
    }

    fn visit_block(&mut self, block: &'a syn::Block) {
        self.enter(Node::Block(block));
        syn::visit::visit_block(self, block);
        self.leave();
    }

    fn visit_stmt(&mut self, stmt: &'a syn::Stmt) {
        self.enter(Node::Stmt(stmt));
        for rule in self.rules {
            if let Some(hook) = rule.hooks.on_stmt {
                hook(&self.checker, stmt);
            }
        }
        syn::visit::visit_stmt(self, stmt);
        self.leave();
    }

    fn visit_expr(&mut self, expr: &'a syn::Expr) {
        self.enter(Node::Expr(expr));
        for rule in self.rules {
            if let Some(hook) = rule.hooks.on_expr {
                hook(&self.checker, expr);
            }
        }
        syn::visit::visit_expr(self, expr);
        self.leave();
    }

    fn visit_arm(&mut self, arm: &'a syn::Arm) {
        self.enter(Node::Arm(arm));
        syn::visit::visit_arm(self, arm);
        self.leave();
    }

    fn visit_macro(&mut self, mac: &'a syn::Macro) {
        let Some(body) = self.checker.model.macro_body(mac) else {
            return;
        };
        let call = MacroCall { mac, body };
        self.enter(Node::Macro(call));
        for rule in self.rules {
            if let Some(hook) = rule.hooks.on_macro {
                hook(&self.checker, &call);
            }
        }
        match body {
            MacroBody::Select(select) => self.visit_select_parts(&select.arms, &select.fallbacks),
            MacroBody::Exprs(exprs) => {
                for expr in exprs {
                    self.visit_expr(expr);
                }
            }
            MacroBody::Stmts(stmts) => {
                for stmt in stmts {
                    self.visit_stmt(stmt);
                }
            }
        }
        self.leave();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_files() {
        use std::path::Path;
        assert!(is_test_file(Path::new("crates/x/tests/it.rs")));
        assert!(is_test_file(Path::new("crates/x/tests/common/mod.rs")));
        assert!(is_test_file(Path::new("benches/bench.rs")));
        assert!(is_test_file(Path::new("src/worker/tests.rs")));
        assert!(is_test_file(Path::new("src/worker/pool_tests.rs")));
        assert!(!is_test_file(Path::new("/home/me/tests/project/src/lib.rs")));
        assert!(!is_test_file(Path::new("src/testing.rs")));
        assert!(!is_test_file(Path::new("examples/server.rs")));
    }
}
