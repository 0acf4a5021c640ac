//! The workspace index: what the other files and crates of a run declare, so that one file's
//! names resolve through them.
//!
//! Real code reaches the context APIs through its own crates: `pub use tokio_util;` in a
//! `common` crate and `use common::util::tokio_util::sync::CancellationToken;` elsewhere, a
//! `shutdown` crate re-exporting the token, a struct whose token field is declared in another
//! file, a method in another module that returns a guard. Before linting, every file of the run
//! that can declare such a thing is scanned (tokens only; bodies are never parsed) for its `use`
//! items, type aliases, struct fields, function signatures and `impl Drop`s, keyed by module
//! path. From that the index gives:
//! - re-exports of catalog items, as catalog aliases (`common::util::tokio_util` reads as
//!   `tokio_util`), so resolution and the pre-filter see through them;
//! - each file's crate and module, so `crate::`, `self::` and `super::` paths resolve;
//! - struct field types and function return types across files.
//!
//! Which files are scanned grows in rounds: first those naming a catalog crate, then those
//! naming what the previous rounds found (a re-export of a re-export), until nothing new turns up.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use proc_macro2::{TokenStream, TokenTree};
use rayon::prelude::*;

use super::catalog::{Catalog, Role, TypeId};
use super::summaries::{self, ParamUse};
use crate::outline::{Item, Outline};
use crate::words::Words;

/// Where a file sits: its crate's name (as other crates write it) and its module path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    pub krate: String,
    pub module: Vec<String>,
}

impl Origin {
    /// The module's absolute path, crate first.
    pub fn path(&self) -> Vec<String> {
        let mut path = vec![self.krate.clone()];
        path.extend(self.module.iter().cloned());
        path
    }
}

/// A path as written in some module, to be resolved there.
#[derive(Clone, Debug)]
struct Written {
    module: Vec<String>,
    path: Vec<String>,
}

/// Which modules can write a name a `use` item brings in: a private `use` is seen only in its
/// own module and the modules inside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Reach {
    Module,
    Parent,
    Crate,
    Everywhere,
}

impl Reach {
    fn of(vis: &syn::Visibility) -> Reach {
        match vis {
            syn::Visibility::Public(_) => Reach::Everywhere,
            syn::Visibility::Inherited => Reach::Module,
            syn::Visibility::Restricted(restricted) => match restricted.path.get_ident() {
                Some(ident) if ident == "self" => Reach::Module,
                Some(ident) if ident == "super" => Reach::Parent,
                _ => Reach::Crate,
            },
        }
    }
}

/// Where a word declared in the workspace can be written: in the modules under `module` (a
/// path from its crate's name on) and, when `dependents`, in the crates that depend on it.
#[derive(Debug)]
struct Scope {
    module: Vec<String>,
    dependents: bool,
}

impl Scope {
    /// The scope of a name declared in `module` with `reach`.
    fn new(module: &[String], reach: Reach) -> Scope {
        let keep = match reach {
            Reach::Module => module.len(),
            Reach::Parent => module.len().saturating_sub(1).max(1),
            Reach::Crate | Reach::Everywhere => 1,
        };
        Scope {
            module: module[..keep.min(module.len())].to_vec(),
            dependents: reach == Reach::Everywhere,
        }
    }
}

/// Where one word can be written, for lookups in time independent of how often it is
/// declared.
#[derive(Debug, Default)]
struct WordScopes {
    /// Declared where no crate is known: seen everywhere.
    everywhere: bool,
    /// The crates declaring it `pub`: their dependents see it.
    public: HashSet<String>,
    /// Crate → the modules (crate-relative) whose subtrees see it, and every module holding
    /// one of those (a file's inline modules may be one).
    modules: HashMap<String, (Modules, Modules)>,
}

/// Module paths, crate-relative.
type Modules = HashSet<Vec<String>>;

impl WordScopes {
    fn add(&mut self, scope: Scope) {
        let Some((krate, module)) = scope.module.split_first() else {
            self.everywhere = true;
            return;
        };
        if scope.dependents {
            self.public.insert(krate.clone());
        }
        let (within, holding) = self.modules.entry(krate.clone()).or_default();
        if within.insert(module.to_vec()) {
            for n in 0..=module.len() {
                holding.insert(module[..n].to_vec());
            }
        }
    }
}

/// Which files can write one of a round's words, as [`WorkspaceIndex::sees`] says, decided
/// once per crate where the crate decides it: in a large run most files cannot write a word
/// that another crate keeps to itself or to its dependents, and need not be read for it.
struct Readers<'a> {
    index: &'a WorkspaceIndex,
    /// One of the words is seen everywhere.
    everywhere: bool,
    /// Crate → whether a crate it depends on declares one of the words `pub`.
    public: HashMap<&'a str, bool>,
    /// Crate → the words declared in its modules.
    in_crate: HashMap<&'a str, Vec<&'a str>>,
}

impl<'a> Readers<'a> {
    fn new(index: &'a WorkspaceIndex, words: &'a HashSet<String>) -> Readers<'a> {
        let mut everywhere = false;
        let mut declared_public: HashSet<&str> = HashSet::new();
        let mut in_crate: HashMap<&str, Vec<&str>> = HashMap::new();
        for word in words {
            match index.word_scopes.get(word) {
                Some(scopes) if !scopes.everywhere => {
                    declared_public.extend(scopes.public.iter().map(String::as_str));
                    for krate in scopes.modules.keys() {
                        in_crate.entry(krate).or_default().push(word);
                    }
                }
                _ => everywhere = true,
            }
        }
        let public = index
            .visible
            .iter()
            .map(|(krate, dependencies)| {
                let depends = |other: &String| other != krate && declared_public.contains(other.as_str());
                (krate.as_str(), dependencies.iter().any(depends))
            })
            .collect();
        Readers {
            index,
            everywhere,
            public,
            in_crate,
        }
    }

    /// Whether code at `origin` can write one of the words.
    fn may_see(&self, origin: &Origin) -> bool {
        // A crate of no known package sees every word.
        let Some(&public) = self.public.get(origin.krate.as_str()) else {
            return true;
        };
        self.everywhere
            || public
            || self
                .in_crate
                .get(origin.krate.as_str())
                .is_some_and(|words| words.iter().any(|word| self.index.sees(word, Some(origin))))
    }
}

#[derive(Debug, Default)]
struct Module {
    /// Names brought in by `use` items and type aliases, with the path they stand for.
    names: HashMap<String, Vec<String>>,
    /// How far each of `names` reaches (the widest of its imports).
    reach: HashMap<String, Reach>,
    /// Names two imports give different meanings (behind `cfg`s, say): not followed.
    ambiguous: HashSet<String>,
    globs: Vec<(Vec<String>, Reach)>,
    /// Items defined here (modules, types, functions, …).
    defined: HashSet<String>,
}

impl Module {
    fn insert(&mut self, name: String, target: Vec<String>, reach: Reach) {
        self.widen(name.clone(), reach);
        self.names.insert(name, target);
    }

    /// Notes that `name` reaches at least as far as `reach`.
    fn widen(&mut self, name: String, reach: Reach) {
        let known = self.reach.entry(name).or_insert(reach);
        *known = (*known).max(reach);
    }
}

/// A path (a module, a struct, a function) from its crate's name on.
type ItemPath = Vec<String>;

/// Field names with their written types.
type Fields = Vec<(String, Written)>;

/// Parameters taking a closure: (position, the closure's written parameter types).
type ClosureArgs = Vec<(usize, Vec<Option<Written>>)>;

/// What one file declares, before resolution.
#[derive(Debug, Default)]
struct FileDecls {
    modules: Vec<(Vec<String>, Module)>,
    /// Struct path → its named (and positional) fields' types.
    structs: Vec<(ItemPath, Fields)>,
    /// Free function path → return type.
    functions: Vec<(Vec<String>, Written)>,
    /// Free function path → for a parameter that takes a closure (`impl FnOnce(A)`, or `F`
    /// bound by `Fn(A)`), its position and the closure's parameter types.
    closures: Vec<(ItemPath, ClosureArgs)>,
    /// Free function path → `T` of the `Option<T>` it returns (a getter of a global token).
    optional: Vec<(ItemPath, Written)>,
    /// `impl` self type → method name → return type (`Self` already replaced).
    methods: Vec<(Written, String, Written)>,
    /// Types with an `impl Drop` whose body cancels something.
    drops: Vec<Written>,
    /// Fields without `pub`: code in other modules cannot name them.
    private_fields: Vec<(ItemPath, String)>,
    /// Free function path → which parameters it only observes (see [`summaries`]).
    summaries: Vec<(ItemPath, Vec<ParamUse>)>,
    /// `impl` self type → method name → which parameters it only observes.
    method_summaries: Vec<(Written, String, Vec<ParamUse>)>,
}

#[derive(Debug, Default)]
pub struct WorkspaceIndex {
    origins: HashMap<PathBuf, Origin>,
    modules: HashMap<Vec<String>, Module>,
    structs: HashMap<ItemPath, Fields>,
    functions: HashMap<Vec<String>, Written>,
    closures: HashMap<ItemPath, ClosureArgs>,
    optional: HashMap<ItemPath, Written>,
    methods_raw: Vec<(Written, String, Written)>,
    /// Resolved self type → method name → return type.
    methods: HashMap<Vec<String>, HashMap<String, Written>>,
    drops: HashSet<Vec<String>>,
    drops_raw: Vec<Written>,
    private_fields: HashSet<(ItemPath, String)>,
    summaries: HashMap<ItemPath, Vec<ParamUse>>,
    method_summaries_raw: Vec<(Written, String, Vec<ParamUse>)>,
    /// Resolved self type → method name → which parameters it only observes.
    method_summaries: HashMap<ItemPath, HashMap<String, Vec<ParamUse>>>,
    /// Crate names other crates use for a workspace crate (`common = { package = "x-common" }`).
    renames: HashMap<String, String>,
    /// Catalog re-exports found: `from` is read as `to`.
    pub aliases: Vec<(String, String)>,
    /// Names that lead into the catalog through the workspace: aliases of catalog items and
    /// functions returning a catalog type.
    pub words: HashSet<String>,
    /// Names of structs holding a catalog type (at any depth), and of functions handing one to
    /// a closure, with the names of the methods of the types held: code reaches the API
    /// through them, but only by calling one.
    pub holders: HashMap<String, HashSet<String>>,
    /// Where each word or holder the workspace declares can be written: only files there need
    /// scanning, or parsing, for it.
    word_scopes: HashMap<String, WordScopes>,
    /// Each crate, with itself and the crates of the run it depends on.
    visible: HashMap<String, Arc<HashSet<String>>>,
    /// The crates files of the run are in.
    crates: HashSet<String>,
    /// Files scanned, for the README's figures and tests.
    pub files_scanned: usize,
    /// Files read, over all rounds (for `--stats` and tests).
    pub files_read: usize,
    /// Files scanned in each round of the build (for `--stats`).
    pub rounds: Vec<usize>,
}

const MAX_DEPTH: usize = 16;
const MAX_ROUNDS: usize = 4;
const MAX_GLOB_DEPTH: usize = 3;

impl WorkspaceIndex {
    /// Indexes `files` (the run's files and, in cargo mode, the rest of the workspace).
    pub fn build(files: &[PathBuf], catalog: &Catalog) -> WorkspaceIndex {
        let mut index = WorkspaceIndex::default();
        let mut packages = Packages::default();
        for file in files {
            let origin = packages.origin_of(file, files);
            index.crates.insert(origin.krate.clone());
            index.origins.insert(file.clone(), origin);
        }
        index.visible = packages.visible_crates();
        index.renames = packages.renames;
        let mut scanned = vec![false; files.len()];
        let token_types = catalog.type_names();
        let mut seeds: HashSet<String> = catalog.type_crate_names();
        seeds.extend(index.renames.keys().cloned());
        let crate_names = seeds.clone();
        let builtin_named = catalog.builtin_named_crates();
        let mut searched: HashSet<String> = HashSet::new();
        for _ in 0..MAX_ROUNDS {
            let words: Vec<&str> = seeds.iter().map(String::as_str).collect();
            let Some(matcher) = Words::new(&words) else {
                break;
            };
            // A file is scanned for the words it can write (see `sees`): those of external
            // crates, and those its module, its crate or a crate it depends on declares. (A
            // crate's own item named like a catalog item need not be known: a path into a
            // workspace crate is never read as the catalog's, see `Builder::workspace_struct`.)
            let seen_in = |word: &str, origin: &Origin| index.sees(word, Some(origin));
            let readers = Readers::new(&index, &seeds);
            let to_read: Vec<usize> = (0..files.len())
                .filter(|&i| !scanned[i] && readers.may_see(&index.origins[&files[i]]))
                .collect();
            // Small pieces: a thread that runs out of files takes some from the other (a few
            // files cost much more than most, and rayon splits a long run only when asked).
            let found: Vec<(usize, FileDecls)> = to_read
                .par_iter()
                .with_max_len(8)
                .filter_map(|&i| {
                    let path = &files[i];
                    let origin = &index.origins[path];
                    let text = read_source(path)?;
                    // A crate named like a built-in one (`core`) counts where a path of it
                    // may go on into one of its modules (`core::context`, not `core::fmt`).
                    let found = |w: usize, at: Range<usize>| {
                        let text = text.as_bytes();
                        seen_in(words[w], origin)
                            && (!crate_names.contains(words[w])
                                || (crate::words::may_name_crate(text, at.clone())
                                    && builtin_named.get(words[w]).is_none_or(|modules| {
                                        crate::words::may_go_on_into(text, at.end, modules)
                                    })))
                    };
                    if !matcher.any_at(text.as_bytes(), found) {
                        return None;
                    }
                    let code = &text[crate::source::code_start(&text)..];
                    let outline = Outline::new(code);
                    // A word in a comment or a string (a licence header naming the project)
                    // declares nothing; a later round may still find the file. Nor does one
                    // in a function's body: only items, fields and signatures are scanned.
                    // A crate's name counts where it can name the crate, not a variable.
                    let bodies = outline.function_bodies(outline.all());
                    let in_body = |at: usize| {
                        let after = bodies.partition_point(|body| body.end <= at);
                        bodies.get(after).is_some_and(|body| body.contains(&at))
                    };
                    let named = |at: usize| {
                        outline.word(at).is_some_and(|word| {
                            seeds.contains(word)
                                && seen_in(word, origin)
                                && (!crate_names.contains(word) || outline.names_crate(at))
                                && !in_body(at)
                        })
                    };
                    if !outline.all().any(named) {
                        return None;
                    }
                    let decls = scan(&outline, origin, &token_types);
                    // The items parsed for it hold nothing past here (memory stays flat).
                    proc_macro2::extra::invalidate_current_thread_spans();
                    Some((i, decls))
                })
                .collect();
            index.files_read += to_read.len();
            if found.is_empty() {
                break;
            }
            index.rounds.push(found.len());
            for (i, decls) in found {
                scanned[i] = true;
                index.files_scanned += 1;
                index.add(decls);
            }
            index.resolve(catalog);
            searched.extend(seeds.drain());
            // Files already searched for a word were found then, or do not name it. (A word a
            // later round finds declared in one more crate is not searched again in the crates
            // that this makes it visible to: rare, and only a loss of recall.)
            seeds = index
                .words
                .iter()
                .chain(index.holders.keys())
                .filter(|word| !searched.contains(*word))
                .cloned()
                .collect();
            if seeds.is_empty() {
                break;
            }
        }
        index.resolve_tables();
        index
    }

    /// Whether code at `origin` can write `word` as the workspace declares it: a word declared
    /// in no workspace crate (a catalog crate's name) is visible everywhere, as is every word
    /// in a file of no known package.
    pub fn sees(&self, word: &str, origin: Option<&Origin>) -> bool {
        let (Some(scopes), Some(origin)) = (self.word_scopes.get(word), origin) else {
            return true;
        };
        if scopes.everywhere {
            return true;
        }
        let Some(dependencies) = self.visible.get(&origin.krate) else {
            return true;
        };
        // A file holds inline modules too: one inside the scope, or holding it, may see it.
        if let Some((within, holding)) = scopes.modules.get(&origin.krate)
            && ((0..=origin.module.len()).any(|n| within.contains(&origin.module[..n]))
                || holding.contains(&origin.module))
        {
            return true;
        }
        let public = &scopes.public;
        let depends = |krate: &String| *krate != origin.krate && dependencies.contains(krate);
        match public.len() <= dependencies.len() {
            true => public.iter().any(depends),
            false => dependencies
                .iter()
                .any(|krate| public.contains(krate) && depends(krate)),
        }
    }

    /// Whether `name` is a crate of the workspace (as its code writes it).
    pub fn is_crate(&self, name: &str) -> bool {
        self.crates.contains(name)
    }

    /// The crate and module of a file of the run.
    pub fn origin(&self, path: &Path) -> Option<&Origin> {
        self.origins.get(path)
    }

    fn add(&mut self, decls: FileDecls) {
        for (path, module) in decls.modules {
            // A file's module is reached through its ancestors, whether or not they were scanned.
            for depth in 1..path.len() {
                let parent = self.modules.entry(path[..depth].to_vec()).or_default();
                parent.defined.insert(path[depth].clone());
            }
            let entry = self.modules.entry(path).or_default();
            for (name, target) in module.names {
                match entry.names.get(&name) {
                    Some(old) if *old != target => {
                        entry.ambiguous.insert(name);
                    }
                    _ => {
                        entry.names.insert(name, target);
                    }
                }
            }
            for (name, reach) in module.reach {
                entry.widen(name, reach);
            }
            entry.ambiguous.extend(module.ambiguous);
            entry.globs.extend(module.globs);
            entry.defined.extend(module.defined);
        }
        self.structs.extend(decls.structs);
        self.functions.extend(decls.functions);
        self.closures.extend(decls.closures);
        self.optional.extend(decls.optional);
        self.methods_raw.extend(decls.methods);
        self.drops_raw.extend(decls.drops);
        self.private_fields.extend(decls.private_fields);
        for (path, observed) in decls.summaries {
            summaries::combine(self.summaries.entry(path).or_default(), observed);
        }
        self.method_summaries_raw.extend(decls.method_summaries);
    }

    /// Works out the method tables and the types whose `Drop` cancels, once all is scanned.
    fn resolve_tables(&mut self) {
        let mut methods: HashMap<Vec<String>, HashMap<String, Written>> = HashMap::new();
        for (owner, name, returns) in &self.methods_raw {
            let owner = self.canonical(self.absolute(&owner.module, &owner.path, 0), 0);
            methods
                .entry(owner)
                .or_default()
                .insert(name.clone(), returns.clone());
        }
        self.methods = methods;
        let mut summaries: HashMap<ItemPath, HashMap<String, Vec<ParamUse>>> = HashMap::new();
        for (owner, name, observed) in &self.method_summaries_raw {
            let owner = self.canonical(self.absolute(&owner.module, &owner.path, 0), 0);
            let known = summaries
                .entry(owner)
                .or_default()
                .entry(name.clone())
                .or_default();
            summaries::combine(known, observed.clone());
        }
        self.method_summaries = summaries;
        self.drops = self
            .drops_raw
            .iter()
            .map(|ty| self.canonical(self.absolute(&ty.module, &ty.path, 0), 0))
            .collect();
    }

    /// Works out the catalog aliases and the words from what was scanned so far.
    fn resolve(&mut self, catalog: &Catalog) {
        // Only imports rooted in a workspace crate or a catalog crate can lead to the catalog
        // (`use std::…`, `use serde::…` cannot): the others are not followed, and modules are
        // resolved in parallel, since this runs once per round over the whole workspace.
        // An import is of a catalog path only if its last segment is one of a catalog path's
        // or a name given to one: most are told apart without resolving them.
        let leads = self.leads();
        let leading = leads.leading_to(catalog.path_segments(), false);
        let may_lead = |module: &[String], target: &[String]| {
            if !target.last().is_some_and(|last| leading.contains(last)) {
                return false;
            }
            let start = self.absolute(module, target, 0);
            start
                .first()
                .is_some_and(|root| catalog.knows(root) || self.modules.contains_key(&start[..1]))
        };
        let mut found: Vec<(String, String, Scope)> = self
            .modules
            .par_iter()
            .flat_map_iter(|(module, entry)| {
                let mut found = Vec::new();
                for (name, target) in &entry.names {
                    if entry.ambiguous.contains(name) || !may_lead(module, target) {
                        continue;
                    }
                    let mut from = module.clone();
                    from.push(name.clone());
                    let to = catalog.canonicalize(&self.canonical(from.clone(), 0).join("::"));
                    let from = from.join("::");
                    if to != from && catalog.knows(&to) {
                        let reach = entry.reach.get(name).copied().unwrap_or(Reach::Everywhere);
                        found.push((from, to, Scope::new(module, reach)));
                    }
                }
                for (glob, reach) in &entry.globs {
                    if !may_lead(module, glob) {
                        continue;
                    }
                    let target = self.canonical(self.absolute(module, glob, 0), 0).join("::");
                    let target = catalog.canonicalize(&target);
                    for item in catalog.items_in(&target) {
                        let name = item.rsplit("::").next().unwrap_or(item);
                        if entry.defined.contains(name) || entry.names.contains_key(name) {
                            continue;
                        }
                        let from = format!("{}::{name}", module.join("::"));
                        found.push((from, item.to_string(), Scope::new(module, *reach)));
                    }
                }
                found
            })
            .collect();
        found.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));

        // Only aliases of catalog items are words: one of a module or crate (`pub use
        // tokio::time;`) still leads to an item whose own name the file must write. Nor are
        // aliases of sleeps: they matter only beside an API that the file names anyway.
        let mut word_scopes: HashMap<String, WordScopes> = HashMap::new();
        let mut declare = |word: &str, scope: Scope| {
            word_scopes.entry(word.to_string()).or_default().add(scope);
        };
        let mut words: HashSet<String> = HashSet::new();
        let mut aliases: Vec<(String, String)> = Vec::with_capacity(found.len());
        for (from, to, scope) in found {
            let is_api = catalog.type_by_path(&to).is_some()
                || catalog
                    .function(&to)
                    .is_some_and(|f| !f.role.is_some_and(Role::is_auxiliary));
            if is_api {
                let word = from.rsplit("::").next().unwrap_or_default();
                declare(word, scope);
                words.insert(word.to_string());
            }
            aliases.push((from, to));
        }
        aliases.dedup();
        let named = Self::may_name_api(catalog, &aliases, &leads);
        let may_be_api = |written: &Written| written.path.last().is_some_and(|last| named.contains(last));
        // A function's name is a word when it returns a catalog type itself: one returning a
        // struct that holds one (`fn new() -> Self`) is reached through the struct's name.
        let returns_api = |index: &WorkspaceIndex, written: &Written| {
            may_be_api(written)
                && catalog
                    .type_by_path(&index.resolve_written(written, catalog).join("::"))
                    .is_some()
        };
        // A struct's name keeps its methods' bodies. Its fields' names are not words: `cancel`,
        // `inner`, `state` are in nearly every file, and a field is only reached through code
        // that names a catalog method, type or function anyway. A function handing its closure
        // a token, or returning an `Option` of one, is reached through a closure's parameter or
        // an `Option` method, which only a method of the token can use.
        let structs = self
            .structs
            .iter()
            .map(|(path, fields)| (path, fields.iter().map(|(_, ty)| ty).collect::<Vec<_>>()));
        let closures = self.closures.iter().map(|(path, args)| {
            let params = args.iter().flat_map(|(_, params)| params).flatten();
            (path, params.collect::<Vec<_>>())
        });
        let optional = self.optional.iter().map(|(path, ty)| (path, vec![ty]));
        // Resolving the types is most of a round's work here: in parallel, then merged.
        let candidates: Vec<_> = structs.chain(closures).chain(optional).collect();
        let found: Vec<(&Vec<String>, Vec<TypeId>)> = candidates
            .into_par_iter()
            .map(|(path, types)| {
                let mut held = Vec::new();
                for ty in types.into_iter().filter(|ty| may_be_api(ty)) {
                    self.catalog_types_held(ty, catalog, 0, &mut held);
                }
                (path, held)
            })
            .collect();
        let mut holders: HashMap<String, HashSet<String>> = HashMap::new();
        for (path, held) in found {
            if let Some(name) = path.last()
                && !held.is_empty()
            {
                declare(name, Scope::new(&path[..1], Reach::Everywhere));
                holders
                    .entry(name.clone())
                    .or_default()
                    .extend(method_names(&held, catalog));
            }
        }
        for (path, returns) in &self.functions {
            if let Some(name) = path.last()
                && returns_api(self, returns)
            {
                declare(name, Scope::new(&path[..1], Reach::Everywhere));
                words.insert(name.clone());
            }
        }
        // A method is declared in its type's crate, where its `impl` is.
        for (owner, name, returns) in &self.methods_raw {
            if returns_api(self, returns) {
                declare(
                    name,
                    Scope::new(&owner.module[..owner.module.len().min(1)], Reach::Everywhere),
                );
                words.insert(name.clone());
            }
        }
        self.word_scopes = word_scopes;
        self.aliases = aliases;
        self.words = words;
        self.holders = holders;
    }

    /// The last segments of the paths that can name a catalog type or hold one: its types'
    /// names, the names aliases give them, and the names of structs with a field of such a
    /// type or of a type alias of one. Resolving a path costs far more than this test.
    fn may_name_api(catalog: &Catalog, aliases: &[(String, String)], leads: &Leads) -> HashSet<String> {
        let last = |path: &str| path.rsplit("::").next().unwrap_or(path).to_string();
        let mut named: HashSet<String> = catalog.type_names();
        named.extend(catalog.alias_names().map(last));
        named.extend(aliases.iter().map(|(from, _)| last(from)));
        leads.leading_to(named, true)
    }

    /// For each name, the names that stand for it (`use … as Tok`, `type T = …`) and, as the
    /// second map, the structs holding a field of a type so named. Both lookups of a round use
    /// them (building them walks every module).
    fn leads(&self) -> Leads<'_> {
        let mut aliases: HashMap<&str, Vec<&str>> = HashMap::new();
        for module in self.modules.values() {
            for (name, target) in &module.names {
                if let Some(target) = target.last() {
                    aliases.entry(target).or_default().push(name);
                }
            }
        }
        let mut holders: HashMap<&str, Vec<&str>> = HashMap::new();
        for (path, fields) in &self.structs {
            let Some(name) = path.last() else {
                continue;
            };
            for (_, ty) in fields {
                if let Some(held) = ty.path.last() {
                    holders.entry(held).or_default().push(name);
                }
            }
        }
        Leads { aliases, holders }
    }

    /// The catalog types a written type is or holds (in struct fields, at any depth).
    fn catalog_types_held(&self, written: &Written, catalog: &Catalog, depth: usize, out: &mut Vec<TypeId>) {
        if depth > 4 {
            return;
        }
        let path = self.resolve_written(written, catalog);
        if let Some(ty) = catalog.type_by_path(&path.join("::")) {
            if !out.contains(&ty) {
                out.push(ty);
            }
            return;
        }
        for (_, ty) in self.structs.get(&path).into_iter().flatten() {
            self.catalog_types_held(ty, catalog, depth + 1, out);
        }
    }

    fn resolve_written(&self, written: &Written, catalog: &Catalog) -> Vec<String> {
        let path = self.canonical(self.absolute(&written.module, &written.path, 0), 0);
        catalog
            .canonicalize(&path.join("::"))
            .split("::")
            .map(str::to_string)
            .collect()
    }

    /// The path a name written in `module` stands for, from the crate root (or an external
    /// crate's path): `crate::`, `self::` and `super::` are relative to `module`, a first
    /// segment defined or imported there is too, anything else is a crate name.
    fn absolute(&self, module: &[String], path: &[String], depth: usize) -> Vec<String> {
        let Some((first, rest)) = path.split_first() else {
            return Vec::new();
        };
        let join = |mut base: Vec<String>, rest: &[String]| {
            base.extend(rest.iter().cloned());
            base
        };
        match first.as_str() {
            "crate" => join(module.iter().take(1).cloned().collect(), rest),
            "self" => join(module.to_vec(), rest),
            "super" => {
                let mut base = module.to_vec();
                let mut rest = path;
                while let Some(("super", tail)) = rest.split_first().map(|(f, t)| (f.as_str(), t)) {
                    if base.len() > 1 {
                        base.pop();
                    }
                    rest = tail;
                }
                join(base, rest)
            }
            "::" => rest.to_vec(),
            name => {
                let entry = self.modules.get(module);
                if entry.is_some_and(|m| m.defined.contains(name)) {
                    return join(module.to_vec(), path);
                }
                if depth < MAX_DEPTH
                    && let Some(target) = entry.and_then(|m| m.names.get(name))
                    && target.first() != Some(first)
                {
                    return join(self.absolute(module, target, depth + 1), rest);
                }
                match self.renames.get(name) {
                    Some(krate) => join(vec![krate.clone()], rest),
                    None => path.to_vec(),
                }
            }
        }
    }

    /// Follows the workspace's re-exports: `common::util::tokio_util::sync::X` is
    /// `tokio_util::sync::X` when `common::util` has `pub use tokio_util;`.
    fn canonical(&self, path: Vec<String>, depth: usize) -> Vec<String> {
        if depth > MAX_DEPTH || path.is_empty() || !self.modules.contains_key(&path[..1]) {
            return path;
        }
        let mut i = 1;
        while i < path.len() {
            if self.modules.contains_key(&path[..=i]) {
                i += 1;
                continue;
            }
            let module = &path[..i];
            let entry = &self.modules[module];
            let name = &path[i];
            if entry.defined.contains(name) || entry.ambiguous.contains(name) {
                return path;
            }
            if let Some(target) = entry.names.get(name) {
                let mut next = self.absolute(module, target, 0);
                next.extend(path[i + 1..].iter().cloned());
                return self.canonical(next, depth + 1);
            }
            // Globs branch: follow them only a few levels deep, or the search grows
            // exponentially in modules that glob-import each other.
            if depth >= MAX_GLOB_DEPTH {
                return path;
            }
            for (glob, _) in &entry.globs {
                let mut next = self.absolute(module, glob, 0);
                next.extend(path[i..].iter().cloned());
                let next = self.canonical(next, depth + 1);
                if self.structs.contains_key(&next) || self.functions.contains_key(&next) {
                    return next;
                }
            }
            return path;
        }
        path
    }

    /// The canonical path of a workspace item written as `path` (already absolute).
    pub fn item(&self, path: &str) -> Vec<String> {
        self.canonical(path.split("::").map(str::to_string).collect(), 0)
    }

    /// The fields of the workspace struct at `path` (canonical), each with its type's path.
    pub fn struct_fields(&self, path: &[String], catalog: &Catalog) -> Option<Vec<(String, Vec<String>)>> {
        let fields = self.structs.get(path)?;
        Some(
            fields
                .iter()
                .map(|(name, ty)| (name.clone(), self.resolve_written(ty, catalog)))
                .collect(),
        )
    }

    /// Whether code outside the module of the struct at `owner` can name its field `name`.
    pub fn field_is_public(&self, owner: &[String], name: &str) -> bool {
        !self.private_fields.contains(&(owner.to_vec(), name.to_string()))
    }

    /// The return type's path of the workspace function at `path` (canonical).
    pub fn function_returns(&self, path: &[String], catalog: &Catalog) -> Option<Vec<String>> {
        self.functions
            .get(path)
            .map(|ty| self.resolve_written(ty, catalog))
    }

    /// For a call of the workspace function at `path` (canonical), the parameter types of the
    /// closure it takes at argument `arg`, each canonical.
    pub fn closure_params(&self, path: &[String], arg: usize, catalog: &Catalog) -> Vec<Option<Vec<String>>> {
        let Some((_, params)) = self
            .closures
            .get(path)
            .and_then(|args| args.iter().find(|(at, _)| *at == arg))
        else {
            return Vec::new();
        };
        params
            .iter()
            .map(|param| param.as_ref().map(|ty| self.resolve_written(ty, catalog)))
            .collect()
    }

    /// `T` (canonical) when the workspace function at `path` returns `Option<T>`.
    pub fn function_returns_some(&self, path: &[String], catalog: &Catalog) -> Option<Vec<String>> {
        self.optional
            .get(path)
            .map(|ty| self.resolve_written(ty, catalog))
    }

    /// The return type's path of method `name` of the workspace type at `owner` (canonical).
    pub fn method_returns(&self, owner: &[String], name: &str, catalog: &Catalog) -> Option<Vec<String>> {
        let returns = self.methods.get(owner)?.get(name)?;
        Some(self.resolve_written(returns, catalog))
    }

    /// Whether the workspace type at `owner` has an `impl Drop` that cancels.
    pub fn cancels_on_drop(&self, owner: &[String]) -> bool {
        self.drops.contains(owner)
    }

    /// What the workspace function at `path` (canonical; a method as `Type::name`) does with
    /// its argument `arg`; `None` for functions the index has not seen.
    pub fn use_of(&self, path: &[String], arg: usize) -> Option<ParamUse> {
        let observed = match self.summaries.get(path) {
            Some(observed) => observed,
            None => {
                let (name, owner) = path.split_last()?;
                self.method_summaries.get(owner)?.get(name)?
            }
        };
        Some(observed.get(arg).copied().unwrap_or(ParamUse::MayCancel))
    }

    /// Whether `path` (absolute) is a struct of the workspace.
    pub fn is_struct(&self, path: &[String]) -> bool {
        self.structs.contains_key(path)
    }
}

/// A file's text, if it is a readable UTF-8 regular file of sane size (the checks the lint
/// phase makes: no FIFO, device or `/proc` file is ever opened).
fn read_source(path: &Path) -> Option<String> {
    let bytes = crate::read::read_source(path, crate::read::DEFAULT_MAX_FILE_SIZE).ok()?;
    String::from_utf8(bytes).ok()
}

/// What a file declares, from its items' headers (see [`Outline`]: only the pieces needed are
/// parsed, and only the bodies of functions taking a token are tokenized).
fn scan(outline: &Outline, origin: &Origin, token_types: &HashSet<String>) -> FileDecls {
    let mut decls = FileDecls::default();
    scan_module(outline, outline.all(), origin.path(), token_types, &mut decls);
    decls
}

fn scan_module(
    outline: &Outline,
    range: Range<usize>,
    module: Vec<String>,
    token_types: &HashSet<String>,
    decls: &mut FileDecls,
) {
    let mut entry = Module::default();
    for item in outline.items(range) {
        let Some(kind) = outline.kind(&item) else {
            continue;
        };
        let text = outline.text_of(item.tokens.clone());
        match kind {
            "use" => {
                if let Ok(item) = syn::parse_str::<syn::ItemUse>(text) {
                    let mut prefix = Vec::new();
                    if item.leading_colon.is_some() {
                        prefix.push("::".to_string());
                    }
                    add_use(&item.tree, &mut prefix, Reach::of(&item.vis), &mut entry);
                }
            }
            "mod" => {
                let Some(name) = outline.name(&item, "mod") else {
                    continue;
                };
                entry.defined.insert(name.to_string());
                let mut inner = module.clone();
                inner.push(name.to_string());
                match outline.body(&item) {
                    Some(body) => scan_module(outline, body, inner, token_types, decls),
                    None => decls.modules.push((inner, Module::default())),
                }
            }
            "type" => {
                let Ok(item) = syn::parse_str::<syn::ItemType>(text) else {
                    continue;
                };
                match written_path(&item.ty) {
                    Some(path) => {
                        entry.insert(item.ident.to_string(), path, Reach::of(&item.vis));
                    }
                    None => {
                        entry.defined.insert(item.ident.to_string());
                    }
                }
            }
            "struct" => {
                let Ok(item) = syn::parse_str::<syn::ItemStruct>(text) else {
                    continue;
                };
                entry.defined.insert(item.ident.to_string());
                let mut struct_path = module.clone();
                struct_path.push(item.ident.to_string());
                let fields = item
                    .fields
                    .iter()
                    .enumerate()
                    .filter_map(|(i, field)| {
                        let name = super::field_name(i, field);
                        if matches!(field.vis, syn::Visibility::Inherited) {
                            decls.private_fields.push((struct_path.clone(), name.clone()));
                        }
                        let path = written_path(&field.ty)?;
                        Some((
                            name,
                            Written {
                                module: module.clone(),
                                path,
                            },
                        ))
                    })
                    .collect();
                decls.structs.push((struct_path, fields));
            }
            "fn" => {
                if let Some(name) = outline.name(&item, "fn") {
                    entry.defined.insert(name.to_string());
                }
                if !may_matter(outline, &item, token_types) {
                    continue;
                }
                let Some(sig) = signature(outline, &item) else {
                    continue;
                };
                let mut name = module.clone();
                name.push(sig.ident.to_string());
                if let Some(observed) = summary(outline, &item, &sig, token_types) {
                    decls.summaries.push((name.clone(), observed));
                }
                let closures = closure_args(&sig, &module);
                if !closures.is_empty() {
                    decls.closures.push((name.clone(), closures));
                }
                if let syn::ReturnType::Type(_, ty) = &sig.output
                    && let Some(path) = option_inner(ty).and_then(written_path)
                {
                    let written = Written {
                        module: module.clone(),
                        path,
                    };
                    decls.optional.push((name.clone(), written));
                }
                if let syn::ReturnType::Type(_, ty) = &sig.output
                    && let Some(path) = written_path(ty)
                {
                    decls.functions.push((
                        name,
                        Written {
                            module: module.clone(),
                            path,
                        },
                    ));
                }
            }
            "impl" => scan_impl(outline, &item, &module, token_types, decls),
            "enum" | "union" | "trait" | "const" | "static" | "macro_rules" => {
                if let Some(name) = outline.name(&item, kind) {
                    entry.defined.insert(name.to_string());
                }
            }
            _ => {}
        }
    }
    decls.modules.push((module, entry));
}

/// Whether a function's signature can say anything the index keeps: it returns something,
/// takes a token, or takes a closure. Most methods do none of these, and parsing costs.
fn may_matter(outline: &Outline, item: &Item, token_types: &HashSet<String>) -> bool {
    let header = outline.before_body(item);
    outline.text_of(header.clone()).contains("->")
        || outline.words(header).any(|word| {
            token_types.contains(word)
                || matches!(
                    word,
                    "Fn" | "FnMut" | "FnOnce" | "AsyncFn" | "AsyncFnMut" | "AsyncFnOnce"
                )
        })
}

/// A function item's signature, parsed without its body.
fn signature(outline: &Outline, item: &Item) -> Option<syn::Signature> {
    let before_body = outline.before_body(item);
    // After `default` (specialization), which a signature does not take.
    let start = outline.from_head(item).find(|&i| {
        matches!(
            outline.word(i),
            Some("const" | "async" | "unsafe" | "extern" | "fn")
        )
    })?;
    let text = outline.text_of(start..before_body.end);
    let text = text.strip_suffix(';').unwrap_or(text);
    syn::parse_str::<syn::Signature>(text).ok()
}

/// The parameters of `sig` that take a closure, with the closure's parameter types:
/// `f: impl FnOnce(CancellationToken) -> Fut`, or `f: F` with `F: Fn(CancellationToken)` among
/// the generics or in the `where` clause.
fn closure_args(sig: &syn::Signature, module: &[String]) -> ClosureArgs {
    let fn_inputs = |bound: &syn::TypeParamBound| match bound {
        syn::TypeParamBound::Trait(t) => {
            let last = t.path.segments.last()?;
            if !matches!(last.ident.to_string().as_str(), "Fn" | "FnMut" | "FnOnce") {
                return None;
            }
            match &last.arguments {
                syn::PathArguments::Parenthesized(args) => Some(
                    args.inputs
                        .iter()
                        .map(|arg| {
                            written_path(&arg.ty).map(|path| Written {
                                module: module.to_vec(),
                                path,
                            })
                        })
                        .collect::<Vec<_>>(),
                ),
                _ => None,
            }
        }
        _ => None,
    };
    let mut found = Vec::new();
    for (i, input) in sig.inputs.iter().enumerate() {
        let syn::FnArg::Typed(typed) = input else {
            continue;
        };
        let params = match &*typed.ty {
            syn::Type::ImplTrait(imp) => imp.bounds.iter().find_map(fn_inputs),
            syn::Type::Path(path) => match path.path.get_ident() {
                Some(name) => bounds_of(sig, name).into_iter().find_map(fn_inputs),
                None => None,
            },
            _ => None,
        };
        if let Some(params) = params
            && params.iter().any(Option::is_some)
        {
            found.push((i, params));
        }
    }
    found
}

/// `T` in `Option<T>` (or `Option<&T>`).
fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(args) => match args.args.first()? {
            syn::GenericArgument::Type(inner) => Some(inner),
            _ => None,
        },
        _ => None,
    }
}

/// The names of the methods of catalog types, but `clone`: a clone alone uses no API, and
/// what the clone is then used for names a method.
fn method_names(types: &[TypeId], catalog: &Catalog) -> Vec<String> {
    types
        .iter()
        .flat_map(|&ty| catalog.methods_of(ty))
        .map(|method| method.name.clone())
        .filter(|name| name != "clone")
        .collect()
}

/// The bounds a function's generic parameter `name` has, among the generics and in the
/// `where` clause.
fn bounds_of<'a>(sig: &'a syn::Signature, name: &syn::Ident) -> Vec<&'a syn::TypeParamBound> {
    let mut bounds = Vec::new();
    for param in &sig.generics.params {
        if let syn::GenericParam::Type(ty) = param
            && ty.ident == *name
        {
            bounds.extend(&ty.bounds);
        }
    }
    for predicate in sig.generics.where_clause.iter().flat_map(|w| &w.predicates) {
        if let syn::WherePredicate::Type(t) = predicate
            && let syn::Type::Path(path) = &t.bounded_ty
            && path.path.is_ident(name)
        {
            bounds.extend(&t.bounds);
        }
    }
    bounds
}

/// What a function does with its token parameters, if a parameter's type names a catalog
/// type (the others' arguments are unknown, so may cancel) and it has a body.
fn summary(
    outline: &Outline,
    item: &Item,
    sig: &syn::Signature,
    token_types: &HashSet<String>,
) -> Option<Vec<ParamUse>> {
    let takes_token = sig.inputs.iter().any(|input| match input {
        syn::FnArg::Typed(typed) => {
            let tokens: Vec<TokenTree> = quote::ToTokens::to_token_stream(&*typed.ty).into_iter().collect();
            let mut names = Vec::new();
            crate::parse::idents_in(&tokens, &mut names);
            names.iter().any(|name| token_types.contains(name))
        }
        syn::FnArg::Receiver(_) => false,
    });
    if !takes_token {
        return None;
    }
    let body = TokenStream::from_str(outline.text_of(outline.body(item)?)).ok()?;
    Some(summaries::observed_params(sig, &body))
}

fn scan_impl(
    outline: &Outline,
    item: &Item,
    module: &[String],
    token_types: &HashSet<String>,
    decls: &mut FileDecls,
) {
    let Some(body) = outline.body(item) else {
        return;
    };
    let header = format!("{} {{}}", outline.text_of(outline.before_body(item)));
    let Ok(syn::Item::Impl(imp)) = syn::parse_str::<syn::Item>(&header) else {
        return;
    };
    let Some(self_path) = written_path(&imp.self_ty) else {
        return;
    };
    let owner = Written {
        module: module.to_vec(),
        path: self_path.clone(),
    };
    let is_drop = imp
        .trait_
        .as_ref()
        .is_some_and(|(path, _)| path.segments.last().is_some_and(|s| s.ident == "Drop"));
    if is_drop {
        if outline.words(body).any(|w| w == "cancel" || w == "abort") {
            decls.drops.push(owner);
        }
        return;
    }
    for method in outline.items(body) {
        if outline.kind(&method) != Some("fn") || !may_matter(outline, &method, token_types) {
            continue;
        }
        let Some(sig) = signature(outline, &method) else {
            continue;
        };
        if let Some(observed) = summary(outline, &method, &sig, token_types) {
            decls
                .method_summaries
                .push((owner.clone(), sig.ident.to_string(), observed));
        }
        let syn::ReturnType::Type(_, ty) = &sig.output else {
            continue;
        };
        let Some(path) = written_path(ty) else {
            continue;
        };
        let path = if path == ["Self"] { self_path.clone() } else { path };
        decls.methods.push((
            owner.clone(),
            sig.ident.to_string(),
            Written {
                module: module.to_vec(),
                path,
            },
        ));
    }
}

fn add_use(tree: &syn::UseTree, prefix: &mut Vec<String>, reach: Reach, module: &mut Module) {
    match tree {
        syn::UseTree::Path(path) => {
            prefix.push(path.ident.to_string());
            add_use(&path.tree, prefix, reach, module);
            prefix.pop();
        }
        syn::UseTree::Name(name) => {
            let name = name.ident.to_string();
            let mut target = prefix.clone();
            if name == "self" {
                let Some(last) = prefix.last() else {
                    return;
                };
                module.insert(last.clone(), target, reach);
            } else {
                target.push(name.clone());
                module.insert(name, target, reach);
            }
        }
        syn::UseTree::Rename(rename) => {
            let alias = rename.rename.to_string();
            if alias == "_" {
                return;
            }
            let mut target = prefix.clone();
            if rename.ident != "self" {
                target.push(rename.ident.to_string());
            }
            module.insert(alias, target, reach);
        }
        syn::UseTree::Glob(_) => module.globs.push((prefix.clone(), reach)),
        syn::UseTree::Group(group) => {
            for tree in &group.items {
                add_use(tree, prefix, reach, module);
            }
        }
    }
}

/// The path a written type names for our purposes (through `&`, `Arc`, `Rc`, `Box`, `dyn`),
/// without generic arguments.
fn written_path(ty: &syn::Type) -> Option<Vec<String>> {
    let path = super::held_path(ty)?;
    let mut segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    if path.leading_colon.is_some() {
        segments.insert(0, "::".into());
    }
    Some(segments)
}

/// Names and the names that lead to them (see [`WorkspaceIndex::leads`]).
struct Leads<'a> {
    aliases: HashMap<&'a str, Vec<&'a str>>,
    holders: HashMap<&'a str, Vec<&'a str>>,
}

impl Leads<'_> {
    /// `named` with every name an import or a type alias gives one of them (`use … as Tok`),
    /// at any depth, and, `through_structs`, the names of structs with a field of such a type.
    fn leading_to(&self, mut named: HashSet<String>, through_structs: bool) -> HashSet<String> {
        let mut todo: Vec<String> = named.iter().cloned().collect();
        while let Some(next) = todo.pop() {
            let holders = self.holders.get(next.as_str()).filter(|_| through_structs);
            for &name in self
                .aliases
                .get(next.as_str())
                .into_iter()
                .chain(holders)
                .flatten()
            {
                if named.insert(name.to_string()) {
                    todo.push(name.to_string());
                }
            }
        }
        named
    }
}

/// Finds each file's package and crate.
#[derive(Default)]
struct Packages {
    /// Package directory → crate name (None: not a package).
    manifests: HashMap<PathBuf, Option<String>>,
    renames: HashMap<String, String>,
    /// Crate → the crates its manifest names in any dependency table, by the name code
    /// writes and by package name.
    dependencies: HashMap<String, HashSet<String>>,
    /// Package name → crate name, where a `[lib] name` makes them differ.
    lib_names: HashMap<String, String>,
    /// A test, bench, example or binary's crate → the packages it belongs to (a name such as
    /// `integration` may be a target of several).
    targets: HashMap<String, HashSet<String>>,
    /// The directory all files of the run share.
    root: Option<PathBuf>,
    /// Directory → the package it is in: its directory and crate.
    package_above: HashMap<PathBuf, Option<(PathBuf, String)>>,
}

impl Packages {
    fn origin_of(&mut self, file: &Path, all: &[PathBuf]) -> Origin {
        let absolute = crate::paths::absolute(file);
        if let Some((dir, krate)) = absolute.parent().and_then(|dir| self.package_above(dir)) {
            let relative = absolute.strip_prefix(&dir).unwrap_or(&absolute);
            let origin = origin_in(&krate, relative);
            // A test, bench, example or binary is a crate of its own that depends on its
            // package (and sees what the package's dev-dependencies declare).
            if origin.krate != krate {
                self.targets
                    .entry(origin.krate.clone())
                    .or_default()
                    .insert(krate);
            }
            return origin;
        }
        // No package: the tree the run was given is one crate (its root found once: once per
        // file would be quadratic).
        let root = self.root.get_or_insert_with(|| common_dir(all));
        let relative = absolute.strip_prefix(&*root).unwrap_or(&absolute);
        let relative = relative.strip_prefix("src").unwrap_or(relative);
        Origin {
            krate: "crate".into(),
            module: module_path(relative),
        }
    }

    /// The package `dir` is in, walking up (each directory once per run).
    fn package_above(&mut self, dir: &Path) -> Option<(PathBuf, String)> {
        let mut walked = Vec::new();
        let mut current = Some(dir);
        let found = loop {
            let Some(here) = current else {
                break None;
            };
            if let Some(known) = self.package_above.get(here) {
                break known.clone();
            }
            walked.push(here.to_path_buf());
            if let Some(krate) = self.package_at(here) {
                break Some((here.to_path_buf(), krate));
            }
            current = here.parent();
        };
        for here in walked {
            self.package_above.insert(here, found.clone());
        }
        found
    }

    fn package_at(&mut self, dir: &Path) -> Option<String> {
        if let Some(known) = self.manifests.get(dir) {
            return known.clone();
        }
        let krate = std::fs::read_to_string(dir.join("Cargo.toml"))
            .ok()
            .and_then(|text| text.parse::<toml::Table>().ok())
            .and_then(|manifest| {
                self.note_renames(&manifest);
                let package = manifest.get("package")?.as_table()?;
                let lib_name = manifest
                    .get("lib")
                    .and_then(|lib| lib.get("name"))
                    .and_then(|name| name.as_str());
                let package_name = package.get("name")?.as_str()?.replace('-', "_");
                let name = lib_name.map_or(package_name.clone(), |lib| lib.replace('-', "_"));
                if name != package_name {
                    self.lib_names.insert(package_name, name.clone());
                }
                self.dependencies
                    .entry(name.clone())
                    .or_default()
                    .extend(dependency_names(&manifest));
                Some(name)
            });
        self.manifests.insert(dir.to_path_buf(), krate.clone());
        krate
    }

    /// For each crate, itself and every crate of the run it depends on, directly or not (only
    /// those declare words; the external crates would only make the sets large). A target
    /// shares its package's set.
    fn visible_crates(&self) -> HashMap<String, Arc<HashSet<String>>> {
        let closure = |krate: &String| {
            let mut seen: HashSet<String> = [krate.clone()].into_iter().collect();
            let mut todo = vec![krate];
            while let Some(next) = todo.pop() {
                for dependency in self.dependencies.get(next).into_iter().flatten() {
                    let dependency = self.lib_names.get(dependency).unwrap_or(dependency);
                    if self.dependencies.contains_key(dependency) && seen.insert(dependency.clone()) {
                        todo.push(dependency);
                    }
                }
            }
            seen
        };
        let mut visible: HashMap<String, Arc<HashSet<String>>> = self
            .dependencies
            .keys()
            .map(|krate| (krate.clone(), Arc::new(closure(krate))))
            .collect();
        // Made from the packages' sets alone (a target may be named like a package whose set
        // another target takes), then added.
        let targets: Vec<(String, Arc<HashSet<String>>)> = self
            .targets
            .iter()
            .filter_map(|(target, packages)| {
                // A target named like a package of the run sees what both see.
                let mut sets = packages
                    .iter()
                    .chain(self.dependencies.contains_key(target).then_some(target))
                    .filter_map(|package| visible.get(package).cloned());
                let mut shared = sets.next()?;
                for other in sets {
                    Arc::make_mut(&mut shared).extend(other.iter().cloned());
                }
                Some((target.clone(), shared))
            })
            .collect();
        visible.extend(targets);
        visible
    }

    /// `common = { package = "x-common", … }`: code writes `common::` for crate `x_common`.
    fn note_renames(&mut self, manifest: &toml::Table) {
        let tables = ["dependencies", "dev-dependencies", "build-dependencies"];
        for table in tables.iter().filter_map(|t| manifest.get(*t)?.as_table()) {
            for (name, spec) in table {
                if let Some(package) = spec.get("package").and_then(|p| p.as_str()) {
                    self.renames
                        .insert(name.replace('-', "_"), package.replace('-', "_"));
                }
            }
        }
    }
}

/// The crates a manifest depends on, in every dependency table (target-specific ones too), by
/// the name code writes and by package name.
fn dependency_names(manifest: &toml::Table) -> HashSet<String> {
    let kinds = ["dependencies", "dev-dependencies", "build-dependencies"];
    let targets = manifest
        .get("target")
        .and_then(|t| t.as_table())
        .into_iter()
        .flat_map(|targets| targets.values());
    let mut names = HashSet::new();
    for table in std::iter::once(manifest).chain(targets.filter_map(|t| t.as_table())) {
        for deps in kinds.iter().filter_map(|k| table.get(*k)?.as_table()) {
            for (name, spec) in deps {
                names.insert(name.replace('-', "_"));
                if let Some(package) = spec.get("package").and_then(|p| p.as_str()) {
                    names.insert(package.replace('-', "_"));
                }
            }
        }
    }
    names
}

/// The origin of a file at `relative` inside the package of crate `krate`.
fn origin_in(krate: &str, relative: &Path) -> Origin {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    match parts.first().map(String::as_str) {
        Some("src") if parts.get(1).map(String::as_str) == Some("bin") => {
            // `src/bin/x.rs` or `src/bin/x/main.rs`: a crate of its own.
            let name = parts.get(2).map(|p| p.trim_end_matches(".rs").replace('-', "_"));
            Origin {
                krate: name.unwrap_or_default(),
                module: module_path(Path::new(&parts[3.min(parts.len())..].join("/"))),
            }
        }
        Some("src") => {
            parts.remove(0);
            Origin {
                krate: krate.to_string(),
                module: module_path(Path::new(&parts.join("/"))),
            }
        }
        Some("tests" | "examples" | "benches") if parts.len() >= 2 => {
            let name = parts[1].trim_end_matches(".rs").replace('-', "_");
            Origin {
                krate: name,
                module: module_path(Path::new(&parts[2.min(parts.len())..].join("/"))),
            }
        }
        _ => Origin {
            krate: krate.to_string(),
            module: Vec::new(),
        },
    }
}

/// `a/b.rs` is module `a::b`; `a/mod.rs` is `a`; `lib.rs` and `main.rs` are the root.
fn module_path(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if let Some(last) = parts.pop() {
        let stem = last.strip_suffix(".rs").unwrap_or(&last);
        let root_file = matches!(stem, "mod" | "lib" | "main") && (stem == "mod" || parts.is_empty());
        if !root_file && !stem.is_empty() {
            parts.push(stem.to_string());
        }
    }
    parts
        .into_iter()
        .map(|p| p.replace('-', "_"))
        .filter(|p| !p.is_empty())
        .collect()
}

fn common_dir(files: &[PathBuf]) -> PathBuf {
    let mut common: Option<PathBuf> = None;
    for file in files {
        let absolute = std::path::absolute(file).unwrap_or_else(|_| file.clone());
        let dir = absolute.parent().map(Path::to_path_buf).unwrap_or_default();
        common = Some(match common {
            None => dir,
            Some(c) => c
                .components()
                .zip(dir.components())
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| a)
                .collect(),
        });
    }
    common.unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(krate: &str, module: &[&str]) -> Origin {
        Origin {
            krate: krate.into(),
            module: module.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn index_of(files: &[(&str, &[&str], &str)]) -> WorkspaceIndex {
        let catalog = Catalog::builtin();
        let mut index = WorkspaceIndex::default();
        let token_types = catalog.type_names();
        for (krate, module, text) in files {
            index.add(scan(&Outline::new(text), &origin(krate, module), &token_types));
        }
        index.resolve(catalog);
        index.resolve_tables();
        index
    }

    #[test]
    fn summaries_of_functions_and_methods_taking_tokens() {
        let index = index_of(&[(
            "app",
            &[],
            "use tokio_util::sync::CancellationToken;
             pub fn wait(t: CancellationToken, u: CancellationToken) { tokio::spawn(async move { t.cancelled().await }); keep(u); }
             pub fn plain(n: u8) {}
             pub struct Worker;
             impl Worker { pub fn stop(&self, t: &CancellationToken) { t.cancel() } }",
        )]);
        let path = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(index.use_of(&path(&["app", "wait"]), 0), Some(ParamUse::Spawns));
        assert_eq!(
            index.use_of(&path(&["app", "wait"]), 1),
            Some(ParamUse::MayCancel)
        );
        // No token parameter: no summary, so unknown.
        assert_eq!(index.use_of(&path(&["app", "plain"]), 0), None);
        assert_eq!(
            index.use_of(&path(&["app", "Worker", "stop"]), 0),
            Some(ParamUse::MayCancel)
        );
    }

    #[test]
    fn reexports_become_catalog_aliases() {
        let index = index_of(&[
            ("common", &["util"], "pub use tokio_util;"),
            ("common", &[], "pub mod util;"),
            ("shutdown", &[], "pub use tokio_util::sync::CancellationToken;"),
            (
                "app",
                &["types"],
                "pub use shutdown::CancellationToken as Stop; pub type Shared = std::sync::Arc<Stop>;",
            ),
        ]);
        let aliases: HashMap<&str, &str> = index
            .aliases
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        assert_eq!(aliases.get("common::util::tokio_util"), Some(&"tokio_util"));
        assert_eq!(
            aliases.get("shutdown::CancellationToken"),
            Some(&"tokio_util::sync::CancellationToken")
        );
        assert_eq!(
            aliases.get("app::types::Stop"),
            Some(&"tokio_util::sync::CancellationToken")
        );
        assert_eq!(
            aliases.get("app::types::Shared"),
            Some(&"tokio_util::sync::CancellationToken")
        );
        assert!(index.words.contains("Stop") && index.words.contains("Shared"));
    }

    /// A private `use` is written only in its module and the modules inside it; `pub(crate)`
    /// anywhere in its crate; `pub` in the crates depending on it too. A sleep is no word.
    #[test]
    fn words_are_seen_where_rust_lets_them_be_written() {
        let mut index = index_of(&[
            (
                "app",
                &["a"],
                "use tokio_util::sync::CancellationToken as Private;
                 pub(crate) use tokio_util::sync::CancellationToken as Shared;
                 pub use tokio_util::sync::CancellationToken as Public;
                 pub use tokio::time::sleep;",
            ),
            ("app", &[], "mod a;"),
        ]);
        let crates = |names: &[&str]| Arc::new(names.iter().map(|n| n.to_string()).collect());
        index.visible.insert("app".into(), crates(&["app"]));
        index.visible.insert("user".into(), crates(&["user", "app"]));
        index.visible.insert("other".into(), crates(&["other"]));
        let sees = |word: &str, krate: &str, module: &[&str]| index.sees(word, Some(&origin(krate, module)));
        assert!(sees("Private", "app", &["a"]) && sees("Private", "app", &["a", "child"]));
        // The crate root may hold `mod a { … }` inline.
        assert!(sees("Private", "app", &[]));
        assert!(!sees("Private", "app", &["b"]) && !sees("Private", "user", &["a"]));
        assert!(sees("Shared", "app", &["b"]) && !sees("Shared", "user", &[]));
        assert!(sees("Public", "user", &["x"]) && !sees("Public", "other", &[]));
        assert!(!index.words.contains("sleep"));
        assert!(index.aliases.iter().any(|(from, _)| from == "app::a::sleep"));
    }

    #[test]
    fn own_types_are_not_the_catalog() {
        let index = index_of(&[(
            "shutdown",
            &[],
            "pub struct CancellationToken; pub use tokio_util as tu;",
        )]);
        assert!(
            !index
                .aliases
                .iter()
                .any(|(from, _)| from == "shutdown::CancellationToken")
        );
    }

    #[test]
    fn fields_and_returns_across_modules() {
        let catalog = Catalog::builtin();
        let index = index_of(&[
            (
                "svc",
                &["state"],
                "use tokio_util::sync::CancellationToken; pub struct Shared { pub shutdown: CancellationToken, n: u8 }
                 pub struct Server { pub inner: std::sync::Arc<Shared> }
                 impl Server { pub fn guard(&self) -> tokio_util::sync::DropGuard { todo!() } pub fn new() -> Self { todo!() } }",
            ),
            ("svc", &[], "mod state; pub use state::Server;"),
        ]);
        let server = index.item("svc::Server");
        assert_eq!(server, ["svc", "state", "Server"]);
        let fields = index.struct_fields(&server, catalog).unwrap();
        assert_eq!(
            fields,
            [(
                "inner".to_string(),
                vec!["svc".into(), "state".into(), "Shared".into()]
            )]
        );
        let shared = index.struct_fields(&fields[0].1, catalog).unwrap();
        assert!(
            shared.contains(&(
                "shutdown".into(),
                "tokio_util::sync::CancellationToken"
                    .split("::")
                    .map(String::from)
                    .collect()
            ))
        );
        assert_eq!(
            index
                .method_returns(&server, "guard", catalog)
                .unwrap()
                .join("::"),
            "tokio_util::sync::DropGuard"
        );
        assert_eq!(index.method_returns(&server, "new", catalog).unwrap(), server);
        assert!(index.words.contains("guard"));
        // Structs holding a token are reached through one of its methods.
        for holder in ["Server", "Shared"] {
            assert!(index.holders[holder].contains("cancelled"), "{holder}");
            assert!(!index.holders[holder].contains("clone"), "{holder}");
        }
        // Field names and `new` (returning a struct, reached through its name) are too common.
        for word in ["n", "inner", "shutdown", "new"] {
            assert!(!index.words.contains(word), "{word}");
        }
    }

    /// A target sees what its package sees, whatever order the targets are met in: one may
    /// be named like a package (`x`) whose own set another target (`t`, of `x`) takes.
    #[test]
    fn a_target_sees_its_packages_set_whatever_the_order() {
        let names = |list: &[&str]| list.iter().map(|n| n.to_string()).collect::<HashSet<String>>();
        for _ in 0..20 {
            let mut packages = Packages::default();
            packages.dependencies.insert("x".into(), names(&["y", "serde"]));
            packages.dependencies.insert("y".into(), names(&[]));
            packages.dependencies.insert("z".into(), names(&[]));
            packages.targets.insert("x".into(), names(&["z"]));
            packages.targets.insert("t".into(), names(&["x"]));
            let visible = packages.visible_crates();
            assert_eq!(*visible["t"], names(&["x", "y"]));
            assert_eq!(*visible["x"], names(&["x", "y", "z"]));
        }
    }

    #[test]
    fn origins_from_paths() {
        assert_eq!(origin_in("a", Path::new("src/lib.rs")), origin("a", &[]));
        assert_eq!(origin_in("a", Path::new("src/x/mod.rs")), origin("a", &["x"]));
        assert_eq!(origin_in("a", Path::new("src/x/y.rs")), origin("a", &["x", "y"]));
        assert_eq!(origin_in("a", Path::new("src/bin/tool.rs")), origin("tool", &[]));
        assert_eq!(origin_in("a", Path::new("tests/it.rs")), origin("it", &[]));
    }

    /// A holder's name is searched only in crates that can see the crate declaring it; a
    /// word in a comment makes no file scanned.
    #[test]
    fn words_are_searched_where_their_crate_is_visible() {
        let dir = tempfile::tempdir().unwrap();
        let write = |path: &str, text: &str| {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        let manifest =
            |name: &str, deps: &str| format!("[package]\nname = \"{name}\"\n[dependencies]\n{deps}");
        write("core/Cargo.toml", &manifest("core", "tokio-util = \"0.7\""));
        write(
            "core/src/lib.rs",
            "use tokio_util::sync::CancellationToken;\npub struct Service { pub cancel: CancellationToken }",
        );
        write(
            "app/Cargo.toml",
            &manifest("app", "core = { path = \"../core\" }"),
        );
        write(
            "app/src/lib.rs",
            "pub fn run(s: &core::Service) -> Service2 { todo!() }",
        );
        write("other/Cargo.toml", &manifest("other", ""));
        write(
            "other/src/lib.rs",
            "pub struct Service;\npub fn make() -> Service { Service }",
        );
        write(
            "other/src/notes.rs",
            "// The Service of core is not this one.\npub fn f() {}",
        );
        let files: Vec<PathBuf> = [
            "core/src/lib.rs",
            "app/src/lib.rs",
            "other/src/lib.rs",
            "other/src/notes.rs",
        ]
        .iter()
        .map(|f| dir.path().join(f))
        .collect();
        let index = WorkspaceIndex::build(&files, Catalog::builtin());
        assert!(index.holders.contains_key("Service"));
        // core (the token's crate named) and app (depends on core); not other.
        assert_eq!(index.files_scanned, 2, "{:?}", index.rounds);
    }
}
