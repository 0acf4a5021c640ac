//! Bindings and their kinds. One walk over a file creates a binding for every parameter and
//! pattern identifier, gives it a type (from its annotation, or from the expression it is bound
//! to), and resolves every identifier expression to the binding it names. Shadowing is handled
//! by identity: `let ctx = ctx.child();` makes a new binding whose initializer refers to the old
//! one. Closures see their enclosing bindings (captures); nested items do not.

use foldhash::{HashMap, HashMapExt, HashSet};

use syn::visit::Visit;
use syn::{Expr, FnArg, Pat};

use super::catalog::Catalog;
use super::extent::Extent;
use super::macros::{self, MacroBody};
use super::resolve::Imports;
use super::values::{LocalConst, TypeNames, Values};
use super::workspace::{Origin, WorkspaceIndex};
use super::{Model, SpanKey, StructDef, StructId, Ty};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BindingId(pub(super) usize);

/// How a binding was introduced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BindingKind {
    /// A function parameter (`self` included).
    Param,
    /// A closure parameter.
    ClosureParam,
    /// A `let` statement.
    Let,
    /// A pattern of `if let`, `while let`, `match`, `for` or a `select!` arm.
    Pattern,
}

#[derive(Clone, Debug)]
pub struct Binding {
    pub ident: syn::Ident,
    pub kind: BindingKind,
    pub ty: Option<Ty>,
    /// Every place the binding is mentioned after its declaration, macro bodies included.
    pub references: Vec<proc_macro2::Span>,
    /// `let x = value;` (the pattern is the identifier itself): the value.
    pub init: Option<SpanKey>,
    /// `mut x`, `ref mut x`, a `&mut T` parameter, `&mut self`, `mut self`.
    pub mutable: bool,
    /// Every place that may change it after its declaration, in source order.
    pub writes: Vec<Write>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteKind {
    /// `x = …`, `x.f = …`, `(x, y) = …`.
    Assign,
    /// `x += …` and the like.
    Compound,
    /// `&mut x`.
    Borrow,
    /// A method call on a mutable binding.
    Call,
    /// A macro ctxlint cannot read.
    Macro,
}

/// A place that may change a binding: an assignment (plain or compound) to it or to a field or
/// element of it, a `&mut` borrow of it, a method call on it when it is mutable, or an unparsed
/// macro that mentions it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Write {
    pub kind: WriteKind,
    /// The expression (or macro) that writes.
    pub at: SpanKey,
    /// `x = value`: the new value of the whole binding.
    pub value: Option<SpanKey>,
    /// The innermost block, match arm or closure holding the write: it happens whenever that
    /// runs to this point.
    pub container: SpanKey,
}

impl Binding {
    pub fn name(&self) -> String {
        self.ident.to_string()
    }
}

/// Where a binding can be named: from the end of what declares it (a `let` statement, a
/// pattern) to the end of its block, closure, arm or function, inside one function item.
#[derive(Clone, Copy, Debug)]
pub(super) struct Visibility {
    pub(super) from: usize,
    pub(super) to: usize,
    /// The innermost function item around the declaration (nested items do not see outer
    /// bindings).
    pub(super) function: Option<SpanKey>,
}

pub(super) fn build<'c>(
    file: &syn::File,
    catalog: &'c Catalog,
    workspace: Option<(&'c WorkspaceIndex, Option<Origin>)>,
) -> Model<'c> {
    let mut imports = Imports::collect(file);
    let (workspace, origin) = match workspace {
        Some((index, origin)) => (Some(index), origin),
        None => (None, None),
    };
    imports.origin = origin;
    let module_path = imports.origin.as_ref().map(Origin::path);
    let mut items = ItemCollector::default();
    items.visit_file(file);
    let consts = items
        .consts
        .iter()
        .map(|(ident, is_static, ty, node)| LocalConst {
            ident: ident.clone(),
            is_static: *is_static,
            builtin: items.type_names.builtin(ty),
            scope: imports.scope_at(*node),
        })
        .collect();
    let mut builder = Builder {
        model: Model {
            catalog,
            imports,
            bindings: Vec::new(),
            uses: HashMap::new(),
            decls: HashMap::new(),
            types: HashMap::new(),
            visibility: Vec::new(),
            by_function: std::cell::OnceCell::new(),
            functions: Vec::new(),
            values: Values {
                bindings: HashMap::new(),
                consts,
            },
            type_names: items.type_names,
            macros: HashMap::new(),
            loops: Vec::new(),
            structs: items
                .structs
                .iter()
                .map(|s| StructDef {
                    name: s.ident.to_string(),
                    fields: HashMap::new(),
                    path: module_path.clone().map(|mut path| {
                        path.push(s.ident.to_string());
                        path
                    }),
                })
                .collect(),
            workspace,
            foreign_structs: HashMap::new(),
            local_methods: items.methods,
            memo: Default::default(),
        },
        frames: Vec::new(),
        impl_self: Vec::new(),
        containers: Vec::new(),
        visible_from: 0,
        functions: Vec::new(),
        closure_params: HashMap::new(),
    };
    for (index, item) in items.structs.iter().enumerate() {
        let fields = item
            .fields
            .iter()
            .enumerate()
            .filter_map(|(i, field)| Some((super::field_name(i, field), builder.resolve_type(&field.ty)?)))
            .collect();
        builder.model.structs[index].fields = fields;
    }
    builder.visit_file(file);
    builder.model.freeze();
    builder.model
}

/// Structs, method names, type names and constants, gathered before the walk so that every
/// use sees them.
#[derive(Default)]
struct ItemCollector {
    structs: Vec<syn::ItemStruct>,
    methods: HashSet<String>,
    type_names: TypeNames,
    /// `const`/`static` items: name, whether static, type, extent.
    consts: Vec<(syn::Ident, bool, syn::Type, SpanKey)>,
}

impl<'ast> Visit<'ast> for ItemCollector {
    fn visit_item_struct(&mut self, item: &'ast syn::ItemStruct) {
        self.structs.push(item.clone());
        self.type_names.local.insert(item.ident.to_string());
    }

    fn visit_item_enum(&mut self, item: &'ast syn::ItemEnum) {
        self.type_names.local.insert(item.ident.to_string());
        syn::visit::visit_item_enum(self, item);
    }

    fn visit_item_union(&mut self, item: &'ast syn::ItemUnion) {
        self.type_names.local.insert(item.ident.to_string());
    }

    fn visit_item_trait(&mut self, item: &'ast syn::ItemTrait) {
        self.type_names.local.insert(item.ident.to_string());
        syn::visit::visit_item_trait(self, item);
    }

    fn visit_item_type(&mut self, item: &'ast syn::ItemType) {
        let name = item.ident.to_string();
        let first = !self.type_names.aliases.contains_key(&name);
        let target = first.then(|| (*item.ty).clone());
        self.type_names.aliases.insert(name, target);
    }

    fn visit_item_const(&mut self, item: &'ast syn::ItemConst) {
        self.consts
            .push((item.ident.clone(), false, (*item.ty).clone(), SpanKey::of(item)));
        syn::visit::visit_item_const(self, item);
    }

    fn visit_item_static(&mut self, item: &'ast syn::ItemStatic) {
        self.consts
            .push((item.ident.clone(), true, (*item.ty).clone(), SpanKey::of(item)));
        syn::visit::visit_item_static(self, item);
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        self.methods.insert(item.sig.ident.to_string());
        syn::visit::visit_impl_item_fn(self, item);
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        self.methods.insert(item.sig.ident.to_string());
        syn::visit::visit_trait_item_fn(self, item);
    }
}

/// Bindings visible in one block, closure or function.
struct Frame {
    /// The binding each name last declared here stands for (a map: a block with thousands of
    /// `let`s must not make every lookup scan them all).
    names: HashMap<String, BindingId>,
    /// A function item: bindings outside it are not visible inside.
    barrier: bool,
    /// Where the frame's bindings stop being visible.
    end: usize,
}

/// `Option` methods whose closure takes the value.
const OPTION_CLOSURES: &[&str] = &[
    "is_none_or",
    "is_some_and",
    "map",
    "map_or",
    "map_or_else",
    "and_then",
    "inspect",
    "filter",
];

struct Builder<'c> {
    model: Model<'c>,
    frames: Vec<Frame>,
    /// The `Self` type of the enclosing `impl`s.
    impl_self: Vec<Option<Ty>>,
    /// Enclosing blocks, match arms and closures, innermost last.
    containers: Vec<SpanKey>,
    /// Where the bindings declared next become visible.
    visible_from: usize,
    /// The extents of the enclosing function items.
    functions: Vec<SpanKey>,
    /// Parameter types of closures, by the closure's span: passed to a workspace function
    /// that takes `Fn(T)`, or to an `Option` method on a workspace getter's result.
    closure_params: HashMap<SpanKey, Vec<Option<Ty>>>,
}

fn end_of(node: &(impl Extent + ?Sized)) -> usize {
    node.extent().end
}

fn start_of(node: &(impl Extent + ?Sized)) -> usize {
    node.extent().start
}

impl Builder<'_> {
    /// Opens a frame whose bindings are visible up to `end`.
    fn push(&mut self, barrier: bool, end: usize) {
        self.frames.push(Frame {
            names: HashMap::new(),
            barrier,
            end,
        });
    }

    fn pop(&mut self) {
        self.frames.pop();
    }

    fn lookup(&self, name: &str) -> Option<BindingId> {
        for frame in self.frames.iter().rev() {
            if let Some(id) = frame.names.get(name) {
                return Some(*id);
            }
            if frame.barrier {
                break;
            }
        }
        None
    }

    fn declare(&mut self, ident: &syn::Ident, kind: BindingKind, ty: Option<Ty>, mutable: bool) {
        let id = BindingId(self.model.bindings.len());
        self.model.bindings.push(Binding {
            ident: ident.clone(),
            kind,
            ty,
            references: Vec::new(),
            init: None,
            mutable,
            writes: Vec::new(),
        });
        self.model.decls.insert(SpanKey::from_span(ident.span()), id);
        let to = self.frames.last().map_or(usize::MAX, |frame| frame.end);
        self.model.visibility.push(Visibility {
            from: self.visible_from,
            to,
            function: self.functions.last().copied(),
        });
        if let Some(frame) = self.frames.last_mut() {
            frame.names.insert(ident.to_string(), id);
        }
    }

    /// Records that `place` (a binding, or a field, element or dereference of one) may change
    /// at `at`.
    fn write(&mut self, place: &Expr, kind: WriteKind, at: SpanKey, value: Option<SpanKey>) {
        let Some(root) = place_root(place) else {
            return;
        };
        let Some(id) = self.model.binding_of(root) else {
            return;
        };
        let container = self.container();
        self.model.bindings[id.0].writes.push(Write {
            kind,
            at,
            value,
            container,
        });
    }

    fn container(&self) -> SpanKey {
        self.containers.last().copied().unwrap_or(SpanKey(0, usize::MAX))
    }

    fn reference(&mut self, name: &str, span: proc_macro2::Span) -> Option<BindingId> {
        let id = self.lookup(name)?;
        self.model.bindings[id.0].references.push(span);
        Some(id)
    }

    /// Resolves a written type and records it for lints.
    fn resolve_type(&mut self, ty: &syn::Type) -> Option<Ty> {
        let resolved = self.type_of_written(ty);
        if let Some(resolved) = &resolved {
            self.model.types.insert(SpanKey::of(ty), resolved.clone());
        }
        resolved
    }

    fn type_of_written(&mut self, ty: &syn::Type) -> Option<Ty> {
        let ty = super::held_type(ty);
        match ty {
            syn::Type::Tuple(t) if !t.elems.is_empty() => Some(Ty::Tuple(
                t.elems.iter().map(|elem| self.type_of_written(elem)).collect(),
            )),
            syn::Type::Path(p) if p.qself.is_none() => {
                let last = p.path.segments.last()?;
                if p.path.is_ident("Self") {
                    return self.impl_self.last().cloned().flatten();
                }
                let model = &self.model;
                let found = match model.resolve_catalog_path(ty, &p.path) {
                    Some(path) => model.catalog.type_by_path(&path).map(Ty::Api),
                    None if p.path.segments.len() == 1 => {
                        model.local_struct(&last.ident.to_string()).map(Ty::Struct)
                    }
                    None => None,
                };
                found.or_else(|| self.workspace_struct(ty, &p.path))
            }
            // `dyn Context`: only a catalog trait counts (a local trait is no struct).
            syn::Type::TraitObject(_) | syn::Type::ImplTrait(_) => {
                let path = super::held_path(ty)?;
                let model = &self.model;
                let path = model.resolve_catalog_path(ty, path)?;
                model.catalog.type_by_path(&path).map(Ty::Api)
            }
            _ => None,
        }
    }

    /// A struct of another file of the workspace that a written type path names.
    fn workspace_struct(&mut self, node: &syn::Type, path: &syn::Path) -> Option<Ty> {
        let workspace = self.model.workspace?;
        let mut candidates: Vec<Vec<String>> = Vec::new();
        let scope = self.model.imports.scope_at(SpanKey::of(node));
        if let Some(resolved) = self.model.imports.resolve(self.model.catalog, scope, path) {
            candidates.push(workspace.item(&resolved));
        }
        if path.segments.len() == 1 {
            let name = path.segments[0].ident.to_string();
            for glob in self.model.imports.glob_paths(scope) {
                candidates.push(workspace.item(&format!("{}::{name}", glob.join("::"))));
            }
        }
        let own = candidates.first().cloned();
        let found = candidates
            .into_iter()
            .find(|c| workspace.is_struct(c))
            // A path into a crate of the workspace that is no catalog type is the crate's own
            // type, known to the index or not (its own `CancellationToken`).
            .or_else(|| own.filter(|path| path.len() > 1 && workspace.is_crate(&path[0])))?;
        Some(Ty::Struct(self.import_struct(workspace, found, 0)))
    }

    /// Adds a workspace struct (and the structs its fields hold) to the model.
    fn import_struct(&mut self, workspace: &WorkspaceIndex, path: Vec<String>, depth: usize) -> StructId {
        if let Some(&id) = self.model.foreign_structs.get(&path) {
            return id;
        }
        let id = StructId(self.model.structs.len());
        self.model.structs.push(StructDef {
            name: path.last().cloned().unwrap_or_default(),
            fields: HashMap::new(),
            path: Some(path.clone()),
        });
        self.model.foreign_structs.insert(path.clone(), id);
        let catalog = self.model.catalog;
        let mut fields = HashMap::new();
        for (name, ty) in workspace.struct_fields(&path, catalog).unwrap_or_default() {
            let resolved = match catalog.type_by_path(&ty.join("::")) {
                Some(api) => Some(Ty::Api(api)),
                None if depth < 4 && workspace.is_struct(&ty) => {
                    Some(Ty::Struct(self.import_struct(workspace, ty, depth + 1)))
                }
                None => None,
            };
            if let Some(resolved) = resolved {
                fields.insert(name, resolved);
            }
        }
        self.model.structs[id.0].fields = fields;
        id
    }

    /// Records the built-in type of the binding `pat` declares, from its annotation or else its
    /// initializer.
    fn record_builtin(&mut self, pat: &Pat, written: Option<&syn::Type>, init: Option<&syn::Expr>) {
        let Pat::Ident(ident) = pat else {
            return;
        };
        let Some(id) = self.model.binding_declared_by(&ident.ident) else {
            return;
        };
        let builtin = match written {
            Some(ty) => self.model.type_names.builtin(ty),
            None => init.and_then(|e| self.model.builtin_type(e)),
        };
        if let Some(builtin) = builtin {
            self.model.values.bindings.insert(id, builtin);
        }
    }

    /// Declares the bindings of a pattern, giving each the part of `ty` it matches.
    fn bind(&mut self, pat: &Pat, ty: Option<Ty>, kind: BindingKind) {
        match pat {
            Pat::Ident(p) => {
                if is_binding(p) {
                    self.declare(&p.ident, kind, ty.clone(), p.mutability.is_some());
                }
                if let Some((_, sub)) = &p.subpat {
                    self.bind(sub, ty, kind);
                }
            }
            Pat::Tuple(tuple) => {
                let elems: Vec<Option<Ty>> = match ty {
                    Some(Ty::Tuple(elems)) => elems,
                    _ => Vec::new(),
                };
                let mut after_rest = false;
                for (i, elem) in tuple.elems.iter().enumerate() {
                    after_rest |= matches!(elem, Pat::Rest(_));
                    let elem_ty = if after_rest {
                        None
                    } else {
                        elems.get(i).cloned().flatten()
                    };
                    self.bind(elem, elem_ty, kind);
                }
            }
            Pat::Type(typed) => {
                let written = self.resolve_type(&typed.ty);
                self.bind(&typed.pat, written.or(ty), kind);
            }
            Pat::Reference(r) => self.bind(&r.pat, ty, kind),
            Pat::Guard(guarded) => self.bind(&guarded.pat, ty, kind),
            Pat::Paren(p) => self.bind(&p.pat, ty, kind),
            Pat::TupleStruct(ts) => {
                for elem in &ts.elems {
                    self.bind(elem, None, kind);
                }
            }
            Pat::Struct(s) => {
                let fields = s
                    .path
                    .segments
                    .last()
                    .and_then(|seg| self.model.local_struct(&seg.ident.to_string()));
                for field in &s.fields {
                    let field_ty = fields.and_then(|id| {
                        let name = match &field.member {
                            syn::Member::Named(n) => n.to_string(),
                            syn::Member::Unnamed(i) => i.index.to_string(),
                        };
                        self.model.struct_def(id).fields.get(&name).cloned()
                    });
                    self.bind(&field.pat, field_ty, kind);
                }
            }
            Pat::Slice(s) => {
                for elem in &s.elems {
                    self.bind(elem, None, kind);
                }
            }
            // Every alternative binds the same names.
            Pat::Or(or) => {
                if let Some(first) = or.cases.first() {
                    self.bind(first, ty, kind);
                }
            }
            _ => {}
        }
    }

    fn visit_fn(&mut self, sig: &syn::Signature, block: Option<&syn::Block>) {
        let end = block.map_or_else(|| end_of(sig), end_of);
        let extent = SpanKey::from_range(start_of(sig)..end);
        self.functions.push(extent);
        self.model.functions.push(extent);
        self.push(true, end);
        self.visible_from = block.map_or(end, start_of);
        for input in &sig.inputs {
            match input {
                FnArg::Receiver(receiver) => {
                    let ty = self.impl_self.last().cloned().flatten();
                    let ident = syn::Ident::new("self", receiver.self_token.span);
                    let mutable = receiver.mutability.is_some()
                        || match &receiver.kind {
                            syn::ReceiverKind::Reference(_, _, mutability) => mutability.is_some(),
                            syn::ReceiverKind::Typed(_, ty) => {
                                matches!(&**ty, syn::Type::Reference(r) if r.mutability.is_some())
                            }
                            _ => false,
                        };
                    self.declare(&ident, BindingKind::Param, ty, mutable);
                }
                FnArg::Typed(typed) => {
                    let ty = self.resolve_type(&typed.ty);
                    let first = self.model.bindings.len();
                    self.bind(&typed.pat, ty, BindingKind::Param);
                    if matches!(&*typed.ty, syn::Type::Reference(r) if r.mutability.is_some()) {
                        for binding in &mut self.model.bindings[first..] {
                            binding.mutable = true;
                        }
                    }
                    self.record_builtin(&typed.pat, Some(&typed.ty), None);
                }
            }
        }
        if let syn::ReturnType::Type(_, ty) = &sig.output {
            self.resolve_type(ty);
        }
        if let Some(block) = block {
            self.visit_block(block);
        }
        self.pop();
        self.functions.pop();
    }

    fn visit_macro_body(&mut self, body: &MacroBody) {
        match body {
            MacroBody::Select(select) => {
                for arm in &select.arms {
                    if let Some(guard) = &arm.guard {
                        self.visit_expr(guard);
                    }
                    self.visit_expr(&arm.expr);
                    if let Some(value) = &arm.value {
                        self.visit_expr(value);
                    }
                    self.push(false, end_of(&arm.body));
                    self.visible_from = start_of(&arm.body);
                    if let Some(pat) = &arm.pat {
                        self.bind(pat, None, BindingKind::Pattern);
                    }
                    self.containers.push(SpanKey::of(&arm.body));
                    self.visit_expr(&arm.body);
                    self.containers.pop();
                    self.pop();
                }
                for fallback in &select.fallbacks {
                    if let Some(timeout) = &fallback.timeout {
                        self.visit_expr(timeout);
                    }
                    self.containers.push(SpanKey::of(&fallback.body));
                    self.visit_expr(&fallback.body);
                    self.containers.pop();
                }
            }
            MacroBody::Exprs(exprs) => {
                for expr in exprs {
                    self.visit_expr(expr);
                }
            }
            MacroBody::Stmts(stmts) => {
                self.push(false, stmts.last().map_or(0, end_of));
                for stmt in stmts {
                    self.visit_stmt(stmt);
                }
                self.pop();
            }
        }
    }
}

/// `x` or `x: T`, not a destructuring pattern.
fn ident_pattern(pat: &Pat) -> bool {
    match pat {
        Pat::Ident(p) => p.subpat.is_none(),
        Pat::Type(typed) => ident_pattern(&typed.pat),
        _ => false,
    }
}

/// The binding a place expression belongs to: `x` in `x`, `x.f`, `x[i]`, `*x`, `x.lock().f`.
fn place_root(place: &Expr) -> Option<&Expr> {
    match place {
        Expr::Path(path) if path.qself.is_none() && path.path.get_ident().is_some() => Some(place),
        Expr::Field(e) => place_root(&e.base),
        Expr::Index(e) => place_root(&e.expr),
        Expr::Paren(e) => place_root(&e.expr),
        Expr::Group(e) => place_root(&e.expr),
        Expr::Unary(e) if matches!(e.op, syn::UnOp::Deref(_)) => place_root(&e.expr),
        Expr::MethodCall(e) => place_root(&e.receiver),
        _ => None,
    }
}

/// The binding whose field a method is called on: `x` in `x.m()`, `x.f.m()`.
fn field_root(receiver: &Expr) -> Option<&Expr> {
    match receiver {
        Expr::Path(path) if path.qself.is_none() && path.path.get_ident().is_some() => Some(receiver),
        Expr::Field(e) => field_root(&e.base),
        Expr::Paren(e) => field_root(&e.expr),
        Expr::Group(e) => field_root(&e.expr),
        _ => None,
    }
}

/// Methods that, by Rust's naming conventions, take `&self`.
fn reads_only(method: &str) -> bool {
    matches!(
        method,
        "clone"
            | "len"
            | "iter"
            | "get"
            | "contains"
            | "contains_key"
            | "as_ref"
            | "as_str"
            | "as_slice"
            | "first"
            | "last"
            | "eq"
            | "cmp"
            | "hash"
            | "borrow"
            | "keys"
            | "values"
    ) || method.starts_with("is_")
        || method.starts_with("to_")
        || method.starts_with("as_") && !method.ends_with("_mut")
}

fn is_compound_assignment(op: &syn::BinOp) -> bool {
    use syn::BinOp::*;
    matches!(
        op,
        AddAssign(_)
            | SubAssign(_)
            | MulAssign(_)
            | DivAssign(_)
            | RemAssign(_)
            | BitXorAssign(_)
            | BitAndAssign(_)
            | BitOrAssign(_)
            | ShlAssign(_)
            | ShrAssign(_)
    )
}

/// An identifier pattern that binds (rather than naming a unit struct, variant or constant,
/// which Rust spells in UpperCamelCase or SCREAMING_CASE).
fn is_binding(p: &syn::PatIdent) -> bool {
    let upper = p.ident.to_string().starts_with(|c: char| c.is_uppercase());
    !upper || p.by_ref.is_some() || p.mutability.is_some() || p.subpat.is_some()
}

impl<'ast> Visit<'ast> for Builder<'_> {
    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        self.visit_fn(&item.sig, Some(&item.block));
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        self.visit_fn(&item.sig, Some(&item.block));
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        self.visit_fn(&item.sig, item.default.as_ref());
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        let self_ty = self.type_of_written(&item.self_ty);
        self.impl_self.push(self_ty);
        for item in &item.items {
            self.visit_impl_item(item);
        }
        self.impl_self.pop();
    }

    fn visit_item_trait(&mut self, item: &'ast syn::ItemTrait) {
        self.impl_self.push(None);
        for item in &item.items {
            self.visit_trait_item(item);
        }
        self.impl_self.pop();
    }

    fn visit_item_struct(&mut self, _: &'ast syn::ItemStruct) {}

    fn visit_block(&mut self, block: &'ast syn::Block) {
        self.push(false, end_of(block));
        self.containers.push(SpanKey::of(block));
        for stmt in &block.stmts {
            self.visit_stmt(stmt);
        }
        self.containers.pop();
        self.pop();
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        let mut ty = None;
        if let Some(init) = &local.init {
            self.visit_expr(&init.expr);
            if let Some((_, diverge)) = &init.diverge {
                self.visit_expr(diverge);
            }
            ty = self.model.type_of(&init.expr);
        }
        self.visible_from = end_of(local);
        let first = self.model.bindings.len();
        self.bind(&local.pat, ty, BindingKind::Let);
        if let Some(init) = &local.init
            && init.diverge.is_none()
            && ident_pattern(&local.pat)
            && let Some(binding) = self.model.bindings.get_mut(first)
        {
            binding.init = Some(SpanKey::of(&init.expr));
        }
        let init = local.init.as_ref().map(|init| &*init.expr);
        match &local.pat {
            Pat::Type(typed) => self.record_builtin(&typed.pat, Some(&typed.ty), init),
            pat => self.record_builtin(pat, None, init),
        }
    }

    fn visit_expr_closure(&mut self, closure: &'ast syn::ExprClosure) {
        self.push(false, end_of(closure));
        self.containers.push(SpanKey::of(closure));
        self.visible_from = start_of(&closure.body);
        let known = self
            .closure_params
            .remove(&SpanKey::of(closure))
            .unwrap_or_default();
        for (i, input) in closure.inputs.iter().enumerate() {
            self.bind(input, known.get(i).cloned().flatten(), BindingKind::ClosureParam);
            if let Pat::Type(typed) = input {
                self.record_builtin(&typed.pat, Some(&typed.ty), None);
            }
        }
        self.visit_expr(&closure.body);
        self.containers.pop();
        self.pop();
    }

    fn visit_expr_for_loop(&mut self, for_loop: &'ast syn::ExprForLoop) {
        self.model.loops.push(SpanKey::of(for_loop));
        self.visit_expr(&for_loop.expr);
        self.push(false, end_of(for_loop));
        self.visible_from = start_of(&for_loop.body);
        self.bind(&for_loop.pat, None, BindingKind::Pattern);
        self.visit_block(&for_loop.body);
        self.pop();
    }

    fn visit_expr_while(&mut self, while_loop: &'ast syn::ExprWhile) {
        self.model.loops.push(SpanKey::of(while_loop));
        self.push(false, end_of(while_loop));
        self.visit_expr(&while_loop.cond);
        self.visit_block(&while_loop.body);
        self.pop();
    }

    fn visit_expr_loop(&mut self, expr_loop: &'ast syn::ExprLoop) {
        self.model.loops.push(SpanKey::of(expr_loop));
        self.visit_block(&expr_loop.body);
    }

    fn visit_expr_assign(&mut self, assign: &'ast syn::ExprAssign) {
        self.visit_expr(&assign.left);
        self.visit_expr(&assign.right);
        let at = SpanKey::of(assign);
        match &*assign.left {
            // `(ctx, cancel) = …`: each element changes.
            Expr::Tuple(tuple) => {
                for elem in &tuple.elems {
                    self.write(elem, WriteKind::Assign, at, None);
                }
            }
            left @ Expr::Path(_) => self.write(left, WriteKind::Assign, at, Some(SpanKey::of(&assign.right))),
            left => self.write(left, WriteKind::Assign, at, None),
        }
    }

    fn visit_expr_binary(&mut self, binary: &'ast syn::ExprBinary) {
        syn::visit::visit_expr_binary(self, binary);
        if is_compound_assignment(&binary.op) {
            self.write(&binary.left, WriteKind::Compound, SpanKey::of(binary), None);
        }
    }

    fn visit_expr_reference(&mut self, reference: &'ast syn::ExprReference) {
        syn::visit::visit_expr_reference(self, reference);
        if reference.mutability.is_some() {
            self.write(&reference.expr, WriteKind::Borrow, SpanKey::of(reference), None);
        }
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        for (i, arg) in call.args.iter().enumerate() {
            if let Expr::Closure(closure) = arg {
                let types = self.model.closure_param_types(call, i);
                if types.iter().any(Option::is_some) {
                    self.closure_params.insert(SpanKey::of(closure), types);
                }
            }
        }
        syn::visit::visit_expr_call(self, call);
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        // `shutdown_token().is_none_or(|token| token.is_cancelled())`: the closure gets the
        // `Option`'s value.
        if OPTION_CLOSURES.contains(&call.method.to_string().as_str())
            && let Some(ty) = self.model.some_type(&call.receiver)
        {
            for arg in &call.args {
                if let Expr::Closure(closure) = arg {
                    self.closure_params
                        .insert(SpanKey::of(closure), vec![Some(ty.clone())]);
                }
            }
        }
        syn::visit::visit_expr_method_call(self, call);
        // A method of a mutable binding may take `&mut self`.
        if let Some(root) = field_root(&call.receiver)
            && let Some(id) = self.model.binding_of(root)
            && self.model.bindings[id.0].mutable
            && !reads_only(&call.method.to_string())
            && self.model.method_callable(call).is_none()
        {
            let write = Write {
                kind: WriteKind::Call,
                at: SpanKey::of(call),
                value: None,
                container: self.container(),
            };
            self.model.bindings[id.0].writes.push(write);
        }
    }

    fn visit_expr_if(&mut self, expr_if: &'ast syn::ExprIf) {
        self.push(false, end_of(&expr_if.then_branch));
        self.visit_expr(&expr_if.cond);
        self.visit_block(&expr_if.then_branch);
        self.pop();
        if let Some((_, else_branch)) = &expr_if.else_branch {
            self.visit_expr(else_branch);
        }
    }

    fn visit_expr_let(&mut self, expr_let: &'ast syn::ExprLet) {
        self.visit_expr(&expr_let.expr);
        let ty = self.model.type_of(&expr_let.expr);
        self.visible_from = end_of(expr_let);
        self.bind(&expr_let.pat, ty, BindingKind::Pattern);
    }

    fn visit_expr_match(&mut self, expr_match: &'ast syn::ExprMatch) {
        self.visit_expr(&expr_match.expr);
        let ty = self.model.type_of(&expr_match.expr);
        for arm in &expr_match.arms {
            self.push(false, end_of(arm));
            self.visible_from = end_of(&arm.pat);
            self.bind(&arm.pat, ty.clone(), BindingKind::Pattern);
            // A guard (`Some(x) if x > 0`) sees the arm's bindings.
            if let Pat::Guard(guarded) = &arm.pat {
                self.visit_expr(&guarded.guard);
            }
            self.containers.push(SpanKey::of(&arm.body));
            self.visit_expr(&arm.body);
            self.containers.pop();
            self.pop();
        }
    }

    fn visit_expr_path(&mut self, path: &'ast syn::ExprPath) {
        if path.qself.is_none()
            && let Some(ident) = path.path.get_ident()
            && let Some(id) = self.reference(&ident.to_string(), ident.span())
        {
            self.model.uses.insert(SpanKey::of(path), id);
        }
        syn::visit::visit_expr_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        // Whatever the macro is, a name in it may be a use: count every identifier that names a
        // binding in scope, and the inline arguments of format strings.
        let mut mentioned = Vec::new();
        let body = macros::parse(mac);
        if body.is_some() {
            macros::mentioned_idents_outside_macros(&mac.tokens, &mut mentioned);
        } else {
            macros::mentioned_idents(&mac.tokens, &mut mentioned);
        }
        let mut written = Vec::new();
        for (name, span) in mentioned {
            // What an unparsed macro does with a binding is unknown: it may change it.
            if let Some(id) = self.reference(&name, span)
                && body.is_none()
            {
                written.push(id);
            }
        }
        let container = self.container();
        for id in written {
            let write = Write {
                kind: WriteKind::Macro,
                at: SpanKey::of(mac),
                value: None,
                container,
            };
            self.model.bindings[id.0].writes.push(write);
        }
        if let Some(body) = body {
            self.visit_macro_body(&body);
            self.model.macros.insert(SpanKey::of(mac), body);
        }
    }
}
