//! A small Rust lexer for what syn does not keep: comments (suppression comments) and a quick
//! look at `mod` declarations without a full parse (cargo mode's module walk).
//!
//! It only needs to tell comments, string and character literals, identifiers and punctuation
//! apart, so it never fails: anything it does not recognise is one byte of punctuation.

use std::borrow::Cow;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Ident,
    /// One byte of punctuation, including `{`, `}`, `(`, `)`, `[`, `]`, `#`, `;`, `=`.
    Punct,
    /// A string literal of any flavour: `"…"`, `r#"…"#`, `b"…"`, `br"…"`, `c"…"`.
    Str,
    /// A character or byte literal.
    Char,
    Lifetime,
    Number,
    /// `// …` (without the line end). `///` and `//!` are doc comments.
    LineComment {
        doc: bool,
    },
    /// `/* … */`, nested ones included.
    BlockComment {
        doc: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

impl Token {
    pub fn text(self, source: &str) -> &str {
        &source[self.start..self.end]
    }

    pub fn is_comment(self) -> bool {
        matches!(self.kind, Kind::LineComment { .. } | Kind::BlockComment { .. })
    }

    pub fn is_punct(self, source: &str, c: u8) -> bool {
        self.kind == Kind::Punct && source.as_bytes()[self.start] == c
    }
}

/// The tokens of `text`, comments included.
pub fn tokens(text: &str) -> Lexer<'_> {
    Lexer {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    }
}

pub struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

impl Lexer<'_> {
    fn peek(&self, offset: usize) -> Option<u8> {
        self.bytes.get(self.pos + offset).copied()
    }

    fn skip_ident(&mut self) {
        while self.peek(0).is_some_and(is_ident_continue) {
            self.pos += 1;
        }
    }

    /// After an opening `"`: to just past the closing one.
    fn skip_quoted(&mut self) {
        while let Some(b) = self.peek(0) {
            self.pos += 1;
            match b {
                b'\\' => self.pos += 1,
                b'"' => return,
                _ => {}
            }
        }
        self.pos = self.pos.min(self.bytes.len());
    }

    /// At `#…#"` or `"` after a raw prefix: to just past the closing `"#…#`.
    fn skip_raw(&mut self) {
        let mut hashes = 0;
        while self.peek(0) == Some(b'#') {
            hashes += 1;
            self.pos += 1;
        }
        if self.peek(0) != Some(b'"') {
            return;
        }
        self.pos += 1;
        while self.pos < self.bytes.len() {
            if self.bytes[self.pos] == b'"'
                && self.bytes[self.pos + 1..]
                    .iter()
                    .take(hashes)
                    .filter(|&&b| b == b'#')
                    .count()
                    == hashes
            {
                self.pos += 1 + hashes;
                return;
            }
            self.pos += 1;
        }
    }

    /// After an opening `'` that starts a character literal.
    fn skip_char(&mut self) {
        if self.peek(0) == Some(b'\\') {
            self.pos += 2;
        }
        while let Some(b) = self.peek(0) {
            self.pos += 1;
            if b == b'\'' || b == b'\n' {
                return;
            }
        }
    }

    fn raw_ahead(&self) -> bool {
        match self.peek(0) {
            Some(b'"') => true,
            Some(b'#') => {
                let mut i = 0;
                while self.peek(i) == Some(b'#') {
                    i += 1;
                }
                self.peek(i) == Some(b'"')
            }
            _ => false,
        }
    }
}

impl Iterator for Lexer<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        while self.peek(0).is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
        let start = self.pos;
        let first = self.peek(0)?;
        let kind = match first {
            b'/' if self.peek(1) == Some(b'/') => {
                let doc = match (self.peek(2), self.peek(3)) {
                    (Some(b'!'), _) => true,
                    (Some(b'/'), next) => next != Some(b'/'),
                    _ => false,
                };
                self.pos =
                    memchr::memchr(b'\n', &self.bytes[start..]).map_or(self.bytes.len(), |i| start + i);
                if self.pos > start && self.bytes[self.pos - 1] == b'\r' {
                    self.pos -= 1;
                }
                Kind::LineComment { doc }
            }
            b'/' if self.peek(1) == Some(b'*') => {
                let doc = match (self.peek(2), self.peek(3)) {
                    (Some(b'!'), _) => true,
                    (Some(b'*'), next) => next != Some(b'*') && next != Some(b'/'),
                    _ => false,
                };
                self.pos += 2;
                let mut depth = 1;
                while depth > 0 && self.pos < self.bytes.len() {
                    match (self.bytes[self.pos], self.peek(1)) {
                        (b'/', Some(b'*')) => {
                            depth += 1;
                            self.pos += 2;
                        }
                        (b'*', Some(b'/')) => {
                            depth -= 1;
                            self.pos += 2;
                        }
                        _ => self.pos += 1,
                    }
                }
                Kind::BlockComment { doc }
            }
            b'"' => {
                self.pos += 1;
                self.skip_quoted();
                Kind::Str
            }
            b'\'' => {
                self.pos += 1;
                match self.peek(0) {
                    Some(b'\\') => {
                        self.skip_char();
                        Kind::Char
                    }
                    Some(_) => {
                        // One character, then `'`: a character literal; else a lifetime.
                        let width = self.text[self.pos..].chars().next().map_or(1, char::len_utf8);
                        if self.peek(width) == Some(b'\'') {
                            self.pos += width + 1;
                            Kind::Char
                        } else if self.peek(0).is_some_and(is_ident_start) {
                            self.skip_ident();
                            Kind::Lifetime
                        } else {
                            Kind::Punct
                        }
                    }
                    None => Kind::Punct,
                }
            }
            b if is_ident_start(b) => {
                self.skip_ident();
                let word = &self.bytes[start..self.pos];
                match word {
                    b"r" | b"br" | b"cr" if self.raw_ahead() => {
                        self.skip_raw();
                        Kind::Str
                    }
                    b"r" if self.peek(0) == Some(b'#') && self.peek(1).is_some_and(is_ident_start) => {
                        self.pos += 1;
                        self.skip_ident();
                        Kind::Ident
                    }
                    b"b" | b"c" if self.peek(0) == Some(b'"') => {
                        self.pos += 1;
                        self.skip_quoted();
                        Kind::Str
                    }
                    b"b" if self.peek(0) == Some(b'\'') => {
                        self.pos += 1;
                        self.skip_char();
                        Kind::Char
                    }
                    _ => Kind::Ident,
                }
            }
            b if b.is_ascii_digit() => {
                while let Some(b) = self.peek(0) {
                    let decimal_point = b == b'.' && self.peek(1).is_some_and(|n| n.is_ascii_digit());
                    if is_ident_continue(b) || decimal_point {
                        self.pos += 1;
                    } else {
                        break;
                    }
                }
                Kind::Number
            }
            _ => {
                self.pos += 1;
                Kind::Punct
            }
        };
        Some(Token {
            kind,
            start,
            end: self.pos,
        })
    }
}

/// The value of a plain or raw string literal's text (simple escapes only; `None` for byte and
/// C strings or escapes it does not know).
pub fn string_value(literal: &str) -> Option<Cow<'_, str>> {
    if let Some(raw) = literal.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let inner = raw.get(hashes + 1..raw.len().checked_sub(hashes + 1)?)?;
        return Some(Cow::Borrowed(inner));
    }
    let inner = literal.strip_prefix('"')?.strip_suffix('"')?;
    if !inner.contains('\\') {
        return Some(Cow::Borrowed(inner));
    }
    let mut value = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            value.push(c);
            continue;
        }
        match chars.next()? {
            '\\' => value.push('\\'),
            '"' => value.push('"'),
            '\'' => value.push('\''),
            'n' => value.push('\n'),
            't' => value.push('\t'),
            '0' => value.push('\0'),
            _ => return None,
        }
    }
    Some(Cow::Owned(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, &str)> {
        tokens(text).map(|t| (t.kind, t.text(text))).collect()
    }

    #[test]
    fn comments_strings_and_lifetimes() {
        let text = r####"a // x "y"
/* outer /* inner */ still */ "s // t" r#"raw "quote""# 'c' '\'' 'a b 'static b'x' br"q" r#ident"####;
        let got = kinds(text);
        assert_eq!(
            got,
            vec![
                (Kind::Ident, "a"),
                (Kind::LineComment { doc: false }, "// x \"y\""),
                (Kind::BlockComment { doc: false }, "/* outer /* inner */ still */"),
                (Kind::Str, "\"s // t\""),
                (Kind::Str, "r#\"raw \"quote\"\"#"),
                (Kind::Char, "'c'"),
                (Kind::Char, "'\\''"),
                (Kind::Lifetime, "'a"),
                (Kind::Ident, "b"),
                (Kind::Lifetime, "'static"),
                (Kind::Char, "b'x'"),
                (Kind::Str, "br\"q\""),
                (Kind::Ident, "r#ident"),
            ]
        );
    }

    #[test]
    fn doc_comments_and_crlf() {
        let text = "/// doc\r\n//! inner\n//// not doc\n/** block doc */ /*** no */";
        let got = kinds(text);
        assert_eq!(got[0], (Kind::LineComment { doc: true }, "/// doc"));
        assert_eq!(got[1], (Kind::LineComment { doc: true }, "//! inner"));
        assert_eq!(got[2], (Kind::LineComment { doc: false }, "//// not doc"));
        assert_eq!(got[3], (Kind::BlockComment { doc: true }, "/** block doc */"));
        assert_eq!(got[4], (Kind::BlockComment { doc: false }, "/*** no */"));
    }

    #[test]
    fn unterminated_input_ends_cleanly() {
        for text in ["\"open", "r#\"open", "/* open", "'", "b'", "é'"] {
            let all: Vec<Token> = tokens(text).collect();
            assert!(all.last().is_none_or(|t| t.end <= text.len()), "{text}");
        }
    }

    #[test]
    fn string_values() {
        assert_eq!(string_value("\"a/b.rs\"").as_deref(), Some("a/b.rs"));
        assert_eq!(string_value("r#\"a\\b\"#").as_deref(), Some("a\\b"));
        assert_eq!(string_value("\"a\\\\b\"").as_deref(), Some("a\\b"));
        assert_eq!(string_value("b\"x\""), None);
    }
}
