//! The semantic model every lint reads: what the names in one file refer to, which bindings are
//! contexts, tokens, guards and cancel functions, and what the macros in it contain. This is
//! the one place that knows about APIs; lints ask it questions.

pub mod calls;
pub mod catalog;
pub mod escape;
pub mod extent;
pub mod fate;
pub mod handlers;
pub mod loops;
pub mod macros;
pub mod resolve;
pub mod scope;
pub mod summaries;
pub mod values;
pub mod workspace;

use foldhash::{HashMap, HashMapExt, HashSet};
use std::ops::Range;

use self::extent::Extent;
use syn::{Expr, Member};

use self::catalog::{Callable, Catalog, Kind, Returns, Role, TypeId};
use self::macros::MacroBody;
use self::resolve::Imports;
pub use self::scope::{Binding, BindingId, BindingKind, Write, WriteKind};
use self::workspace::{Origin, WorkspaceIndex};

/// Identifies a syntax node by its byte range (relative to the parsed code). Tokens of a file,
/// macro bodies included, never share a range, so a node's range is its identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SpanKey(usize, usize);

impl SpanKey {
    pub fn of(node: &(impl Extent + ?Sized)) -> SpanKey {
        SpanKey::from_range(node.extent())
    }

    pub fn from_range(range: Range<usize>) -> SpanKey {
        SpanKey(range.start, range.end)
    }

    pub fn from_span(span: proc_macro2::Span) -> SpanKey {
        SpanKey::from_range(span.byte_range())
    }

    pub fn range(self) -> Range<usize> {
        self.0..self.1
    }

    pub fn contains(self, other: SpanKey) -> bool {
        self.0 <= other.0 && other.1 <= self.1
    }

    pub fn len(self) -> usize {
        self.1 - self.0
    }

    pub fn is_empty(self) -> bool {
        self.0 == self.1
    }
}

/// The static type of an expression, as far as ctxlint can tell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ty {
    /// A catalog type.
    Api(TypeId),
    Tuple(Vec<Option<Ty>>),
    /// A struct declared in this file.
    Struct(StructId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StructId(usize);

#[derive(Debug)]
pub struct StructDef {
    pub name: String,
    /// Named fields by name; tuple fields as `0`, `1`, ….
    pub fields: HashMap<String, Ty>,
    /// Its path in the workspace, when the file's place in it is known (for its methods).
    pub path: Option<Vec<String>>,
}

/// What ctxlint knows about one parsed file.
pub struct Model<'c> {
    pub catalog: &'c Catalog,
    pub imports: Imports,
    bindings: Vec<Binding>,
    /// Identifier expressions that refer to a binding.
    uses: HashMap<SpanKey, BindingId>,
    /// Identifier patterns that introduce a binding.
    decls: HashMap<SpanKey, BindingId>,
    /// Types written in signatures, `let`s and fields that resolved.
    types: HashMap<SpanKey, Ty>,
    /// Where each binding can be named (indexed like `bindings`).
    visibility: Vec<scope::Visibility>,
    /// The bindings of each function item (by `visibility[..].function`), built on first use:
    /// a lookup reads one function's bindings, not the file's.
    by_function: std::cell::OnceCell<HashMap<Option<SpanKey>, FunctionBindings>>,
    /// The extent of every function item, signature to body.
    functions: Vec<SpanKey>,
    /// Built-in types of bindings, and the file's consts and statics.
    values: values::Values,
    type_names: values::TypeNames,
    macros: HashMap<SpanKey, MacroBody>,
    /// `for`, `while` and `loop` expressions.
    loops: Vec<SpanKey>,
    structs: Vec<StructDef>,
    /// The workspace index, when the run has one: other files' structs and functions.
    workspace: Option<&'c WorkspaceIndex>,
    /// Structs of other files this file reaches, by their workspace path.
    foreign_structs: HashMap<Vec<String>, StructId>,
    /// Method names this file defines: they shadow distinctive catalog method names.
    local_methods: HashSet<String>,
    /// Answers to `type_of` and `callable` by node address, for the lints' many repeated
    /// questions (the tree does not move while its model lives). Filled only after the
    /// binding pass, whose answers may still change.
    memo: Memo,
}

/// One function item's bindings, for lookups that stay inside it.
#[derive(Default)]
struct FunctionBindings {
    all: Vec<usize>,
    /// Its parameters and its closures' parameters.
    params: Vec<usize>,
    by_name: HashMap<String, Vec<usize>>,
}

#[derive(Default)]
struct Memo {
    enabled: std::cell::Cell<bool>,
    types: std::cell::RefCell<HashMap<*const Expr, Option<Ty>>>,
    /// Catalog ids (a reference would tie the model's lifetime down).
    callables: std::cell::RefCell<HashMap<*const Expr, Option<usize>>>,
}

impl<'c> Model<'c> {
    /// The model of every function of a file.
    pub fn build(file: &syn::File, catalog: &'c Catalog) -> Model<'c> {
        scope::build(file, catalog, None)
    }

    /// The model of a file at `origin` in a workspace: names resolve through the other files.
    pub fn build_in(
        file: &syn::File,
        catalog: &'c Catalog,
        workspace: &'c WorkspaceIndex,
        origin: Option<&Origin>,
    ) -> Model<'c> {
        scope::build(file, catalog, Some((workspace, origin.cloned())))
    }

    pub fn binding(&self, id: BindingId) -> &Binding {
        &self.bindings[id.0]
    }

    pub fn bindings(&self) -> impl Iterator<Item = (BindingId, &Binding)> {
        self.bindings.iter().enumerate().map(|(i, b)| (BindingId(i), b))
    }

    /// The binding an identifier expression (`token` in `token.cancel()`) refers to.
    pub fn binding_of(&self, expr: &Expr) -> Option<BindingId> {
        match expr {
            Expr::Path(path) if path.qself.is_none() && path.path.get_ident().is_some() => {
                self.uses.get(&SpanKey::of(path)).copied()
            }
            Expr::Paren(e) => self.binding_of(&e.expr),
            Expr::Group(e) => self.binding_of(&e.expr),
            Expr::Reference(e) => self.binding_of(&e.expr),
            _ => None,
        }
    }

    /// The name of the struct (declared in this file) an identifier expression's binding
    /// holds, by position only: it answers for a tree parsed again from the same code.
    pub fn struct_name_of(&self, expr: &Expr) -> Option<&str> {
        let id = self.binding_of(expr)?;
        match &self.bindings[id.0].ty {
            Some(Ty::Struct(id)) => Some(&self.structs[id.0].name),
            _ => None,
        }
    }

    /// The innermost function item around `node`. Functions are recorded in source order: it
    /// is the last one starting before `node` that contains it.
    fn function_around(&self, node: SpanKey) -> Option<SpanKey> {
        let starts_before = self
            .functions
            .partition_point(|f| f.range().start <= node.range().start);
        self.functions[..starts_before]
            .iter()
            .rev()
            .find(|f| f.contains(node))
            .copied()
    }

    /// The bindings declared in one function item (outside any: `None`), built on first use.
    fn bindings_in(&self, function: Option<SpanKey>) -> Option<&FunctionBindings> {
        let index = self.by_function.get_or_init(|| {
            let mut index: HashMap<Option<SpanKey>, FunctionBindings> = HashMap::new();
            for (i, vis) in self.visibility.iter().enumerate() {
                let entry = index.entry(vis.function).or_default();
                entry.all.push(i);
                if matches!(
                    self.bindings[i].kind,
                    BindingKind::Param | BindingKind::ClosureParam
                ) {
                    entry.params.push(i);
                }
                entry.by_name.entry(self.bindings[i].name()).or_default().push(i);
            }
            index
        });
        index.get(&function)
    }

    /// The bindings declared in the function item around `node` (in declaration order); with
    /// `params_only`, its and its closures' parameters.
    pub fn function_bindings(&self, node: SpanKey, params_only: bool) -> Vec<BindingId> {
        let Some(bindings) = self.bindings_in(self.function_around(node)) else {
            return Vec::new();
        };
        let ids = if params_only {
            &bindings.params
        } else {
            &bindings.all
        };
        ids.iter().map(|&i| BindingId(i)).collect()
    }

    /// Whether `id` is what its name stands for at `node`: visible there and not shadowed (the
    /// same answer as [`Self::visible_bindings`] containing it, for one binding).
    pub fn names_at(&self, id: BindingId, node: SpanKey) -> bool {
        let range = node.range();
        let seen = |i: usize| {
            let vis = &self.visibility[i];
            vis.from <= range.start && range.end <= vis.to
        };
        let vis = &self.visibility[id.0];
        if !seen(id.0) || self.function_around(node) != vis.function {
            return false;
        }
        let name = self.bindings[id.0].name();
        let Some(same_name) = self.bindings_in(vis.function).and_then(|f| f.by_name.get(&name)) else {
            return true;
        };
        // A later binding of the name visible here shadows it (`visible_bindings` keeps the
        // one declared last among equals too).
        !same_name.iter().any(|&other| {
            other != id.0 && seen(other) && {
                let from = self.visibility[other].from;
                from > vis.from || (from == vis.from && other > id.0)
            }
        })
    }

    /// The bindings that can be named at `node`: declared before it in an enclosing block,
    /// closure, arm or function (closures see their enclosing function's bindings; nested
    /// items do not), the innermost of each name.
    pub fn visible_bindings(&self, node: SpanKey) -> Vec<BindingId> {
        let range = node.range();
        let function = self.function_around(node);
        let mut visible: HashMap<String, (usize, BindingId)> = HashMap::new();
        for &i in self
            .bindings_in(function)
            .map(|f| f.all.as_slice())
            .unwrap_or_default()
        {
            let vis = &self.visibility[i];
            if vis.from > range.start || range.end > vis.to {
                continue;
            }
            let name = self.bindings[i].name();
            let newer = visible.get(&name).is_none_or(|&(from, _)| vis.from >= from);
            if newer {
                visible.insert(name, (vis.from, BindingId(i)));
            }
        }
        let mut ids: Vec<BindingId> = visible.into_values().map(|(_, id)| id).collect();
        ids.sort();
        ids
    }

    /// The binding an identifier pattern (`ctx` in `let (ctx, cancel) = …`) introduces.
    pub fn binding_declared_by(&self, ident: &syn::Ident) -> Option<BindingId> {
        self.decls.get(&SpanKey::from_span(ident.span())).copied()
    }

    /// The parsed body of a macro call, if ctxlint understands that macro.
    pub fn macro_body(&self, mac: &syn::Macro) -> Option<&MacroBody> {
        self.macros.get(&SpanKey::of(mac))
    }

    /// Whether a binding may change within `span`: an assignment to it (or to a field or
    /// element of it), a `&mut` borrow, a method call on it if it is mutable, or an unparsed
    /// macro naming it.
    pub fn written_within(&self, id: BindingId, span: SpanKey) -> bool {
        self.bindings[id.0].writes.iter().any(|w| span.contains(w.at))
    }

    /// Whether a binding is declared within `span` (so it is a fresh one each time that runs).
    pub fn declared_within(&self, id: BindingId, span: SpanKey) -> bool {
        span.contains(SpanKey::from_span(self.bindings[id.0].ident.span()))
    }

    /// The value a binding certainly holds at `at`: its `let` value, or the value of the last
    /// assignment before `at`, if that assignment always runs before `at` and no other write
    /// may come in between (a later write in a loop around both may). `None` when unsure.
    pub fn reaching_value(&self, id: BindingId, at: SpanKey) -> Option<SpanKey> {
        let binding = &self.bindings[id.0];
        let mut last: Option<&Write> = None;
        for write in &binding.writes {
            if write.at.1 <= at.0 {
                if last.is_none_or(|l| l.at.0 < write.at.0) {
                    last = Some(write);
                }
            } else if self.loops.iter().any(|l| l.contains(write.at) && l.contains(at)) {
                // Written later in a loop around `at`: the next iteration sees that value.
                return None;
            }
        }
        match last {
            None => binding.init,
            Some(write) if write.container.contains(at) => write.value,
            Some(_) => None,
        }
    }

    /// Whether an expression has the same value on every iteration of a loop spanning `within`:
    /// literals, constants and paths to items, bindings declared outside the loop and never
    /// written inside it, and references, fields, indexing, operators, tuples and struct
    /// literals of those; calls of a function path with such arguments (a call without
    /// arguments, such as `Instant::now()`, may differ every time), and `clone()`-like methods.
    pub fn is_invariant(&self, expr: &Expr, within: SpanKey) -> bool {
        let invariant = |e: &Expr| self.is_invariant(e, within);
        match expr {
            Expr::Lit(_) => true,
            Expr::Path(path) => match path.path.get_ident() {
                Some(ident) if path.qself.is_none() => match self.binding_of(expr) {
                    Some(id) => !self.declared_within(id, within) && !self.written_within(id, within),
                    // A constant, static or unit struct (upper case); a lower-case name that is
                    // no binding ctxlint knows of may be one it missed.
                    None => ident.to_string().starts_with(|c: char| c.is_uppercase()),
                },
                _ => true,
            },
            Expr::Reference(e) => invariant(&e.expr),
            Expr::Paren(e) => invariant(&e.expr),
            Expr::Group(e) => invariant(&e.expr),
            Expr::Cast(e) => invariant(&e.expr),
            Expr::Unary(e) => invariant(&e.expr),
            Expr::Field(e) => invariant(&e.base),
            Expr::Index(e) => invariant(&e.expr) && invariant(&e.index),
            Expr::Binary(e) => invariant(&e.left) && invariant(&e.right),
            Expr::Tuple(e) => e.elems.iter().all(invariant),
            Expr::Array(e) => e.elems.iter().all(invariant),
            Expr::Struct(e) => {
                e.fields.iter().all(|f| invariant(&f.expr)) && e.rest.as_deref().is_none_or(invariant)
            }
            Expr::Call(call) => {
                matches!(&*call.func, Expr::Path(func) if self.binding_of(&call.func).is_none() && func.qself.is_none())
                    && !call.args.is_empty()
                    && call.args.iter().all(invariant)
            }
            Expr::MethodCall(call) => {
                call.args.is_empty()
                    && matches!(
                        call.method.to_string().as_str(),
                        "clone" | "as_ref" | "as_str" | "as_slice" | "as_deref" | "to_owned"
                    )
                    && invariant(&call.receiver)
            }
            _ => false,
        }
    }

    /// The context a derivation or value layer is made from: the receiver of a method, the
    /// first argument of a function (`with_timeout(&ctx, d)`); `None` for a constructor that
    /// starts from the ambient context (`Context::current_with_value(v)`) or nothing.
    pub fn derived_from<'e>(&self, expr: &'e Expr) -> Option<&'e Expr> {
        let callable = self.callable(expr)?;
        if callable.ambient || !matches!(callable.role, Some(Role::Derive { .. } | Role::ValueSet(_))) {
            return None;
        }
        match expr {
            Expr::MethodCall(call) => Some(&call.receiver),
            Expr::Call(call) => call.args.first(),
            Expr::Paren(e) => self.derived_from(&e.expr),
            Expr::Group(e) => self.derived_from(&e.expr),
            _ => None,
        }
    }

    /// The catalog path `path`, written at `node`, refers to, if it can refer to one at all.
    /// Cheaper than [`Self::resolve_path`] for the many paths that cannot: the last segment of a
    /// longer path is never renamed, so it must end some catalog path; a single name may also
    /// be an import's alias.
    pub fn resolve_catalog_path(&self, node: &(impl Extent + ?Sized), path: &syn::Path) -> Option<String> {
        let last = path.segments.last()?.ident.to_string();
        let possible = self.catalog.has_last_segment(&last)
            || (path.segments.len() == 1 && self.imports.imports_name(&last));
        if !possible {
            return None;
        }
        self.resolve_path(node, path)
    }

    /// The canonical path `path`, written at `node`, refers to: `None` for items of this file
    /// and names that cannot be resolved with certainty.
    pub fn resolve_path(&self, node: &(impl Extent + ?Sized), path: &syn::Path) -> Option<String> {
        let scope = self.imports.scope_at(SpanKey::of(node));
        self.imports.resolve(self.catalog, scope, path)
    }

    /// The resolved type written at `ty`, if it is a catalog type or a struct of this file.
    pub fn written_type(&self, ty: &syn::Type) -> Option<&Ty> {
        self.types.get(&SpanKey::of(ty))
    }

    pub fn struct_def(&self, id: StructId) -> &StructDef {
        &self.structs[id.0]
    }

    /// Whether this file can name field `name` of a struct: its own structs' fields always,
    /// another file's only when `pub`.
    pub fn field_reachable(&self, id: StructId, name: &str) -> bool {
        let def = &self.structs[id.0];
        match (&def.path, self.workspace) {
            (Some(path), Some(workspace)) if self.foreign_structs.get(path) == Some(&id) => {
                workspace.field_is_public(path, name)
            }
            _ => true,
        }
    }

    /// Every catalog type named anywhere in a written type (`Result<(CancellationToken,
    /// JoinHandle<()>)>` names `CancellationToken`).
    pub fn catalog_types_in(&self, ty: &syn::Type) -> Vec<TypeId> {
        struct Paths<'m, 'c> {
            model: &'m Model<'c>,
            found: Vec<TypeId>,
        }
        impl<'ast> syn::visit::Visit<'ast> for Paths<'_, '_> {
            fn visit_type_path(&mut self, ty: &'ast syn::TypePath) {
                if ty.qself.is_none()
                    && let Some(path) = self.model.resolve_catalog_path(ty, &ty.path)
                    && let Some(id) = self.model.catalog.type_by_path(&path)
                {
                    self.found.push(id);
                }
                syn::visit::visit_type_path(self, ty);
            }
        }
        let mut paths = Paths {
            model: self,
            found: Vec::new(),
        };
        syn::visit::Visit::visit_type(&mut paths, ty);
        paths.found
    }

    /// The catalog kind of an expression's type.
    pub fn kind_of(&self, expr: &Expr) -> Option<Kind> {
        match self.type_of(expr)? {
            Ty::Api(id) => Some(self.catalog.ty(id).kind),
            _ => None,
        }
    }

    /// The type of an expression, as far as ctxlint can tell.
    pub fn type_of(&self, expr: &Expr) -> Option<Ty> {
        if !self.memo.enabled.get() {
            return self.compute_type_of(expr);
        }
        if let Some(ty) = self.memo.types.borrow().get(&(expr as *const Expr)) {
            return ty.clone();
        }
        let ty = self.compute_type_of(expr);
        self.memo.types.borrow_mut().insert(expr, ty.clone());
        ty
    }

    fn compute_type_of(&self, expr: &Expr) -> Option<Ty> {
        match expr {
            Expr::Path(_) => self
                .binding_of(expr)
                .and_then(|id| self.bindings[id.0].ty.clone()),
            Expr::Paren(e) => self.type_of(&e.expr),
            Expr::Group(e) => self.type_of(&e.expr),
            Expr::Reference(e) => self.type_of(&e.expr),
            Expr::Try(e) => self.type_of(&e.expr),
            Expr::Call(call) => {
                if let Some(callable) = self.callable(expr) {
                    return returned(&callable.returns);
                }
                let arg = |i: usize| call.args.iter().nth(i).and_then(|a| self.type_of(a));
                let Expr::Path(func) = &*call.func else {
                    return None;
                };
                let segments: Vec<String> = func.path.segments.iter().map(|s| s.ident.to_string()).collect();
                let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
                match segments.as_slice() {
                    // Wrappers that keep what they hold.
                    [.., "Arc" | "Rc" | "Box", "new"] => arg(0),
                    // The displaced value.
                    [.., "mem", "replace"] => arg(1),
                    [.., "mem", "take"] => arg(0),
                    _ => self.workspace_call_type(func),
                }
            }
            Expr::MethodCall(call) => {
                if matches!(call.method.to_string().as_str(), "clone" | "to_owned") && call.args.is_empty() {
                    return self.type_of(&call.receiver);
                }
                // The receiver's type is asked for once: asking twice per link doubles the
                // work at each link of a chain while answers are not yet remembered.
                let receiver = self.type_of(&call.receiver);
                if let Some(callable) = self.method_callable_on(call, receiver.clone()) {
                    return returned(&callable.returns);
                }
                let Some(Ty::Struct(owner)) = receiver else {
                    return None;
                };
                let owner = self.structs[owner.0].path.as_ref()?;
                let returns =
                    self.workspace?
                        .method_returns(owner, &call.method.to_string(), self.catalog)?;
                self.type_at_path(&returns)
            }
            Expr::Field(field) => match (self.type_of(&field.base)?, &field.member) {
                (Ty::Tuple(elems), Member::Unnamed(index)) => elems.get(index.index as usize)?.clone(),
                (Ty::Struct(id), member) => self.structs[id.0].fields.get(&member_name(member)).cloned(),
                (Ty::Api(id), Member::Named(name)) => self.catalog.field(id, &name.to_string()).map(Ty::Api),
                _ => None,
            },
            Expr::Block(block) => match block.block.stmts.last() {
                Some(syn::Stmt::Expr(tail, None)) => self.type_of(tail),
                _ => None,
            },
            Expr::Struct(lit) => {
                let name = lit.path.segments.last()?.ident.to_string();
                self.local_struct(&name).map(Ty::Struct)
            }
            _ => None,
        }
    }

    /// The catalog function or method a call expression calls.
    pub fn callable(&self, expr: &Expr) -> Option<&'c Callable> {
        if !self.memo.enabled.get() {
            return self.compute_callable(expr);
        }
        if let Some(id) = self.memo.callables.borrow().get(&(expr as *const Expr)) {
            return id.map(|id| self.catalog.callable(id));
        }
        let callable = self.compute_callable(expr);
        self.memo
            .callables
            .borrow_mut()
            .insert(expr, callable.map(|c| c.id));
        callable
    }

    /// From now on, remember answers: the binding pass is over.
    pub(crate) fn freeze(&self) {
        self.memo.enabled.set(true);
    }

    fn compute_callable(&self, expr: &Expr) -> Option<&'c Callable> {
        match expr {
            Expr::Call(call) => {
                let Expr::Path(func) = &*call.func else {
                    return None;
                };
                let path = self.resolve_catalog_path(func, &func.path)?;
                if let Some(callable) = self.catalog.function(&path) {
                    return Some(callable);
                }
                // `CancellationToken::child_token(&token)`: a method called by its path.
                let (owner, method) = path.rsplit_once("::")?;
                let owner = self.catalog.type_by_path(owner)?;
                self.catalog.method(owner, method)
            }
            Expr::MethodCall(call) => self.method_callable(call),
            Expr::Paren(e) => self.callable(&e.expr),
            Expr::Group(e) => self.callable(&e.expr),
            _ => None,
        }
    }

    /// The catalog method a method call calls.
    pub fn method_callable(&self, call: &syn::ExprMethodCall) -> Option<&'c Callable> {
        self.method_callable_on(call, self.type_of(&call.receiver))
    }

    /// The catalog method a method call calls, its receiver's type known.
    fn method_callable_on(&self, call: &syn::ExprMethodCall, receiver: Option<Ty>) -> Option<&'c Callable> {
        let name = call.method.to_string();
        let callable = match receiver {
            Some(Ty::Api(owner)) => self
                .catalog
                .method(owner, &name)
                .or_else(|| self.method_by_name(&name)),
            Some(_) => None,
            None => self.method_by_name(&name),
        }?;
        // `access_service.drop_guard(id)` is not tokio-util's `drop_guard()`.
        match callable.args {
            Some(args) if args != call.args.len() => None,
            _ => Some(callable),
        }
    }

    /// A catalog method recognised by its name alone, unless this file defines its own.
    fn method_by_name(&self, name: &str) -> Option<&'c Callable> {
        if self.local_methods.contains(name) {
            return None;
        }
        self.catalog.method_by_name(name)
    }

    /// The canonical workspace path of a function called as `func`.
    fn workspace_function(&self, func: &syn::ExprPath) -> Option<Vec<String>> {
        let workspace = self.workspace?;
        match self.resolve_path(func, &func.path) {
            Some(path) => Some(workspace.item(&path)),
            // A function of this file's module.
            None if func.path.segments.len() == 1 => {
                let mut path = self.imports.origin.as_ref()?.path();
                path.push(func.path.segments[0].ident.to_string());
                Some(path)
            }
            None => None,
        }
    }

    /// The types of the parameters of a closure passed as argument `arg` of a call to a
    /// workspace function (`spawn_cancellable(|token| …)` where the function takes
    /// `F: FnOnce(CancellationToken) -> Fut`).
    pub(crate) fn closure_param_types(&self, call: &syn::ExprCall, arg: usize) -> Vec<Option<Ty>> {
        let (Some(workspace), syn::Expr::Path(func)) = (self.workspace, &*call.func) else {
            return Vec::new();
        };
        let Some(path) = self.workspace_function(func) else {
            return Vec::new();
        };
        workspace
            .closure_params(&path, arg, self.catalog)
            .iter()
            .map(|param| param.as_ref().and_then(|path| self.type_at_path(path)))
            .collect()
    }

    /// `T` when `expr` calls a workspace function returning `Option<T>` (`shutdown_token()`).
    pub(crate) fn some_type(&self, expr: &Expr) -> Option<Ty> {
        let (Some(workspace), Expr::Call(call)) = (self.workspace, expr) else {
            return None;
        };
        let Expr::Path(func) = &*call.func else {
            return None;
        };
        let path = self.workspace_function(func)?;
        self.type_at_path(&workspace.function_returns_some(&path, self.catalog)?)
    }

    /// The type a workspace function called as `func` returns.
    fn workspace_call_type(&self, func: &syn::ExprPath) -> Option<Ty> {
        let workspace = self.workspace?;
        let path = self.workspace_function(func)?;
        // `Type::new()`: an associated function of a workspace type.
        let returns = match workspace.function_returns(&path, self.catalog) {
            Some(returns) => returns,
            None => {
                let (name, owner) = path.split_last()?;
                workspace.method_returns(owner, name, self.catalog)?
            }
        };
        self.type_at_path(&returns)
    }

    /// The catalog type, or workspace struct this file reaches, at a canonical path.
    fn type_at_path(&self, path: &[String]) -> Option<Ty> {
        if let Some(id) = self.catalog.type_by_path(&path.join("::")) {
            return Some(Ty::Api(id));
        }
        self.foreign_structs.get(path).copied().map(Ty::Struct)
    }

    fn local_struct(&self, name: &str) -> Option<StructId> {
        let mut found = self.structs.iter().enumerate().filter(|(_, s)| s.name == name);
        let (index, _) = found.next()?;
        // Two structs of one name (in different modules): not sure which.
        found.next().is_none().then_some(StructId(index))
    }
}

/// The type a written type holds for our purposes: references, parentheses and the smart
/// pointers `Arc`, `Rc` and `Box` keep what they hold (`&Arc<CancellationToken>` is a token).
pub(crate) fn held_type(ty: &syn::Type) -> &syn::Type {
    match ty {
        syn::Type::Reference(r) => held_type(&r.elem),
        syn::Type::Paren(p) => held_type(&p.elem),
        syn::Type::Group(g) => held_type(&g.elem),
        syn::Type::Path(p) if p.qself.is_none() => {
            let Some(last) = p.path.segments.last() else {
                return ty;
            };
            if matches!(last.ident.to_string().as_str(), "Arc" | "Rc" | "Box")
                && let syn::PathArguments::AngleBracketed(args) = &last.arguments
                && let Some(syn::GenericArgument::Type(inner)) = args.args.first()
            {
                return held_type(inner);
            }
            ty
        }
        _ => ty,
    }
}

/// The path of the type a written type holds (see [`held_type`]): a plain path, or the trait
/// of a trait object or `impl Trait` (`Arc<dyn Context + Send + Sync>`, as Go-style crates
/// whose `Context` is a trait hand it around).
pub(crate) fn held_path(ty: &syn::Type) -> Option<&syn::Path> {
    let bounds = match held_type(ty) {
        syn::Type::Path(p) if p.qself.is_none() => return Some(&p.path),
        syn::Type::TraitObject(t) => &t.bounds,
        syn::Type::ImplTrait(t) => &t.bounds,
        _ => return None,
    };
    bounds.iter().find_map(|bound| match bound {
        syn::TypeParamBound::Trait(t) => Some(&t.path),
        _ => None,
    })
}

fn returned(returns: &Returns) -> Option<Ty> {
    match returns {
        Returns::Unknown => None,
        Returns::One(id) => Some(Ty::Api(*id)),
        Returns::Tuple(elems) => Some(Ty::Tuple(elems.iter().map(|e| e.map(Ty::Api)).collect())),
    }
}

/// The expression without `&`, `&mut`, parentheses and invisible groups: `&(key)` is `key`.
pub fn unreferenced(expr: &Expr) -> &Expr {
    match expr {
        Expr::Reference(e) => unreferenced(&e.expr),
        Expr::Paren(e) => unreferenced(&e.expr),
        Expr::Group(e) => unreferenced(&e.expr),
        _ => expr,
    }
}

/// [`unreferenced`], and without `.clone()`: the value a clone is taken of.
pub fn uncloned(expr: &Expr) -> &Expr {
    match unreferenced(expr) {
        Expr::MethodCall(call) if call.method == "clone" && call.args.is_empty() => uncloned(&call.receiver),
        expr => expr,
    }
}

/// The last segment of a called path (`spawn` of `tokio::task::spawn`), or an empty string.
pub fn path_name(func: &Expr) -> String {
    match func {
        Expr::Path(path) => path
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// The name of the function or method an expression calls (`with_timeout` for
/// `go_lib::context::with_timeout(&p, d)?`), or an empty string.
pub fn callee_name(expr: &Expr) -> String {
    match expr {
        Expr::Call(call) => path_name(&call.func),
        Expr::MethodCall(call) => call.method.to_string(),
        Expr::Paren(e) => callee_name(&e.expr),
        Expr::Try(e) => callee_name(&e.expr),
        _ => String::new(),
    }
}

/// A struct field's name as code names it: its identifier, or its position (`0`) in a tuple
/// struct, the spelling [`member_name`] gives for `x.0`.
pub(crate) fn field_name(index: usize, field: &syn::Field) -> String {
    field
        .ident
        .as_ref()
        .map_or_else(|| index.to_string(), ToString::to_string)
}

fn member_name(member: &Member) -> String {
    match member {
        Member::Named(name) => name.to_string(),
        Member::Unnamed(index) => index.index.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use syn::spanned::Spanned;
    use syn::visit::Visit;

    use super::*;

    /// Every expression of a file, in source order.
    fn exprs(file: &syn::File) -> Vec<&Expr> {
        struct All<'a>(Vec<&'a Expr>);
        impl<'a> Visit<'a> for All<'a> {
            fn visit_expr(&mut self, expr: &'a Expr) {
                self.0.push(expr);
                syn::visit::visit_expr(self, expr);
            }
        }
        let mut all = All(Vec::new());
        all.visit_file(file);
        all.0
    }

    /// The expressions written as `text` (spaces ignored).
    fn find<'a>(all: &[&'a Expr], text: &str) -> Vec<&'a Expr> {
        all.iter()
            .copied()
            .filter(|e| {
                let written: String = e
                    .span()
                    .source_text()
                    .unwrap_or_default()
                    .split_whitespace()
                    .collect();
                written == text
            })
            .collect()
    }

    #[test]
    fn writes_and_invariance() {
        let src = "fn f(ctx: Ctx, mut other: Ctx, keys: Vec<Key>) {
            for i in 0..3 {
                use_it(ctx.k);
                use_it(other.k);
                other.f = 1;
                use_it(keys[i]);
                use_it(KEY);
                use_it(Duration::from_secs(5));
                use_it(Instant::now());
            }
        }";
        let file: syn::File = syn::parse_str(src).unwrap();
        let model = Model::build(&file, Catalog::builtin());
        let all = exprs(&file);
        let within = model.loops[0];
        let invariant = |text: &str| model.is_invariant(find(&all, text)[0], within);
        assert!(invariant("ctx.k"));
        assert!(!invariant("other.k"));
        assert!(!invariant("keys[i]"));
        assert!(invariant("KEY"));
        assert!(invariant("Duration::from_secs(5)"));
        assert!(!invariant("Instant::now()"));
    }

    #[test]
    fn reaching_values() {
        let src = "fn f(c: bool) {
            let a = one();
            use_it(a);
            let mut b = two();
            if c { b = three(); }
            use_it(b);
            let mut d = four();
            d = five();
            use_it(d);
            loop { use_it(d); d = six(); }
        }";
        let file: syn::File = syn::parse_str(src).unwrap();
        let model = Model::build(&file, Catalog::builtin());
        let all = exprs(&file);
        let value = |at: &Expr| model.reaching_value(model.binding_of(at).unwrap(), SpanKey::of(at));
        let key = |text: &str| Some(SpanKey::of(find(&all, text)[0]));
        assert_eq!(value(find(&all, "a")[0]), key("one()"));
        assert_eq!(
            value(find(&all, "b").last().unwrap()),
            None,
            "a branch may have changed it"
        );
        let d = find(&all, "d");
        assert_eq!(value(d[1]), key("five()"));
        assert_eq!(value(d[2]), None, "the loop changes it later");
    }

    /// The names visible where `marker()` is called in `src`.
    fn visible_at_marker(src: &str) -> Vec<String> {
        let file = syn::parse_file(src).unwrap();
        let model = Model::build(&file, Catalog::builtin());
        let at = src.find("marker()").unwrap();
        let mut names: Vec<String> = model
            .visible_bindings(SpanKey::from_range(at..at + 8))
            .into_iter()
            .map(|id| {
                let binding = model.binding(id);
                format!("{}@{}", binding.name(), binding.ident.span().start().column)
            })
            .collect();
        names.sort();
        names
    }

    #[test]
    fn visibility_follows_blocks_closures_and_items() {
        let src = "fn f(a: u8) { let b = 1; { let c = 2; } let g = |d| { marker(); }; let e = 3; }";
        assert_eq!(visible_at_marker(src), vec!["a@5", "b@18", "d@49"]);
        // A binding is not visible in its own initializer; the shadowed one is.
        let src = "fn f(t: u8) { let t = marker(); }";
        assert_eq!(visible_at_marker(src), vec!["t@5"]);
        // The innermost of two names wins.
        let src = "fn f(t: u8) { let t = 1; marker(); }";
        assert_eq!(visible_at_marker(src), vec!["t@18"]);
        // Nested items see nothing of the outer function.
        let src = "fn f(a: u8) { fn g(b: u8) { marker(); } }";
        assert_eq!(visible_at_marker(src), vec!["b@19"]);
        // Match arms and `if let` bind for their bodies only.
        let src =
            "fn f(o: Option<u8>) { if let Some(x) = o { marker(); } match o { Some(y) => {} _ => {} } }";
        assert_eq!(visible_at_marker(src), vec!["o@5", "x@34"]);
    }
}
