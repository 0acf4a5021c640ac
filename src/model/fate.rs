//! What a function does with a token it owns: where it (or a clone or child of it) is
//! cancelled or tied to a guard, which spawned work observes it, whether it may reach a
//! canceller the walk cannot follow, and where the function leaves early. `lost_cancel` reads
//! this; the rules about what counts as a use are here so they can be documented in one place.

use foldhash::HashMap;
use std::collections::BTreeSet;

use syn::visit::Visit;
use syn::{Expr, Pat, Stmt};

use crate::checker::{Checker, FnNode, Node};
use crate::model::catalog::{Returns, Role};
use crate::model::escape::{Up, makes_guard, strip_type};
use crate::model::extent::Extent;
use crate::model::loops::is_diverging_macro;
use crate::model::scope::WriteKind;
use crate::model::summaries::{LocalSummaries, ParamUse};
use crate::model::{BindingId, SpanKey, path_name};

/// A place the token is cancelled: `cancel()`, or a guard made from it.
#[derive(Clone, Copy, Debug)]
pub struct CancelPoint<'a> {
    pub call: &'a Expr,
    /// The innermost block around it: a guard made there cancels at that block's end, a
    /// `cancel()` there runs after what precedes it in that block.
    pub block: SpanKey,
    pub guard: bool,
    /// Inside a closure or async block: it runs when that runs (a signal handler task, say),
    /// not in the function's own flow.
    pub deferred: bool,
}

/// A way out of the function before its end.
#[derive(Clone, Copy, Debug)]
pub struct EarlyExit {
    /// The `?`, `return`, `else` of a `let … else`, or `bail!`.
    pub at: proc_macro2::Span,
    pub kind: &'static str,
}

/// A task that observes the token.
#[derive(Clone, Copy, Debug)]
pub struct Spawned<'a> {
    /// The spawn call, or the call of a function that spawns it.
    pub call: &'a Expr,
    pub handle: Handle,
}

/// What becomes of a spawned task's `JoinHandle`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handle {
    /// Dropped at once (`tokio::spawn(…);`, `let _ = …`): the task runs on, detached.
    Detached,
    /// Kept in a binding, awaited, stored or returned: its owner may wait for it or abort it;
    /// an early exit still drops it.
    Kept,
    /// Wrapped to abort the task when dropped (`AbortOnDropHandle::new`, `abort_on_drop()`).
    AbortsOnDrop,
}

#[derive(Debug, Default)]
pub struct Fate<'a> {
    pub cancels: Vec<CancelPoint<'a>>,
    /// Tasks that observe the token (wait on it, check it, or get it from a function that only
    /// observes it).
    pub spawned: Vec<Spawned<'a>>,
    /// Struct literals it is stored in, as a field's value (`Node { cancel: token.clone() }`).
    pub stored_in: Vec<(&'a syn::ExprStruct, &'a syn::FieldValue)>,
    /// Whether the token may reach a canceller the walk cannot follow: it is stored, passed
    /// to a function that may cancel it (or one ctxlint cannot see), or mentioned in a macro
    /// ctxlint cannot read.
    pub escapes: bool,
}

/// `let token = CancellationToken::new();`: a root of a catalog type that has a drop guard,
/// bound by name in a function with a body.
pub struct RootLet<'a> {
    pub stmt: &'a Stmt,
    pub ident: &'a syn::Ident,
    pub token: BindingId,
    pub function: FnNode<'a>,
    pub block: &'a syn::Block,
    /// How to tie it to a scope (`{}.clone().drop_guard()`).
    pub guard: String,
}

/// The root `expr` makes, when it is the whole initializer of a `let` of one name.
pub fn root_let<'a>(checker: &Checker<'a>, expr: &'a Expr) -> Option<RootLet<'a>> {
    let callable = checker.model.callable(expr)?;
    let (Some(Role::Root), Returns::One(ty)) = (callable.role, &callable.returns) else {
        return None;
    };
    let guard = checker.catalog.guard_template(*ty)?;
    let Some(Node::Stmt(stmt @ Stmt::Local(local))) = checker.parents().next() else {
        return None;
    };
    let (Pat::Ident(ident), Some(init)) = (strip_type(&local.pat), &local.init) else {
        return None;
    };
    if SpanKey::of(&*init.expr) != SpanKey::of(expr) {
        return None;
    }
    let function = checker.enclosing_fn()?;
    Some(RootLet {
        stmt,
        ident: &ident.ident,
        token: checker.model.binding_declared_by(&ident.ident)?,
        block: function.block?,
        function,
        guard,
    })
}

/// Follows `token` and its clones, children and aliases through `block`, a function's body.
pub fn fate_of<'a>(checker: &Checker<'a>, block: &'a syn::Block, token: BindingId) -> Fate<'a> {
    let declared = model_start(checker, token);
    let mut walk = Walk {
        checker,
        tokens: [(token, false)].into_iter().collect(),
        named: BTreeSet::new(),
        declared,
        ups: vec![Up::FnBody],
        fate: Fate::default(),
        mentions: 0,
    };
    walk.name(token);
    walk.visit_block(block);
    let model = checker.model;
    if walk.tokens.keys().any(|&id| {
        model
            .binding(id)
            .writes
            .iter()
            .any(|w| w.kind == WriteKind::Macro)
    }) {
        walk.fate.escapes = true;
    }
    // A mention the walk never reached (in a macro argument that did not parse, say) may be
    // anything.
    if walk.mentions < walk.named.len() {
        walk.fate.escapes = true;
    }
    walk.fate
}

struct Walk<'c, 'a> {
    checker: &'c Checker<'a>,
    /// The token and the bindings that hold it or a clone of it (`false`), or a child of it
    /// (`true`: cancelling a child does not cancel the token).
    tokens: HashMap<BindingId, bool>,
    /// Where the token is declared: a task spawned around its declaration is not work under it.
    declared: usize,
    /// Mentions classified, to compare with `named`.
    mentions: usize,
    /// Where they are named: the walk enters only code holding one of these offsets, so a
    /// function with thousands of tokens is walked along the paths to each one's uses.
    named: BTreeSet<usize>,
    /// The nodes above the current one, outermost first.
    ups: Vec<Up<'a>>,
    fate: Fate<'a>,
}

impl<'a> Walk<'_, 'a> {
    fn name(&mut self, id: BindingId) {
        let references = &self.checker.model.binding(id).references;
        self.named
            .extend(references.iter().map(|span| span.byte_range().start));
    }

    /// Whether code at `range` names one of the tokens.
    fn names_inside(&self, range: std::ops::Range<usize>) -> bool {
        self.named.range(range).next().is_some()
    }

    /// Classifies one mention of the token, climbing from it through the nodes above.
    fn mention(&mut self, at: &'a Expr, id: BindingId) {
        self.mentions += 1;
        let model = self.checker.model;
        let mut child = SpanKey::of(at);
        let mut derived = self.tokens.get(&id).copied().unwrap_or(false);
        for i in (0..self.ups.len()).rev() {
            match self.ups[i] {
                Up::Expr(Expr::Paren(_) | Expr::Reference(_) | Expr::Group(_)) => {}
                Up::Expr(expr @ Expr::MethodCall(call)) if SpanKey::of(&*call.receiver) == child => {
                    let role = model.callable(expr).map(|c| c.role);
                    if call.method == "clone" && call.args.is_empty() {
                        // The clone is the same token.
                    } else if matches!(role, Some(Some(Role::Derive { .. }))) {
                        // A child is cancelled with it; work under the child observes it too.
                        derived = true;
                    } else if role == Some(Some(Role::Cancel)) || makes_guard(self.checker, expr) {
                        // Cancelling a child stops the work under the child, not the token's:
                        // what that means for the token is not this walk's to say.
                        if derived {
                            self.fate.escapes = true;
                            return;
                        }
                        let block = self.ups[..i].iter().rev().find_map(|up| match up {
                            Up::Block(b) => Some(SpanKey::of(*b)),
                            _ => None,
                        });
                        self.fate.cancels.push(CancelPoint {
                            call: expr,
                            block: block.unwrap_or(SpanKey::of(expr)),
                            guard: role != Some(Some(Role::Cancel)),
                            deferred: self.ups[..i]
                                .iter()
                                .any(|up| matches!(up, Up::Expr(Expr::Closure(_) | Expr::Async(_)))),
                        });
                        return;
                    } else if matches!(
                        role,
                        Some(Some(Role::Wait | Role::Poll | Role::RunUntilCancelled))
                    ) {
                        return self.observed(i);
                    } else {
                        self.fate.escapes = true;
                        return;
                    }
                }
                Up::Expr(Expr::Call(call)) => {
                    let Some(arg) = call.args.iter().position(|a| SpanKey::of(a) == child) else {
                        self.fate.escapes = true;
                        return;
                    };
                    match use_of(self.checker, call, arg) {
                        ParamUse::MayCancel => self.fate.escapes = true,
                        ParamUse::Observes => self.observed(i),
                        // The callee spawns the work: the call is where it starts.
                        ParamUse::Spawns => self.spawned_at(i),
                    }
                    return;
                }
                Up::Stmt(Stmt::Local(local)) => {
                    // `let token2 = token.clone();`: follow the new name too.
                    let alias = match (strip_type(&local.pat), &local.init) {
                        (Pat::Ident(ident), Some(init)) if SpanKey::of(&*init.expr) == child => {
                            model.binding_declared_by(&ident.ident)
                        }
                        _ => None,
                    };
                    match alias {
                        Some(id) => {
                            self.tokens.insert(id, derived);
                            self.name(id);
                        }
                        None => self.fate.escapes = true,
                    }
                    return;
                }
                // `token.clone();` alone: nothing happens to it.
                Up::Stmt(Stmt::Expr(_, Some(_))) => return,
                Up::Expr(Expr::Struct(lit)) => {
                    match lit.fields.iter().find(|f| SpanKey::of(&f.expr) == child) {
                        Some(field) => self.fate.stored_in.push((lit, field)),
                        None => self.fate.escapes = true,
                    }
                    return;
                }
                _ => {
                    self.fate.escapes = true;
                    return;
                }
            }
            if let Up::Expr(expr) = self.ups[i] {
                child = SpanKey::of(expr);
            }
        }
        self.fate.escapes = true;
    }

    /// The mention below `ups[i]` observes the token: spawned work if a spawn is above it.
    fn observed(&mut self, i: usize) {
        // The innermost spawn around the use; one made before the token was declared does not
        // start with it, and nor do those around it (they start earlier still).
        let spawn = self.ups[..i]
            .iter()
            .rposition(|up| matches!(up, Up::Expr(expr) if is_spawn(self.checker, expr)))
            .filter(|&at| matches!(self.ups[at], Up::Expr(expr) if expr.extent().start > self.declared));
        if let Some(at) = spawn {
            self.spawned_at(at);
        }
    }

    /// `ups[at]` starts a task that observes the token.
    fn spawned_at(&mut self, at: usize) {
        let Up::Expr(call) = self.ups[at] else {
            return;
        };
        // `self.tasks.spawn(…)`: a `JoinSet` or tracker its owner may abort or wait for.
        let on_field = matches!(call, Expr::MethodCall(m) if matches!(&*m.receiver, Expr::Field(_)));
        let handle = match at.checked_sub(1).map(|i| self.ups[i]) {
            _ if on_field => Handle::Kept,
            Some(Up::Stmt(Stmt::Expr(_, Some(_)))) => Handle::Detached,
            Some(Up::Stmt(Stmt::Local(local))) if matches!(strip_type(&local.pat), Pat::Wild(_)) => {
                Handle::Detached
            }
            Some(Up::Expr(Expr::MethodCall(m))) if m.method == "abort_on_drop" => Handle::AbortsOnDrop,
            Some(Up::Expr(Expr::Call(c)))
                if path_name(&c.func) == "new" && path_mentions(&c.func, "AbortOnDropHandle") =>
            {
                Handle::AbortsOnDrop
            }
            _ => Handle::Kept,
        };
        self.fate.spawned.push(Spawned { call, handle });
    }
}

impl<'a> Visit<'a> for Walk<'_, 'a> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if !self.names_inside(expr.extent()) {
            return;
        }
        if matches!(expr, Expr::Path(_))
            && let Some(id) = self.checker.model.binding_of(expr)
            && self.tokens.contains_key(&id)
        {
            self.mention(expr, id);
            return;
        }
        self.ups.push(Up::Expr(expr));
        syn::visit::visit_expr(self, expr);
        self.ups.pop();
    }

    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        self.ups.push(Up::Stmt(stmt));
        syn::visit::visit_stmt(self, stmt);
        self.ups.pop();
    }

    /// Visits only the statements that name a token, found by binary search (statements are
    /// in source order); an alias declared in one adds the offsets after it.
    fn visit_block(&mut self, block: &'a syn::Block) {
        self.ups.push(Up::Block(block));
        let end = block.extent().end;
        let mut at = block.extent().start;
        while let Some(&next) = self.named.range(at..end).next() {
            let i = block.stmts.partition_point(|stmt| stmt.extent().end <= next);
            let Some(stmt) = block.stmts.get(i) else {
                break;
            };
            if stmt.extent().start <= next {
                self.visit_stmt(stmt);
            }
            at = stmt.extent().end.max(next + 1);
        }
        self.ups.pop();
    }

    fn visit_item(&mut self, _: &'a syn::Item) {}

    fn visit_macro(&mut self, mac: &'a syn::Macro) {
        let model: &'a crate::model::Model<'a> = self.checker.model;
        if let Some(body) = model.macro_body(mac) {
            self.ups.push(Up::Other);
            body.visit(self);
            self.ups.pop();
        }
    }
}

/// What the function `call` calls does with its argument `arg`: known from the workspace
/// index, or from this file's own functions. Unknown functions may cancel.
fn use_of(checker: &Checker, call: &syn::ExprCall, arg: usize) -> ParamUse {
    let Expr::Path(func) = &*call.func else {
        return ParamUse::MayCancel;
    };
    let model = checker.model;
    if let Some(workspace) = model.workspace
        && let Some(path) = model.resolve_path(func, &func.path)
        && let Some(known) = workspace.use_of(&workspace.item(&path), arg)
    {
        return known;
    }
    // A function of this file, called by its name or as `Self::name` (not a closure bound
    // to that name).
    let segments = &func.path.segments;
    let local = segments.len() == 1 || (segments.len() == 2 && segments[0].ident == "Self");
    if !local || model.binding_of(&call.func).is_some() {
        return ParamUse::MayCancel;
    }
    let summaries = checker.per_file("local function summaries", || {
        checker.full_file().map(LocalSummaries::of).unwrap_or_default()
    });
    summaries
        .use_of(&path_name(&call.func), arg)
        .unwrap_or(ParamUse::MayCancel)
}

/// Functions that start a task: the task outlives the call.
const SPAWNS: &[&str] = &["spawn", "spawn_blocking", "spawn_local"];

/// A call that starts a detached task: `tokio::spawn(…)`, `thread::spawn(…)`,
/// `Handle::current().spawn(…)`, `self.tasks.spawn(…)`. A `spawn` method on a local binding
/// is not one: it may be a `JoinSet`, which aborts its tasks when dropped.
pub fn is_spawn(checker: &Checker, expr: &Expr) -> bool {
    match expr {
        Expr::Call(call) => SPAWNS.contains(&path_name(&call.func).as_str()),
        Expr::MethodCall(call) => {
            SPAWNS.iter().any(|spawn| call.method == spawn)
                && !(matches!(&*call.receiver, Expr::Path(_))
                    && checker.model.binding_of(&call.receiver).is_some())
        }
        _ => false,
    }
}

/// The early exits of a function body: `?`, `return`, `let … else`, `bail!`; not those of
/// closures and async blocks inside it (they leave those, not the function).
pub fn early_exits(checker: &Checker, block: &syn::Block) -> Vec<EarlyExit> {
    struct Exits<'c, 'a> {
        checker: &'c Checker<'a>,
        found: Vec<EarlyExit>,
    }
    impl<'a> Visit<'a> for Exits<'_, 'a> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            match expr {
                Expr::Closure(_) | Expr::Async(_) => return,
                Expr::Try(e) => self.found.push(EarlyExit {
                    at: e.question_token.span,
                    kind: "`?`",
                }),
                Expr::Return(e) => self.found.push(EarlyExit {
                    at: e.return_token.span,
                    kind: "`return`",
                }),
                _ => {}
            }
            syn::visit::visit_expr(self, expr);
        }

        fn visit_item(&mut self, _: &'a syn::Item) {}

        fn visit_macro(&mut self, mac: &'a syn::Macro) {
            if mac.path.segments.last().is_some_and(|s| s.ident == "bail") && is_diverging_macro(mac) {
                self.found.push(EarlyExit {
                    at: mac
                        .path
                        .segments
                        .last()
                        .map_or(mac.bang_token.span, |s| s.ident.span()),
                    kind: "`bail!`",
                });
                return;
            }
            let model: &'a crate::model::Model<'a> = self.checker.model;
            if let Some(body) = model.macro_body(mac) {
                body.visit(self);
            }
        }
    }
    let mut exits = Exits {
        checker,
        found: Vec::new(),
    };
    exits.visit_block(block);
    exits.found.sort_by_key(|exit| exit.at.byte_range().start);
    exits.found
}

/// Whether a cancel point covers an exit: it comes first, in a block that holds the exit.
pub fn covers(point: &CancelPoint, exit: &EarlyExit) -> bool {
    let at = exit.at.byte_range().start;
    point.call.extent().end <= at && point.block.range().contains(&at)
}

/// Whether a called path names `name` in any segment.
fn path_mentions(func: &Expr, name: &str) -> bool {
    matches!(func, Expr::Path(path) if path.path.segments.iter().any(|s| s.ident == name))
}

/// Where a binding is declared, in the code's coordinates.
fn model_start(checker: &Checker, id: BindingId) -> usize {
    checker.model.binding(id).ident.span().byte_range().start
}
