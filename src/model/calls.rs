//! The call sites of one function in one file, for fixes that change its signature.
//!
//! A call is *sure* when its syntax alone says it calls the function: a path call of a free
//! function (`name(…)`, `self::name(…)`), of an associated function or method through its type
//! (`Self::name(…)` inside an impl of the type, `Type::name(…)`), or a method call on `self`
//! inside an impl of the type. Everything else that mentions the name is *unsure*: the function
//! passed as a value, a method call of that name on a receiver of unknown type, a path through
//! another module, a mention inside a macro ctxlint does not parse. Calls in other files are
//! not seen here; a workspace index can add them through the same types.
//!
//! Offsets are byte offsets into the code the tree was parsed from (as `Extent` gives them).

use foldhash::{HashSet, HashSetExt};
use std::ops::Range;

use syn::visit::Visit;
use syn::{Expr, ExprCall, ExprMethodCall};

use super::Model;
use super::extent::Extent;
use super::macros;
use crate::lex;

/// The function whose calls are wanted.
#[derive(Clone, Debug)]
pub struct Callee {
    pub name: String,
    pub owner: Owner,
    /// Whether it takes `self` (its method calls pass the receiver apart from the arguments).
    pub receiver: bool,
    /// Its parameters, the receiver not counted.
    pub arity: usize,
}

/// Where the function is declared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Owner {
    Free,
    /// An inherent impl of the type of this name (its last path segment).
    Type(String),
    /// A trait of this name: implementations elsewhere take the same arguments.
    Trait(String),
}

/// A call whose arguments can be rewritten with confidence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// The whole call expression.
    pub span: Range<usize>,
    /// The arguments that correspond to the parameters (a receiver passed as the first
    /// argument of `Type::method(x, …)` left out).
    pub args: Vec<Range<usize>>,
}

/// A mention of the function that may be a call or a use ctxlint cannot rewrite.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsure {
    pub at: usize,
    pub why: &'static str,
}

#[derive(Debug, Default)]
pub struct CallSites {
    pub calls: Vec<Call>,
    pub unsure: Vec<Unsure>,
    /// Mentions of the name the tree does not show (bodies the parse left out, attributes):
    /// the caller should look again in a full parse of the file.
    pub unread: Vec<usize>,
}

/// The call sites of `callee` in `file`, parsed from `code`. With the file's model, a method
/// call on a binding whose type is the callee's is sure too.
pub fn call_sites(file: &syn::File, code: &str, callee: &Callee, model: Option<&Model>) -> CallSites {
    let mut finder = Finder {
        callee,
        model,
        impl_types: Vec::new(),
        seen: HashSet::new(),
        sites: CallSites::default(),
    };
    finder.visit_file(file);
    let mentions = lex::tokens(code)
        .filter(|token| token.kind == lex::Kind::Ident && token.text(code) == callee.name)
        .map(|token| token.start);
    let mut sites = finder.sites;
    let seen = finder.seen;
    sites.unread = mentions.filter(|at| !seen.contains(at)).collect();
    sites.calls.sort_by_key(|call| call.span.start);
    sites.unsure.sort_by_key(|unsure| unsure.at);
    sites.unsure.dedup();
    sites
}

struct Finder<'c> {
    callee: &'c Callee,
    model: Option<&'c Model<'c>>,
    /// The self types of the enclosing impls, innermost last (`None` for a trait impl).
    impl_types: Vec<Option<String>>,
    /// Offsets of the name's identifiers the walk has accounted for.
    seen: HashSet<usize>,
    sites: CallSites,
}

fn last_segment(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

impl Finder<'_> {
    fn unsure(&mut self, at: usize, why: &'static str) {
        self.sites.unsure.push(Unsure { at, why });
    }

    /// Whether `path` (a call's callee or a value) names the function, and how surely.
    fn names_it(&self, path: &syn::Path) -> Option<bool> {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let (last, before) = segments.split_last()?;
        if *last != self.callee.name {
            return None;
        }
        let inside_own_impl = |ty: &str| self.impl_types.last().is_some_and(|t| t.as_deref() == Some(ty));
        match &self.callee.owner {
            Owner::Free => {
                let plain = before
                    .iter()
                    .all(|s| matches!(s.as_str(), "self" | "super" | "crate"));
                Some(plain)
            }
            Owner::Type(ty) => match before.last().map(String::as_str) {
                Some("Self") => Some(inside_own_impl(ty)),
                Some(owner) if owner == ty => Some(true),
                _ => None,
            },
            Owner::Trait(_) => before.last().map(|_| false),
        }
    }

    fn call(&mut self, call: &ExprCall) {
        let Expr::Path(func) = &*call.func else {
            return syn::visit::visit_expr_call(self, call);
        };
        let Some(sure) = self.names_it(&func.path) else {
            return syn::visit::visit_expr_call(self, call);
        };
        let at = name_start(&func.path);
        self.seen.insert(at);
        let skip = usize::from(self.callee.receiver);
        if sure && call.args.len() == self.callee.arity + skip {
            let args = call.args.iter().skip(skip).map(Extent::extent).collect();
            self.sites.calls.push(Call {
                span: call.extent(),
                args,
            });
        } else if call.args.len() == self.callee.arity + skip {
            self.unsure(at, "a call through a path ctxlint cannot follow");
        }
        for arg in &call.args {
            self.visit_expr(arg);
        }
    }

    fn method_call(&mut self, call: &ExprMethodCall) {
        if call.method != self.callee.name || !self.callee.receiver {
            return syn::visit::visit_expr_method_call(self, call);
        }
        let at = call.method.span().byte_range().start;
        self.seen.insert(at);
        if call.args.len() == self.callee.arity {
            let on_self = matches!(&*call.receiver, Expr::Path(p) if p.path.is_ident("self"));
            let sure = match &self.callee.owner {
                Owner::Type(ty) => {
                    let own_impl = self.impl_types.last().is_some_and(|t| t.as_ref() == Some(ty));
                    let typed = self
                        .model
                        .and_then(|model| model.struct_name_of(&call.receiver))
                        .is_some_and(|name| name == ty);
                    (on_self && own_impl) || typed
                }
                _ => false,
            };
            if sure {
                self.sites.calls.push(Call {
                    span: call.extent(),
                    args: call.args.iter().map(Extent::extent).collect(),
                });
            } else {
                self.unsure(at, "a method call on a value whose type ctxlint cannot tell");
            }
        }
        syn::visit::visit_expr_method_call(self, call);
    }
}

impl<'ast> Visit<'ast> for Finder<'_> {
    fn visit_ident(&mut self, ident: &'ast proc_macro2::Ident) {
        // Definitions, imports, fields and other names: not calls.
        if *ident == self.callee.name {
            self.seen.insert(ident.span().byte_range().start);
        }
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        let ty = match item.trait_ {
            None => last_segment(&item.self_ty),
            Some(_) => None,
        };
        self.impl_types.push(ty);
        syn::visit::visit_item_impl(self, item);
        self.impl_types.pop();
    }

    fn visit_expr(&mut self, expr: &'ast Expr) {
        match expr {
            Expr::Call(call) => self.call(call),
            Expr::MethodCall(call) => self.method_call(call),
            Expr::Path(path) if self.names_it(&path.path).is_some() => {
                let at = name_start(&path.path);
                self.seen.insert(at);
                self.unsure(at, "the function used as a value");
            }
            _ => syn::visit::visit_expr(self, expr),
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        syn::visit::visit_macro(self, mac);
        if let Some(body) = macros::parse(mac) {
            macros::visit_body(self, &body);
            return;
        }
        let mut idents = Vec::new();
        macros::mentioned_idents(&mac.tokens, &mut idents);
        for (name, span) in idents {
            if name == self.callee.name {
                let at = span.byte_range().start;
                self.seen.insert(at);
                self.unsure(at, "inside a macro ctxlint does not read");
            }
        }
    }
}

/// Where the last segment of a path (the function's own name) starts.
fn name_start(path: &syn::Path) -> usize {
    path.segments
        .last()
        .expect("a path has a segment")
        .ident
        .span()
        .byte_range()
        .start
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sites(code: &str, callee: &Callee) -> CallSites {
        let file = syn::parse_file(code).unwrap();
        let sites = call_sites(&file, code, callee, None);
        proc_macro2::extra::invalidate_current_thread_spans();
        sites
    }

    fn texts<'c>(code: &'c str, calls: &[Call]) -> Vec<&'c str> {
        calls.iter().map(|c| &code[c.span.clone()]).collect()
    }

    #[test]
    fn free_function_calls() {
        let code = "fn f(a: u8, b: u8) {}\n\
            fn g() { f(1, 2); self::f(3, 4); m::f(5, 6); let h = f; vec![f(7, 8)]; x.f(1, 2); }\n\
            mod m { pub fn f(a: u8, b: u8) {} }\n";
        let callee = Callee {
            name: "f".into(),
            owner: Owner::Free,
            receiver: false,
            arity: 2,
        };
        let found = sites(code, &callee);
        assert_eq!(texts(code, &found.calls), ["f(1, 2)", "self::f(3, 4)", "f(7, 8)"]);
        let whys: Vec<&str> = found.unsure.iter().map(|u| u.why).collect();
        assert_eq!(
            whys,
            [
                "a call through a path ctxlint cannot follow",
                "the function used as a value"
            ]
        );
        assert!(found.unread.is_empty(), "{:?}", found.unread);
        assert_eq!(found.calls[0].args.len(), 2);
        assert_eq!(&code[found.calls[0].args[1].clone()], "2");
    }

    #[test]
    fn methods_resolve_only_through_self_and_the_type() {
        let code = "struct S; struct T;\n\
            impl S { fn m(&self, a: u8, b: u8) {} fn n(&self) { self.m(1, 2); Self::m(self, 3, 4); S::m(self, 5, 6); } }\n\
            impl T { fn m(&self, a: u8, b: u8) {} fn n(&self, s: &S) { self.m(1, 2); s.m(7, 8); } }\n\
            fn free(s: S) { s.m(9, 9); }\n";
        let callee = Callee {
            name: "m".into(),
            owner: Owner::Type("S".into()),
            receiver: true,
            arity: 2,
        };
        let found = sites(code, &callee);
        assert_eq!(
            texts(code, &found.calls),
            ["self.m(1, 2)", "Self::m(self, 3, 4)", "S::m(self, 5, 6)"]
        );
        assert_eq!(
            &code[found.calls[1].args[0].clone()],
            "3",
            "the receiver is left out"
        );
        // `T`'s own `self.m` is not `S::m`; `s.m(…)` could be either.
        let unsure: Vec<&str> = found.unsure.iter().map(|u| &code[u.at..u.at + 1]).collect();
        assert_eq!(unsure.len(), 3, "{:?}", found.unsure);
        assert!(unsure.iter().all(|m| *m == "m"));
    }

    #[test]
    fn mentions_outside_the_tree_are_unread() {
        let code = "fn f(a: u8) {}\nfn g() { f(1) }\n";
        // A tree without `g`'s body, as the pre-filtered parse gives.
        let stubbed = syn::parse_file("fn f(a: u8) {}\nfn g() {     }\n").unwrap();
        let callee = Callee {
            name: "f".into(),
            owner: Owner::Free,
            receiver: false,
            arity: 1,
        };
        let found = call_sites(&stubbed, code, &callee, None);
        proc_macro2::extra::invalidate_current_thread_spans();
        assert!(found.calls.is_empty());
        assert_eq!(found.unread, [code.find("f(1)").unwrap()]);
    }
}
