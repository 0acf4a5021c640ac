use foldhash::{HashSet, HashSetExt};

use syn::visit::Visit;
use syn::{Expr, Lit};

use crate::checker::{Checker, Node};
use crate::diagnostic::{Diagnostic, Edit, Fix, Level};
use crate::model::catalog::{Keys, Role};
use crate::model::unreferenced;
use crate::model::values::BuiltinType;
use crate::source::{Span, mentions_ident};

super::declare_rule! {
    /// ## What it does
    /// Finds context values stored or looked up with a key of a built-in type: a string,
    /// integer, `bool` or `char` literal, `format!(…)`, `.to_string()`, `String::from(…)`, a
    /// parameter typed `&str`/`String`, or (where the API takes typed keys) a `const`/`static`
    /// of such a type declared in the same file. Setters and getters are both checked
    /// (`WithValue`/`with_value` and `Value`/`value`, as the catalog lists them).
    ///
    /// APIs keyed by type (OpenTelemetry's `with_value(v)`/`get::<T>()`, `http::Extensions`) are
    /// never flagged, nor are keys of your own types (`struct UserKey;`), nor `HashMap`s and
    /// other calls outside the catalog. Where the API only takes strings (goish, rs_ctx), only
    /// literal keys are flagged: a named, namespaced constant is the remedy there.
    ///
    /// ## Why is this bad?
    /// A context is shared by every crate a request passes through. Two crates that both store
    /// `"user_id"` overwrite or read each other's value, and nothing tells them. A private key
    /// type cannot collide: no other module can name it (staticcheck SA1029, revive
    /// `context-keys-type`).
    ///
    /// ## Example
    /// ```rust
    /// let ctx = core::context::WithValue(&ctx, "user_id", user.id);
    /// let id = ctx.value(&"user_id");
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    /// struct UserIdKey;
    ///
    /// let ctx = core::context::WithValue(&ctx, UserIdKey, user.id);
    /// let id = ctx.value(&UserIdKey);
    /// ```
    /// With a string-only API (goish):
    /// `const USER_ID_KEY: &str = concat!(module_path!(), "::", "user_id");`.
    ///
    /// ## Fix safety
    /// The fix declares one private key type (or constant) per module and key, and uses it in
    /// every call of the module with the same key, so setters and getters stay paired. Code in
    /// other modules that reads the same value with the old key would stop finding it, so the
    /// fix is only applied with `--unsafe-fixes`. A key computed at run time gets a suggested
    /// wrapper type that is never applied.
    ///
    /// ## References
    /// - staticcheck SA1029, revive `context-keys-type` (Go)
    pub static STRING_VALUE_KEY = {
        name: "string_value_key",
        summary: "a context value is stored or read with a key of a built-in type",
        group: super::Group::Suspicious,
        level: Level::Warn,
        on_expr: check_call,
    }
}

/// A value call whose key has a built-in type.
struct BuiltinKey<'a> {
    /// The setter or getter (`WithValue`, `value`).
    callee: String,
    /// The key, without `&` and parentheses.
    key: &'a Expr,
    ty: BuiltinType,
    keys: Keys,
    origin: Origin,
    /// For a setter, the name of the value stored (`id` in `WithValue(ctx, 1, id)`), which can
    /// name a key that says nothing itself.
    value_name: Option<String>,
}

/// Where the key comes from, which decides the fix.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Origin {
    /// A literal (or a literal made into a `String`); the literal's text.
    Literal(String),
    /// A `const`/`static` of this file; its name.
    Const(String),
    /// Anything else: a parameter, a computed string.
    Computed,
}

impl BuiltinKey<'_> {
    fn message(&self, checker: &Checker) -> String {
        let callee = &self.callee;
        let shown = shorten(checker.text(self.key));
        match self.keys {
            Keys::String => format!(
                "`{callee}` key `{shown}` is a bare string that any crate can use too; use a private, namespaced constant"
            ),
            Keys::Typed => {
                let via = match &self.ty.alias {
                    Some(alias) => format!(" (via alias `{alias}`)"),
                    None => String::new(),
                };
                format!(
                    "`{callee}` key `{shown}` has the built-in type `{}`{via}, which any crate can use too; use a private key type",
                    self.ty.name
                )
            }
        }
    }
}

fn check_call(checker: &Checker, expr: &Expr) {
    let Some(found) = builtin_key(checker, expr) else {
        return;
    };
    let span = checker.span(found.key);
    let fix = match found.origin {
        Origin::Computed => wrapper_fix(checker, &found),
        _ => module_fix(checker, &found),
    };
    let diagnostic = Diagnostic::new(STRING_VALUE_KEY.name, span, found.message(checker))
        .with_label("built-in key")
        .with_fix(fix);
    checker.report(diagnostic);
}

/// The key of a catalog value call, if it has a built-in type the API's rules flag.
fn builtin_key<'a>(checker: &Checker, expr: &'a Expr) -> Option<BuiltinKey<'a>> {
    let callable = checker.model.callable(expr)?;
    let (Some(Role::ValueSet(key_arg)) | Some(Role::ValueGet(key_arg))) = callable.role else {
        return None;
    };
    let mut index = key_arg.index?;
    let args = match expr {
        Expr::Call(call) => {
            // `Context::value(&ctx, key)`: a method called by its path takes the receiver first.
            let method = callable
                .owner
                .and_then(|owner| checker.catalog.method(owner, &callable.name))
                .is_some_and(|m| std::ptr::eq(m, callable));
            if method {
                index += 1;
            }
            &call.args
        }
        Expr::MethodCall(call) => &call.args,
        _ => return None,
    };
    let key = unreferenced(args.iter().nth(index)?);
    let value_name = match callable.role {
        Some(Role::ValueSet(_)) => args.iter().nth(index + 1).and_then(value_name),
        _ => None,
    };
    let ty = checker.model.builtin_type(key)?;
    let origin = origin(checker, key);
    // A string-only API can only be given strings: a name is all one can ask for.
    if key_arg.keys == Keys::String && !matches!(origin, Origin::Literal(_)) {
        return None;
    }
    Some(BuiltinKey {
        callee: callable.name.clone(),
        key,
        ty,
        keys: key_arg.keys,
        origin,
        value_name,
    })
}

/// The last name in a stored value: `id`, `user.tenant`, `user.role.clone()`, `&name`.
fn value_name(value: &Expr) -> Option<String> {
    match unreferenced(value) {
        Expr::Path(path) => Some(path.path.segments.last()?.ident.to_string()),
        Expr::Field(field) => match &field.member {
            syn::Member::Named(ident) => Some(ident.to_string()),
            syn::Member::Unnamed(_) => None,
        },
        Expr::MethodCall(call)
            if call.args.is_empty()
                && matches!(
                    call.method.to_string().as_str(),
                    "clone" | "to_string" | "to_owned" | "into"
                ) =>
        {
            value_name(&call.receiver)
        }
        _ => None,
    }
}

fn origin(checker: &Checker, key: &Expr) -> Origin {
    if let Some(lit) = literal(key) {
        return Origin::Literal(checker.text(lit).to_string());
    }
    if let Expr::Path(path) = key
        && checker.model.binding_of(key).is_none()
        && let Some(item) = checker.model.local_const(key, &path.path)
    {
        return Origin::Const(item.ident.to_string());
    }
    Origin::Computed
}

/// The literal a key is made of: `"k"`, `"k".to_string()`, `String::from("k")`, `format!("k")`.
fn literal(key: &Expr) -> Option<&Expr> {
    match key {
        Expr::Lit(lit) if !matches!(lit.lit, Lit::Float(_) | Lit::ByteStr(_) | Lit::CStr(_)) => Some(key),
        Expr::MethodCall(call)
            if call.args.is_empty()
                && matches!(
                    call.method.to_string().as_str(),
                    "to_string" | "to_owned" | "into"
                ) =>
        {
            literal(unreferenced(&call.receiver)).filter(|lit| is_str(lit))
        }
        Expr::Call(call) if call.args.len() == 1 => {
            let Expr::Path(func) = &*call.func else {
                return None;
            };
            let names: Vec<String> = func.path.segments.iter().map(|s| s.ident.to_string()).collect();
            let from = names.ends_with(&["String".to_string(), "from".to_string()]);
            let arg = unreferenced(call.args.first()?);
            literal(arg).filter(|lit| from && is_str(lit))
        }
        _ => None,
    }
}

fn is_str(expr: &Expr) -> bool {
    matches!(expr, Expr::Lit(lit) if matches!(lit.lit, Lit::Str(_)))
}

/// A key computed at run time: wrap it in a private type (shown, never applied: the type and
/// every reader of the value must change with it).
fn wrapper_fix(checker: &Checker, found: &BuiltinKey) -> Fix {
    let text = checker.text(found.key);
    let borrowed = found.ty.name.starts_with('&');
    let (inner, wrapped) = match found.ty.name.trim_start_matches('&') {
        "str" if borrowed => ("String", format!("ValueKey({text}.to_owned())")),
        "[u8]" => ("Vec<u8>", format!("ValueKey({text}.to_vec())")),
        owned => (owned, format!("ValueKey({text})")),
    };
    let title = format!(
        "wrap the key in a private type (`#[derive(Clone, PartialEq, Eq, Hash)] struct ValueKey({inner});`) and read the value with it too"
    );
    Fix::has_placeholders(title, vec![Edit::replace(checker.span(found.key), wrapped)])
}

/// One key of a module, the name it gets, and its declaration.
struct KeyGroup {
    origin: Origin,
    keys: Keys,
    /// The name of the first value stored with this key, if any.
    value_name: Option<String>,
    name: String,
    declaration: String,
    uses: Vec<Span>,
}

/// Declares a private key type (or namespaced constant) for every literal or constant key of
/// the module once, and uses it in every call of the module with that key. Every finding of a
/// module carries the same fix, so applying any one of them changes the whole module
/// consistently.
fn module_fix(checker: &Checker, found: &BuiltinKey) -> Fix {
    let items = module_items(checker);
    let mut groups = collect_groups(checker, items);
    name_groups(checker, &mut groups);
    let Some(this) = groups
        .iter()
        .find(|g| g.origin == found.origin && g.keys == found.keys)
    else {
        return wrapper_fix(checker, found);
    };
    let title = match found.keys {
        Keys::Typed => format!(
            "use a private key type, `struct {}`, declared once in this module for every call with this key",
            this.name
        ),
        Keys::String => format!(
            "use a private, namespaced constant, `{}`, declared once in this module for every call with this key",
            this.name
        ),
    };
    let newline = checker.source.newline();
    let mut edits = Vec::new();
    let (at, indent, after_use) = anchor(checker, items);
    let declarations: Vec<String> = groups
        .iter()
        .map(|g| g.declaration.replace('\n', &format!("{newline}{indent}")))
        .collect();
    let joined = declarations.join(&format!("{newline}{newline}{indent}"));
    let text = if after_use {
        format!("{newline}{newline}{indent}{joined}")
    } else {
        format!("{joined}{newline}{newline}{indent}")
    };
    edits.push(Edit::insert(at, text));
    for group in &groups {
        for &span in &group.uses {
            edits.push(Edit::replace(span, group.name.clone()));
        }
    }
    Fix::maybe_incorrect(title, edits)
}

/// The items of the module holding the node being checked (the file, or an inline `mod`).
fn module_items<'a>(checker: &Checker<'a>) -> &'a [syn::Item] {
    checker
        .parents()
        .find_map(|node| match node {
            Node::Mod(module) => module.content.as_ref().map(|(_, items)| items.as_slice()),
            _ => None,
        })
        .unwrap_or(&checker.file.items)
}

/// Every literal or constant key of the module's calls, in order of first use. Nested inline
/// modules are left out: they get their own declarations.
fn collect_groups(checker: &Checker, items: &[syn::Item]) -> Vec<KeyGroup> {
    struct Collector<'c, 'a> {
        checker: &'c Checker<'a>,
        groups: Vec<KeyGroup>,
        seen: HashSet<Span>,
    }
    impl<'ast> Visit<'ast> for Collector<'_, '_> {
        fn visit_expr(&mut self, expr: &'ast Expr) {
            if let Some(found) = builtin_key(self.checker, expr)
                && found.origin != Origin::Computed
            {
                let span = self.checker.span(found.key);
                if self.seen.insert(span) {
                    match self
                        .groups
                        .iter_mut()
                        .find(|g| g.origin == found.origin && g.keys == found.keys)
                    {
                        Some(group) => {
                            group.uses.push(span);
                            group.value_name = group.value_name.take().or(found.value_name);
                        }
                        None => self.groups.push(KeyGroup {
                            origin: found.origin,
                            keys: found.keys,
                            value_name: found.value_name,
                            name: String::new(),
                            declaration: String::new(),
                            uses: vec![span],
                        }),
                    }
                }
            }
            syn::visit::visit_expr(self, expr);
        }

        fn visit_item_mod(&mut self, _: &'ast syn::ItemMod) {}

        fn visit_macro(&mut self, mac: &'ast syn::Macro) {
            if let Some(body) = self.checker.model.macro_body(mac) {
                body.visit(self);
            }
        }
    }
    let mut collector = Collector {
        checker,
        groups: Vec::new(),
        seen: HashSet::new(),
    };
    for item in items {
        collector.visit_item(item);
    }
    // In order of first use in the text (a chain `a.with_value(1, x).with_value(2, y)` is
    // visited from its last call).
    for group in &mut collector.groups {
        group.uses.sort();
    }
    collector.groups.sort_by_key(|group| group.uses[0]);
    collector.groups
}

/// Gives each group a name no identifier of the file has, and its declaration.
fn name_groups(checker: &Checker, groups: &mut [KeyGroup]) {
    let mut taken: HashSet<String> = HashSet::new();
    for group in groups.iter_mut() {
        let free = |name: &str| !taken.contains(name) && !mentions_ident(checker.source.code(), name);
        let base = match (&group.origin, group.keys) {
            // A number, `true` or a char says nothing; the value stored with it may (unless
            // another key already took that name).
            (Origin::Literal(text), Keys::Typed)
                if !text.starts_with(['"', 'r'])
                    && let Some(value) = &group.value_name
                    && free(&type_name(&words(value))) =>
            {
                type_name(&words(value))
            }
            (Origin::Literal(text), Keys::Typed) => type_name(&literal_words(text)),
            (Origin::Const(name), Keys::Typed) => type_name(&words(name)),
            (Origin::Literal(text), Keys::String) => const_name(&literal_words(text)),
            (Origin::Const(name), Keys::String) => name.clone(),
            (Origin::Computed, _) => "ValueKey".to_string(),
        };
        let name = if free(&base) {
            base
        } else {
            (2..)
                .map(|i| format!("{base}{i}"))
                .find(|n| free(n))
                .expect("a free name")
        };
        taken.insert(name.clone());
        group.declaration = match (&group.origin, group.keys) {
            (Origin::Literal(text), Keys::String) => {
                format!("const {name}: &str = concat!(module_path!(), \"::\", {text});")
            }
            _ => format!("#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\nstruct {name};"),
        };
        group.name = name;
    }
}

/// Where the declarations go: after the module's leading `use` items, or before its first
/// item. Returns the offset, the items' indentation, and whether it follows a `use`.
fn anchor(checker: &Checker, items: &[syn::Item]) -> (usize, String, bool) {
    let leading_uses = items
        .iter()
        .take_while(|item| matches!(item, syn::Item::Use(_) | syn::Item::ExternCrate(_)))
        .last();
    match (leading_uses, items.first()) {
        (Some(last), _) => {
            let span = checker.span(last);
            let indent = checker.source.indent_at(span.start).to_string();
            (span.end, indent, true)
        }
        (None, Some(first)) => {
            let span = checker.span(first);
            let indent = checker.source.indent_at(span.start).to_string();
            (span.start, indent, false)
        }
        (None, None) => (0, String::new(), false),
    }
}

/// The words of a literal's value: `"user-id"` → `user`, `id`; `42u8` → `42`.
fn literal_words(text: &str) -> Vec<String> {
    if text.starts_with(|c: char| c.is_ascii_digit()) {
        return vec![text.chars().take_while(char::is_ascii_digit).collect()];
    }
    let value = text
        .trim_start_matches(['r', 'b'])
        .trim_matches('#')
        .trim_matches(['"', '\'']);
    words(value)
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// `user`, `id` → `UserIdKey`; a name starting with a digit gets a `Key` prefix instead.
fn type_name(words: &[String]) -> String {
    let mut name: String = words
        .iter()
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
        })
        .collect();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "Key");
    } else if !name.ends_with("Key") {
        name.push_str("Key");
    }
    name
}

/// `user`, `id` → `USER_ID_KEY`.
fn const_name(words: &[String]) -> String {
    let mut name = words.join("_").to_uppercase();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "KEY_");
    } else if !name.ends_with("KEY") {
        name.push_str("_KEY");
    }
    name.trim_end_matches('_').to_string()
}

/// A key as shown in a message: long ones are cut.
fn shorten(text: &str) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= 40 {
        return one_line;
    }
    let cut: String = one_line.chars().take(37).collect();
    format!("{cut}...")
}
