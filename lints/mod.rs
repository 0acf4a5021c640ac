//! The lints. Adding one is one file here, one line in [`ALL`], and one folder in `testdata/`.
//!
//! A lint is a [`Rule`] with its docs and the hooks it needs: plain functions that take the
//! [`Checker`](crate::checker::Checker) and one syntax node, ask the semantic model questions,
//! and report [`Diagnostic`](crate::diagnostic::Diagnostic)s with a fix.

use crate::checker::{Checker, FnNode, MacroCall};
use crate::diagnostic::Level;

/// Declares a lint: its doc comment becomes its `ctxlint explain` text.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub static $NAME:ident = {
            name: $name:literal,
            summary: $summary:literal,
            level: $level:expr,
            $($hook:ident: $f:expr),* $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        pub static $NAME: $crate::lints::Rule = $crate::lints::Rule {
            name: $name,
            summary: $summary,
            docs: concat!($($doc, "\n"),*),
            default_level: $level,
            hooks: $crate::lints::Hooks {
                $($hook: Some($f),)*
                ..$crate::lints::Hooks::NONE
            },
        };
    };
}
pub(crate) use declare_rule;

mod background_in_handler;
mod context_param_order;
mod derive_in_loop;
mod done_polling;
mod dropped_cancel_guard;
mod string_value_key;
mod unused_suppression;
mod value_chain;
mod value_lookup_in_loop;

/// Every lint, in the order `ctxlint rules` lists them.
pub static ALL: &[&Rule] = &[
    &dropped_cancel_guard::DROPPED_CANCEL_GUARD,
    &string_value_key::STRING_VALUE_KEY,
    &context_param_order::CONTEXT_PARAM_ORDER,
    &background_in_handler::BACKGROUND_IN_HANDLER,
    &value_lookup_in_loop::VALUE_LOOKUP_IN_LOOP,
    &done_polling::DONE_POLLING,
    &derive_in_loop::DERIVE_IN_LOOP,
    &value_chain::VALUE_CHAIN,
    &unused_suppression::UNUSED_SUPPRESSION,
];

pub struct Rule {
    /// snake_case; the code is `ctxlint::<name>`.
    pub name: &'static str,
    /// One line, for `ctxlint rules` and SARIF.
    pub summary: &'static str,
    /// The lint's documentation in Markdown (What it does / Why is this bad? / Example / Use
    /// instead / …), taken from its doc comment.
    pub docs: &'static str,
    pub default_level: Level,
    pub hooks: Hooks,
}

/// What a lint looks at. The checker calls each hook once per node of that kind, macro bodies
/// included.
#[derive(Clone, Copy)]
pub struct Hooks {
    pub on_fn: Option<fn(&Checker, &FnNode)>,
    pub on_stmt: Option<fn(&Checker, &syn::Stmt)>,
    pub on_expr: Option<fn(&Checker, &syn::Expr)>,
    pub on_macro: Option<fn(&Checker, &MacroCall)>,
}

impl Hooks {
    pub const NONE: Hooks = Hooks {
        on_fn: None,
        on_stmt: None,
        on_expr: None,
        on_macro: None,
    };
}

impl Rule {
    /// The docs as Markdown, without the leading space each `///` line carries.
    pub fn explanation(&self) -> String {
        let mut text = String::new();
        for line in self.docs.lines() {
            text.push_str(line.strip_prefix(' ').unwrap_or(line));
            text.push('\n');
        }
        text
    }
}

pub fn by_name(name: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|rule| rule.name == name)
}
