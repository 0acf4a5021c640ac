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
            $(group: $group:expr,)?
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
            group: {
                #[allow(unused_variables)]
                let group: Option<$crate::lints::Group> = None;
                $(let group = Some($group);)?
                group
            },
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
mod lost_cancel;
mod no_cancel_on_drop;
mod parse_error;
mod string_value_key;
mod timeout_in_loop;
mod token_param_order;
mod unused_suppression;
mod value_chain;
mod value_lookup_in_loop;

/// Every lint, in the order `ctxlint rules` lists them.
pub static ALL: &[&Rule] = &[
    &dropped_cancel_guard::DROPPED_CANCEL_GUARD,
    &lost_cancel::LOST_CANCEL,
    &no_cancel_on_drop::NO_CANCEL_ON_DROP,
    &string_value_key::STRING_VALUE_KEY,
    &context_param_order::CONTEXT_PARAM_ORDER,
    &token_param_order::TOKEN_PARAM_ORDER,
    &background_in_handler::BACKGROUND_IN_HANDLER,
    &value_lookup_in_loop::VALUE_LOOKUP_IN_LOOP,
    &done_polling::DONE_POLLING,
    &derive_in_loop::DERIVE_IN_LOOP,
    &timeout_in_loop::TIMEOUT_IN_LOOP,
    &value_chain::VALUE_CHAIN,
    &unused_suppression::UNUSED_SUPPRESSION,
    &parse_error::PARSE_ERROR,
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
    /// Its group, as clippy's (`None` for the rules about ctxlint's own input: suppressions
    /// and code it cannot parse).
    pub group: Option<Group>,
    pub hooks: Hooks,
}

/// Groups of rules, as clippy's: a group's name selects its rules in `-A/-W/-D` and in the
/// configuration's `[rules]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// Code that is wrong: work that is cancelled at once, never, or too late.
    Correctness,
    /// Code that is most likely wrong or fragile.
    Suspicious,
    /// Code that does more work than it needs.
    Perf,
    /// Code that goes against a convention of the API it uses.
    Style,
    /// Stricter conventions some projects want (allow by default).
    Pedantic,
}

impl Group {
    pub const ALL: [Group; 5] = [
        Group::Correctness,
        Group::Suspicious,
        Group::Perf,
        Group::Style,
        Group::Pedantic,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Group::Correctness => "correctness",
            Group::Suspicious => "suspicious",
            Group::Perf => "perf",
            Group::Style => "style",
            Group::Pedantic => "pedantic",
        }
    }

    /// The level of its rules unless configured: `allow` for pedantic, `warn` for the others.
    pub fn default_level(self) -> Level {
        match self {
            Group::Pedantic => Level::Allow,
            _ => Level::Warn,
        }
    }

    pub fn by_name(name: &str) -> Option<Group> {
        Group::ALL.into_iter().find(|group| group.name() == name)
    }

    pub fn rules(self) -> impl Iterator<Item = &'static Rule> {
        ALL.iter().copied().filter(move |rule| rule.group == Some(self))
    }
}

/// The rules a name selects in levels and configuration: a rule (`rule` or `ctxlint::rule`),
/// or every rule of a group.
pub fn select(name: &str) -> Option<Vec<&'static Rule>> {
    let bare = name.strip_prefix("ctxlint::").unwrap_or(name);
    if let Some(rule) = by_name(bare) {
        return Some(vec![rule]);
    }
    Group::by_name(bare).map(|group| group.rules().collect())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_levels_are_their_groups() {
        for rule in ALL {
            if let Some(group) = rule.group {
                assert_eq!(rule.default_level, group.default_level(), "{}", rule.name);
            }
        }
        assert!(Group::ALL.iter().all(|group| group.rules().count() > 0));
        assert_eq!(select("pedantic").unwrap().len(), 3);
        assert_eq!(select("ctxlint::value_chain").unwrap()[0].name, "value_chain");
        assert!(select("nope").is_none());
    }
}
