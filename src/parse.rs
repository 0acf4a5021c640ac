//! Parsing, with the bodies of functions no context API can enter left out, and item-level
//! recovery.
//!
//! In a large file only a few functions touch a context API, and syn spends most of its time
//! building trees for the rest. Before anything is tokenized, [`parse`] turns the inside of
//! each function body that names none of the words through which a catalog item can enter it
//! into spaces (every other token keeps its offset), so the tokenizer and syn skip it. The
//! words are found by the lexer alone ([`crate::outline`]): the catalog's identifying words,
//! the local names `use`, `type` and `extern crate` items give them, and the names of struct
//! fields whose types mention one (to a fixed point). Methods of an `impl` whose header names
//! such a word, or a tuple struct holding such a field (`self.0` names no field), are kept
//! whole.
//!
//! A syntax error inside a left-out body is not reported: ctxlint reports errors in the code it
//! reads, and `--no-prefilter` reads everything.
//!
//! When syn rejects the file, [`recover`] parses it item by item: syntax that rustc's parser
//! accepts before macro expansion (a visibility on an `impl`, as `#[easy_ext::ext]` takes) is
//! rewritten so that syn reads it, an unreadable member of a `mod`, `impl` or `trait` is left
//! out of its container, and an unreadable item is left out of the file. Each part left out is
//! one [`Unreadable`]; the rest is linted.

use foldhash::{HashMap, HashSet, HashSetExt};
use std::ops::Range;
use std::str::FromStr;

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};

use crate::model::catalog::Catalog;
use crate::outline::{Item, Outline};

/// A file as syn reads it, and the parts of it syn could not read.
pub struct Parsed {
    pub file: syn::File,
    pub unreadable: Vec<Unreadable>,
}

/// An item (or member of an item) left out of the parse.
pub struct Unreadable {
    /// Its tokens' byte range in the parsed code, attributes included.
    pub range: Range<usize>,
    /// Its first token after the attributes.
    pub head: Range<usize>,
    pub error: syn::Error,
}

/// Parses `code`; with a catalog, bodies that cannot matter are left out first. Only code
/// that does not lex (an unclosed delimiter, a stray quote) fails as a whole.
pub fn parse(code: &str, catalog: Option<&Catalog>) -> syn::Result<Parsed> {
    let blanked = catalog.and_then(|catalog| without_unreachable_bodies(code, catalog));
    let code = blanked.as_deref().unwrap_or(code);
    let tokenize = || TokenStream::from_str(code).map_err(|e| syn::Error::new(e.span(), e));
    // The stream goes to syn unshared: a shared one is copied when iterated.
    match syn::parse2::<syn::File>(tokenize()?) {
        Ok(file) => Ok(Parsed {
            file,
            unreadable: Vec::new(),
        }),
        Err(_) => Ok(recover(&tokenize()?.into_iter().collect::<Vec<_>>())),
    }
}

/// `code` with the inside of every function body that names none of the words through which
/// a catalog item can enter it turned to spaces (line ends kept, so every token left keeps its
/// byte offset and line); `None` when no body is left out. Found from the lexer alone: building
/// token trees for the whole file costs more than parsing what is left.
fn without_unreachable_bodies(code: &str, catalog: &Catalog) -> Option<String> {
    let outline = Outline::new(code);
    let present: HashSet<&str> = outline.words(outline.all()).collect();
    let mut relevant = catalog.identifying_words(|root| present.contains(root));
    // The workspace's holders this file names: a function reaches the API through one only by
    // calling a method of what it holds.
    let reached: HashMap<&str, &HashSet<String>> = catalog
        .holders()
        .iter()
        .filter(|(holder, _)| present.contains(holder.as_str()))
        .map(|(holder, methods)| (holder.as_str(), methods))
        .collect();
    // A field holding one is reached by its name, as a field of a relevant type is; the
    // holder's name itself is relevant only beside a method (see `Reach`).
    let added: Vec<&str> = reached
        .keys()
        .copied()
        .filter(|holder| relevant.insert(holder.to_string()))
        .collect();
    let holders = declarations(&outline, &mut relevant);
    for holder in added {
        relevant.remove(holder);
    }
    let reach = Reach {
        relevant: &relevant,
        holders: &holders,
        reached: &reached,
    };
    let mut left_out = Vec::new();
    unreachable_bodies(&outline, outline.all(), &reach, &[], &mut left_out);
    if left_out.is_empty() {
        return None;
    }
    let mut bytes = code.as_bytes().to_vec();
    for range in left_out {
        for byte in &mut bytes[range] {
            if *byte != b'\n' {
                *byte = b' ';
            }
        }
    }
    // Whole tokens were blanked, so no character was cut.
    String::from_utf8(bytes).ok()
}

fn names_any(outline: &Outline, range: Range<usize>, words: &HashSet<String>) -> bool {
    outline.words(range).any(|word| words.contains(word))
}

/// What makes a function body reachable from the catalog.
struct Reach<'a> {
    /// Words that do it alone.
    relevant: &'a HashSet<String>,
    /// This file's tuple structs holding a relevant type (`self.0` names no field).
    holders: &'a HashSet<String>,
    /// The workspace's holders this file names, with the methods of what they hold: a
    /// holder's name does it beside one of those methods.
    reached: &'a HashMap<&'a str, &'a HashSet<String>>,
}

impl Reach<'_> {
    fn reaches(&self, outline: &Outline, range: Range<usize>, methods: &[&HashSet<String>]) -> bool {
        let mut holders: Vec<&HashSet<String>> = Vec::new();
        for word in outline.words(range.clone()) {
            if self.relevant.contains(word) || methods.iter().any(|m| m.contains(word)) {
                return true;
            }
            if !self.reached.is_empty()
                && let Some(held) = self.reached.get(word)
            {
                holders.push(held);
            }
        }
        // Most functions name no holder: only those are read again, for a held method.
        !holders.is_empty()
            && outline
                .words(range)
                .any(|word| holders.iter().any(|held| held.contains(word)))
    }
}

/// Pushes the bodies in `range` to leave out: those of functions that reach no catalog item
/// (see [`Reach`]), in modules, impls and traits at any depth. An `impl` whose header names a
/// relevant word or a tuple holder keeps all its methods (`self` reaches them); in one of a
/// workspace holder, a method naming a method of what it holds is kept.
fn unreachable_bodies(
    outline: &Outline,
    range: Range<usize>,
    reach: &Reach,
    methods: &[&HashSet<String>],
    out: &mut Vec<Range<usize>>,
) {
    for item in outline.items(range) {
        match outline.kind(&item) {
            Some("fn") => {
                if let Some(body) = outline.body_bytes(&item)
                    && !reach.reaches(outline, item.tokens.clone(), methods)
                {
                    out.push(body);
                }
            }
            Some(keyword @ ("mod" | "impl" | "trait")) => {
                let Some(body) = outline.body(&item) else {
                    continue;
                };
                let header = outline.before_body(&item);
                if keyword != "impl" {
                    unreachable_bodies(outline, body, reach, methods, out);
                    continue;
                }
                if names_any(outline, header.clone(), reach.holders)
                    || names_any(outline, header.clone(), reach.relevant)
                {
                    continue;
                }
                let mut inner = methods.to_vec();
                inner.extend(
                    outline
                        .words(header)
                        .filter_map(|word| reach.reached.get(word).copied()),
                );
                unreachable_bodies(outline, body, reach, &inner, out);
            }
            _ => {}
        }
    }
}

/// Where an item stands, which decides how syn reads it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// In a file or a `mod` body (inner attributes included).
    Module,
    Impl,
    Trait,
}

/// Parses a file syn rejects as a whole, item by item (see the module docs).
fn recover(trees: &[TokenTree]) -> Parsed {
    let mut unreadable = Vec::new();
    let mut file = syn::File {
        shebang: None,
        frontmatter: None,
        attrs: Vec::new(),
        items: Vec::new(),
    };
    for item in items(trees) {
        let Some(tokens) = readable(item, Place::Module, &mut unreadable) else {
            continue;
        };
        if let Ok(part) = syn::parse2::<syn::File>(tokens.into_iter().collect()) {
            file.attrs.extend(part.attrs);
            file.items.extend(part.items);
        }
    }
    Parsed { file, unreadable }
}

/// The tokens of `item` that syn reads in `place`: the item as written, with its pre-expansion
/// syntax rewritten, or a container without its unreadable members (pushed to `unreadable`).
/// `None` if the item itself is unreadable (pushed too).
fn readable(item: &[TokenTree], place: Place, unreadable: &mut Vec<Unreadable>) -> Option<Vec<TokenTree>> {
    let original_len = item.len();
    let error = match parse_in(item, place) {
        Ok(()) => return Some(item.to_vec()),
        Err(error) => error,
    };
    let item = without_impl_visibility(item);
    if item.len() != original_len && parse_in(&item, place).is_ok() {
        return Some(item);
    }
    if let Some(container) = without_unreadable_members(&item, place, unreadable) {
        return Some(container);
    }
    let range = range_of(&item);
    let head = item
        .get(attributes_len(&item))
        .map_or(range.clone(), |t| t.span().byte_range());
    unreadable.push(Unreadable { range, head, error });
    None
}

/// A `mod`, `impl` or `trait` item that syn reads once its unreadable members are left out
/// (those are pushed to `unreadable`).
fn without_unreadable_members(
    item: &[TokenTree],
    place: Place,
    unreadable: &mut Vec<Unreadable>,
) -> Option<Vec<TokenTree>> {
    let inner_place = match kind(item).as_deref()? {
        "mod" => Place::Module,
        "impl" => Place::Impl,
        "trait" => Place::Trait,
        _ => return None,
    };
    let body = item.last().and_then(brace)?;
    let members: Vec<TokenTree> = body.stream().into_iter().collect();
    let mut left_out = Vec::new();
    let kept: Vec<TokenTree> = items(&members)
        .into_iter()
        .filter_map(|member| readable(member, inner_place, &mut left_out))
        .flatten()
        .collect();
    if left_out.is_empty() {
        return None;
    }
    let mut group = Group::new(Delimiter::Brace, kept.into_iter().collect());
    group.set_span(body.span());
    let mut container = item.to_vec();
    *container.last_mut()? = TokenTree::Group(group);
    parse_in(&container, place).ok()?;
    unreadable.extend(left_out);
    Some(container)
}

fn parse_in(item: &[TokenTree], place: Place) -> syn::Result<()> {
    let tokens: TokenStream = item.iter().cloned().collect();
    match place {
        Place::Module => syn::parse2::<syn::File>(tokens).map(drop),
        Place::Impl => syn::parse2::<syn::ImplItem>(tokens).map(drop),
        Place::Trait => syn::parse2::<syn::TraitItem>(tokens).map(drop),
    }
}

/// The item without a visibility before `impl` (`pub impl Foo { … }`, `pub(crate) unsafe impl
/// …`): rustc's parser takes it, so an attribute macro can, but syn does not. Only those tokens
/// go; the others keep their spans.
fn without_impl_visibility(item: &[TokenTree]) -> Vec<TokenTree> {
    let at = attributes_len(item);
    if !item.get(at).is_some_and(|t| ident_is(t, "pub")) {
        return item.to_vec();
    }
    let mut after = at + 1;
    if matches!(item.get(after), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis) {
        after += 1;
    }
    if kind(&item[after..]).as_deref() != Some("impl") {
        return item.to_vec();
    }
    item[..at].iter().chain(&item[after..]).cloned().collect()
}

/// How many tokens an item's attributes (`#[…]`, `#![…]`) take.
fn attributes_len(item: &[TokenTree]) -> usize {
    let mut at = 0;
    while item.get(at).is_some_and(|t| is_punct(t, '#')) {
        at += if item.get(at + 1).is_some_and(|t| is_punct(t, '!')) {
            3
        } else {
            2
        };
    }
    at.min(item.len())
}

/// The byte range a list of tokens covers.
fn range_of(item: &[TokenTree]) -> Range<usize> {
    let start = item.first().map_or(0, |t| t.span().byte_range().start);
    let end = item.last().map_or(start, |t| t.span().byte_range().end);
    start..end.max(start)
}

fn ident_is(tree: &TokenTree, word: &str) -> bool {
    matches!(tree, TokenTree::Ident(ident) if ident == word)
}

fn is_punct(tree: &TokenTree, c: char) -> bool {
    matches!(tree, TokenTree::Punct(p) if p.as_char() == c)
}

fn brace(tree: &TokenTree) -> Option<&Group> {
    match tree {
        TokenTree::Group(group) if group.delimiter() == Delimiter::Brace => Some(group),
        _ => None,
    }
}

/// Every identifier in some trees, groups included.
pub(crate) fn idents_in(trees: &[TokenTree], out: &mut impl Extend<String>) {
    idents(trees, out)
}

fn idents(trees: &[TokenTree], out: &mut impl Extend<String>) {
    for tree in trees {
        match tree {
            TokenTree::Ident(ident) => out.extend([ident.to_string()]),
            TokenTree::Group(group) => idents(&group.stream().into_iter().collect::<Vec<_>>(), out),
            _ => {}
        }
    }
}

/// The item-level items of a token list, each as its tokens: everything up to a `;` or a
/// brace group that ends the item (attributes stay with what follows them).
fn items(trees: &[TokenTree]) -> Vec<&[TokenTree]> {
    let mut items = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < trees.len() {
        let ends =
            is_punct(&trees[i], ';') || (brace(&trees[i]).is_some() && !ends_at_semicolon(&trees[start..i]));
        if ends {
            items.push(&trees[start..=i]);
            start = i + 1;
        }
        i += 1;
    }
    if start < trees.len() {
        items.push(&trees[start..]);
    }
    items
}

/// The tokens of an item after its attributes (`#[…]`, `#![…]`) and visibility.
fn after_attributes(item: &[TokenTree]) -> &[TokenTree] {
    let mut i = 0;
    loop {
        match item.get(i) {
            Some(t) if is_punct(t, '#') => {
                i += if item.get(i + 1).is_some_and(|t| is_punct(t, '!')) {
                    3
                } else {
                    2
                }
            }
            Some(TokenTree::Ident(ident)) if ident == "pub" => {
                i += 1;
                if matches!(item.get(i), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis)
                {
                    i += 1;
                }
            }
            _ => return item.get(i..).unwrap_or_default(),
        }
    }
}

/// Whether an item (its tokens so far) is one a brace group does not end: `const X: T = T { .. };`,
/// `static`, `type`, `use`, `let`.
fn ends_at_semicolon(item: &[TokenTree]) -> bool {
    match after_attributes(item) {
        // `const fn`, `const unsafe fn`: a function.
        [first, next, ..] if ident_is(first, "const") => !["fn", "unsafe", "async", "extern"]
            .iter()
            .any(|word| ident_is(next, word)),
        [first, ..] => ["const", "static", "type", "use", "let"]
            .iter()
            .any(|word| ident_is(first, word)),
        [] => false,
    }
}

/// The keyword an item starts with, after attributes and visibility.
fn kind(item: &[TokenTree]) -> Option<String> {
    let item = after_attributes(item);
    let mut i = 0;
    while i < item.len() {
        match &item[i] {
            TokenTree::Ident(ident)
                if matches!(
                    ident.to_string().as_str(),
                    "const" | "async" | "unsafe" | "extern" | "default"
                ) =>
            {
                // `extern crate` is its own kind; `extern "C" fn` is a function.
                if ident == "extern" && item.get(i + 1).is_some_and(|t| ident_is(t, "crate")) {
                    return Some("extern crate".into());
                }
                i += 1;
            }
            TokenTree::Literal(_) => i += 1,
            TokenTree::Ident(ident) => return Some(ident.to_string()),
            _ => return None,
        }
    }
    None
}

/// Grows `relevant` (the catalog's words to begin with), in modules at any depth and until
/// nothing more is added (an alias of an alias): with the local names `use`, `type` and `extern
/// crate` items give to relevant names, and the names of struct fields whose types mention
/// one. Returns the tuple structs holding such fields (`self.0` names no field).
fn declarations(outline: &Outline, relevant: &mut HashSet<String>) -> HashSet<String> {
    let mut aliases = Vec::new();
    let mut structs = Vec::new();
    outline.each_item(outline.all(), &mut |item| match outline.kind(item) {
        Some("use" | "type" | "extern crate") => aliases.push(item.clone()),
        Some("struct") => structs.push((outline.name(item, "struct"), struct_fields(outline, item))),
        _ => {}
    });
    let mut holders = HashSet::new();
    loop {
        let before = relevant.len() + holders.len();
        for item in &aliases {
            let names = alias_names(outline, item, relevant);
            relevant.extend(names);
        }
        for (name, fields) in &structs {
            // A named field is reached by its name; a positional one (`self.0`) is not.
            if fields
                .iter()
                .any(|(field, ty)| field.is_none() && names_any(outline, ty.clone(), relevant))
            {
                holders.extend(name.map(str::to_string));
            }
            let names: Vec<String> = fields
                .iter()
                .filter(|(_, ty)| names_any(outline, ty.clone(), relevant))
                .filter_map(|(field, _)| field.map(str::to_string))
                .collect();
            relevant.extend(names);
        }
        if relevant.len() + holders.len() == before {
            return holders;
        }
    }
}

/// The local names a `use`, `type` or `extern crate` item gives to relevant names:
/// `use tokio_util::sync::CancellationToken as Tok;` gives `Tok`; `type T = Guarded<Tok>;`
/// gives `T`.
fn alias_names(outline: &Outline, item: &Item, relevant: &HashSet<String>) -> Vec<String> {
    if !names_any(outline, item.tokens.clone(), relevant) {
        return Vec::new();
    }
    let text = outline.text_of(item.tokens.clone());
    if let Ok(item) = syn::parse_str::<syn::ItemUse>(text) {
        let mut names = Vec::new();
        use_names(&item.tree, relevant, &mut names);
        return names;
    }
    match syn::parse_str::<syn::Item>(text) {
        Ok(syn::Item::Type(alias)) => vec![alias.ident.to_string()],
        Ok(syn::Item::ExternCrate(krate)) => krate
            .rename
            .map(|(_, name)| name.to_string())
            .into_iter()
            .collect(),
        // Something the parse will report: keep every name, to be safe.
        _ => outline.words(item.tokens.clone()).map(str::to_string).collect(),
    }
}

fn use_names(tree: &syn::UseTree, relevant: &HashSet<String>, out: &mut Vec<String>) {
    match tree {
        syn::UseTree::Path(path) => use_names(&path.tree, relevant, out),
        syn::UseTree::Group(group) => group.items.iter().for_each(|tree| use_names(tree, relevant, out)),
        // `use anyhow::Context as _;` brings a trait's methods in, and no name.
        syn::UseTree::Rename(rename)
            if rename.rename != "_" && relevant.contains(&rename.ident.to_string()) =>
        {
            out.push(rename.rename.to_string())
        }
        _ => {}
    }
}

/// A struct's fields: the name (none for a tuple field) and the type's tokens.
fn struct_fields<'a>(outline: &Outline<'a>, item: &Item) -> Vec<(Option<&'a str>, Range<usize>)> {
    let Some(body) = outline.last_group(item.tokens.clone(), b"{(") else {
        return Vec::new();
    };
    let named = outline.text_of(body.start - 1..body.start) == "{";
    // Fields are separated by top-level commas (generic arguments are puncts, so a comma
    // inside `<…>` splits too: the pieces still hold the type's words).
    outline
        .split(body, b',')
        .into_iter()
        .filter(|field| !field.is_empty())
        .map(
            |field| match named.then(|| outline.find_punct(field.clone(), b':')).flatten() {
                Some(colon) => {
                    let name = (field.start..colon).rev().find_map(|i| outline.word(i));
                    (name, colon + 1..field.end)
                }
                None => (None, field),
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bodies(code: &str) -> Vec<usize> {
        bodies_with(code, Catalog::builtin())
    }

    fn bodies_with(code: &str, catalog: &Catalog) -> Vec<usize> {
        let file = parse(code, Some(catalog)).unwrap().file;
        let mut sizes = Vec::new();
        for item in &file.items {
            match item {
                syn::Item::Fn(f) => sizes.push(f.block.stmts.len()),
                syn::Item::Impl(i) => {
                    for item in &i.items {
                        if let syn::ImplItem::Fn(f) = item {
                            sizes.push(f.block.stmts.len());
                        }
                    }
                }
                _ => {}
            }
        }
        sizes
    }

    #[test]
    fn bodies_without_relevant_words_are_left_out() {
        let import = "use tokio_util::sync::CancellationToken;";
        assert_eq!(
            bodies(&format!(
                "{import} fn a() {{ one(); }} fn b(t: CancellationToken) {{ t.cancel(); }}"
            )),
            [0, 1]
        );
        // Without its crate in the file, a catalog name is someone else's.
        assert_eq!(bodies("fn b(t: CancellationToken) { t.cancel(); }"), [0]);
        // An alias and a field name make code relevant.
        let code = "use tokio_util::sync::CancellationToken as Tok; struct S { stop: Tok }
            fn a(s: &S) { s.stop.cancel(); } fn b() { other(); }";
        assert_eq!(bodies(code), [1, 0]);
        // `as _` gives no name: a `_` pattern is not relevant.
        let code = "use opentelemetry::Context; use anyhow::Context as _;
            fn a() { let _ = one(); } fn b(c: Context) { c.attach(); }";
        assert_eq!(bodies(code), [0, 1]);
        // Methods of a type that holds catalog values keep their bodies.
        let code = "use tokio_util::sync::CancellationToken; struct G(CancellationToken);
            impl G { fn f(&self) { self.0.cancel(); } } impl Other { fn g(&self) { two(); } }";
        assert_eq!(bodies(code), [1, 0]);
    }

    /// A struct of another file that holds a token (`Timeline`) is reached only through a
    /// method of the token: a function naming the struct alone, or a method of its `impl`
    /// naming none of the token's methods, is left out.
    #[test]
    fn workspace_holders_count_beside_a_method_of_what_they_hold() {
        let methods: HashSet<String> = ["cancel".to_string(), "cancelled".to_string()]
            .into_iter()
            .collect();
        let holders: HashMap<String, HashSet<String>> =
            [("Timeline".to_string(), methods)].into_iter().collect();
        let catalog = Catalog::builtin().with_workspace(&[], [], &holders);
        let code = "fn a(t: &Timeline) { t.flush(); } fn b(t: &Timeline) { t.stop.cancel(); }
            fn c(x: u8) { x.cancel(); }
            impl Timeline { fn d(&self) { self.flush(); } fn e(&self) { self.stop.cancelled(); } }";
        assert_eq!(bodies_with(code, &catalog), [0, 1, 0, 0, 1]);
        // A field of this file holding one is reached by its name.
        let code = "struct S { tl: Timeline } fn f(s: &S) { s.tl.flush(); } fn g() { two(); }";
        assert_eq!(bodies_with(code, &catalog), [1, 0]);
    }

    #[test]
    fn items_split_where_they_end() {
        // `=` in a bound does not carry the function on into the next item.
        let code = "fn a<I>(i: I) where I: Iterator<Item = u8> { one(); }
            fn b(t: tokio_util::sync::CancellationToken) { t.cancel(); }
            const C: S = S { a: 1 }; fn c() { two(); }";
        assert_eq!(bodies(code), [0, 1, 0]);
    }

    #[test]
    fn recovery_leaves_out_only_what_does_not_parse() {
        let code = "#![allow(dead_code)]
            fn good() {}
            #[ext] pub(crate) impl Foo { fn a(&self) {} fn b(&self) -> impl for<'a> {} }
            fn bad() { let = 1; }
            mod m { fn fine() {} struct Broken match; }";
        let parsed = parse(code, None).unwrap();
        let names: Vec<String> = parsed
            .file
            .items
            .iter()
            .map(|item| match item {
                syn::Item::Fn(f) => f.sig.ident.to_string(),
                syn::Item::Impl(i) => format!("impl with {}", i.items.len()),
                syn::Item::Mod(m) => format!("mod with {}", m.content.as_ref().map_or(0, |c| c.1.len())),
                _ => "other".into(),
            })
            .collect();
        assert_eq!(names, ["good", "impl with 1", "mod with 1"]);
        assert_eq!(parsed.file.attrs.len(), 1);
        let left_out: Vec<&str> = parsed.unreadable.iter().map(|u| &code[u.head.clone()]).collect();
        assert_eq!(left_out, ["fn", "fn", "struct"]);
        // A lone `pub impl` is read as it is, with nothing left out.
        assert!(
            parse("pub impl Foo { fn a() {} }", None)
                .unwrap()
                .unreadable
                .is_empty()
        );
        // Code that does not lex fails as a whole.
        assert!(parse("fn a() {", None).is_err());
    }

    /// Recovery parses each item on its own: its cost grows with the file, not faster.
    #[test]
    fn recovery_scales_linearly_with_items() {
        let file = |n: usize| {
            (0..n)
                .map(|i| format!("fn f{i}(x: u8) -> u8 {{ x + 1 }}\nfn g{i}() {{ let = {i}; }}\n"))
                .collect::<String>()
        };
        let cost = |code: &str| {
            (0..3)
                .map(|_| {
                    let start = std::time::Instant::now();
                    let parsed = parse(code, None).unwrap();
                    assert_eq!(parsed.file.items.len(), parsed.unreadable.len());
                    start.elapsed()
                })
                .min()
                .unwrap()
        };
        let (small, large) = (file(100), file(800));
        let ratio = cost(&large).as_secs_f64() / cost(&small).as_secs_f64().max(1e-9);
        // Linear: about 8; quadratic would be about 64.
        assert!(ratio < 24.0, "8x the items cost {ratio:.1}x");
    }

    /// A left-out body is blanked in the text: what follows keeps its offsets, whatever the
    /// body held (multi-byte characters, braces in literals and comments, a syntax error).
    #[test]
    fn blanked_bodies_keep_later_offsets() {
        let code = "fn a() { let s = \"héllo } ✓\"; let c = '{'; /* } */ let = ; }\nfn b(t: tokio_util::sync::CancellationToken) { t.cancel(); }";
        let file = parse(code, Some(Catalog::builtin())).unwrap().file;
        let [syn::Item::Fn(a), syn::Item::Fn(b)] = file.items.as_slice() else {
            panic!("{} items", file.items.len())
        };
        assert!(a.block.stmts.is_empty());
        let syn::Stmt::Expr(call, _) = &b.block.stmts[0] else {
            panic!()
        };
        use syn::spanned::Spanned;
        assert_eq!(&code[call.span().byte_range()], "t.cancel()");
        assert_eq!(call.span().start().line, 2);
    }

    #[test]
    fn spans_survive() {
        let code = "fn a() { one(); }\nfn b(t: tokio_util::sync::CancellationToken) { t.cancel(); }";
        let file = parse(code, Some(Catalog::builtin())).unwrap().file;
        let syn::Item::Fn(a) = &file.items[0] else {
            panic!()
        };
        assert_eq!(a.block.brace_token.span.join().byte_range(), 7..17);
        let syn::Item::Fn(b) = &file.items[1] else {
            panic!()
        };
        let syn::Stmt::Expr(call, _) = &b.block.stmts[0] else {
            panic!()
        };
        use syn::spanned::Spanned;
        assert_eq!(&code[call.span().byte_range()], "t.cancel()");
    }
}
