//! Request handlers: functions a web or RPC framework calls once per request, recognised from
//! the catalog's `handlers` facts (route attributes, service traits).

use super::Model;

impl Model<'_> {
    /// The handler attribute among `attrs` (`#[get("/")]` with `use actix_web::get`), as
    /// written.
    pub fn handler_attribute<'a>(&self, attrs: &'a [syn::Attribute]) -> Option<&'a syn::Attribute> {
        attrs.iter().find(|attr| {
            let path = attr.path();
            let resolved = self.resolve_path(attr, path);
            if resolved
                .as_deref()
                .is_some_and(|resolved| self.catalog.is_handler_attribute(resolved))
            {
                return true;
            }
            // `#[macro_use] extern crate rocket;` brings `#[get]` into scope by a name that is
            // not otherwise imported.
            let Some(name) = path.get_ident() else {
                return false;
            };
            if resolved.is_none_or(|resolved| *name != resolved) {
                return false;
            }
            self.imports
                .macro_use
                .iter()
                .any(|krate| self.catalog.is_handler_attribute(&format!("{krate}::{name}")))
        })
    }

    /// Whether every method of this `impl` is a request handler (`impl greeter_server::Greeter
    /// for MyGreeter`).
    pub fn is_handler_impl(&self, item: &syn::ItemImpl) -> bool {
        let Some((path, _)) = &item.trait_ else {
            return false;
        };
        let written = || {
            path.segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect::<Vec<_>>()
                .join("::")
        };
        let resolved = self.resolve_path(item, path).unwrap_or_else(written);
        self.catalog.is_handler_trait(&resolved)
    }
}

#[cfg(test)]
mod tests {
    use crate::model::Model;
    use crate::model::catalog::Catalog;

    fn handler_fns(src: &str) -> Vec<String> {
        let file = syn::parse_file(src).unwrap();
        let model = Model::build(&file, Catalog::builtin());
        let mut found = Vec::new();
        for item in &file.items {
            match item {
                syn::Item::Fn(f) if model.handler_attribute(&f.attrs).is_some() => {
                    found.push(f.sig.ident.to_string())
                }
                syn::Item::Impl(i) if model.is_handler_impl(i) => found.push("impl".to_string()),
                _ => {}
            }
        }
        found
    }

    #[test]
    fn route_attributes_resolve_through_imports() {
        let src = r#"
            use actix_web::get;
            use salvo::prelude::*;
            #[get("/")] fn a() {}
            #[actix_web::post("/")] fn b() {}
            #[handler] fn c() {}
            #[rmcp::tool] fn d() {}
            #[post("/")] fn not_imported() {}
            #[test] fn e() {}
        "#;
        assert_eq!(handler_fns(src), vec!["a", "b", "c", "d"]);
    }

    #[test]
    fn macro_use_brings_bare_attributes() {
        let src = "#[macro_use] extern crate rocket; #[get(\"/\")] fn a() {}";
        assert_eq!(handler_fns(src), vec!["a"]);
        let src = "#[macro_use] extern crate rocket; use my::get; #[get] fn a() {}";
        assert!(handler_fns(src).is_empty());
    }

    #[test]
    fn generated_service_traits() {
        let src = r#"
            use proto::greeter_server::Greeter;
            impl Greeter for A {}
            impl pb::echo_server::Echo for B {}
            impl std::fmt::Display for C {}
            impl D {}
        "#;
        assert_eq!(handler_fns(src), vec!["impl", "impl"]);
    }
}
