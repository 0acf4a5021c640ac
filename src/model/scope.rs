//! Bindings and their kinds. One walk over a file creates a binding for every parameter and
//! pattern identifier, gives it a type (from its annotation, or from the expression it is bound
//! to), and resolves every identifier expression to the binding it names. Shadowing is handled
//! by identity: `let ctx = ctx.child();` makes a new binding whose initializer refers to the old
//! one. Closures see their enclosing bindings (captures); nested items do not.

use std::collections::{HashMap, HashSet};

use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{FnArg, Pat};

use super::catalog::Catalog;
use super::macros::{self, MacroBody};
use super::resolve::Imports;
use super::values::{LocalConst, TypeNames, Values};
use super::{Model, SpanKey, StructDef, Ty};

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

pub(super) fn build<'c>(file: &syn::File, catalog: &'c Catalog) -> Model<'c> {
    let imports = Imports::collect(file);
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
            functions: Vec::new(),
            values: Values {
                bindings: HashMap::new(),
                consts,
            },
            type_names: items.type_names,
            macros: HashMap::new(),
            structs: items
                .structs
                .iter()
                .map(|s| StructDef {
                    name: s.ident.to_string(),
                    fields: HashMap::new(),
                })
                .collect(),
            local_methods: items.methods,
        },
        frames: Vec::new(),
        impl_self: Vec::new(),
        visible_from: 0,
        functions: Vec::new(),
    };
    for (index, item) in items.structs.iter().enumerate() {
        let fields = item
            .fields
            .iter()
            .enumerate()
            .filter_map(|(i, field)| {
                let name = field
                    .ident
                    .as_ref()
                    .map_or_else(|| i.to_string(), ToString::to_string);
                Some((name, builder.resolve_type(&field.ty)?))
            })
            .collect();
        builder.model.structs[index].fields = fields;
    }
    builder.visit_file(file);
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
    names: Vec<(String, BindingId)>,
    /// A function item: bindings outside it are not visible inside.
    barrier: bool,
    /// Where the frame's bindings stop being visible.
    end: usize,
}

struct Builder<'c> {
    model: Model<'c>,
    frames: Vec<Frame>,
    /// The `Self` type of the enclosing `impl`s.
    impl_self: Vec<Option<Ty>>,
    /// Where the bindings declared next become visible.
    visible_from: usize,
    /// The extents of the enclosing function items.
    functions: Vec<SpanKey>,
}

fn end_of(node: &impl Spanned) -> usize {
    node.span().byte_range().end
}

fn start_of(node: &impl Spanned) -> usize {
    node.span().byte_range().start
}

impl Builder<'_> {
    /// Opens a frame whose bindings are visible up to `end`.
    fn push(&mut self, barrier: bool, end: usize) {
        self.frames.push(Frame {
            names: Vec::new(),
            barrier,
            end,
        });
    }

    fn pop(&mut self) {
        self.frames.pop();
    }

    fn lookup(&self, name: &str) -> Option<BindingId> {
        for frame in self.frames.iter().rev() {
            if let Some((_, id)) = frame.names.iter().rev().find(|(n, _)| n == name) {
                return Some(*id);
            }
            if frame.barrier {
                break;
            }
        }
        None
    }

    fn declare(&mut self, ident: &syn::Ident, kind: BindingKind, ty: Option<Ty>) {
        let id = BindingId(self.model.bindings.len());
        self.model.bindings.push(Binding {
            ident: ident.clone(),
            kind,
            ty,
            references: Vec::new(),
        });
        self.model.decls.insert(SpanKey::from_span(ident.span()), id);
        let to = self.frames.last().map_or(usize::MAX, |frame| frame.end);
        self.model.visibility.push(Visibility {
            from: self.visible_from,
            to,
            function: self.functions.last().copied(),
        });
        if let Some(frame) = self.frames.last_mut() {
            frame.names.push((ident.to_string(), id));
        }
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
        match ty {
            syn::Type::Reference(r) => self.type_of_written(&r.elem),
            syn::Type::Paren(p) => self.type_of_written(&p.elem),
            syn::Type::Group(g) => self.type_of_written(&g.elem),
            syn::Type::Tuple(t) if !t.elems.is_empty() => Some(Ty::Tuple(
                t.elems.iter().map(|elem| self.type_of_written(elem)).collect(),
            )),
            syn::Type::Path(p) if p.qself.is_none() => {
                let last = p.path.segments.last()?;
                // Smart pointers keep what they hold.
                if matches!(last.ident.to_string().as_str(), "Arc" | "Rc" | "Box")
                    && let syn::PathArguments::AngleBracketed(args) = &last.arguments
                    && let Some(syn::GenericArgument::Type(inner)) = args.args.first()
                {
                    return self.type_of_written(inner);
                }
                if p.path.is_ident("Self") {
                    return self.impl_self.last().cloned().flatten();
                }
                let model = &self.model;
                match model.resolve_path(ty, &p.path) {
                    Some(path) => model.catalog.type_by_path(&path).map(Ty::Api),
                    None if p.path.segments.len() == 1 => {
                        model.local_struct(&last.ident.to_string()).map(Ty::Struct)
                    }
                    None => None,
                }
            }
            _ => None,
        }
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
                    self.declare(&p.ident, kind, ty.clone());
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
                    self.declare(&ident, BindingKind::Param, ty);
                }
                FnArg::Typed(typed) => {
                    let ty = self.resolve_type(&typed.ty);
                    self.bind(&typed.pat, ty, BindingKind::Param);
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
                    self.visit_expr(&arm.body);
                    self.pop();
                }
                for fallback in &select.fallbacks {
                    if let Some(timeout) = &fallback.timeout {
                        self.visit_expr(timeout);
                    }
                    self.visit_expr(&fallback.body);
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
        for stmt in &block.stmts {
            self.visit_stmt(stmt);
        }
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
        self.bind(&local.pat, ty, BindingKind::Let);
        let init = local.init.as_ref().map(|init| &*init.expr);
        match &local.pat {
            Pat::Type(typed) => self.record_builtin(&typed.pat, Some(&typed.ty), init),
            pat => self.record_builtin(pat, None, init),
        }
    }

    fn visit_expr_closure(&mut self, closure: &'ast syn::ExprClosure) {
        self.push(false, end_of(closure));
        self.visible_from = start_of(&closure.body);
        for input in &closure.inputs {
            self.bind(input, None, BindingKind::ClosureParam);
            if let Pat::Type(typed) = input {
                self.record_builtin(&typed.pat, Some(&typed.ty), None);
            }
        }
        self.visit_expr(&closure.body);
        self.pop();
    }

    fn visit_expr_for_loop(&mut self, for_loop: &'ast syn::ExprForLoop) {
        self.visit_expr(&for_loop.expr);
        self.push(false, end_of(for_loop));
        self.visible_from = start_of(&for_loop.body);
        self.bind(&for_loop.pat, None, BindingKind::Pattern);
        self.visit_block(&for_loop.body);
        self.pop();
    }

    fn visit_expr_while(&mut self, while_loop: &'ast syn::ExprWhile) {
        self.push(false, end_of(while_loop));
        self.visit_expr(&while_loop.cond);
        self.visit_block(&while_loop.body);
        self.pop();
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
            self.visit_expr(&arm.body);
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
        macros::mentioned_idents(&mac.tokens, &mut mentioned);
        for (name, span) in mentioned {
            self.reference(&name, span);
        }
        if let Some(body) = macros::parse(mac) {
            self.visit_macro_body(&body);
            self.model.macros.insert(SpanKey::of(mac), body);
        }
    }
}
