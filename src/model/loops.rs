//! Loops: which code runs once per iteration, how a loop's body can leave it, and the closures
//! iterator adapters call once per item. Syntax only; macro bodies are read through the model.

use proc_macro2::TokenTree;
use syn::visit::Visit;
use syn::{Block, Expr, ExprMethodCall};

use super::macros;
use super::{Model, SpanKey};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoopKind {
    For,
    While,
    Loop,
    /// A closure an iterator adapter calls once per item (`items.iter().map(|x| …)`).
    Closure,
}

/// A loop, or a closure called once per item.
#[derive(Clone, Copy)]
pub struct Loop<'a> {
    pub kind: LoopKind,
    /// The `for`/`while`/`loop` expression, or the closure.
    pub expr: &'a Expr,
}

impl<'a> Loop<'a> {
    /// A `for`, `while` or `loop` expression.
    pub fn of(expr: &'a Expr) -> Option<Loop<'a>> {
        let kind = match expr {
            Expr::ForLoop(_) => LoopKind::For,
            Expr::While(_) => LoopKind::While,
            Expr::Loop(_) => LoopKind::Loop,
            _ => return None,
        };
        Some(Loop { kind, expr })
    }

    pub fn span(&self) -> SpanKey {
        SpanKey::of(self.expr)
    }

    pub fn label(&self) -> Option<&'a syn::Label> {
        match self.expr {
            Expr::ForLoop(e) => e.label.as_ref(),
            Expr::While(e) => e.label.as_ref(),
            Expr::Loop(e) => e.label.as_ref(),
            _ => None,
        }
    }

    /// The body, as a block (`None` for a closure whose body is an expression).
    pub fn block(&self) -> Option<&'a Block> {
        match self.expr {
            Expr::ForLoop(e) => Some(&e.body),
            Expr::While(e) => Some(&e.body),
            Expr::Loop(e) => Some(&e.body),
            Expr::Closure(c) => match &*c.body {
                Expr::Block(b) => Some(&b.block),
                _ => None,
            },
            _ => None,
        }
    }

    /// The code that runs on every iteration: the body, and a `while` loop's condition (a `for`
    /// loop's iterable runs once).
    pub fn repeats(&self, node: SpanKey) -> bool {
        match self.expr {
            Expr::ForLoop(e) => SpanKey::of(&e.body).contains(node),
            Expr::While(e) => SpanKey::of(&e.body).contains(node) || SpanKey::of(&e.cond).contains(node),
            Expr::Loop(e) => SpanKey::of(&e.body).contains(node),
            Expr::Closure(c) => SpanKey::of(&c.body).contains(node),
            _ => false,
        }
    }

    /// How the body can leave the loop (a closure's `return` only ends one call: none).
    pub fn exits(&self, model: &'a Model<'a>) -> Vec<Exit<'a>> {
        let Some(block) = self.block().filter(|_| self.kind != LoopKind::Closure) else {
            return Vec::new();
        };
        exits_of(model, block, self.label())
    }

    /// Whether the body always leaves the loop in its first iteration: a `break`, `return` or
    /// diverging call among its top-level statements, with no `continue` of this loop before it.
    pub fn runs_once(&self, model: &'a Model<'a>) -> bool {
        if self.kind == LoopKind::Closure {
            return false;
        }
        let Some(block) = self.block() else {
            return false;
        };
        let label = self.label();
        for stmt in &block.stmts {
            let exits = match stmt {
                syn::Stmt::Expr(expr, _) => exits_of_expr(model, expr, label),
                syn::Stmt::Macro(m) => exits_of_macro(model, &m.mac),
                syn::Stmt::Local(local) => local
                    .init
                    .as_ref()
                    .map(|init| exits_of_expr(model, &init.expr, label))
                    .unwrap_or_default(),
                syn::Stmt::Item(_) => Vec::new(),
            };
            if exits.iter().any(|e| e.kind == ExitKind::Continue) {
                return false;
            }
            let unconditional = match stmt {
                syn::Stmt::Expr(expr, _) => leaves_unconditionally(expr, label),
                syn::Stmt::Macro(m) => is_diverging_macro(&m.mac),
                _ => false,
            };
            if unconditional {
                return true;
            }
        }
        false
    }
}

/// How a loop's body may leave it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitKind {
    /// `break` of this loop or of a loop around it.
    Break,
    /// `continue` of this loop (an exit of the iteration, not of the loop).
    Continue,
    /// `continue` of a loop around it.
    ContinueOuter,
    Return,
    /// `?`.
    Try,
    /// `panic!`, `unreachable!`, `std::process::exit(…)`, ….
    Diverge,
    /// A macro ctxlint cannot read that mentions `break`, `return`, `continue` or `?`.
    Unknown,
}

#[derive(Clone, Copy, Debug)]
pub struct Exit<'a> {
    pub kind: ExitKind,
    /// The `break`/`return`/`?` expression, or `None` for a macro.
    pub expr: Option<&'a Expr>,
    pub at: SpanKey,
}

impl Exit<'_> {
    /// Whether the exit leaves the loop (rather than starting its next iteration).
    pub fn leaves(&self) -> bool {
        self.kind != ExitKind::Continue
    }
}

/// The ways `block`, the body of a loop labelled `label`, can leave that loop or its iteration.
pub fn exits_of<'a>(model: &'a Model<'a>, block: &'a Block, label: Option<&syn::Label>) -> Vec<Exit<'a>> {
    let mut finder = ExitFinder::new(model, label);
    finder.visit_block(block);
    finder.exits
}

/// The same, for one expression of a loop's body.
pub fn exits_of_expr<'a>(model: &'a Model<'a>, expr: &'a Expr, label: Option<&syn::Label>) -> Vec<Exit<'a>> {
    let mut finder = ExitFinder::new(model, label);
    finder.visit_expr(expr);
    finder.exits
}

fn exits_of_macro<'a>(model: &'a Model<'a>, mac: &'a syn::Macro) -> Vec<Exit<'a>> {
    let mut finder = ExitFinder::new(model, None);
    finder.visit_macro(mac);
    finder.exits
}

struct ExitFinder<'a> {
    model: &'a Model<'a>,
    /// The loop's own label.
    label: Option<String>,
    /// Labels of the loops nested inside it, around the current node.
    inner_labels: Vec<Option<String>>,
    exits: Vec<Exit<'a>>,
}

impl<'a> ExitFinder<'a> {
    fn new(model: &'a Model<'a>, label: Option<&syn::Label>) -> Self {
        ExitFinder {
            model,
            label: label.map(|l| l.name.ident.to_string()),
            inner_labels: Vec::new(),
            exits: Vec::new(),
        }
    }

    /// Where a `break`/`continue` with `label` goes: this loop (`Some(true)`), a loop around it
    /// (`Some(false)`), or a loop inside it (`None`).
    fn target(&self, label: Option<&syn::Lifetime>) -> Option<bool> {
        match label {
            None if self.inner_labels.is_empty() => Some(true),
            None => None,
            Some(label) => {
                let name = label.ident.to_string();
                if self.inner_labels.iter().flatten().any(|l| *l == name) {
                    None
                } else {
                    Some(self.label.as_deref() == Some(name.as_str()))
                }
            }
        }
    }

    fn push(&mut self, kind: ExitKind, expr: Option<&'a Expr>, at: SpanKey) {
        self.exits.push(Exit { kind, expr, at });
    }

    fn nested_loop(&mut self, label: Option<&syn::Label>, visit: impl FnOnce(&mut Self)) {
        self.inner_labels.push(label.map(|l| l.name.ident.to_string()));
        visit(self);
        self.inner_labels.pop();
    }
}

impl<'a> Visit<'a> for ExitFinder<'a> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        let at = SpanKey::of(expr);
        match expr {
            Expr::Break(e) if self.target(e.label.as_ref()).is_some() => {
                self.push(ExitKind::Break, Some(expr), at);
            }
            Expr::Continue(e) => match self.target(e.label.as_ref()) {
                Some(true) => self.push(ExitKind::Continue, Some(expr), at),
                Some(false) => self.push(ExitKind::ContinueOuter, Some(expr), at),
                None => {}
            },
            Expr::Return(_) => self.push(ExitKind::Return, Some(expr), at),
            Expr::Try(_) => self.push(ExitKind::Try, Some(expr), at),
            Expr::Call(call) if is_exit_call(call) => self.push(ExitKind::Diverge, Some(expr), at),
            // Their `return`, `?` and `break` do not leave the loop.
            Expr::Closure(_) | Expr::Async(_) | Expr::Const(_) => return,
            Expr::ForLoop(e) => {
                self.visit_expr(&e.expr);
                return self.nested_loop(e.label.as_ref(), |f| f.visit_block(&e.body));
            }
            Expr::While(e) => {
                return self.nested_loop(e.label.as_ref(), |f| {
                    f.visit_expr(&e.cond);
                    f.visit_block(&e.body);
                });
            }
            Expr::Loop(e) => return self.nested_loop(e.label.as_ref(), |f| f.visit_block(&e.body)),
            _ => {}
        }
        syn::visit::visit_expr(self, expr);
    }

    fn visit_item(&mut self, _: &'a syn::Item) {}

    fn visit_macro(&mut self, mac: &'a syn::Macro) {
        if is_diverging_macro(mac) {
            self.push(ExitKind::Diverge, None, SpanKey::of(mac));
        }
        match self.model.macro_body(mac) {
            Some(body) => macros::visit_body(self, body),
            None if mentions_exit(&mac.tokens) => self.push(ExitKind::Unknown, None, SpanKey::of(mac)),
            None => {}
        }
    }
}

/// A statement-level expression that leaves the loop whatever happens: `break`, `return`,
/// `std::process::exit(…)`, or a block ending in one.
fn leaves_unconditionally(expr: &Expr, label: Option<&syn::Label>) -> bool {
    match expr {
        Expr::Break(e) => match (&e.label, label) {
            (None, _) => true,
            (Some(target), Some(own)) => target.ident == own.name.ident,
            // A labelled break out of a loop around this one also ends it.
            (Some(_), None) => true,
        },
        Expr::Return(_) => true,
        Expr::Call(call) => is_exit_call(call),
        Expr::Macro(m) => is_diverging_macro(&m.mac),
        Expr::Block(b) => b
            .block
            .stmts
            .iter()
            .any(|s| matches!(s, syn::Stmt::Expr(e, _) if leaves_unconditionally(e, label))),
        _ => false,
    }
}

/// `std::process::exit(…)`, `process::abort()`.
fn is_exit_call(call: &syn::ExprCall) -> bool {
    let Expr::Path(func) = &*call.func else {
        return false;
    };
    let segments: Vec<String> = func.path.segments.iter().map(|s| s.ident.to_string()).collect();
    matches!(
        segments.iter().map(String::as_str).collect::<Vec<_>>().as_slice(),
        [.., "process", "exit" | "abort"]
    )
}

pub fn is_diverging_macro(mac: &syn::Macro) -> bool {
    matches!(
        macros::macro_name(mac).as_str(),
        "panic" | "unreachable" | "todo" | "unimplemented" | "bail"
    )
}

fn mentions_exit(tokens: &proc_macro2::TokenStream) -> bool {
    tokens.clone().into_iter().any(|tree| match tree {
        TokenTree::Ident(ident) => ident == "break" || ident == "return" || ident == "continue",
        TokenTree::Punct(p) => p.as_char() == '?',
        TokenTree::Group(group) => mentions_exit(&group.stream()),
        TokenTree::Literal(_) => false,
    })
}

/// Methods that call their closure once per item, on every iterator or stream.
const PER_ITEM: &[&str] = &[
    "all",
    "any",
    "dedup_by",
    "dedup_by_key",
    "filter_map",
    "find",
    "find_map",
    "flat_map",
    "fold",
    "for_each",
    "for_each_concurrent",
    "map_while",
    "max_by",
    "max_by_key",
    "min_by",
    "min_by_key",
    "partition",
    "position",
    "reduce",
    "retain",
    "retain_mut",
    "rposition",
    "scan",
    "skip_while",
    "sort_by",
    "sort_by_cached_key",
    "sort_by_key",
    "sort_unstable_by",
    "sort_unstable_by_key",
    "take_while",
    "try_fold",
    "try_for_each",
    "try_for_each_concurrent",
];

/// Methods that call their closure once per item on an iterator, but once at most on an
/// `Option`, `Result` or future (`map`, `filter`, …): per item only on a known iterator.
const PER_ITEM_ON_ITERATORS: &[&str] = &["map", "filter", "inspect", "then", "and_then"];

/// Methods that make or adapt an iterator: a receiver built with one is an iterator.
const ITERATORS: &[&str] = &[
    "iter",
    "iter_mut",
    "into_iter",
    "par_iter",
    "par_iter_mut",
    "into_par_iter",
    "chars",
    "char_indices",
    "bytes",
    "lines",
    "split",
    "split_whitespace",
    "keys",
    "values",
    "values_mut",
    "drain",
    "windows",
    "chunks",
    "enumerate",
    "zip",
    "chain",
    "rev",
    "skip",
    "take",
    "step_by",
    "peekable",
    "cloned",
    "copied",
    "flatten",
    "filter_map",
    "flat_map",
    "map_while",
    "take_while",
    "skip_while",
    "scan",
];

/// Whether a closure passed to this method call runs once per item.
pub fn calls_closure_per_item(call: &ExprMethodCall) -> bool {
    let method = call.method.to_string();
    if PER_ITEM.contains(&method.as_str()) {
        return true;
    }
    PER_ITEM_ON_ITERATORS.contains(&method.as_str()) && is_iterator(&call.receiver)
}

/// An expression that certainly is an iterator: a range, `iter::repeat(…)`-like calls, or a
/// chain with an iterator method.
fn is_iterator(expr: &Expr) -> bool {
    match expr {
        Expr::Range(_) => true,
        Expr::Paren(e) => is_iterator(&e.expr),
        Expr::Group(e) => is_iterator(&e.expr),
        Expr::MethodCall(call) => {
            let method = call.method.to_string();
            ITERATORS.contains(&method.as_str())
                || PER_ITEM_ON_ITERATORS.contains(&method.as_str()) && is_iterator(&call.receiver)
        }
        Expr::Call(call) => matches!(
            &*call.func,
            Expr::Path(p) if p.path.segments.len() >= 2 && matches!(
                p.path.segments.iter().rev().nth(1).map(|s| s.ident.to_string()).as_deref(),
                Some("iter" | "stream")
            )
        ),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::catalog::Catalog;

    /// The loops of a function body, outermost first, with the model of the file.
    fn with_loops(src: &str, check: impl FnOnce(&Model, Vec<&Expr>)) {
        struct Loops<'a>(Vec<&'a Expr>);
        impl<'a> Visit<'a> for Loops<'a> {
            fn visit_expr(&mut self, expr: &'a Expr) {
                if Loop::of(expr).is_some() {
                    self.0.push(expr);
                }
                syn::visit::visit_expr(self, expr);
            }
        }
        let file: syn::File = syn::parse_str(src).unwrap();
        let model = Model::build(&file, Catalog::builtin());
        let mut loops = Loops(Vec::new());
        loops.visit_file(&file);
        check(&model, loops.0);
    }

    #[test]
    fn runs_once() {
        let src = "fn f() {
            loop { work(); break; }
            for x in xs { if x { continue; } work(); break; }
            'a: loop { loop { break 'a; } }
            while c { return; }
            loop { if c { break; } }
            for x in xs { panic!(); }
        }";
        with_loops(src, |model, loops| {
            let once: Vec<bool> = loops
                .iter()
                .map(|l| Loop::of(l).unwrap().runs_once(model))
                .collect();
            assert_eq!(once, [true, false, false, true, true, false, true]);
        });
    }

    #[test]
    fn exits_skip_closures_and_inner_loops() {
        let src = "fn f() {
            'outer: loop {
                let g = || return 1;
                for x in xs { break; }
                for y in ys { break 'outer; }
                tokio::select! { _ = a => continue, _ = b => return }
                foo()?;
            }
        }";
        with_loops(src, |model, loops| {
            let kinds: Vec<ExitKind> = Loop::of(loops[0])
                .unwrap()
                .exits(model)
                .iter()
                .map(|e| e.kind)
                .collect();
            assert_eq!(
                kinds,
                [
                    ExitKind::Break,
                    ExitKind::Continue,
                    ExitKind::Return,
                    ExitKind::Try
                ]
            );
        });
    }

    #[test]
    fn per_item_closures() {
        let call = |src: &str| calls_closure_per_item(&syn::parse_str::<ExprMethodCall>(src).unwrap());
        assert!(call("items.iter().map(|x| x)"));
        assert!(call("(0..n).filter(|x| true)"));
        assert!(call("anything.for_each(|x| x)"));
        assert!(!call("option.map(|x| x)"));
        assert!(!call("fut.then(|x| x)"));
    }
}
