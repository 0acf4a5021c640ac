//! Function summaries: whether a function only observes a token parameter (waits on it,
//! checks it, derives children from it) or may do more with it (cancel it, store it, hand it
//! on). `lost_cancel` asks this of the functions a token is passed to: work that only
//! observes a token nobody can cancel cannot be stopped.
//!
//! The summary reads the body's tokens, so macro bodies (`select!` arms) count like any other
//! code. It is deliberately one-sided: anything it does not recognise as observing — passing
//! the parameter on, storing it, a method it does not know — makes the parameter "may cancel",
//! and so does every function it cannot see (other crates, trait objects).

use foldhash::HashMap;

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;

/// Methods that only observe a token (or derive a child that cannot cancel its parent).
const OBSERVING: &[&str] = &[
    "cancelled",
    "cancelled_owned",
    "is_cancelled",
    "child_token",
    "run_until_cancelled",
    "run_until_cancelled_owned",
];

/// What a function does with a token parameter, as far as its body shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamUse {
    /// Anything but observing: it may cancel it.
    MayCancel,
    /// Only observes it, in its own flow.
    Observes,
    /// Only observes it, and some of that in a task it spawns: the work outlives the call.
    Spawns,
}

impl ParamUse {
    /// Two definitions of one function (behind `cfg`s, say): the less certain one.
    fn and(self, other: ParamUse) -> ParamUse {
        match (self, other) {
            (ParamUse::MayCancel, _) | (_, ParamUse::MayCancel) => ParamUse::MayCancel,
            (ParamUse::Spawns, ParamUse::Spawns) => ParamUse::Spawns,
            _ => ParamUse::Observes,
        }
    }
}

/// Combines what two definitions of one function do with each parameter.
pub fn combine(known: &mut Vec<ParamUse>, other: Vec<ParamUse>) {
    if known.is_empty() {
        *known = other;
        return;
    }
    for (i, known) in known.iter_mut().enumerate() {
        *known = known.and(other.get(i).copied().unwrap_or(ParamUse::MayCancel));
    }
}

/// For each parameter (`self` too, as `MayCancel`), what the function does with it.
/// Parameters that are not plain names (patterns) may be cancelled.
pub fn observed_params(sig: &syn::Signature, body: &TokenStream) -> Vec<ParamUse> {
    let tokens = flatten(body);
    sig.inputs
        .iter()
        .map(|input| match input {
            // Held for `Type::method(receiver, …)` calls, whose first argument it is.
            syn::FnArg::Receiver(_) => ParamUse::MayCancel,
            syn::FnArg::Typed(typed) => match &*typed.pat {
                syn::Pat::Ident(ident) => use_of(&tokens, &ident.ident.to_string()),
                syn::Pat::Wild(_) => ParamUse::Observes,
                _ => ParamUse::MayCancel,
            },
        })
        .collect()
}

/// A body's tokens with groups opened, delimiters kept as `Punct`-like markers.
#[derive(Debug, PartialEq)]
enum Flat {
    /// A name, and whether it is inside the arguments of a `spawn(…)` call.
    Ident(String, bool),
    Punct(char),
    /// An empty `()` group (a call without arguments).
    EmptyParens,
    /// Any other group boundary or literal.
    Other,
}

fn flatten(stream: &TokenStream) -> Vec<Flat> {
    let mut out = Vec::new();
    flatten_into(stream, false, &mut out);
    out
}

/// Functions and methods that start a task running their argument.
const SPAWNS: &[&str] = &["spawn", "spawn_blocking", "spawn_local"];

fn flatten_into(stream: &TokenStream, spawned: bool, out: &mut Vec<Flat>) {
    for tree in stream.clone() {
        match tree {
            TokenTree::Ident(ident) => out.push(Flat::Ident(ident.to_string(), spawned)),
            TokenTree::Punct(punct) => out.push(Flat::Punct(punct.as_char())),
            TokenTree::Literal(_) => out.push(Flat::Other),
            TokenTree::Group(group) => {
                if group.delimiter() == proc_macro2::Delimiter::Parenthesis && group.stream().is_empty() {
                    out.push(Flat::EmptyParens);
                } else {
                    let spawn_args = group.delimiter() == proc_macro2::Delimiter::Parenthesis
                        && matches!(out.last(), Some(Flat::Ident(name, _)) if SPAWNS.contains(&name.as_str()))
                        && detached_call(out);
                    out.push(Flat::Other);
                    flatten_into(&group.stream(), spawned || spawn_args, out);
                    out.push(Flat::Other);
                }
            }
        }
    }
}

/// Whether the path call ending at the end of `out` (`tokio::spawn`) starts a statement
/// or is bound to `_`: its handle is dropped, so the task outlives the function. A method
/// (`set.spawn(…)`, maybe a `JoinSet`) or a kept or awaited handle is not.
fn detached_call(out: &[Flat]) -> bool {
    let mut i = out.len() - 1;
    while i > 0 {
        match &out[i - 1] {
            Flat::Ident(name, _) if name == "let" => break,
            Flat::Punct(':') | Flat::Ident(..) => i -= 1,
            _ => break,
        }
    }
    match &out[..i] {
        [] | [.., Flat::Punct(';') | Flat::Other] => true,
        [.., Flat::Ident(let_, _), Flat::Ident(wild, _), Flat::Punct('=')] => let_ == "let" && wild == "_",
        _ => false,
    }
}

/// Observes when every mention of `name` is a call of an observing method on it (or on a
/// clone of it): `name.cancelled()`, `name.clone().is_cancelled()`; spawns when some are in a
/// `spawn(…)`. `x.name` (a field) and `name:` (a field name in a literal, a type ascription)
/// are not mentions.
fn use_of(tokens: &[Flat], name: &str) -> ParamUse {
    if name.starts_with('_') {
        return ParamUse::Observes;
    }
    let method_at = |i: usize| match (tokens.get(i), tokens.get(i + 1)) {
        (Some(Flat::Punct('.')), Some(Flat::Ident(method, _))) => Some(method.as_str()),
        _ => None,
    };
    let mut found = ParamUse::Observes;
    for (i, token) in tokens.iter().enumerate() {
        let Flat::Ident(ident, spawned) = token else {
            continue;
        };
        if ident != name {
            continue;
        }
        let after_dot = i > 0 && tokens[i - 1] == Flat::Punct('.');
        let ascribed =
            tokens.get(i + 1) == Some(&Flat::Punct(':')) && tokens.get(i + 2) != Some(&Flat::Punct(':'));
        if after_dot || ascribed {
            continue;
        }
        let observed = match method_at(i + 1) {
            Some("clone") if tokens.get(i + 3) == Some(&Flat::EmptyParens) => {
                method_at(i + 4).is_some_and(|m| OBSERVING.contains(&m))
            }
            Some(method) => OBSERVING.contains(&method),
            None => false,
        };
        if !observed {
            return ParamUse::MayCancel;
        }
        if *spawned {
            found = ParamUse::Spawns;
        }
    }
    found
}

/// The functions of one file by name (free functions and those of `impl` blocks), each with
/// [`observed_params`]; for files read alone, and for calls of this file's own functions.
#[derive(Debug, Default)]
pub struct LocalSummaries {
    by_name: HashMap<String, Vec<ParamUse>>,
}

impl LocalSummaries {
    pub fn of(file: &syn::File) -> LocalSummaries {
        let mut summaries = LocalSummaries::default();
        summaries.add_items(&file.items);
        summaries
    }

    fn add_items(&mut self, items: &[syn::Item]) {
        for item in items {
            match item {
                syn::Item::Fn(f) => self.add(&f.sig, &f.block),
                syn::Item::Impl(imp) => {
                    for item in &imp.items {
                        if let syn::ImplItem::Fn(f) = item {
                            self.add(&f.sig, &f.block);
                        }
                    }
                }
                syn::Item::Mod(module) => {
                    if let Some((_, items)) = &module.content {
                        self.add_items(items);
                    }
                }
                _ => {}
            }
        }
    }

    fn add(&mut self, sig: &syn::Signature, block: &syn::Block) {
        let observed = observed_params(sig, &block.to_token_stream());
        combine(self.by_name.entry(sig.ident.to_string()).or_default(), observed);
    }

    /// What the functions of this file named `name` do with argument `arg` (the least certain
    /// answer when there are several); `None` when the file has no function of that name.
    pub fn use_of(&self, name: &str, arg: usize) -> Option<ParamUse> {
        let params = self.by_name.get(name)?;
        Some(params.get(arg).copied().unwrap_or(ParamUse::MayCancel))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use ParamUse::*;

    fn observed(item: &str) -> Vec<ParamUse> {
        let f: syn::ItemFn = syn::parse_str(item).unwrap();
        observed_params(&f.sig, &f.block.to_token_stream())
    }

    #[test]
    fn waits_and_checks_only_observe() {
        assert_eq!(
            observed(
                "async fn w(t: CancellationToken, u: CancellationToken, _v: CancellationToken) {
                    tokio::select! { _ = t.cancelled() => {} _ = work() => {} }
                    while !u.clone().is_cancelled() { step(u.child_token()).await; }
                }"
            ),
            vec![Observes, Observes, Observes]
        );
        assert_eq!(
            observed("fn l(t: CancellationToken) { tokio::spawn(async move { t.cancelled().await }); }"),
            vec![Spawns]
        );
        // Awaited, or on a set that may abort its tasks: the work ends with the call.
        assert_eq!(
            observed(
                "async fn l(t: CancellationToken, u: CancellationToken) {
                    let h = tokio::spawn(async move { t.cancelled().await }); h.await;
                    set.spawn(async move { u.cancelled().await });
                }"
            ),
            vec![Observes, Observes]
        );
    }

    #[test]
    fn anything_else_may_cancel() {
        assert_eq!(
            observed(
                "fn w(a: T, b: T, c: T, d: T, e: T) {
                    a.cancel();
                    store(b.clone());
                    let s = S { c };
                    let x = self.d;
                    let guard = e.drop_guard();
                    d.is_cancelled();
                }"
            ),
            vec![MayCancel, MayCancel, MayCancel, Observes, MayCancel]
        );
    }
}
