//! The API catalog: which types, functions and methods are contexts, tokens, guards, roots,
//! derivations, value accessors and cancellation checks. The facts are data
//! (`catalog.toml`, plus `[[api]]` tables from a project's config in the same shape); this
//! module only indexes them.

use std::collections::{BTreeMap, HashMap, HashSet};
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
    pub crates: Vec<String>,
    #[serde(default)]
    pub position: Option<Position>,
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

#[derive(Debug)]
pub struct Api {
    pub name: String,
    pub crates: Vec<String>,
    pub position: Position,
}

#[derive(Debug)]
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
#[derive(Debug)]
pub struct Callable {
    pub api: ApiId,
    pub name: String,
    /// The type a method is called on, or a constructor belongs to.
    pub owner: Option<TypeId>,
    pub returns: Returns,
    pub role: Option<Role>,
    pub consumes: bool,
    pub args: Option<usize>,
    pub borrowed: bool,
    pub ambient: bool,
    pub blocking: bool,
}

#[derive(Debug)]
pub struct CatalogError(pub String);

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CatalogError {}

#[derive(Debug, Default)]
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
            catalog.apis.push(Api {
                name: spec.name.clone(),
                crates: spec.crates.clone(),
                position: spec.position.unwrap_or(Position::Either),
            });
        }
        catalog
            .aliases
            .sort_by_key(|(from, _)| std::cmp::Reverse(from.len()));
        Ok(catalog)
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
            api,
            name: name.to_string(),
            owner,
            returns,
            role,
            consumes: fn_spec.consumes,
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
    }

    pub fn type_by_path(&self, path: &str) -> Option<TypeId> {
        self.type_by_path.get(path).copied()
    }

    pub fn function(&self, path: &str) -> Option<&Callable> {
        self.function_by_path.get(path).map(|&i| &self.callables[i])
    }

    /// The methods of a type, by name.
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
    pub fn needle_groups(&self) -> Vec<Vec<String>> {
        let segments = |path: &str| path.split("::").map(str::to_string).collect::<Vec<_>>();
        let mut groups: Vec<Vec<String>> = Vec::new();
        let functions = self.function_by_path.iter().filter_map(|(path, &index)| {
            let auxiliary = self.callables[index].role.is_some_and(Role::is_auxiliary);
            (!auxiliary).then_some(path)
        });
        let paths = self.type_by_path.keys().chain(functions);
        for path in paths {
            groups.push(segments(path));
            for (from, to) in &self.aliases {
                if let Some(rest) = path.strip_prefix(to.as_str())
                    && (rest.is_empty() || rest.starts_with("::"))
                {
                    groups.push(segments(&format!("{from}{rest}")));
                }
            }
        }
        groups.extend(self.methods_by_name.keys().map(|name| vec![name.clone()]));
        for group in &mut groups {
            group.sort();
            group.dedup();
        }
        groups.sort();
        groups.dedup();
        // A group that contains another is implied by it.
        let all = groups.clone();
        groups.retain(|group| {
            !all.iter()
                .any(|other| other != group && other.iter().all(|w| group.contains(w)))
        });
        groups
    }
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
                .any(|g| g.iter().map(String::as_str).eq(words.iter().copied()))
        };
        assert!(has(&["CancellationToken", "sync", "tokio_util"]));
        assert!(has(&["drop_guard"]));
        // Through the re-export, `go_lib` need not be written.
        assert!(has(&["background", "context", "go_http"]));
        // `ctx` alone (a common variable name) is not enough.
        assert!(!has(&["ctx"]));
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
