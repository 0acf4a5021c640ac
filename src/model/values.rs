//! Built-in types: which expressions, bindings and `const`/`static` items of a file have a
//! primitive or standard string type (`&str`, `String`, integers, `bool`, `char`, tuples of
//! them). Without a type checker this is what can be read from literals, annotations, a few
//! std calls and the file's own items; anything else is unknown, never guessed.

use foldhash::HashMap;

use syn::{Expr, Lit};

use super::{BindingId, Model, SpanKey};

/// A built-in type, as it would be written (`&str`, `String`, `u64`, `()`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuiltinType {
    pub name: String,
    /// The file's type alias it was reached through (`type Key = &'static str;`).
    pub alias: Option<String>,
}

impl BuiltinType {
    fn named(name: impl Into<String>) -> BuiltinType {
        BuiltinType {
            name: name.into(),
            alias: None,
        }
    }
}

/// A `const` or `static` item of the file.
#[derive(Clone, Debug)]
pub struct LocalConst {
    pub ident: syn::Ident,
    pub is_static: bool,
    /// Its type, if built-in.
    pub builtin: Option<BuiltinType>,
    pub(super) scope: super::resolve::ScopeId,
}

/// What the builder collects for this module.
#[derive(Debug, Default)]
pub(super) struct Values {
    pub(super) bindings: HashMap<BindingId, BuiltinType>,
    pub(super) consts: Vec<LocalConst>,
}

const PRIMITIVES: &[&str] = &[
    "str", "bool", "char", "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128",
    "usize", "f32", "f64",
];

/// The type aliases and type names of a file, for reading written types.
#[derive(Debug, Default)]
pub(super) struct TypeNames {
    /// `type A = …;` items, by name (a name declared twice is left out).
    pub(super) aliases: HashMap<String, Option<syn::Type>>,
    /// Names of the file's structs, enums, unions and traits (they shadow `String`).
    pub(super) local: std::collections::HashSet<String>,
}

impl TypeNames {
    /// The built-in type `ty` is, if any.
    pub(super) fn builtin(&self, ty: &syn::Type) -> Option<BuiltinType> {
        self.builtin_at(ty, 0)
    }

    fn builtin_at(&self, ty: &syn::Type, depth: usize) -> Option<BuiltinType> {
        if depth > 8 {
            return None;
        }
        match ty {
            syn::Type::Reference(r) => {
                let inner = self.builtin_at(&r.elem, depth + 1)?;
                Some(BuiltinType {
                    name: format!("&{}", inner.name),
                    alias: inner.alias,
                })
            }
            syn::Type::Paren(p) => self.builtin_at(&p.elem, depth + 1),
            syn::Type::Group(g) => self.builtin_at(&g.elem, depth + 1),
            syn::Type::Slice(s) => {
                let inner = self.builtin_at(&s.elem, depth + 1)?;
                Some(BuiltinType::named(format!("[{}]", inner.name)))
            }
            syn::Type::Tuple(t) => {
                let elems: Option<Vec<BuiltinType>> =
                    t.elems.iter().map(|e| self.builtin_at(e, depth + 1)).collect();
                let names: Vec<String> = elems?.into_iter().map(|e| e.name).collect();
                Some(BuiltinType::named(format!("({})", names.join(", "))))
            }
            syn::Type::Path(p) if p.qself.is_none() => {
                let last = p.path.segments.last()?;
                let name = last.ident.to_string();
                let args: Vec<&syn::Type> = match &last.arguments {
                    syn::PathArguments::AngleBracketed(args) => args
                        .args
                        .iter()
                        .filter_map(|a| match a {
                            syn::GenericArgument::Type(t) => Some(t),
                            _ => None,
                        })
                        .collect(),
                    syn::PathArguments::None => Vec::new(),
                    syn::PathArguments::Parenthesized(_) => return None,
                };
                let single = p.path.segments.len() == 1;
                if single && args.is_empty() && PRIMITIVES.contains(&name.as_str()) {
                    return Some(BuiltinType::named(name));
                }
                if self.local.contains(&name) && single {
                    return None;
                }
                let inner = |i: usize| args.get(i).and_then(|t| self.builtin_at(t, depth + 1));
                match (name.as_str(), args.len()) {
                    ("String", 0) => Some(BuiltinType::named("String")),
                    ("Cow" | "Box" | "Arc" | "Rc" | "Vec", 1) => {
                        let inner = inner(0)?;
                        Some(BuiltinType::named(format!("{name}<{}>", inner.name)))
                    }
                    (_, 0) if single => {
                        let target = self.aliases.get(&name)?.as_ref()?;
                        let found = self.builtin_at(target, depth + 1)?;
                        Some(BuiltinType {
                            name: found.name,
                            alias: Some(name),
                        })
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

impl Model<'_> {
    /// The built-in type of an expression, when it can be read without a type checker: a
    /// literal, `format!`, `.to_string()`, `String::from(…)`, an `as` cast, a tuple of such, a
    /// binding annotated or initialised with one, or a `const`/`static` of the file.
    pub fn builtin_type(&self, expr: &Expr) -> Option<BuiltinType> {
        match expr {
            Expr::Lit(lit) => literal_type(&lit.lit),
            Expr::Paren(e) => self.builtin_type(&e.expr),
            Expr::Group(e) => self.builtin_type(&e.expr),
            Expr::Reference(e) => {
                let inner = self.builtin_type(&e.expr)?;
                Some(BuiltinType {
                    name: format!("&{}", inner.name),
                    alias: inner.alias,
                })
            }
            Expr::Tuple(t) => {
                let elems: Option<Vec<BuiltinType>> = t.elems.iter().map(|e| self.builtin_type(e)).collect();
                let names: Vec<String> = elems?.into_iter().map(|e| e.name).collect();
                Some(BuiltinType::named(format!("({})", names.join(", "))))
            }
            Expr::Cast(cast) => self.type_names.builtin(&cast.ty),
            Expr::Macro(mac) => {
                let name = mac.mac.path.segments.last()?.ident.to_string();
                match name.as_str() {
                    "format" => Some(BuiltinType::named("String")),
                    "concat" | "stringify" | "env" | "include_str" => Some(BuiltinType::named("&str")),
                    _ => None,
                }
            }
            Expr::MethodCall(call) if call.args.is_empty() => match call.method.to_string().as_str() {
                "to_string" => Some(BuiltinType::named("String")),
                "as_str" => Some(BuiltinType::named("&str")),
                "to_owned" | "clone" => {
                    let receiver = self.builtin_type(&call.receiver)?;
                    let owned = receiver.name.trim_start_matches('&');
                    Some(BuiltinType::named(if owned == "str" { "String" } else { owned }))
                }
                _ => None,
            },
            Expr::Call(call) => {
                let Expr::Path(func) = &*call.func else {
                    return None;
                };
                let segments: Vec<String> = func.path.segments.iter().map(|s| s.ident.to_string()).collect();
                match segments.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
                    [.., "String", "from" | "new" | "with_capacity" | "from_utf8_lossy"]
                        if !self.type_names.local.contains("String") =>
                    {
                        Some(BuiltinType::named("String"))
                    }
                    _ => None,
                }
            }
            Expr::Path(path) if path.qself.is_none() => {
                if let Some(id) = self.binding_of(expr) {
                    return self.values.bindings.get(&id).cloned();
                }
                self.local_const(expr, &path.path)?.builtin.clone()
            }
            Expr::Block(block) => match block.block.stmts.last() {
                Some(syn::Stmt::Expr(tail, None)) => self.builtin_type(tail),
                _ => None,
            },
            _ => None,
        }
    }

    /// The `const` or `static` item of this file that `path`, written at `node`, names.
    pub fn local_const(
        &self,
        node: &(impl super::extent::Extent + ?Sized),
        path: &syn::Path,
    ) -> Option<&LocalConst> {
        let scope = self.imports.scope_at(SpanKey::of(node));
        let defining = self.imports.defining_scope(scope, path)?;
        let name = &path.segments.last()?.ident;
        self.values
            .consts
            .iter()
            .find(|c| c.scope == defining && c.ident == *name)
    }
}

fn literal_type(lit: &Lit) -> Option<BuiltinType> {
    let name = match lit {
        Lit::Str(_) => "&str".to_string(),
        Lit::ByteStr(_) => "&[u8]".to_string(),
        Lit::Byte(_) => "u8".to_string(),
        Lit::Char(_) => "char".to_string(),
        Lit::Bool(_) => "bool".to_string(),
        Lit::Int(int) if int.suffix().is_empty() => "i32".to_string(),
        Lit::Int(int) => int.suffix().to_string(),
        Lit::Float(float) if float.suffix().is_empty() => "f64".to_string(),
        Lit::Float(float) => float.suffix().to_string(),
        _ => return None,
    };
    Some(BuiltinType::named(name))
}

#[cfg(test)]
mod tests {
    use syn::visit::Visit;

    use crate::model::Model;
    use crate::model::catalog::Catalog;

    /// The built-in type of every argument of every call of `key` in `src`, in order.
    fn key_types(src: &str) -> Vec<Option<String>> {
        struct Keys<'m, 'c> {
            model: &'m Model<'c>,
            found: Vec<Option<String>>,
        }
        impl<'ast> Visit<'ast> for Keys<'_, '_> {
            fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
                if matches!(&*call.func, syn::Expr::Path(p) if p.path.is_ident("key")) {
                    let ty = self.model.builtin_type(&call.args[0]);
                    self.found.push(ty.map(|t| match t.alias {
                        Some(alias) => format!("{} via {alias}", t.name),
                        None => t.name,
                    }));
                }
                syn::visit::visit_expr_call(self, call);
            }
        }
        let file = syn::parse_file(src).unwrap();
        let model = Model::build(&file, Catalog::builtin());
        let mut keys = Keys {
            model: &model,
            found: Vec::new(),
        };
        keys.visit_file(&file);
        keys.found
    }

    #[test]
    fn literals_calls_and_casts() {
        let src = r#"
            fn f(x: u8) {
                key("a"); key(1); key(2u64); key(true); key('c'); key(b"b");
                key(format!("{x}")); key(x.to_string()); key(String::from(x)); key(x as u32);
                key(("a", 1)); key(()); key(&"a");
                key(Key); key(Key("a")); key(x.into());
            }
        "#;
        let strings: Vec<Option<&str>> = vec![
            Some("&str"),
            Some("i32"),
            Some("u64"),
            Some("bool"),
            Some("char"),
            Some("&[u8]"),
            Some("String"),
            Some("String"),
            Some("String"),
            Some("u32"),
            Some("(&str, i32)"),
            Some("()"),
            Some("&&str"),
            None,
            None,
            None,
        ];
        let found = key_types(src);
        assert_eq!(found.iter().map(Option::as_deref).collect::<Vec<_>>(), strings);
    }

    #[test]
    fn bindings_consts_and_aliases() {
        let src = r#"
            type Name = &'static str;
            const A: &str = "a";
            static B: Name = "b";
            const C: MyKey = MyKey;
            mod inner {
                const D: u64 = 1;
                fn g() { key(D); key(super::A); key(self::D); }
            }
            fn f(p: &str, q: String, r: MyKey, s: Name) {
                let l = "l";
                let m: u16 = compute();
                key(p); key(q); key(r); key(s); key(l); key(m);
                key(A); key(B); key(C); key(D);
                { const A: MyKey = MyKey; key(A); }
            }
        "#;
        let found = key_types(src);
        let expected: Vec<Option<&str>> = vec![
            Some("u64"),
            Some("&str"),
            Some("u64"),
            Some("&str"),
            Some("String"),
            None,
            Some("&str via Name"),
            Some("&str"),
            Some("u16"),
            Some("&str"),
            Some("&str via Name"),
            None,
            // `D` is not in scope here.
            None,
            // The block's own `A` shadows the module's.
            None,
        ];
        assert_eq!(found.iter().map(Option::as_deref).collect::<Vec<_>>(), expected);
    }

    #[test]
    fn a_local_string_type_is_not_std_string() {
        let src = "struct String; fn f(s: String) { key(s); key(String::from(1)); }";
        assert_eq!(key_types(src), vec![None, None]);
    }
}
