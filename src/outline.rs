//! A file's items found from the lexer alone: where each item starts and ends, its keyword,
//! name and body, without building token trees.
//!
//! The workspace index reads every file of a workspace that could declare something about a
//! context API, but it needs only item headers, `use` trees, struct fields and a few function
//! bodies. Tokenizing a whole file into `proc_macro2` trees costs most of that time; the
//! lexer's byte scan plus one bracket-matching pass does not, and syn then parses only the
//! small pieces asked for.

use std::ops::Range;

use crate::lex::{self, Kind, Token};

/// The code tokens (no comments) of a text and, for each opening bracket, where it closes.
pub struct Outline<'a> {
    pub text: &'a str,
    tokens: Vec<Token>,
    /// For an opening `(`, `[` or `{`: the index of its closing token (the end of the file
    /// when unclosed). For any other token: its own index.
    close: Vec<usize>,
}

/// An item: a token range, attributes and visibility included.
#[derive(Clone, Debug)]
pub struct Item {
    pub tokens: Range<usize>,
    /// The first token after attributes and visibility.
    head: usize,
}

impl<'a> Outline<'a> {
    pub fn new(text: &'a str) -> Outline<'a> {
        let tokens: Vec<Token> = lex::tokens(text).filter(|t| !t.is_comment()).collect();
        let mut close: Vec<usize> = (0..tokens.len()).collect();
        let mut open: Vec<(usize, u8)> = Vec::new();
        for (i, token) in tokens.iter().enumerate() {
            if token.kind != Kind::Punct {
                continue;
            }
            match text.as_bytes()[token.start] {
                b @ (b'(' | b'[' | b'{') => open.push((i, b)),
                b @ (b')' | b']' | b'}') => {
                    let opener = match b {
                        b')' => b'(',
                        b']' => b'[',
                        _ => b'{',
                    };
                    // A stray closer closes nothing; a mismatched one closes what is open.
                    if open.iter().any(|&(_, o)| o == opener) {
                        while let Some((at, o)) = open.pop() {
                            close[at] = i;
                            if o == opener {
                                break;
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        for (at, _) in open {
            close[at] = tokens.len();
        }
        Outline { text, tokens, close }
    }

    /// All tokens of the file.
    pub fn all(&self) -> Range<usize> {
        0..self.tokens.len()
    }

    pub fn text_of(&self, tokens: Range<usize>) -> &'a str {
        let Some(first) = self.tokens.get(tokens.start) else {
            return "";
        };
        let last = self.tokens[tokens.end.min(self.tokens.len()).max(tokens.start + 1) - 1];
        &self.text[first.start..last.end.max(first.start)]
    }

    pub fn word(&self, at: usize) -> Option<&'a str> {
        let token = self.tokens.get(at)?;
        (token.kind == Kind::Ident).then(|| token.text(self.text))
    }

    fn is_punct(&self, at: usize, c: u8) -> bool {
        self.tokens.get(at).is_some_and(|t| t.is_punct(self.text, c))
    }

    /// The items in `range` (a file or the inside of a brace group): each ends at a `;` or at
    /// a brace group that ends it, as rustc reads items.
    pub fn items(&self, range: Range<usize>) -> Vec<Item> {
        let mut items = Vec::new();
        let mut start = range.start;
        let mut head = self.head(start..range.end);
        let mut i = range.start;
        while i < range.end {
            if self.is_punct(i, b';') {
                items.push(Item {
                    tokens: start..i + 1,
                    head,
                });
                start = i + 1;
                head = self.head(start..range.end);
            } else if self.is_punct(i, b'{') && !self.ends_at_semicolon(head, i) {
                let end = self.close[i].min(range.end.saturating_sub(1));
                items.push(Item {
                    tokens: start..end + 1,
                    head,
                });
                start = end + 1;
                head = self.head(start..range.end);
                i = end;
            } else if self.close[i] != i {
                i = self.close[i];
            }
            i += 1;
        }
        if start < range.end {
            items.push(Item {
                tokens: start..range.end,
                head,
            });
        }
        items
    }

    /// The first token after attributes (`#[…]`, `#![…]`) and visibility (`pub`, `pub(…)`).
    fn head(&self, range: Range<usize>) -> usize {
        let mut i = range.start;
        while i < range.end {
            if self.is_punct(i, b'#') {
                i += 1;
                if self.is_punct(i, b'!') {
                    i += 1;
                }
                if self.is_punct(i, b'[') {
                    i = self.close[i] + 1;
                }
            } else if self.word(i) == Some("pub") {
                i += 1;
                if self.is_punct(i, b'(') {
                    i = self.close[i] + 1;
                }
            } else {
                break;
            }
        }
        i.min(range.end)
    }

    /// Whether an item whose head is at `head` goes on past a brace group at `brace`:
    /// `const X: T = T { .. };`, `static`, `type`, `use`, `let`.
    fn ends_at_semicolon(&self, head: usize, brace: usize) -> bool {
        if head >= brace {
            return false;
        }
        match self.word(head) {
            Some("const") => !matches!(self.word(head + 1), Some("fn" | "unsafe" | "async" | "extern")),
            Some("static" | "type" | "use" | "let") => true,
            _ => false,
        }
    }

    /// The keyword an item starts with, after attributes, visibility and qualifiers
    /// (`const`, `async`, `unsafe`, `extern "C"`, `default`); `extern crate` is its own.
    pub fn kind(&self, item: &Item) -> Option<&'a str> {
        let mut i = item.head;
        while i < item.tokens.end {
            match self.word(i) {
                Some("extern") if self.word(i + 1) == Some("crate") => return Some("extern crate"),
                Some("const") if !matches!(self.word(i + 1), Some("fn" | "unsafe" | "async" | "extern")) => {
                    return Some("const");
                }
                Some("const" | "async" | "unsafe" | "extern" | "default" | "safe") => i += 1,
                Some(word) => return Some(word),
                None if self.tokens[i].kind == Kind::Str => i += 1,
                None => return None,
            }
        }
        None
    }

    /// The item's tokens from its head on (no attributes or visibility).
    pub fn from_head(&self, item: &Item) -> Range<usize> {
        item.head..item.tokens.end
    }

    /// The name after an item's keyword (`enum Name`, `macro_rules! name`, `static mut NAME`).
    pub fn name(&self, item: &Item, kind: &str) -> Option<&'a str> {
        let at = (item.head..item.tokens.end).find(|&i| self.word(i) == Some(kind))?;
        (at + 1..item.tokens.end)
            .filter_map(|i| self.word(i))
            .find(|&w| w != "mut")
    }

    /// The inside of the item's closing brace group, if it ends with one.
    pub fn body(&self, item: &Item) -> Option<Range<usize>> {
        let last = item.tokens.end.checked_sub(1)?;
        if !self.is_punct(last, b'}') {
            return None;
        }
        let open = (item.tokens.start..last).find(|&i| self.close[i] == last)?;
        Some(open + 1..last)
    }

    /// Calls `visit` on every item in `range`, inside `mod`, `impl` and `trait` bodies too.
    pub fn each_item(&self, range: Range<usize>, visit: &mut dyn FnMut(&Item)) {
        for item in self.items(range) {
            visit(&item);
            if matches!(self.kind(&item), Some("mod" | "impl" | "trait"))
                && let Some(body) = self.body(&item)
            {
                self.each_item(body, visit);
            }
        }
    }

    /// The insides of the function bodies in `range`, in modules, impls and traits at any
    /// depth, in order.
    pub fn function_bodies(&self, range: Range<usize>) -> Vec<Range<usize>> {
        let mut bodies = Vec::new();
        self.each_item(range, &mut |item| {
            if self.kind(item) == Some("fn") {
                bodies.extend(self.body(item));
            }
        });
        bodies
    }

    /// The bytes between the braces of the item's closing brace group.
    pub fn body_bytes(&self, item: &Item) -> Option<Range<usize>> {
        let body = self.body(item)?;
        Some(self.tokens[body.start - 1].end..self.tokens[body.end].start)
    }

    /// The tokens of `range` outside groups: an opening bracket is one, its group is skipped.
    fn top_level(&self, range: Range<usize>) -> impl Iterator<Item = usize> + '_ {
        let mut i = range.start;
        std::iter::from_fn(move || {
            let at = i;
            if at >= range.end {
                return None;
            }
            // A closer's and a plain token's `close` is the token itself.
            i = self.close[at] + 1;
            Some(at)
        })
    }

    /// The inside of the last group in `range` (not inside another) that one of `openers`
    /// opens.
    pub fn last_group(&self, range: Range<usize>, openers: &[u8]) -> Option<Range<usize>> {
        let open = self
            .top_level(range.clone())
            .filter(|&i| openers.iter().any(|&c| self.is_punct(i, c)))
            .last()?;
        Some(open + 1..self.close[open].min(range.end))
    }

    /// `range` split at the punctuation `sep` outside groups.
    pub fn split(&self, range: Range<usize>, sep: u8) -> Vec<Range<usize>> {
        let mut pieces = Vec::new();
        let mut start = range.start;
        for i in self.top_level(range.clone()).filter(|&i| self.is_punct(i, sep)) {
            pieces.push(start..i);
            start = i + 1;
        }
        pieces.push(start..range.end.max(start));
        pieces
    }

    /// The first punctuation `c` in `range` outside groups.
    pub fn find_punct(&self, range: Range<usize>, c: u8) -> Option<usize> {
        self.top_level(range).find(|&i| self.is_punct(i, c))
    }

    /// The item's tokens before its body (all of them when it has none).
    pub fn before_body(&self, item: &Item) -> Range<usize> {
        match self.body(item) {
            Some(body) => item.tokens.start..body.start - 1,
            None => item.tokens.clone(),
        }
    }

    /// Whether the identifier at `at` can be a crate's name: the root of a path (`ctx::…`,
    /// `::ctx`), or what `use`, `extern crate` or a `use` group names (`use {ctx, …}`). A
    /// variable of the same name (`ctx.done()`) is none of these.
    pub fn names_crate(&self, at: usize) -> bool {
        let before = at.checked_sub(1);
        let after = |c| self.is_punct(at + 1, c);
        let previous = |c| before.is_some_and(|b| self.is_punct(b, c));
        (after(b':') && self.is_punct(at + 2, b':'))
            || before
                .and_then(|b| self.word(b))
                .is_some_and(|w| w == "use" || w == "crate")
            || previous(b':')
            || ((previous(b'{') || previous(b',')) && (after(b',') || after(b'}')))
    }

    /// The identifiers in `range`.
    pub fn words(&self, range: Range<usize>) -> impl Iterator<Item = &'a str> + '_ {
        range.filter_map(|i| self.word(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_bodies_in_modules_impls_and_traits() {
        let text = "fn a() { x(); fn inner() { y(); } } struct S { f: u8 }
            mod m { impl T { fn b(&self) { z() } } trait U { fn c() { w(); } fn d(); } }
            const C: u8 = { 1 };";
        let outline = Outline::new(text);
        let bodies: Vec<&str> = outline
            .function_bodies(outline.all())
            .into_iter()
            .map(|body| outline.text_of(body).trim())
            .collect();
        assert_eq!(bodies, ["x(); fn inner() { y(); }", "z()", "w();"]);
    }

    fn kinds(text: &str) -> Vec<String> {
        let outline = Outline::new(text);
        outline
            .items(outline.all())
            .iter()
            .map(|item| {
                format!(
                    "{}:{}",
                    outline.kind(item).unwrap_or("?"),
                    outline.text_of(item.tokens.clone())
                )
            })
            .collect()
    }

    #[test]
    fn crate_names_are_path_roots_and_use_names() {
        let text = "use ctx;\nuse {ctx, a};\nextern crate ctx as c;\nfn f() { ctx::X; ::ctx::Y; ctx.done(); g(ctx); }\nfn g() { h(a, // c\n ctx, /* d */ ctx,\n) }";
        let outline = Outline::new(text);
        let named: Vec<bool> = outline
            .all()
            .filter(|&i| outline.word(i) == Some("ctx"))
            .map(|i| outline.names_crate(i))
            .collect();
        assert_eq!(named, [true, true, true, true, true, false, false, true, true]);
        // The byte-level test agrees wherever the tokens say yes.
        let bytes: Vec<bool> = outline
            .all()
            .filter(|&i| outline.word(i) == Some("ctx"))
            .map(|i| {
                crate::words::may_name_crate(text.as_bytes(), outline.tokens[i].start..outline.tokens[i].end)
            })
            .collect();
        assert_eq!(bytes, named);
    }

    #[test]
    fn items_end_at_semicolons_and_their_braces() {
        assert_eq!(
            kinds(
                "use a::{b, c};\n#[derive(X)] pub(crate) struct S { f: u8 }\nconst C: T = T { x: 1 };\nfn f() -> [u8; 2] { [0; 2] }\nmod m;\nimpl<T> X for Y<T> where T: Z {}"
            ),
            [
                "use:use a::{b, c};",
                "struct:#[derive(X)] pub(crate) struct S { f: u8 }",
                "const:const C: T = T { x: 1 };",
                "fn:fn f() -> [u8; 2] { [0; 2] }",
                "mod:mod m;",
                "impl:impl<T> X for Y<T> where T: Z {}",
            ]
        );
    }

    #[test]
    fn qualifiers_and_literals_are_not_the_kind() {
        assert_eq!(
            kinds(
                "pub const unsafe extern \"C\" fn f() {}\nextern crate foo as bar;\n// {\nfn g() { '}'; \"}\" }"
            ),
            [
                "fn:pub const unsafe extern \"C\" fn f() {}",
                "extern crate:extern crate foo as bar;",
                "fn:fn g() { '}'; \"}\" }",
            ]
        );
    }

    #[test]
    fn bodies_names_and_unbalanced_text() {
        let text = "impl S { fn a(&self) {} }\nenum E { A }\nfn broken( { ";
        let outline = Outline::new(text);
        let items = outline.items(outline.all());
        assert_eq!(items.len(), 3);
        let body = outline.body(&items[0]).unwrap();
        assert_eq!(outline.text_of(body.clone()), "fn a(&self) {}");
        assert_eq!(outline.items(body).len(), 1);
        assert_eq!(outline.name(&items[1], "enum"), Some("E"));
        assert_eq!(outline.text_of(outline.before_body(&items[0])), "impl S");
    }
}
