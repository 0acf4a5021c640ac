//! The API catalog: which types, functions and methods are contexts, tokens, guards, roots,
//! derivations, value accessors and cancellation checks. The facts are data
//! (`catalog.toml`, plus `[[api]]` tables from a project's config in the same shape); this
//! module only indexes them.

use foldhash::{HashMap, HashMapExt, HashSet};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use serde::Deserialize;

const BUILTIN: &str = include_str!("catalog.toml");

// ---------------------------------------------------------------------------------------------
// The data, as written in TOML.

/// One `[[api]]` table.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiSpec {
    pub name: String,
    /// Required for a new API; a table naming an API declared earlier (a built-in one, say)
    /// extends it instead (see [`merge_specs`]).
    #[serde(default)]
    pub crates: Vec<String>,
    #[serde(default)]
    pub position: Option<Position>,
    /// Parameter types that may come before the contexts of a `first`/`either` API, as
    /// written (`&mut Formatter`).
    #[serde(default)]
    pub allow_types_before: Option<Vec<String>>,
    /// Parameter types that may follow the contexts of a `last`/`either` API.
    #[serde(default)]
    pub allow_types_after: Option<Vec<String>>,
    #[serde(default)]
    pub aliases: BTreeMap<String, String>,
    #[serde(default)]
    pub types: BTreeMap<String, TypeSpec>,
    #[serde(default)]
    pub functions: BTreeMap<String, FnSpec>,
    /// Extension methods available on any receiver (trait methods such as
    /// `FutureExt::with_cancellation_token`).
    #[serde(default)]
    pub methods: BTreeMap<String, FnSpec>,
    /// How the API's request handlers look.
    #[serde(default)]
    pub handlers: HandlerSpec,
}

/// What makes a function a request handler of a framework.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandlerSpec {
    /// Attributes (full paths) that make a function a handler: `actix_web::get`.
    #[serde(default)]
    pub attributes: Vec<String>,
    /// Glob patterns (`*` for any text) over the module segment of an implemented trait's path:
    /// every method of `impl greeter_server::Greeter for T` is a handler with `"*_server"`.
    #[serde(default)]
    pub trait_modules: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeSpec {
    pub path: String,
    pub kind: Kind,
    #[serde(default)]
    pub on_drop: Option<OnDrop>,
    #[serde(default)]
    pub position: Option<Position>,
    #[serde(default)]
    pub cancel: Option<String>,
    #[serde(default)]
    pub derive: Option<String>,
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    #[serde(default)]
    pub constructors: BTreeMap<String, FnSpec>,
    #[serde(default)]
    pub methods: BTreeMap<String, FnSpec>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FnSpec {
    #[serde(default)]
    pub returns: Option<ReturnsSpec>,
    #[serde(default)]
    pub role: Option<RoleName>,
    #[serde(default)]
    pub key_arg: Option<usize>,
    #[serde(default)]
    pub keys: Option<Keys>,
    #[serde(default)]
    pub distinctive: bool,
    #[serde(default)]
    pub consumes: bool,
    /// Takes its receiver by `&mut`: a derivation through it needs a mutable binding.
    #[serde(default)]
    pub mutates: bool,
    /// Number of arguments (not counting the receiver); a call with another count is a
    /// different function of the same name.
    #[serde(default)]
    pub args: Option<usize>,
    /// Returns a reference (`&'static Handler`): dropping the result does nothing.
    #[serde(default)]
    pub borrowed: bool,
    /// Derives from the ambient (current) context rather than from an argument.
    #[serde(default)]
    pub ambient: bool,
    /// A wait that blocks the thread or returns a channel, not a future.
    #[serde(default)]
    pub blocking: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum ReturnsSpec {
    One(String),
    Tuple(Vec<String>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleName {
    Root,
    Derive,
    DeriveTimeout,
    ValueSet,
    ValueGet,
    Current,
    Poll,
    Wait,
    RunUntilCancelled,
    Cancel,
    Disarm,
    Sleep,
    Spin,
}

// ---------------------------------------------------------------------------------------------
// The indexed catalog.

/// What a value of a catalog type is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A Go-style or framework context (carries cancellation and/or values).
    Context,
    /// A cancellation token.
    Token,
    /// A value whose drop has an effect (see [`OnDrop`]).
    Guard,
    /// A cancel function that must be called.
    CancelFn,
}

/// What dropping a value does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnDrop {
    /// Cancels (or aborts) at once.
    Cancel,
    /// Nothing: whatever it should cancel lives on.
    Leak,
    /// Undoes the call that produced it (attach/enter guards).
    Undo,
}

/// Where functions conventionally take a context parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    First,
    Last,
    Either,
    None,
}

/// Whether a value API's keys are typed (any `Eq + Hash` type) or strings only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Keys {
    Typed,
    String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyArg {
    /// Index of the key among the call's arguments (not counting a method's receiver); `None`
    /// when the API is keyed by type and takes no key argument.
    pub index: Option<usize>,
    pub keys: Keys,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Creates a fresh, unparented context or token.
    Root,
    /// Derives a child; `timeout` when the child has its own deadline.
    Derive {
        timeout: bool,
    },
    ValueSet(KeyArg),
    ValueGet(KeyArg),
    /// Reads the ambient (thread-local) context.
    Current,
    /// Checks for cancellation without waiting.
    Poll,
    /// Waits for cancellation.
    Wait,
    /// Runs a future until cancellation.
    RunUntilCancelled,
    Cancel,
    /// Gives up a guard without cancelling.
    Disarm,
    /// Waits for time to pass, and for nothing else (`tokio::time::sleep`, `thread::sleep`).
    Sleep,
    /// Gives up the CPU or hints a spin without waiting (`yield_now`, `spin_loop`).
    Spin,
}

impl Role {
    /// Roles of functions that are not context APIs themselves (sleeps): they matter only
    /// beside one, so they do not make a file worth parsing.
    pub fn is_auxiliary(self) -> bool {
        matches!(self, Role::Sleep | Role::Spin)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeId(usize);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ApiId(usize);

#[derive(Clone, Debug)]
pub struct Api {
    pub name: String,
    pub crates: Vec<String>,
    pub position: Position,
    /// Parameter types that may precede the contexts, as written (see [`type_spelling`]).
    pub allow_types_before: Vec<String>,
    /// Parameter types that may follow them.
    pub allow_types_after: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct TypeDef {
    pub api: ApiId,
    /// The short name, e.g. `CancellationToken`.
    pub name: String,
    pub path: String,
    pub kind: Kind,
    pub on_drop: Option<OnDrop>,
    pub position: Position,
    pub cancel: Option<String>,
    pub derive: Option<String>,
    pub fields: Vec<(String, TypeId)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Returns {
    Unknown,
    One(TypeId),
    Tuple(Vec<Option<TypeId>>),
}

/// A function, associated function or method.
#[derive(Clone, Debug)]
pub struct Callable {
    /// Its index in the catalog.
    pub id: usize,
    pub api: ApiId,
    pub name: String,
    /// The type a method is called on, or a constructor belongs to.
    pub owner: Option<TypeId>,
    pub returns: Returns,
    pub role: Option<Role>,
    pub consumes: bool,
    pub mutates: bool,
    pub args: Option<usize>,
    pub borrowed: bool,
    pub ambient: bool,
    pub blocking: bool,
}

#[derive(Debug)]
pub struct CatalogError(pub String);

/// The largest argument index `key_arg` may name.
const MAX_ARGUMENT: usize = 255;

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CatalogError {}

#[derive(Clone, Debug, Default)]
pub struct Catalog {
    apis: Vec<Api>,
    types: Vec<TypeDef>,
    callables: Vec<Callable>,
    type_by_path: HashMap<String, TypeId>,
    /// Free functions and constructors by canonical path.
    function_by_path: HashMap<String, usize>,
    methods: HashMap<(TypeId, String), usize>,
    /// Methods recognised by name alone.
    methods_by_name: HashMap<String, usize>,
    /// Every proper prefix of a catalog path (`tokio_util`, `tokio_util::sync`).
    prefixes: HashSet<String>,
    /// Re-export rewrites, longest first.
    aliases: Vec<(String, String)>,
    /// Attributes that make a function a request handler.
    handler_attributes: HashSet<String>,
    /// Patterns over the module of a trait whose implementations are request handlers.
    handler_trait_modules: Vec<String>,
    /// The last segment of every type and function path, and every method name: a path ending
    /// in anything else cannot name a catalog item.
    last_segments: HashSet<String>,
    /// Identifying words, each with the path prefixes it can be written under.
    identifying: Vec<(String, Vec<Vec<String>>)>,
    /// Names the workspace gives to catalog items or to what holds them (re-exports, fields,
    /// functions returning tokens): each alone can lead a file into the catalog.
    workspace_words: HashSet<String>,
    /// The paths of the workspace's aliases of catalog items (`app::a::Tok`): written only
    /// where their last segment can be, as a workspace word.
    workspace_aliases: HashSet<String>,
    /// Workspace structs holding a catalog type, and functions handing one to a closure or
    /// returning an `Option` of one, with the methods of what they hold: a file naming one can
    /// reach the API, but only through such a method, whose name it must then write too.
    workspace_holders: HashMap<String, HashSet<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    api: Vec<ApiSpec>,
}

impl Catalog {
    /// The catalog built into ctxlint.
    pub fn builtin() -> &'static Catalog {
        static BUILTIN_CATALOG: OnceLock<Catalog> = OnceLock::new();
        BUILTIN_CATALOG
            .get_or_init(|| Catalog::build(&Catalog::builtin_specs()).expect("the built-in catalog is valid"))
    }

    pub fn builtin_specs() -> Vec<ApiSpec> {
        let file: CatalogFile = toml::from_str(BUILTIN).expect("catalog.toml parses");
        file.api
    }

    /// Builds a catalog from API tables (the built-in ones followed by a project's own).
    pub fn build(specs: &[ApiSpec]) -> Result<Catalog, CatalogError> {
        let specs = &merge_specs(specs)?;
        for spec in specs {
            let types = [&spec.allow_types_before, &spec.allow_types_after];
            for ty in types.into_iter().flatten().flatten() {
                // Spelling a type recurses per level, on the main thread.
                let (depth, _) = crate::source::nesting_depth(ty);
                if depth > crate::engine::MAX_NESTING {
                    return Err(CatalogError(format!(
                        "api `{}`: a type in `allow_types_before`/`allow_types_after` nests {depth} levels deep; ctxlint reads up to {}",
                        spec.name,
                        crate::engine::MAX_NESTING
                    )));
                }
            }
        }
        let mut catalog = Catalog::default();
        // Types first, so entries can refer to types of any API.
        for (api_index, spec) in specs.iter().enumerate() {
            for (name, ty) in &spec.types {
                if catalog.type_by_path.contains_key(&ty.path) {
                    return Err(CatalogError(format!(
                        "api `{}`: type `{}` is declared twice",
                        spec.name, ty.path
                    )));
                }
                let id = TypeId(catalog.types.len());
                catalog.type_by_path.insert(ty.path.clone(), id);
                catalog.add_prefixes(&ty.path);
                catalog.types.push(TypeDef {
                    api: ApiId(api_index),
                    name: name.clone(),
                    path: ty.path.clone(),
                    kind: ty.kind,
                    on_drop: ty.on_drop,
                    position: ty.position.or(spec.position).unwrap_or(Position::Either),
                    cancel: ty.cancel.clone(),
                    derive: ty.derive.clone(),
                    fields: Vec::new(),
                });
            }
        }
        for (api_index, spec) in specs.iter().enumerate() {
            let api = ApiId(api_index);
            for (name, ty) in &spec.types {
                let owner = catalog.type_by_path[&ty.path];
                for (field, field_ty) in &ty.fields {
                    let field_ty = catalog.type_ref(spec, field_ty)?;
                    catalog.types[owner.0].fields.push((field.clone(), field_ty));
                }
                for (ctor, fn_spec) in &ty.constructors {
                    let path = format!("{}::{ctor}", ty.path);
                    let default = Returns::One(owner);
                    let index = catalog.add_callable(spec, api, ctor, Some(owner), fn_spec, default)?;
                    catalog.add_prefixes(&path);
                    catalog.function_by_path.insert(path, index);
                }
                for (method, fn_spec) in &ty.methods {
                    let index =
                        catalog.add_callable(spec, api, method, Some(owner), fn_spec, Returns::Unknown)?;
                    catalog.methods.insert((owner, method.clone()), index);
                    if fn_spec.distinctive {
                        catalog.methods_by_name.insert(method.clone(), index);
                    }
                }
                let _ = name;
            }
            for (path, fn_spec) in &spec.functions {
                let name = path.rsplit("::").next().unwrap_or(path);
                let index = catalog.add_callable(spec, api, name, None, fn_spec, Returns::Unknown)?;
                catalog.add_prefixes(path);
                catalog.function_by_path.insert(path.clone(), index);
            }
            for (name, fn_spec) in &spec.methods {
                let index = catalog.add_callable(spec, api, name, None, fn_spec, Returns::Unknown)?;
                catalog.methods_by_name.insert(name.clone(), index);
            }
            for (from, to) in &spec.aliases {
                catalog.aliases.push((from.clone(), to.clone()));
                catalog.add_prefixes(from);
                catalog.prefixes.insert(from.clone());
            }
            for attribute in &spec.handlers.attributes {
                catalog.add_prefixes(attribute);
                catalog.handler_attributes.insert(attribute.clone());
            }
            catalog
                .handler_trait_modules
                .extend(spec.handlers.trait_modules.iter().cloned());
            catalog.apis.push(Api {
                name: spec.name.clone(),
                crates: spec.crates.clone(),
                position: spec.position.unwrap_or(Position::Either),
                allow_types_before: spec
                    .allow_types_before
                    .iter()
                    .flatten()
                    .map(|ty| type_spelling(ty))
                    .collect(),
                allow_types_after: spec
                    .allow_types_after
                    .iter()
                    .flatten()
                    .map(|ty| type_spelling(ty))
                    .collect(),
            });
        }
        catalog
            .aliases
            .sort_by_key(|(from, _)| std::cmp::Reverse(from.len()));
        let last = |path: &String| path.rsplit("::").next().unwrap_or(path).to_string();
        catalog.last_segments = catalog
            .type_by_path
            .keys()
            .chain(catalog.function_by_path.keys())
            .map(last)
            .chain(catalog.methods.keys().map(|(_, name)| name.clone()))
            .collect();
        catalog.index_identifying_words();
        Ok(catalog)
    }

    /// The names through which a file can reach a catalog item, given the identifiers it
    /// contains (`present`): the last segment of a type or free-function path (constructors are
    /// reached through their type's name) counts when the file names every segment before it,
    /// of the path or of a re-export of it; name-only methods always count. Helpers
    /// such as `sleep` do not count: alone they find nothing. Nor do the workspace's holders
    /// (see [`Self::holders`]).
    pub fn identifying_words(&self, present: impl Fn(&str) -> bool) -> HashSet<String> {
        let mut words: HashSet<String> = self.methods_by_name.keys().cloned().collect();
        words.extend(self.workspace_words.iter().cloned());
        for (word, roots) in &self.identifying {
            if roots
                .iter()
                .any(|root| root.iter().all(|segment| present(segment)))
            {
                words.insert(word.clone());
            }
        }
        words
    }

    /// Every segment of every path the catalog knows (`tokio_util`, `sync`, `CancellationToken`).
    pub fn path_segments(&self) -> HashSet<String> {
        self.prefixes
            .iter()
            .chain(self.type_by_path.keys())
            .chain(self.function_by_path.keys())
            .chain(self.handler_attributes.iter())
            .flat_map(|path| path.split("::"))
            .map(str::to_string)
            .collect()
    }

    /// For each catalog crate named like a crate every program has (halo-core's lib is `core`),
    /// the modules its paths go on into (`context`): there the crate's name alone says nothing.
    pub fn builtin_named_crates(&self) -> HashMap<String, HashSet<String>> {
        const BUILTIN: [&str; 5] = ["core", "std", "alloc", "proc_macro", "test"];
        let mut modules: HashMap<String, HashSet<String>> = HashMap::new();
        let aliases = self.aliases.iter().flat_map(|(from, to)| [from, to]);
        let paths = self
            .prefixes
            .iter()
            .chain(self.type_by_path.keys())
            .chain(self.function_by_path.keys())
            .chain(self.handler_attributes.iter())
            .chain(aliases);
        for path in paths {
            let mut segments = path.split("::");
            if let (Some(krate), Some(module)) = (segments.next(), segments.next())
                && BUILTIN.contains(&krate)
            {
                modules
                    .entry(krate.to_string())
                    .or_default()
                    .insert(module.to_string());
            }
        }
        modules
    }

    /// The paths the catalog's aliases stand in for (`go_http`).
    pub fn alias_names(&self) -> impl Iterator<Item = &str> {
        self.aliases.iter().map(|(from, _)| from.as_str())
    }

    /// The workspace's structs (and functions) that hold a catalog type, with the methods of
    /// the types held: code reaches the API through one only by calling one of those methods.
    pub fn holders(&self) -> &HashMap<String, HashSet<String>> {
        &self.workspace_holders
    }

    /// Every identifying word with its roots (see [`Self::identifying_words`]).
    fn index_identifying_words(&mut self) {
        let functions = self.function_by_path.iter().filter_map(|(path, &index)| {
            let callable = &self.callables[index];
            let helper = callable.role.is_some_and(Role::is_auxiliary);
            (callable.owner.is_none() && !helper).then_some(path)
        });
        let mut identifying = Vec::new();
        // The segments before the name must all be written for the path to be (`ctx` alone,
        // a common variable name, does not make `ctx::Context` reachable).
        let prefix = |path: &str| {
            let mut segments: Vec<String> = path.split("::").map(str::to_string).collect();
            segments.pop();
            segments
        };
        for path in self.type_by_path.keys().chain(functions) {
            let word = path.rsplit("::").next().unwrap_or(path).to_string();
            let mut roots = vec![prefix(path)];
            for (from, to) in &self.aliases {
                if let Some(rest) = path.strip_prefix(to.as_str()) {
                    roots.push(prefix(&format!("{from}{rest}")));
                }
            }
            identifying.push((word, roots));
        }
        self.identifying = identifying;
    }

    /// Whether a path ending in `name` could name a catalog type or function (a cheap test
    /// before resolving it).
    pub fn has_last_segment(&self, name: &str) -> bool {
        self.last_segments.contains(name)
    }

    fn add_callable(
        &mut self,
        spec: &ApiSpec,
        api: ApiId,
        name: &str,
        owner: Option<TypeId>,
        fn_spec: &FnSpec,
        default_returns: Returns,
    ) -> Result<usize, CatalogError> {
        let returns = match &fn_spec.returns {
            None => default_returns,
            Some(ReturnsSpec::One(ty)) => Returns::One(self.type_ref(spec, ty)?),
            Some(ReturnsSpec::Tuple(elems)) => Returns::Tuple(
                elems
                    .iter()
                    .map(|ty| {
                        if ty == "_" {
                            Ok(None)
                        } else {
                            self.type_ref(spec, ty).map(Some)
                        }
                    })
                    .collect::<Result<_, _>>()?,
            ),
        };
        // An argument index beyond any real parameter list is a mistake, not a huge number.
        if let Some(index) = fn_spec.key_arg
            && index > MAX_ARGUMENT
        {
            return Err(CatalogError(format!(
                "api `{}`: `{name}`: key_arg = {index} is out of range (0 to {MAX_ARGUMENT})",
                spec.name
            )));
        }
        let key_arg = |keys: Option<Keys>| KeyArg {
            index: fn_spec.key_arg,
            keys: keys.unwrap_or(Keys::Typed),
        };
        let role = fn_spec.role.map(|role| match role {
            RoleName::Root => Role::Root,
            RoleName::Derive => Role::Derive { timeout: false },
            RoleName::DeriveTimeout => Role::Derive { timeout: true },
            RoleName::ValueSet => Role::ValueSet(key_arg(fn_spec.keys)),
            RoleName::ValueGet => Role::ValueGet(key_arg(fn_spec.keys)),
            RoleName::Current => Role::Current,
            RoleName::Poll => Role::Poll,
            RoleName::Wait => Role::Wait,
            RoleName::RunUntilCancelled => Role::RunUntilCancelled,
            RoleName::Cancel => Role::Cancel,
            RoleName::Disarm => Role::Disarm,
            RoleName::Sleep => Role::Sleep,
            RoleName::Spin => Role::Spin,
        });
        self.callables.push(Callable {
            id: self.callables.len(),
            api,
            name: name.to_string(),
            owner,
            returns,
            role,
            consumes: fn_spec.consumes,
            mutates: fn_spec.mutates,
            args: fn_spec.args,
            borrowed: fn_spec.borrowed,
            ambient: fn_spec.ambient,
            blocking: fn_spec.blocking,
        });
        Ok(self.callables.len() - 1)
    }

    /// A type named by an entry: a short name of the same API, or a full path.
    fn type_ref(&self, spec: &ApiSpec, name: &str) -> Result<TypeId, CatalogError> {
        let path = match spec.types.get(name) {
            Some(ty) => ty.path.as_str(),
            None => name,
        };
        self.type_by_path.get(path).copied().ok_or_else(|| {
            CatalogError(format!(
                "api `{}`: unknown type `{name}` (name a type of the same api, or give a full path)",
                spec.name
            ))
        })
    }

    fn add_prefixes(&mut self, path: &str) {
        let mut end = 0;
        while let Some(i) = path[end..].find("::") {
            end += i;
            self.prefixes.insert(path[..end].to_string());
            end += 2;
        }
    }

    // -----------------------------------------------------------------------------------------
    // Queries.

    pub fn callable(&self, id: usize) -> &Callable {
        &self.callables[id]
    }

    pub fn api(&self, id: ApiId) -> &Api {
        &self.apis[id.0]
    }

    pub fn apis(&self) -> &[Api] {
        &self.apis
    }

    pub fn ty(&self, id: TypeId) -> &TypeDef {
        &self.types[id.0]
    }

    /// Rewrites a re-exported path to its canonical form.
    pub fn canonicalize(&self, path: &str) -> String {
        for (from, to) in &self.aliases {
            if let Some(rest) = path.strip_prefix(from.as_str())
                && (rest.is_empty() || rest.starts_with("::"))
            {
                return format!("{to}{rest}");
            }
        }
        path.to_string()
    }

    /// Whether `path` (canonical) is a catalog item or a module leading to one.
    pub fn knows(&self, path: &str) -> bool {
        self.prefixes.contains(path)
            || self.type_by_path.contains_key(path)
            || self.function_by_path.contains_key(path)
            || self.handler_attributes.contains(path)
    }

    /// Whether an attribute (canonical path) makes a function a request handler.
    pub fn is_handler_attribute(&self, path: &str) -> bool {
        self.handler_attributes.contains(path)
    }

    /// Whether implementing the trait at `path` makes every method a request handler.
    pub fn is_handler_trait(&self, path: &str) -> bool {
        let mut segments: Vec<&str> = path.split("::").collect();
        segments.pop();
        segments.iter().any(|segment| {
            self.handler_trait_modules
                .iter()
                .any(|pattern| glob_match(pattern, segment))
        })
    }

    /// How to make a value of the shape `target` (what a root returns) that is a child of a
    /// binding of type `from`, as a template with `{}` standing for the binding: a derive
    /// method (`{}.child_token()`, `{}.new_child()`), a clone for a context (a Go-style clone
    /// shares its parent's cancellation; a token's clone is not a child, cancelling it cancels
    /// the parent), or either through a field (`{}.ct.child_token()`).
    pub fn derivation(&self, from: TypeId, target: &Returns) -> Option<String> {
        self.derivation_at(from, target, 0)
    }

    /// Whether [`Catalog::derivation`]'s expression calls a method that takes `&mut self`
    /// (tokio-tree-context's `new_child_context`): it compiles only on a mutable binding.
    pub fn derivation_mutates(&self, from: TypeId, target: &Returns) -> bool {
        self.methods_of(from).iter().any(|m| {
            matches!(m.role, Some(Role::Derive { timeout: false }))
                && m.returns == *target
                && m.args.unwrap_or(0) == 0
                && m.mutates
        })
    }

    fn derivation_at(&self, from: TypeId, target: &Returns, depth: usize) -> Option<String> {
        let methods = self.methods_of(from);
        let derive = methods.iter().find(|m| {
            matches!(m.role, Some(Role::Derive { timeout: false }))
                && m.returns == *target
                && m.args.unwrap_or(0) == 0
        });
        if let Some(derive) = derive {
            return Some(format!("{{}}.{}()", derive.name));
        }
        let same = Returns::One(from);
        if self.ty(from).kind == Kind::Context && *target == same {
            let clone = methods.iter().any(|m| m.name == "clone" && m.returns == same);
            if clone {
                return Some("{}.clone()".to_string());
            }
        }
        if depth > 0 {
            return None;
        }
        self.ty(from).fields.iter().find_map(|(field, ty)| {
            let inner = self.derivation_at(*ty, target, depth + 1)?;
            Some(inner.replacen("{}", &format!("{{}}.{field}"), 1))
        })
    }

    /// How to tie a value of type `ty` to a scope: a method returning a guard that cancels it
    /// when dropped, as a template (`{}.clone().drop_guard()`).
    pub fn guard_template(&self, ty: TypeId) -> Option<String> {
        let methods = self.methods_of(ty);
        let clone = methods
            .iter()
            .any(|m| m.name == "clone" && m.returns == Returns::One(ty));
        methods.iter().find_map(|m| {
            let Returns::One(guard) = m.returns else {
                return None;
            };
            let cancels = self.ty(guard).on_drop == Some(OnDrop::Cancel) && m.args.unwrap_or(0) == 0;
            match (cancels, m.consumes, clone) {
                (true, true, true) => Some(format!("{{}}.clone().{}()", m.name)),
                _ => None,
            }
        })
    }

    /// This catalog with a workspace's re-exports of catalog items (`from` read as `to`) and
    /// the workspace's own names that lead to them (see [`crate::model::workspace`]).
    pub fn with_workspace(
        &self,
        aliases: &[(String, String)],
        words: impl IntoIterator<Item = String>,
        holders: &HashMap<String, HashSet<String>>,
    ) -> Catalog {
        let mut catalog = self.clone();
        for (from, to) in aliases {
            // Those of items are words the index scoped (not those of modules or crates).
            if catalog.type_by_path.contains_key(to) || catalog.function_by_path.contains_key(to) {
                catalog.workspace_aliases.insert(from.clone());
            }
            catalog.aliases.push((from.clone(), to.clone()));
            catalog.add_prefixes(from);
            catalog.prefixes.insert(from.clone());
        }
        catalog
            .aliases
            .sort_by_key(|(from, _)| std::cmp::Reverse(from.len()));
        catalog.workspace_words.extend(words);
        for (holder, methods) in holders {
            catalog
                .workspace_holders
                .entry(holder.clone())
                .or_default()
                .extend(methods.iter().cloned());
        }
        catalog.index_identifying_words();
        catalog
    }

    /// The lib names of every API's crates (`tokio_util`): a file that names none of them
    /// cannot re-export a catalog item.
    /// The short names of the catalog's types (`CancellationToken`, `Context`, …).
    pub fn type_names(&self) -> HashSet<String> {
        self.types.iter().map(|ty| ty.name.clone()).collect()
    }

    /// The crates that declare catalog types, and the roots of the aliases: what a workspace
    /// must name to re-export or hold a context or token (`tokio` and `std` bring only sleeps).
    pub fn type_crate_names(&self) -> HashSet<String> {
        let apis: HashSet<usize> = self.types.iter().map(|ty| ty.api.0).collect();
        let mut names: HashSet<String> = apis
            .into_iter()
            .flat_map(|api| self.apis[api].crates.iter().cloned())
            .collect();
        for (from, _) in &self.aliases {
            names.extend(from.split("::").next().map(str::to_string));
        }
        names
    }

    pub fn crate_names(&self) -> HashSet<String> {
        let mut names: HashSet<String> = self
            .apis
            .iter()
            .flat_map(|api| api.crates.iter().cloned())
            .collect();
        for (from, _) in &self.aliases {
            names.extend(from.split("::").next().map(str::to_string));
        }
        names
    }

    /// Every type and free-function path directly inside the module `module`
    /// (`tokio_util::sync` holds `tokio_util::sync::CancellationToken`).
    pub fn items_in(&self, module: &str) -> Vec<&str> {
        self.type_by_path
            .keys()
            .chain(self.function_by_path.keys())
            .filter(|path| path.rsplit_once("::").is_some_and(|(parent, _)| parent == module))
            .map(String::as_str)
            .collect()
    }

    pub fn type_by_path(&self, path: &str) -> Option<TypeId> {
        self.type_by_path.get(path).copied()
    }

    pub fn function(&self, path: &str) -> Option<&Callable> {
        self.function_by_path.get(path).map(|&i| &self.callables[i])
    }

    /// Every method of a type, in name order.
    pub fn methods_of(&self, owner: TypeId) -> Vec<&Callable> {
        let mut methods: Vec<&Callable> = self
            .methods
            .iter()
            .filter(|((ty, _), _)| *ty == owner)
            .map(|(_, &i)| &self.callables[i])
            .collect();
        methods.sort_by(|a, b| a.name.cmp(&b.name));
        methods
    }

    pub fn method(&self, owner: TypeId, name: &str) -> Option<&Callable> {
        self.methods
            .get(&(owner, name.to_string()))
            .map(|&i| &self.callables[i])
    }

    /// A method recognised by its name alone (`drop_guard`, `child_token`, extension methods).
    pub fn method_by_name(&self, name: &str) -> Option<&Callable> {
        self.methods_by_name.get(name).map(|&i| &self.callables[i])
    }

    pub fn field(&self, owner: TypeId, name: &str) -> Option<TypeId> {
        self.ty(owner)
            .fields
            .iter()
            .find(|(field, _)| field == name)
            .map(|&(_, ty)| ty)
    }

    /// Groups of words for the byte pre-filter: a file can only produce a finding if every word
    /// of at least one group occurs in it. A name resolves to a catalog entry only through a path
    /// whose every segment is written in the file (in a `use`, an alias or the path itself), so
    /// each catalog path, and each re-export alias leading to one, is a group; a method the
    /// catalog recognises by name alone is a group of its own.
    pub fn needle_groups(&self) -> Vec<Needles> {
        let segments = |path: &str| path.split("::").map(str::to_string).collect::<Vec<_>>();
        let mut groups: Vec<Needles> = Vec::new();
        let ungated = |words| Needles {
            words,
            gate: None,
            krate: None,
        };
        // A path is written from its crate's name (`ctx::Context`, `use ctx::…`): that word
        // counts only where it can name a crate, not as a variable `ctx`.
        let path = |words: Vec<String>, gate| Needles {
            krate: words.first().cloned(),
            words,
            gate,
        };
        let functions = self.function_by_path.iter().filter_map(|(path, &index)| {
            let auxiliary = self.callables[index].role.is_some_and(Role::is_auxiliary);
            (!auxiliary).then_some(path)
        });
        let paths = self.type_by_path.keys().chain(functions);
        for written in paths {
            groups.push(path(segments(written), None));
            for (from, to) in &self.aliases {
                if let Some(rest) = written.strip_prefix(to.as_str())
                    && (rest.is_empty() || rest.starts_with("::"))
                {
                    // A workspace alias's path is written where its name can be.
                    let gate = self
                        .workspace_aliases
                        .contains(from)
                        .then(|| from.rsplit("::").next().unwrap_or(from).to_string());
                    groups.push(path(segments(&format!("{from}{rest}")), gate));
                }
            }
        }
        groups.extend(
            self.methods_by_name
                .keys()
                .map(|name| ungated(vec![name.clone()])),
        );
        groups.extend(self.workspace_words.iter().map(|word| Needles {
            words: vec![word.clone()],
            gate: Some(word.clone()),
            krate: None,
        }));
        for (holder, methods) in &self.workspace_holders {
            groups.extend(methods.iter().map(|name| Needles {
                words: vec![holder.clone(), name.clone()],
                gate: Some(holder.clone()),
                krate: None,
            }));
        }
        for group in &mut groups {
            group.words.sort();
            group.words.dedup();
        }
        // The least strict first, so that of two groups of the same words it is the one kept.
        groups.sort_by(|a, b| (&a.words, &a.gate, &a.krate).cmp(&(&b.words, &b.gate, &b.krate)));
        groups.dedup_by(|later, earlier| later.words == earlier.words && earlier.implies(later));
        // A group that contains another is implied by it (when the other is open wherever
        // this one is). Groups are a few words long, so their subsets are looked up (comparing
        // every pair of groups was quadratic in the workspace's aliases).
        let mut by_words: HashMap<Vec<String>, Vec<Needles>> = HashMap::new();
        for group in &groups {
            by_words
                .entry(group.words.clone())
                .or_default()
                .push(group.clone());
        }
        groups.retain(|group| {
            !proper_subsets(&group.words).any(|words| {
                by_words
                    .get(&words)
                    .is_some_and(|smaller| smaller.iter().any(|smaller| smaller.implies(group)))
            })
        });
        groups
    }
}

/// The non-empty subsets of `words` other than `words` itself, each in `words`' order. A group
/// of 16 words or more (no path is that long) gets none: kept when implied, it only costs a
/// little time.
fn proper_subsets(words: &[String]) -> impl Iterator<Item = Vec<String>> + '_ {
    let count = if words.len() < 16 {
        (1u32 << words.len()) - 1
    } else {
        1
    };
    (1..count).map(move |mask| {
        words
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, word)| word.clone())
            .collect()
    })
}

/// Words a file must all hold to reach an API one way; a group the workspace declares is
/// open only where its `gate` word can be written (see `WorkspaceIndex::sees`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Needles {
    pub words: Vec<String>,
    pub gate: Option<String>,
    /// The word of `words` that names the path's crate: it counts only where it can name a
    /// crate (see `words::may_name_crate`).
    pub krate: Option<String>,
}

impl Needles {
    /// Whether this group passes every file `other` passes, when its words are among
    /// `other`'s: it is open wherever `other` is, and asks no crate that `other` does not.
    fn implies(&self, other: &Needles) -> bool {
        (self.gate.is_none() || self.gate == other.gate)
            && (self.krate.is_none() || self.krate == other.krate)
    }
}

/// Merges tables that name the same API: the first declares it; a later one (from a
/// project's config, say) extends it: its crates, aliases, types, functions, methods and
/// handlers are added, and its `position`, `allow_types_before` and `allow_types_after`, when
/// given, replace the earlier ones. A type given again with the same path and kind is changed:
/// its `cancel`, `derive`, `position` and `on_drop`, when given, replace the known ones, and
/// its fields, constructors and methods are added.
pub fn merge_specs(specs: &[ApiSpec]) -> Result<Vec<ApiSpec>, CatalogError> {
    let mut merged: Vec<ApiSpec> = Vec::new();
    for spec in specs {
        let Some(base) = merged.iter_mut().find(|m| m.name == spec.name) else {
            if spec.crates.is_empty() {
                return Err(CatalogError(format!(
                    "api `{}`: `crates` is required (no api of that name to extend)",
                    spec.name
                )));
            }
            merged.push(spec.clone());
            continue;
        };
        base.crates.extend(spec.crates.iter().cloned());
        base.position = spec.position.or(base.position);
        if spec.allow_types_before.is_some() {
            base.allow_types_before = spec.allow_types_before.clone();
        }
        if spec.allow_types_after.is_some() {
            base.allow_types_after = spec.allow_types_after.clone();
        }
        base.aliases.extend(spec.aliases.clone());
        for (name, ty) in &spec.types {
            let Some(known) = base.types.get_mut(name) else {
                base.types.insert(name.clone(), ty.clone());
                continue;
            };
            // The same type again (same path): the project overrides what it gives.
            if known.path != ty.path || known.kind != ty.kind {
                return Err(CatalogError(format!(
                    "api `{}`: type `{name}` is declared twice, as `{}` and as `{}` (to change the known type, give its path and kind as they are)",
                    spec.name, known.path, ty.path
                )));
            }
            known.on_drop = ty.on_drop.or(known.on_drop);
            known.position = ty.position.or(known.position);
            if ty.cancel.is_some() {
                known.cancel = ty.cancel.clone();
            }
            if ty.derive.is_some() {
                known.derive = ty.derive.clone();
            }
            known.fields.extend(ty.fields.clone());
            known.constructors.extend(ty.constructors.clone());
            known.methods.extend(ty.methods.clone());
        }
        base.functions.extend(spec.functions.clone());
        base.methods.extend(spec.methods.clone());
        base.handlers
            .attributes
            .extend(spec.handlers.attributes.iter().cloned());
        base.handlers
            .trait_modules
            .extend(spec.handlers.trait_modules.iter().cloned());
    }
    Ok(merged)
}

/// A type as compared with `allow_types_before`: its tokens without lifetimes and without the
/// module path before a type name, so `&mut fmt::Formatter<'_>` is spelled `&mut Formatter`.
/// References stay distinct from values: `&T` is not `T`.
pub fn type_spelling(text: &str) -> String {
    let Ok(tokens) = text.parse::<proc_macro2::TokenStream>() else {
        return text.split_whitespace().collect();
    };
    let mut out = String::new();
    spell_tokens(tokens, &mut out);
    out.replace("<>", "").replace("<,", "<").replace(",>", ">")
}

fn spell_tokens(tokens: proc_macro2::TokenStream, out: &mut String) {
    use proc_macro2::{Delimiter, TokenTree};
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < tokens.len() {
        let punct_at =
            |j: usize, c: char| matches!(tokens.get(j), Some(TokenTree::Punct(p)) if p.as_char() == c);
        match &tokens[i] {
            // A lifetime: `'` and its name, with a comma after it.
            TokenTree::Punct(p) if p.as_char() == '\'' => {
                i += 2;
                if punct_at(i, ',') {
                    i += 1;
                }
                continue;
            }
            // A module before a name: `fmt::`.
            TokenTree::Ident(_) if punct_at(i + 1, ':') && punct_at(i + 2, ':') => {
                i += 3;
                continue;
            }
            TokenTree::Punct(p) if p.as_char() == ':' && punct_at(i + 1, ':') => {
                i += 2;
                continue;
            }
            TokenTree::Ident(ident) => {
                if out.ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                    out.push(' ');
                }
                out.push_str(&ident.to_string());
            }
            TokenTree::Punct(p) => out.push(p.as_char()),
            TokenTree::Literal(lit) => out.push_str(&lit.to_string()),
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::None => ("", ""),
                };
                out.push_str(open);
                spell_tokens(group.stream(), out);
                out.push_str(close);
            }
        }
        i += 1;
    }
}

/// `*` matches any text. Greedy with one backtrack point (the last `*`), so it takes time
/// linear in the pattern times the text, never exponential (`a*a*a*…b` against `aaaa…`).
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (pattern, text): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut p, mut t) = (0, 0);
    // After the last `*` seen: where the pattern resumes, and the text position it matched to.
    let mut resume: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == '*' {
            resume = Some((p + 1, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((after_star, matched)) = resume {
            // Let the last `*` take one more character.
            p = after_star;
            t = matched + 1;
            resume = Some((after_star, matched + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalog_indexes_every_api() {
        let catalog = Catalog::builtin();
        let names: Vec<_> = catalog.apis().iter().map(|api| api.name.as_str()).collect();
        for expected in [
            "tokio-util",
            "tokio-context",
            "scuffle-context",
            "stop-token",
            "tokio-tree-context",
            "go-lib",
            "goish",
            "halo-core",
            "ctx",
            "rs_ctx",
            "opentelemetry",
            "rmcp",
        ] {
            assert!(names.contains(&expected), "{expected} missing from {names:?}");
        }
        let token = catalog
            .type_by_path("tokio_util::sync::CancellationToken")
            .unwrap();
        assert_eq!(catalog.ty(token).kind, Kind::Token);
        let new = catalog
            .function("tokio_util::sync::CancellationToken::new")
            .unwrap();
        assert_eq!(new.returns, Returns::One(token));
        assert_eq!(new.role, Some(Role::Root));
        let guard = catalog.method_by_name("drop_guard").unwrap();
        let Returns::One(guard_ty) = guard.returns else {
            panic!()
        };
        assert_eq!(catalog.ty(guard_ty).on_drop, Some(OnDrop::Cancel));
        let rmcp = catalog.type_by_path("rmcp::service::RequestContext").unwrap();
        assert_eq!(catalog.field(rmcp, "ct"), Some(token));
    }

    #[test]
    fn aliases_and_prefixes() {
        let catalog = Catalog::builtin();
        assert_eq!(
            catalog.canonicalize("goish::prelude::context::WithCancel"),
            "goish::context::WithCancel"
        );
        assert_eq!(
            catalog.canonicalize("go_http::context::background"),
            "go_lib::context::background"
        );
        assert_eq!(
            catalog.canonicalize("goish::prelude::contexts"),
            "goish::prelude::contexts"
        );
        assert!(catalog.knows("tokio_util::sync"));
        assert!(catalog.knows("goish::prelude::context"));
        assert!(!catalog.knows("std::task"));
        assert!(catalog.type_by_path("std::task::Context").is_none());
    }

    #[test]
    fn needle_groups_are_whole_paths() {
        let groups = Catalog::builtin().needle_groups();
        let has = |words: &[&str]| {
            groups
                .iter()
                .any(|g| g.words.iter().map(String::as_str).eq(words.iter().copied()))
        };
        assert!(has(&["CancellationToken", "sync", "tokio_util"]));
        assert!(has(&["drop_guard"]));
        // Through the re-export, `go_lib` need not be written.
        assert!(has(&["background", "context", "go_http"]));
        // `ctx` alone (a common variable name) is not enough.
        assert!(!has(&["ctx"]));
    }

    /// A group implied by a smaller one goes, whatever gate the smaller one has not; and the
    /// cost grows with the workspace's aliases, not with their square.
    #[test]
    fn implied_needle_groups_go_in_linear_time() {
        let with_aliases = |n: usize| {
            let aliases: Vec<(String, String)> = (0..n)
                .map(|i| {
                    (
                        format!("c{i}::m::Tok"),
                        "tokio_util::sync::CancellationToken".to_string(),
                    )
                })
                .collect();
            // A holder of a token whose one method is name-only: its group is implied.
            let holders: HashMap<String, HashSet<String>> = [(
                "Timeline".to_string(),
                ["drop_guard".to_string()].into_iter().collect(),
            )]
            .into_iter()
            .collect();
            Catalog::builtin().with_workspace(&aliases, [], &holders)
        };
        let groups = with_aliases(2).needle_groups();
        let has = |words: &[&str]| {
            groups
                .iter()
                .any(|g| g.words.iter().map(String::as_str).eq(words.iter().copied()))
        };
        // `drop_guard` alone implies every group holding it, the holder's gated one too.
        assert!(has(&["drop_guard"]));
        assert!(!has(&["Timeline", "drop_guard"]));
        assert!(
            !groups
                .iter()
                .any(|g| g.words.len() > 1 && g.words.iter().any(|w| w == "drop_guard"))
        );
        // A gated group is not implied by one gated otherwise.
        assert!(has(&["Tok", "c0", "m"]) && has(&["Tok", "c1", "m"]));
        let cost = |n: usize| {
            let catalog = with_aliases(n);
            let start = std::time::Instant::now();
            assert!(catalog.needle_groups().len() > n);
            start.elapsed()
        };
        let (small, large) = (cost(500), cost(4000));
        let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-9);
        // Linear: about 8; quadratic would be about 64.
        assert!(ratio < 24.0, "8x the aliases cost {ratio:.1}x");
    }

    #[test]
    fn type_spellings_ignore_lifetimes_paths_and_spaces() {
        assert_eq!(type_spelling("&mut fmt::Formatter<'_>"), "&mut Formatter");
        assert_eq!(type_spelling("& mut  Formatter"), "&mut Formatter");
        assert_eq!(type_spelling("&'a tracing::Span"), "&Span");
        assert_eq!(type_spelling("HashMap<'a, K, V>"), "HashMap<K,V>");
        assert_ne!(type_spelling("&Harness"), type_spelling("Harness"));
        assert!(glob_match("*Context", &type_spelling("&neon::RequestContext")));
        assert!(glob_match("*_server", "greeter_server"));
        assert!(!glob_match("*_server", "server_greeter"));
        assert!(glob_match("a*b*c", "axxbyyc"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a**", "a"));
        assert!(!glob_match("a*b", "a"));
        assert!(glob_match("*ab*ab", "xabyabab"));
        assert!(!glob_match("*ab*abc", "xabyabab"));
    }

    #[test]
    fn derivations_follow_derive_methods_clones_and_fields() {
        let catalog = Catalog::builtin();
        let token = catalog
            .type_by_path("tokio_util::sync::CancellationToken")
            .unwrap();
        let one_token = Returns::One(token);
        assert_eq!(
            catalog.derivation(token, &one_token).as_deref(),
            Some("{}.child_token()")
        );
        let rmcp = catalog.type_by_path("rmcp::service::RequestContext").unwrap();
        assert_eq!(
            catalog.derivation(rmcp, &one_token).as_deref(),
            Some("{}.ct.child_token()")
        );
        let go = catalog.type_by_path("go_lib::context::Context").unwrap();
        assert_eq!(
            catalog.derivation(go, &Returns::One(go)).as_deref(),
            Some("{}.clone()")
        );
        // A go-lib context cannot become a token.
        assert_eq!(catalog.derivation(go, &one_token), None);
        let scuffle = catalog.type_by_path("scuffle_context::Context").unwrap();
        let new = catalog.function("scuffle_context::Context::new").unwrap();
        assert_eq!(
            catalog.derivation(scuffle, &new.returns).as_deref(),
            Some("{}.new_child()")
        );
        assert_eq!(
            catalog.guard_template(token).as_deref(),
            Some("{}.clone().drop_guard()")
        );
    }

    #[test]
    fn a_table_naming_a_known_api_extends_it() {
        let project: CatalogFile = toml::from_str(
            r#"
            [[api]]
            name = "tokio-util"
            position = "first"
            allow_types_before = ["&mut Harness<'_>"]
            [api.handlers]
            attributes = ["my_web::route"]
            "#,
        )
        .unwrap();
        let mut specs = Catalog::builtin_specs();
        specs.extend(project.api);
        let catalog = Catalog::build(&specs).unwrap();
        let api = catalog
            .apis()
            .iter()
            .find(|api| api.name == "tokio-util")
            .unwrap();
        assert_eq!(api.position, Position::First);
        assert_eq!(api.allow_types_before, vec!["&mut Harness".to_string()]);
        let token = catalog
            .type_by_path("tokio_util::sync::CancellationToken")
            .unwrap();
        assert_eq!(catalog.ty(token).position, Position::First);
        assert!(catalog.is_handler_attribute("my_web::route"));
        // A new api still needs its crates.
        let lone: CatalogFile = toml::from_str("[[api]]\nname = \"mine\"").unwrap();
        assert!(Catalog::build(&lone.api).is_err());
    }

    #[test]
    fn a_project_overrides_a_known_types_templates() {
        let project: CatalogFile = toml::from_str(
            r#"
            [[api]]
            name = "go-lib"
            [api.types.CancelFn]
            path = "go_lib::context::CancelFn"
            kind = "cancel_fn"
            cancel = "{}.cancel_now()"
            "#,
        )
        .unwrap();
        let mut specs = Catalog::builtin_specs();
        specs.extend(project.api);
        let catalog = Catalog::build(&specs).unwrap();
        let cancel = catalog.type_by_path("go_lib::context::CancelFn").unwrap();
        assert_eq!(catalog.ty(cancel).cancel.as_deref(), Some("{}.cancel_now()"));
        assert_eq!(catalog.ty(cancel).on_drop, Some(OnDrop::Leak), "kept");
        // Another type under a known name is still an error.
        let clash: CatalogFile = toml::from_str(
            "[[api]]\nname = \"go-lib\"\n[api.types.CancelFn]\npath = \"mine::Cancel\"\nkind = \"cancel_fn\"\n",
        )
        .unwrap();
        let mut specs = Catalog::builtin_specs();
        specs.extend(clash.api);
        let error = Catalog::build(&specs).unwrap_err().to_string();
        assert!(error.contains("declared twice"), "{error}");
    }

    #[test]
    fn unknown_type_reference_is_an_error() {
        let spec: CatalogFile = toml::from_str(
            r#"
            [[api]]
            name = "mine"
            crates = ["mine"]
            [api.types.Ctx]
            path = "mine::Ctx"
            kind = "context"
            methods.child = { returns = "Nope" }
            "#,
        )
        .unwrap();
        let err = Catalog::build(&spec.api).unwrap_err();
        assert!(err.0.contains("unknown type `Nope`"), "{err}");
    }
}
