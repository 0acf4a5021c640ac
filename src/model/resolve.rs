//! `use` resolution: which canonical path a name in a file refers to.
//!
//! Scopes are the file's modules (inline `mod m { … }` included) and the blocks that declare
//! items. A name resolves through `use` items (groups, `as` renames, `self`, globs that lead into
//! the catalog), `extern crate … as …`, and `type X = path;` aliases (through `&`, `Arc`, `Rc`, `Box`); an item the file defines
//! shadows everything else. A path that meets nothing is read as starting with a crate name
//! (`tokio_util::sync::CancellationToken`). Resolution never guesses: an ambiguous name, or one
//! brought in by an unknown glob only, resolves to nothing.

use foldhash::{HashMap, HashMapExt, HashSet};

use syn::visit::Visit;

use super::SpanKey;
use super::catalog::Catalog;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ScopeId(usize);

/// What a name imported into a scope stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Import {
    Path(Vec<String>),
    /// Two different imports under one name (e.g. behind `cfg`s).
    Ambiguous,
}

#[derive(Debug, Default)]
struct Scope {
    parent: Option<ScopeId>,
    /// The module's or block's extent (the root scope has none: it is everywhere).
    range: Option<SpanKey>,
    is_module: bool,
    names: HashMap<String, Import>,
    globs: Vec<Vec<String>>,
    /// Items defined in this scope, in the type namespace (modules, types, traits) and in the
    /// value namespace (functions, constants, statics). A function does not shadow a crate.
    local_types: HashSet<String>,
    local_values: HashSet<String>,
    /// Modules declared `mod name;`: their items live in other files.
    file_modules: HashSet<String>,
}

/// Where a name is looked up: the first segment of a longer path names a module or type; a
/// path of one segment may name either.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Namespace {
    Type,
    Value,
    Any,
}

impl Scope {
    fn defines(&self, name: &str, namespace: Namespace) -> bool {
        match namespace {
            Namespace::Type => self.local_types.contains(name),
            Namespace::Value => self.local_values.contains(name),
            Namespace::Any => self.local_types.contains(name) || self.local_values.contains(name),
        }
    }
}

enum Lookup {
    Found(Vec<String>),
    /// An item of this file, or a name that cannot be resolved with certainty.
    Local,
    NotFound,
}

#[derive(Debug)]
pub struct Imports {
    scopes: Vec<Scope>,
    by_owner: HashMap<SpanKey, ScopeId>,
    /// Crates imported with `#[macro_use] extern crate …;` at the top of the file: their
    /// macros are in scope by bare name.
    pub macro_use: Vec<String>,
    /// The file's crate and module, when the workspace index knows them: `crate::`, and
    /// `self::`/`super::` paths that leave the file, resolve through them.
    pub origin: Option<super::workspace::Origin>,
}

const MAX_DEPTH: usize = 16;

impl Imports {
    pub fn collect(file: &syn::File) -> Imports {
        let mut imports = Imports {
            scopes: vec![Scope {
                is_module: true,
                ..Scope::default()
            }],
            by_owner: HashMap::new(),
            macro_use: Vec::new(),
            origin: None,
        };
        for item in &file.items {
            if let syn::Item::ExternCrate(item) = item
                && item.attrs.iter().any(|a| a.path().is_ident("macro_use"))
            {
                imports.macro_use.push(item.ident.to_string());
            }
        }
        imports.add_items(ScopeId(0), &file.items);
        let mut collector = Collector {
            imports: &mut imports,
            stack: vec![ScopeId(0)],
        };
        for item in &file.items {
            collector.visit_item(item);
        }
        imports
    }

    pub fn root() -> ScopeId {
        ScopeId(0)
    }

    /// The scope an inline module or a block opens, if it declares anything.
    pub fn scope_of(&self, owner: SpanKey) -> Option<ScopeId> {
        self.by_owner.get(&owner).copied()
    }

    /// Whether some `use`, `extern crate` or type alias of the file introduces `name`.
    pub fn imports_name(&self, name: &str) -> bool {
        self.scopes.iter().any(|scope| scope.names.contains_key(name))
    }

    /// The innermost scope whose extent holds `node`.
    pub fn scope_at(&self, node: SpanKey) -> ScopeId {
        self.scopes
            .iter()
            .enumerate()
            .filter_map(|(i, scope)| Some((i, scope.range?)))
            .filter(|(_, range)| range.contains(node))
            .min_by_key(|(_, range)| range.len())
            .map_or(ScopeId(0), |(i, _)| ScopeId(i))
    }

    /// The canonical path `path` stands for in `scope`, or `None` for a local item or a name
    /// that cannot be resolved with certainty.
    pub fn resolve(&self, catalog: &Catalog, scope: ScopeId, path: &syn::Path) -> Option<String> {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if segments.is_empty() {
            return None;
        }
        let resolved = if path.leading_colon.is_some() {
            segments
        } else {
            self.resolve_segments(catalog, scope, &segments, 0)?
        };
        Some(catalog.canonicalize(&resolved.join("::")))
    }

    /// Resolves a single name, as written (`CancellationToken`).
    pub fn resolve_name(&self, catalog: &Catalog, scope: ScopeId, name: &str) -> Option<String> {
        let resolved = self.resolve_segments(catalog, scope, &[name.to_string()], 0)?;
        Some(catalog.canonicalize(&resolved.join("::")))
    }

    fn resolve_segments(
        &self,
        catalog: &Catalog,
        scope: ScopeId,
        segments: &[String],
        depth: usize,
    ) -> Option<Vec<String>> {
        if depth > MAX_DEPTH {
            return None;
        }
        let (first, rest) = segments.split_first()?;
        match first.as_str() {
            "crate" => {
                return Some(match &self.origin {
                    Some(origin) => [origin.krate.clone()]
                        .into_iter()
                        .chain(rest.iter().cloned())
                        .collect(),
                    None => segments.to_vec(),
                });
            }
            "$crate" => return None,
            "self" => {
                let module = self.module_of(scope);
                return self
                    .resolve_in_module(catalog, module, rest, depth)
                    .or_else(|| self.outside_file(module, 0, rest));
            }
            "super" => {
                let module = self.module_of(scope);
                let Some(parent) = self.scopes[module.0].parent else {
                    return self.outside_file(module, 1, rest);
                };
                let module = self.module_of(parent);
                return self
                    .resolve_in_module(catalog, module, rest, depth)
                    .or_else(|| self.outside_file(module, 0, rest));
            }
            _ => {}
        }
        let namespace = if rest.is_empty() {
            Namespace::Any
        } else {
            Namespace::Type
        };
        match self.lookup(catalog, scope, first, namespace, depth) {
            Lookup::Found(mut resolved) => {
                resolved.extend(rest.iter().cloned());
                Some(resolved)
            }
            Lookup::Local => None,
            // A crate name (the extern prelude).
            Lookup::NotFound => Some(segments.to_vec()),
        }
    }

    /// Looks `name` up from `scope` out to its module: imports, items, then globs.
    fn lookup(
        &self,
        catalog: &Catalog,
        scope: ScopeId,
        name: &str,
        namespace: Namespace,
        depth: usize,
    ) -> Lookup {
        if depth > MAX_DEPTH {
            return Lookup::Local;
        }
        let mut current = Some(scope);
        let mut chain = Vec::new();
        while let Some(id) = current {
            let s = &self.scopes[id.0];
            chain.push(id);
            if let Some(import) = s.names.get(name) {
                return match self.expand(catalog, id, import, &[], depth) {
                    Some(path) => Lookup::Found(path),
                    None => Lookup::Local,
                };
            }
            if id == ScopeId(0)
                && s.file_modules.contains(name)
                && let Some(origin) = &self.origin
            {
                // `mod token;` … `token::Type`: an item of another file of this crate.
                let mut path = origin.path();
                path.push(name.to_string());
                return Lookup::Found(path);
            }
            if s.defines(name, namespace) {
                return Lookup::Local;
            }
            if s.is_module {
                break;
            }
            current = s.parent;
        }
        for id in chain {
            for glob in &self.scopes[id.0].globs {
                // `use super::*;` (the usual `mod tests`): the enclosing module's names.
                if let Some(module) = self.local_module(id, glob) {
                    match self.lookup(catalog, module, name, namespace, depth + 1) {
                        Lookup::NotFound => continue,
                        found => return found,
                    }
                }
                let Some(mut prefix) = self.resolve_use(catalog, id, glob, depth + 1) else {
                    continue;
                };
                prefix.push(name.to_string());
                if catalog.knows(&catalog.canonicalize(&prefix.join("::"))) {
                    return Lookup::Found(prefix);
                }
            }
        }
        Lookup::NotFound
    }

    /// The scope of this file that defines the value item (`const`, `static`, `fn`) a path of
    /// one name, or `self::`/`super::` and one name, refers to from `scope`.
    pub fn defining_scope(&self, scope: ScopeId, path: &syn::Path) -> Option<ScopeId> {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let (name, modules) = segments.split_last()?;
        if path.leading_colon.is_some() {
            return None;
        }
        let mut scope = scope;
        for (i, module) in modules.iter().enumerate() {
            scope = match module.as_str() {
                "self" if i == 0 => self.module_of(scope),
                "super" if i == 0 || modules[i - 1] == "super" => {
                    self.module_of(self.scopes[self.module_of(scope).0].parent?)
                }
                _ => return None,
            };
        }
        self.defining_scope_of(scope, name, 0)
    }

    fn defining_scope_of(&self, scope: ScopeId, name: &str, depth: usize) -> Option<ScopeId> {
        if depth > MAX_DEPTH {
            return None;
        }
        let mut current = Some(scope);
        let mut chain = Vec::new();
        while let Some(id) = current {
            let s = &self.scopes[id.0];
            chain.push(id);
            if s.names.contains_key(name) {
                return None;
            }
            if s.defines(name, Namespace::Value) {
                return Some(id);
            }
            if s.is_module {
                break;
            }
            current = s.parent;
        }
        chain.iter().find_map(|&id| {
            self.scopes[id.0].globs.iter().find_map(|glob| {
                let module = self.local_module(id, glob)?;
                self.defining_scope_of(module, name, depth + 1)
            })
        })
    }

    /// The module of this file a glob path such as `super` or `super::super` names.
    fn local_module(&self, scope: ScopeId, path: &[String]) -> Option<ScopeId> {
        if path.is_empty() || path.iter().any(|segment| segment != "super") {
            return None;
        }
        let mut module = self.module_of(scope);
        for _ in path {
            module = self.module_of(self.scopes[module.0].parent?);
        }
        Some(module)
    }

    fn resolve_in_module(
        &self,
        catalog: &Catalog,
        module: ScopeId,
        segments: &[String],
        depth: usize,
    ) -> Option<Vec<String>> {
        let (first, rest) = segments.split_first()?;
        let s = &self.scopes[module.0];
        if let Some(import) = s.names.get(first) {
            return self.expand(catalog, module, import, rest, depth);
        }
        None
    }

    fn expand(
        &self,
        catalog: &Catalog,
        scope: ScopeId,
        import: &Import,
        rest: &[String],
        depth: usize,
    ) -> Option<Vec<String>> {
        let Import::Path(target) = import else {
            return None;
        };
        let mut resolved = self.resolve_use(catalog, scope, target, depth + 1)?;
        resolved.extend(rest.iter().cloned());
        Some(resolved)
    }

    /// Resolves the path of a `use` item declared in `scope`. In edition 2018+ its first segment
    /// is a crate, `crate`/`self`/`super`, or a name in scope.
    fn resolve_use(
        &self,
        catalog: &Catalog,
        scope: ScopeId,
        target: &[String],
        depth: usize,
    ) -> Option<Vec<String>> {
        if depth > MAX_DEPTH {
            return None;
        }
        let first = target.first()?;
        match first.as_str() {
            "crate" | "self" | "super" | "$crate" => self.resolve_segments(catalog, scope, target, depth + 1),
            "::" => Some(target[1..].to_vec()),
            _ => {
                let s = &self.scopes[scope.0];
                match s.names.get(first) {
                    // `use tokio_util::sync::X`: the import named `tokio_util` (if any) is the
                    // crate itself; anything else re-roots the path.
                    Some(Import::Path(inner)) if inner.as_slice() != [first.clone()] => {
                        let mut resolved = self.resolve_use(catalog, scope, inner, depth + 1)?;
                        resolved.extend(target[1..].iter().cloned());
                        Some(resolved)
                    }
                    Some(Import::Ambiguous) => None,
                    _ if scope == ScopeId(0) && s.file_modules.contains(first) => {
                        self.resolve_segments(catalog, scope, target, depth + 1)
                    }
                    _ if s.defines(first, Namespace::Type) => None,
                    _ => Some(target.to_vec()),
                }
            }
        }
    }

    /// The resolved paths of the glob imports visible from `scope` (`use crate::prelude::*;`).
    pub fn glob_paths(&self, scope: ScopeId) -> Vec<Vec<String>> {
        let mut paths = Vec::new();
        let mut current = Some(scope);
        while let Some(id) = current {
            for glob in &self.scopes[id.0].globs {
                if let Some(path) = self.resolve_use(&Catalog::default(), id, glob, 0) {
                    paths.push(path);
                }
            }
            current = self.scopes[id.0].parent;
        }
        paths
    }

    /// `self::rest` (`up` = 0) or `super::rest` (`up` = 1) written at the file's top module,
    /// for a name the file does not declare: a path into the rest of the crate.
    fn outside_file(&self, module: ScopeId, up: usize, rest: &[String]) -> Option<Vec<String>> {
        let origin = self.origin.as_ref()?;
        if module != ScopeId(0) || rest.is_empty() {
            return None;
        }
        let mut path = origin.path();
        for _ in 0..up {
            if path.len() > 1 {
                path.pop();
            }
        }
        path.extend(rest.iter().cloned());
        Some(path)
    }

    fn module_of(&self, mut scope: ScopeId) -> ScopeId {
        while !self.scopes[scope.0].is_module {
            match self.scopes[scope.0].parent {
                Some(parent) => scope = parent,
                None => break,
            }
        }
        scope
    }

    fn new_scope(&mut self, parent: ScopeId, is_module: bool, owner: SpanKey) -> ScopeId {
        let id = ScopeId(self.scopes.len());
        self.scopes.push(Scope {
            parent: Some(parent),
            range: Some(owner),
            is_module,
            ..Scope::default()
        });
        self.by_owner.insert(owner, id);
        id
    }

    fn add_items(&mut self, scope: ScopeId, items: &[syn::Item]) {
        for item in items {
            self.add_item(scope, item);
        }
    }

    fn add_item(&mut self, scope: ScopeId, item: &syn::Item) {
        let (local, namespace) = match item {
            syn::Item::Use(item) => {
                self.add_use_tree(scope, &mut Vec::new(), &item.tree, item.leading_colon.is_some());
                (None, Namespace::Any)
            }
            syn::Item::ExternCrate(item) => {
                let name = item.rename.as_ref().map_or(&item.ident, |(_, rename)| rename);
                if name != "_" {
                    self.add_name(scope, name.to_string(), vec![item.ident.to_string()]);
                }
                (None, Namespace::Type)
            }
            // `type Shared = Arc<CancellationToken>;` names what the pointer holds.
            syn::Item::Type(item) => match super::held_path(&item.ty) {
                Some(path) => {
                    let path: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
                    self.add_name(scope, item.ident.to_string(), path);
                    (None, Namespace::Type)
                }
                None => (Some(&item.ident), Namespace::Type),
            },
            syn::Item::Const(item) => (Some(&item.ident), Namespace::Value),
            syn::Item::Enum(item) => (Some(&item.ident), Namespace::Type),
            syn::Item::Fn(item) => (Some(&item.sig.ident), Namespace::Value),
            syn::Item::Macro(item) => (item.ident.as_ref(), Namespace::Value),
            syn::Item::Mod(item) => {
                if item.content.is_none() {
                    self.scopes[scope.0].file_modules.insert(item.ident.to_string());
                }
                (Some(&item.ident), Namespace::Type)
            }
            syn::Item::Static(item) => (Some(&item.ident), Namespace::Value),
            // A struct is a type; a tuple or unit struct is also a constructor.
            syn::Item::Struct(item) => (Some(&item.ident), Namespace::Any),
            syn::Item::Trait(item) => (Some(&item.ident), Namespace::Type),
            syn::Item::TraitAlias(item) => (Some(&item.ident), Namespace::Type),
            syn::Item::Union(item) => (Some(&item.ident), Namespace::Type),
            _ => (None, Namespace::Any),
        };
        if let Some(ident) = local {
            let s = &mut self.scopes[scope.0];
            let name = ident.to_string();
            if namespace != Namespace::Value {
                s.local_types.insert(name.clone());
            }
            if namespace != Namespace::Type {
                s.local_values.insert(name);
            }
        }
    }

    fn add_use_tree(
        &mut self,
        scope: ScopeId,
        prefix: &mut Vec<String>,
        tree: &syn::UseTree,
        leading_colon: bool,
    ) {
        let full = |prefix: &Vec<String>, last: Option<String>| {
            let mut path = Vec::with_capacity(prefix.len() + 2);
            if leading_colon {
                path.push("::".to_string());
            }
            path.extend(prefix.iter().cloned());
            path.extend(last);
            path
        };
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.add_use_tree(scope, prefix, &p.tree, leading_colon);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let name = n.ident.to_string();
                if name == "self" {
                    if let Some(last) = prefix.last().cloned() {
                        self.add_name(scope, last, full(prefix, None));
                    }
                } else {
                    self.add_name(scope, name.clone(), full(prefix, Some(name)));
                }
            }
            syn::UseTree::Rename(r) => {
                let rename = r.rename.to_string();
                if rename == "_" {
                    return;
                }
                let original = r.ident.to_string();
                let path = if original == "self" {
                    full(prefix, None)
                } else {
                    full(prefix, Some(original))
                };
                self.add_name(scope, rename, path);
            }
            syn::UseTree::Glob(_) => {
                let path = full(prefix, None);
                self.scopes[scope.0].globs.push(path);
            }
            syn::UseTree::Group(g) => {
                for tree in &g.items {
                    self.add_use_tree(scope, prefix, tree, leading_colon);
                }
            }
        }
    }

    fn add_name(&mut self, scope: ScopeId, name: String, path: Vec<String>) {
        let names = &mut self.scopes[scope.0].names;
        match names.get(&name) {
            Some(Import::Path(existing)) if *existing != path => {
                names.insert(name, Import::Ambiguous);
            }
            Some(_) => {}
            None => {
                names.insert(name, Import::Path(path));
            }
        }
    }
}

/// Finds inline modules and item-declaring blocks, and gives each a scope.
struct Collector<'i> {
    imports: &'i mut Imports,
    stack: Vec<ScopeId>,
}

impl<'ast> Visit<'ast> for Collector<'_> {
    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        let Some((_, items)) = &item.content else {
            return;
        };
        let parent = *self.stack.last().expect("a scope");
        let scope = self.imports.new_scope(parent, true, SpanKey::of(item));
        self.imports.add_items(scope, items);
        self.stack.push(scope);
        for item in items {
            self.visit_item(item);
        }
        self.stack.pop();
    }

    fn visit_block(&mut self, block: &'ast syn::Block) {
        let items: Vec<&syn::Item> = block
            .stmts
            .iter()
            .filter_map(|stmt| match stmt {
                syn::Stmt::Item(item) => Some(item),
                _ => None,
            })
            .collect();
        if items.is_empty() {
            syn::visit::visit_block(self, block);
            return;
        }
        let parent = *self.stack.last().expect("a scope");
        let scope = self
            .imports
            .new_scope(parent, false, SpanKey::from_span(block.brace_token.span.join()));
        for item in items {
            self.imports.add_item(scope, item);
        }
        self.stack.push(scope);
        syn::visit::visit_block(self, block);
        self.stack.pop();
    }

    // Macro bodies are not parsed here: a `use` inside a macro body is rare and local to it.
    fn visit_macro(&mut self, _: &'ast syn::Macro) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve_in(src: &str, path: &str) -> Option<String> {
        let file = syn::parse_file(src).unwrap();
        let imports = Imports::collect(&file);
        let path: syn::Path = syn::parse_str(path).unwrap();
        imports.resolve(Catalog::builtin(), Imports::root(), &path)
    }

    #[test]
    fn plain_grouped_and_renamed_imports() {
        let src = "use tokio_util::sync::{CancellationToken as Tok, DropGuard, self};";
        assert_eq!(
            resolve_in(src, "Tok::new").as_deref(),
            Some("tokio_util::sync::CancellationToken::new")
        );
        assert_eq!(
            resolve_in(src, "DropGuard").as_deref(),
            Some("tokio_util::sync::DropGuard")
        );
        assert_eq!(
            resolve_in(src, "sync::CancellationToken").as_deref(),
            Some("tokio_util::sync::CancellationToken")
        );
    }

    #[test]
    fn local_items_shadow() {
        let src = "struct CancellationToken; fn f() {}";
        assert_eq!(resolve_in(src, "CancellationToken::new"), None);
    }

    #[test]
    fn a_function_does_not_shadow_a_crate() {
        let src = "fn scuffle_context() {} mod tokio_util {}";
        assert_eq!(
            resolve_in(src, "scuffle_context::Context::new").as_deref(),
            Some("scuffle_context::Context::new")
        );
        assert_eq!(resolve_in(src, "tokio_util::sync::DropGuard"), None);
    }

    #[test]
    fn unimported_name_is_read_as_a_crate_path() {
        assert_eq!(
            resolve_in("", "tokio_util::sync::CancellationToken").as_deref(),
            Some("tokio_util::sync::CancellationToken")
        );
        // The coroutine crate `context` is not go-lib's module.
        assert_eq!(
            resolve_in("use context::Context;", "Context").as_deref(),
            Some("context::Context")
        );
    }

    #[test]
    fn globs_lead_into_the_catalog_only() {
        let src = "use goish::prelude::*; use something::*;";
        assert_eq!(
            resolve_in(src, "context::WithCancel").as_deref(),
            Some("goish::context::WithCancel")
        );
        let src = "use tokio_util::sync::*;";
        assert_eq!(
            resolve_in(src, "CancellationToken").as_deref(),
            Some("tokio_util::sync::CancellationToken")
        );
    }

    #[test]
    fn uniform_paths_and_aliases() {
        let src =
            "use tokio_util::sync; use sync::CancellationToken as T; type Ctx = opentelemetry::Context;";
        assert_eq!(
            resolve_in(src, "T").as_deref(),
            Some("tokio_util::sync::CancellationToken")
        );
        assert_eq!(resolve_in(src, "Ctx").as_deref(), Some("opentelemetry::Context"));
        let src = "extern crate tokio_util as tu;";
        assert_eq!(
            resolve_in(src, "tu::sync::DropGuard").as_deref(),
            Some("tokio_util::sync::DropGuard")
        );
    }

    #[test]
    fn glob_of_the_parent_module() {
        let src =
            "use tokio_util::sync::CancellationToken; struct Local; mod tests { use super::*; fn f() {} }";
        let file = syn::parse_file(src).unwrap();
        let imports = Imports::collect(&file);
        let syn::Item::Mod(module) = &file.items[2] else {
            panic!()
        };
        let scope = imports.scope_of(SpanKey::of(module)).unwrap();
        let resolve = |path: &str| imports.resolve(Catalog::builtin(), scope, &syn::parse_str(path).unwrap());
        assert_eq!(
            resolve("CancellationToken").as_deref(),
            Some("tokio_util::sync::CancellationToken")
        );
        assert_eq!(resolve("Local"), None);
    }

    #[test]
    fn ambiguous_imports_resolve_to_nothing() {
        let src = "#[cfg(a)] use opentelemetry::Context; #[cfg(b)] use std::task::Context;";
        assert_eq!(resolve_in(src, "Context"), None);
    }

    #[test]
    fn halo_core_is_named_core() {
        let src = "use core::context::{self, WithCancel};";
        assert_eq!(
            resolve_in(src, "WithCancel").as_deref(),
            Some("core::context::WithCancel")
        );
        assert_eq!(
            resolve_in(src, "context::Background").as_deref(),
            Some("core::context::Background")
        );
    }
}
