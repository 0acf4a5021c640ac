//! Whether a value escapes the function that makes it: returned, stored (a field, a struct
//! literal, a collection, a constructor's result, a closure), sent on a channel, or tied to
//! the scope by a guard kept in a named binding. Roots and tokens that escape have an owner
//! elsewhere, who may cancel them.

use syn::visit::Visit;
use syn::{Expr, Pat, Stmt};

use crate::checker::{Checker, Node};
use crate::model::catalog::{OnDrop, Returns};
use crate::model::extent::Extent;
use crate::model::{BindingId, SpanKey, unreferenced};

/// A pattern without its type ascription.
pub fn strip_type(pat: &Pat) -> &Pat {
    match pat {
        Pat::Type(typed) => strip_type(&typed.pat),
        _ => pat,
    }
}

/// Which escapes give a value an owner.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// Anything that keeps it: storage, and also a constructor's result (`Worker::new(token)`).
    Any,
    /// Storage only: a field, a collection, a struct literal, a channel, the caller, a kept
    /// guard. A constructor's argument is handed to work, which observes it.
    Storage,
}

/// A node above a value, innermost first.
#[derive(Clone, Copy)]
pub enum Up<'a> {
    Expr(&'a Expr),
    Stmt(&'a Stmt),
    Block(&'a syn::Block),
    Arm(&'a syn::Arm),
    /// The function's body: reaching it means the value is returned.
    FnBody,
    /// Anything else (a macro, a select arm): the value stops there.
    Other,
}

/// The nodes above the node being checked, innermost first, up to the function's body.
pub fn ups_of<'a>(checker: &Checker<'a>) -> Vec<Up<'a>> {
    let mut ups = Vec::new();
    for node in checker.parents() {
        ups.push(match node {
            Node::Expr(e) => Up::Expr(e),
            Node::Stmt(s) => Up::Stmt(s),
            Node::Block(b) => Up::Block(b),
            Node::Arm(a) => Up::Arm(a),
            Node::Fn(_) => {
                ups.push(Up::FnBody);
                break;
            }
            _ => Up::Other,
        });
    }
    ups
}

/// Whether the value at `start` is returned, stored in a struct literal or a field, or (for a
/// token, `guard` false) tied to a guard that is kept; `ups` are the nodes above it.
pub fn flows_out(checker: &Checker, start: SpanKey, ups: &[Up], owner: Owner) -> bool {
    flows_out_as(checker, start, ups, false, owner, 0)
}

/// [`flows_out`], for a value that is a guard (`guard`: kept in a named binding is enough).
fn flows_out_as(
    checker: &Checker,
    start: SpanKey,
    ups: &[Up],
    guard: bool,
    owner: Owner,
    depth: usize,
) -> bool {
    let mut child = start;
    for (i, up) in ups.iter().enumerate() {
        match *up {
            Up::FnBody => return true,
            Up::Other => return false,
            Up::Block(block) => match block.stmts.last() {
                Some(last @ Stmt::Expr(_, None)) if SpanKey::of(last) == child => child = SpanKey::of(block),
                _ => return false,
            },
            Up::Arm(arm) => {
                if SpanKey::of(&*arm.body) != child {
                    return false;
                }
                child = SpanKey::of(arm);
            }
            Up::Stmt(stmt) => match stmt {
                Stmt::Expr(_, None) => child = SpanKey::of(stmt),
                Stmt::Local(local) => {
                    let Some(init) = &local.init else {
                        return false;
                    };
                    if SpanKey::of(&*init.expr) != child {
                        return false;
                    }
                    return if guard {
                        !matches!(strip_type(&local.pat), Pat::Wild(_))
                    } else {
                        bindings_flow_out(checker, &local.pat, owner, depth)
                    };
                }
                _ => return false,
            },
            Up::Expr(expr) => {
                match expr {
                    Expr::Paren(_)
                    | Expr::Group(_)
                    | Expr::Reference(_)
                    | Expr::Try(_)
                    | Expr::Await(_)
                    | Expr::Block(_)
                    | Expr::Async(_)
                    | Expr::Unsafe(_)
                    | Expr::Const(_)
                    | Expr::TryBlock(_)
                    | Expr::If(_)
                    | Expr::Match(_)
                    | Expr::Tuple(_)
                    | Expr::Array(_) => {}
                    Expr::Return(_) => return true,
                    Expr::Closure(_) => return true,
                    // A struct literal keeps the value; it may itself be returned.
                    Expr::Struct(_) => return true,
                    Expr::Assign(assign) => {
                        if SpanKey::of(&*assign.right) != child {
                            return false;
                        }
                        return match unreferenced(&assign.left) {
                            Expr::Field(_) | Expr::Index(_) | Expr::Unary(_) => true,
                            left @ Expr::Path(_) if !guard => checker
                                .model
                                .binding_of(left)
                                .is_some_and(|id| binding_flows_out(checker, id, owner, depth)),
                            _ => false,
                        };
                    }
                    Expr::MethodCall(call) => {
                        if SpanKey::of(&*call.receiver) != child {
                            // An argument: kept if stored or sent somewhere
                            // (`self.tokens.push(token)`, `jobs.insert(id, token)`).
                            let method = call.method.to_string();
                            // Sent to another owner, who manages it from now on.
                            if SENDING_METHODS.contains(&method.as_str()) {
                                return true;
                            }
                            let storing = STORING_METHODS.contains(&method.as_str());
                            return storing || matches!(unreferenced(&call.receiver), Expr::Field(_));
                        }
                        if guard {
                            return false;
                        }
                        if call.method == "clone" && call.args.is_empty() {
                            // The clone is the same token.
                        } else if makes_guard(checker, expr) {
                            return flows_out_as(
                                checker,
                                SpanKey::of(expr),
                                &ups[i + 1..],
                                true,
                                owner,
                                depth,
                            );
                        } else {
                            return false;
                        }
                    }
                    Expr::Call(call) => {
                        if is_constructor(&call.func) {
                            // Storage only: what the constructor builds may itself be stored.
                            if owner == Owner::Any {
                                return true;
                            }
                        } else if !is_wrapper(&call.func) {
                            return false;
                        }
                    }
                    _ => return false,
                }
                child = SpanKey::of(expr);
            }
        }
    }
    false
}

/// Methods that keep their argument: collections, registries.
const STORING_METHODS: &[&str] = &[
    "insert",
    "push",
    "push_back",
    "push_front",
    "extend",
    "add",
    "register",
    "store",
    "set",
    "replace",
];

/// Channel sends: the receiver owns the value.
const SENDING_METHODS: &[&str] = &["send", "try_send", "send_replace", "blocking_send"];

/// A method call returning a guard that cancels when dropped (`token.drop_guard()`).
pub fn makes_guard(checker: &Checker, call: &Expr) -> bool {
    let Some(callable) = checker.model.callable(call) else {
        return false;
    };
    matches!(callable.returns, Returns::One(ty) if checker.catalog.ty(ty).on_drop == Some(OnDrop::Cancel))
}

/// `Some(x)`, `Ok(x)`, `Wrapper(x)`, `Arc::new(x)`: the value goes on inside another.
fn is_wrapper(func: &Expr) -> bool {
    let Expr::Path(path) = func else {
        return false;
    };
    let names: Vec<String> = path.path.segments.iter().map(|s| s.ident.to_string()).collect();
    match names.as_slice() {
        [.., last] if last.starts_with(|c: char| c.is_uppercase()) => true,
        [.., owner, new] if new == "new" => {
            matches!(
                owner.as_str(),
                "Arc" | "Rc" | "Box" | "Mutex" | "RwLock" | "Cell" | "RefCell"
            )
        }
        _ => false,
    }
}

/// `Type::new(…)`, `Self::from_parts(…)`, `Type::with_token(…)`: the value is stored in what
/// the constructor builds.
fn is_constructor(func: &Expr) -> bool {
    let Expr::Path(path) = func else {
        return false;
    };
    let segments: Vec<String> = path.path.segments.iter().map(|s| s.ident.to_string()).collect();
    let [.., owner, name] = segments.as_slice() else {
        return false;
    };
    let is_type = owner.starts_with(|c: char| c.is_uppercase());
    let builds =
        name == "new" || name.starts_with("new_") || name.starts_with("from") || name.starts_with("with_");
    is_type && builds && !is_wrapper(func)
}

/// Whether a value bound by `pat` flows out through any of its bindings.
fn bindings_flow_out(checker: &Checker, pat: &Pat, owner: Owner, depth: usize) -> bool {
    match pat {
        Pat::Ident(ident) => checker
            .model
            .binding_declared_by(&ident.ident)
            .is_some_and(|id| binding_flows_out(checker, id, owner, depth)),
        Pat::Type(typed) => bindings_flow_out(checker, &typed.pat, owner, depth),
        Pat::Tuple(tuple) => tuple
            .elems
            .iter()
            .any(|p| bindings_flow_out(checker, p, owner, depth)),
        Pat::Paren(paren) => bindings_flow_out(checker, &paren.pat, owner, depth),
        _ => false,
    }
}

/// Whether any use of a binding, in the enclosing function, flows out.
fn binding_flows_out(checker: &Checker, id: BindingId, owner: Owner, depth: usize) -> bool {
    if depth > 3 {
        return false;
    }
    let Some(block) = checker.enclosing_fn().and_then(|f| f.block) else {
        return false;
    };
    let mut finder = Uses {
        checker,
        id,
        owner,
        depth,
        stack: vec![Up::FnBody],
        found: false,
        named: named_at(checker, id),
    };
    finder.visit_block(block);
    finder.found
}

/// Walks a function body keeping the nodes above the current one, and checks every use of a
/// binding.
struct Uses<'c, 'a> {
    checker: &'c Checker<'a>,
    id: BindingId,
    owner: Owner,
    depth: usize,
    stack: Vec<Up<'a>>,
    found: bool,
    /// Where the binding is named (sorted): code between these offsets is not walked.
    named: Vec<usize>,
}

/// Where a binding is named, sorted. A walk looking for its uses descends only into code that
/// holds one of them: a function with thousands of roots is walked once per root along the
/// paths to its uses, not whole.
pub fn named_at(checker: &Checker, id: BindingId) -> Vec<usize> {
    let mut named: Vec<usize> = checker
        .model
        .binding(id)
        .references
        .iter()
        .map(|span| span.byte_range().start)
        .collect();
    named.sort_unstable();
    named
}

/// Whether one of the offsets lies in `range`.
pub fn names_inside(named: &[usize], range: std::ops::Range<usize>) -> bool {
    let first = named.partition_point(|&at| at < range.start);
    named.get(first).is_some_and(|&at| at < range.end)
}

/// The statements of a block that hold one of the offsets, in order (found by binary search:
/// the statements are in source order).
pub fn stmts_naming<'a>(block: &'a syn::Block, named: &[usize]) -> Vec<&'a Stmt> {
    let mut found: Vec<usize> = named
        .iter()
        .map(|&at| block.stmts.partition_point(|stmt| stmt.extent().end <= at))
        .filter(|&i| i < block.stmts.len() && names_inside(named, block.stmts[i].extent()))
        .collect();
    found.dedup();
    found.into_iter().map(|i| &block.stmts[i]).collect()
}

impl<'a> Visit<'a> for Uses<'_, 'a> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.found || !names_inside(&self.named, expr.extent()) {
            return;
        }
        if matches!(expr, Expr::Path(_)) && self.checker.model.binding_of(expr) == Some(self.id) {
            let ups: Vec<Up> = self.stack.iter().rev().copied().collect();
            if flows_out_as(
                self.checker,
                SpanKey::of(expr),
                &ups,
                false,
                self.owner,
                self.depth + 1,
            ) {
                self.found = true;
            }
            return;
        }
        self.stack.push(Up::Expr(expr));
        syn::visit::visit_expr(self, expr);
        self.stack.pop();
    }

    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        self.stack.push(Up::Stmt(stmt));
        syn::visit::visit_stmt(self, stmt);
        self.stack.pop();
    }

    fn visit_block(&mut self, block: &'a syn::Block) {
        self.stack.push(Up::Block(block));
        for stmt in stmts_naming(block, &self.named) {
            self.visit_stmt(stmt);
        }
        self.stack.pop();
    }

    fn visit_arm(&mut self, arm: &'a syn::Arm) {
        self.stack.push(Up::Arm(arm));
        syn::visit::visit_arm(self, arm);
        self.stack.pop();
    }

    fn visit_item(&mut self, _: &'a syn::Item) {}

    fn visit_macro(&mut self, mac: &'a syn::Macro) {
        let model: &'a crate::model::Model<'a> = self.checker.model;
        if let Some(body) = model.macro_body(mac) {
            self.stack.push(Up::Other);
            body.visit(self);
            self.stack.pop();
        }
    }
}

/// Where a name's value is kept, from the code of one function: the struct-literal fields
/// that take it (or a clone, or a reference), and whether anything else keeps it (a
/// collection, an assignment to a field, a channel, a tuple).
#[derive(Clone, Debug, Default)]
pub struct Kept {
    pub fields: Vec<String>,
    pub elsewhere: bool,
}

/// [`Kept`] for every name of a function body, in one walk (cached per function: a function
/// may make many roots).
pub fn kept_by_name(
    checker: &Checker,
    block: &syn::Block,
) -> std::rc::Rc<std::collections::HashMap<String, Kept>> {
    let known = checker.per_file("kept by name, per function", || {
        std::cell::RefCell::new(std::collections::HashMap::<
            SpanKey,
            std::rc::Rc<std::collections::HashMap<String, Kept>>,
        >::new())
    });
    let mut known = known.borrow_mut();
    known
        .entry(SpanKey::of(block))
        .or_insert_with(|| {
            let mut finder = KeptFinder::default();
            // What the function returns is its caller's.
            if let Some(Stmt::Expr(tail, None)) = block.stmts.last() {
                finder.kept_by_another(tail);
            }
            finder.visit_block(block);
            std::rc::Rc::new(finder.kept)
        })
        .clone()
}

#[derive(Default)]
struct KeptFinder {
    kept: std::collections::HashMap<String, Kept>,
}

/// Marks every identifier in `tokens` as kept elsewhere.
fn mark_elsewhere(kept: &mut std::collections::HashMap<String, Kept>, tokens: proc_macro2::TokenStream) {
    let mut names = Vec::new();
    crate::parse::idents_in(&tokens.into_iter().collect::<Vec<_>>(), &mut names);
    for name in names {
        kept.entry(name).or_default().elsewhere = true;
    }
}

impl KeptFinder {
    /// Marks every name `expr` holds as kept elsewhere: it goes into a collection, a channel
    /// or back to the caller, whose owner may cancel it (a registry of operations).
    fn kept_by_another(&mut self, expr: &Expr) {
        mark_elsewhere(&mut self.kept, quote::ToTokens::to_token_stream(expr));
    }

    /// Marks the names an assignment keeps somewhere other than a struct-literal field (those
    /// are recorded as fields when the literal itself is visited).
    fn elsewhere(&mut self, expr: &Expr) {
        struct Names<'k>(&'k mut std::collections::HashMap<String, Kept>);
        impl<'ast> Visit<'ast> for Names<'_> {
            fn visit_expr_struct(&mut self, literal: &'ast syn::ExprStruct) {
                for field in &literal.fields {
                    if plain_name(&field.expr).is_none() || matches!(field.member, syn::Member::Unnamed(_)) {
                        self.visit_expr(&field.expr);
                    }
                }
            }
            fn visit_expr_path(&mut self, path: &'ast syn::ExprPath) {
                if let Some(name) = path.path.get_ident() {
                    self.0.entry(name.to_string()).or_default().elsewhere = true;
                }
            }
            fn visit_macro(&mut self, mac: &'ast syn::Macro) {
                mark_elsewhere(self.0, mac.tokens.clone());
            }
        }
        Names(&mut self.kept).visit_expr(expr);
    }
}

/// The name `x`, `x.clone()`, `&x` stand for.
fn plain_name(expr: &Expr) -> Option<String> {
    match crate::model::uncloned(expr) {
        Expr::Path(path) => path.path.get_ident().map(ToString::to_string),
        _ => None,
    }
}

impl<'ast> Visit<'ast> for KeptFinder {
    fn visit_expr_struct(&mut self, literal: &'ast syn::ExprStruct) {
        for field in &literal.fields {
            match (&field.member, plain_name(&field.expr)) {
                (syn::Member::Named(member), Some(name)) => {
                    self.kept.entry(name).or_default().fields.push(member.to_string());
                }
                _ => self.elsewhere(&field.expr),
            }
        }
        syn::visit::visit_expr_struct(self, literal);
    }

    fn visit_expr_assign(&mut self, assign: &'ast syn::ExprAssign) {
        if matches!(
            unreferenced(&assign.left),
            Expr::Field(_) | Expr::Index(_) | Expr::Unary(_)
        ) {
            self.elsewhere(&assign.right);
        }
        syn::visit::visit_expr_assign(self, assign);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        let method = call.method.to_string();
        if STORING_METHODS.contains(&method.as_str()) || SENDING_METHODS.contains(&method.as_str()) {
            for arg in &call.args {
                self.kept_by_another(arg);
            }
        }
        syn::visit::visit_expr_method_call(self, call);
    }

    fn visit_expr_return(&mut self, ret: &'ast syn::ExprReturn) {
        if let Some(value) = &ret.expr {
            self.kept_by_another(value);
        }
        syn::visit::visit_expr_return(self, ret);
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// Every `x.f.cancel()` of the whole file, as the receiver's field path (`op.cancel`,
/// `self.inner.cancel`) and the field (`cancel`); a receiver that is not a plain field path
/// (`self.ops.lock().cancel`) is `None`.
pub fn cancelled_fields(checker: &Checker) -> std::rc::Rc<Vec<(Option<String>, String)>> {
    checker.per_file("cancelled fields", || {
        struct Finder(Vec<(Option<String>, String)>);
        impl<'ast> Visit<'ast> for Finder {
            fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
                if call.method == "cancel"
                    && let Expr::Field(field) = unreferenced(&call.receiver)
                    && let syn::Member::Named(member) = &field.member
                {
                    self.0.push((field_path(&call.receiver), member.to_string()));
                }
                syn::visit::visit_expr_method_call(self, call);
            }
        }
        let mut finder = Finder(Vec::new());
        if let Some(file) = checker.full_file() {
            finder.visit_file(file);
        }
        finder.0
    })
}

/// `a.b.c` as written, for a path followed by named fields.
fn field_path(expr: &Expr) -> Option<String> {
    match unreferenced(expr) {
        Expr::Path(path) => path.path.get_ident().map(ToString::to_string),
        Expr::Field(field) => match &field.member {
            syn::Member::Named(member) => Some(format!("{}.{member}", field_path(&field.base)?)),
            syn::Member::Unnamed(_) => None,
        },
        _ => None,
    }
}
