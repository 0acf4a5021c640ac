//! A source file as it is on disk, and the mapping between byte offsets, lines and columns.
//!
//! Every position ctxlint reports is a byte offset into the file *as read*. syn strips a BOM and
//! a shebang line before parsing, so its offsets are shifted by [`SourceFile::code_start`]; this
//! module is the one place that knows about it.

use std::ops::Range;
use std::path::{Path, PathBuf};

const BOM: &str = "\u{feff}";

/// A byte range into a [`SourceFile`]'s text, as read from disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        debug_assert!(start <= end);
        Span { start, end }
    }

    pub fn empty_at(at: usize) -> Self {
        Span { start: at, end: at }
    }

    pub fn range(self) -> Range<usize> {
        self.start..self.end
    }

    pub fn contains(self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// A 1-based line and a 1-based column counted in characters (Unicode scalar values), the way
/// rustc, cargo's JSON and SARIF's `unicodeCodePoints` count them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

#[derive(Debug)]
pub struct SourceFile {
    /// The path used to read the file.
    pub path: PathBuf,
    /// The path shown to users (relative where possible).
    pub name: String,
    pub text: String,
    /// Bytes of BOM and shebang before the code syn parses.
    pub code_start: usize,
    /// Byte offset of the first character of each line; line 0 starts after a BOM.
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, name: impl Into<String>, text: String) -> Self {
        let bom = if text.starts_with(BOM) { BOM.len() } else { 0 };
        let code_start = bom + shebang_len(&text[bom..]);
        let mut line_starts = vec![bom];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        SourceFile {
            path: path.into(),
            name: name.into(),
            text,
            code_start,
            line_starts,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The text syn parses: everything after the BOM and the shebang line.
    pub fn code(&self) -> &str {
        &self.text[self.code_start..]
    }

    /// Converts a byte range from syn (relative to [`Self::code`]) into a file span.
    pub fn span_from_code(&self, range: Range<usize>) -> Span {
        Span::new(range.start + self.code_start, range.end + self.code_start)
    }

    pub fn slice(&self, span: Span) -> &str {
        &self.text[span.range()]
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 0-based index of the line holding `byte`.
    pub fn line_index(&self, byte: usize) -> usize {
        self.line_starts
            .partition_point(|&start| start <= byte)
            .saturating_sub(1)
    }

    /// Byte range of a 0-based line, without its `\n` or `\r\n`.
    pub fn line_range(&self, line: usize) -> Range<usize> {
        let start = self.line_starts[line];
        let mut end = self
            .line_starts
            .get(line + 1)
            .map_or(self.text.len(), |next| next - 1);
        if end > start && self.text.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        // A lone BOM-only file has its first line start after the BOM.
        start.min(end)..end
    }

    /// Byte range of a 0-based line including its line terminator.
    pub fn full_line_range(&self, line: usize) -> Range<usize> {
        let start = self.line_starts[line];
        let end = self.line_starts.get(line + 1).copied().unwrap_or(self.text.len());
        start..end
    }

    pub fn line_text(&self, line: usize) -> &str {
        &self.text[self.line_range(line)]
    }

    pub fn location(&self, byte: usize) -> Location {
        let line = self.line_index(byte);
        let start = self.line_starts[line];
        let byte = byte.clamp(start, self.text.len());
        let column = self.text[start..byte].chars().count() + 1;
        Location {
            line: line + 1,
            column,
        }
    }

    /// The indentation (leading whitespace) of the line holding `byte`.
    pub fn indent_at(&self, byte: usize) -> &str {
        let line = self.line_text(self.line_index(byte));
        let trimmed = line.trim_start_matches([' ', '\t']);
        &line[..line.len() - trimmed.len()]
    }

    /// The end of the line holding `at`, if only whitespace or a line comment follows `at`
    /// there (an insertion then does not split a comment from its code); `at` otherwise.
    pub fn end_of_line_after(&self, at: usize) -> usize {
        let line_end = self.line_range(self.line_index(at)).end;
        let rest = self.text[at..line_end].trim_start();
        if rest.is_empty() || rest.starts_with("//") {
            line_end
        } else {
            at
        }
    }

    /// The line terminator this file uses (`\r\n` if its first line ends so).
    pub fn newline(&self) -> &'static str {
        match self.text.find('\n') {
            Some(i) if i > 0 && self.text.as_bytes()[i - 1] == b'\r' => "\r\n",
            _ => "\n",
        }
    }
}

/// The deepest nesting of `()`, `[]` and `{}` in Rust code, outside comments, string and char
/// literals. syn and the walkers recurse once or more per level, so a file nested thousands of
/// levels deep is rejected before parsing rather than risking the stack.
pub fn bracket_depth(code: &str) -> usize {
    let bytes = code.as_bytes();
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'(' | b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                // Block comments nest.
                let mut level = 0;
                while i < bytes.len() {
                    if bytes[i..].starts_with(b"/*") {
                        level += 1;
                        i += 2;
                    } else if bytes[i..].starts_with(b"*/") {
                        level -= 1;
                        i += 2;
                        if level == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
                continue;
            }
            b'r' if matches!(bytes.get(i + 1), Some(b'"' | b'#')) && !ident_before(bytes, i) => {
                // Raw string: r#"…"#.
                let hashes = bytes[i + 1..].iter().take_while(|&&b| b == b'#').count();
                if bytes.get(i + 1 + hashes) == Some(&b'"') {
                    let close: Vec<u8> = std::iter::once(b'"')
                        .chain(std::iter::repeat_n(b'#', hashes))
                        .collect();
                    let body = i + 2 + hashes;
                    i = find(&bytes[body..], &close).map_or(bytes.len(), |n| body + n + close.len());
                    continue;
                }
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            // A char literal ('x', '\n', 'é'), not a lifetime ('a).
            b'\'' => {
                if bytes.get(i + 1) == Some(&b'\\') {
                    i += 2;
                    while i < bytes.len() && bytes[i] != b'\'' {
                        i += 1;
                    }
                } else if let Some(c) = code[i + 1..].chars().next()
                    && code[i + 1 + c.len_utf8()..].starts_with('\'')
                {
                    i += c.len_utf8() + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    deepest
}

/// Whether `name` occurs in `code` as a whole identifier.
pub fn mentions_ident(code: &str, name: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    code.match_indices(name).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = code[at + name.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

fn ident_before(bytes: &[u8], i: usize) -> bool {
    i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_')
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

/// The length of a shebang line: `#!` not followed by `[` (which starts an inner attribute).
/// The line's `\n` stays with the code, as syn keeps it. ctxlint strips the shebang itself and
/// hands syn only [`SourceFile::code`], so syn's offsets and ours agree by construction.
fn shebang_len(text: &str) -> usize {
    let Some(rest) = text.strip_prefix("#!") else {
        return 0;
    };
    if skip_whitespace_and_comments(rest).starts_with('[') {
        return 0;
    }
    text.find('\n').unwrap_or(text.len())
}

/// Skips whitespace and comments between `#!` and what follows it.
fn skip_whitespace_and_comments(mut s: &str) -> &str {
    loop {
        s = s.trim_start();
        if let Some(rest) = s.strip_prefix("//") {
            s = rest.find('\n').map_or("", |i| &rest[i..]);
        } else if let Some(rest) = s.strip_prefix("/*") {
            s = rest.find("*/").map_or("", |i| &rest[i + 2..]);
        } else {
            return s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_and_shebang_are_before_the_code() {
        let text = "\u{feff}#!/usr/bin/env run\r\nfn main() {}\r\n".to_string();
        let file = SourceFile::new("a.rs", "a.rs", text);
        assert_eq!(file.code_start, 3 + "#!/usr/bin/env run\r".len());
        assert!(file.code().starts_with("\nfn main"));
        // Line 1 does not count the BOM as a column.
        assert_eq!(file.location(3), Location { line: 1, column: 1 });
        assert_eq!(file.line_text(0), "#!/usr/bin/env run");
        assert_eq!(file.line_text(1), "fn main() {}");
        assert_eq!(file.newline(), "\r\n");
    }

    #[test]
    fn inner_attribute_is_not_a_shebang() {
        let file = SourceFile::new("a.rs", "a.rs", "#![allow(x)]\nfn f() {}".into());
        assert_eq!(file.code_start, 0);
        let file = SourceFile::new("a.rs", "a.rs", "#! // c\n [allow(x)]\nfn f() {}".into());
        assert_eq!(file.code_start, 0);
    }

    #[test]
    fn columns_count_characters() {
        let file = SourceFile::new("a.rs", "a.rs", "let é = \"ü\"; x\n\ty".into());
        let x = file.text.find('x').unwrap();
        assert_eq!(file.location(x), Location { line: 1, column: 14 });
        let y = file.text.find('y').unwrap();
        assert_eq!(file.location(y), Location { line: 2, column: 2 });
        assert_eq!(file.indent_at(y), "\t");
    }

    #[test]
    fn bracket_depth_skips_comments_and_literals() {
        assert_eq!(bracket_depth("fn f() { g((1)) }"), 3);
        assert_eq!(bracket_depth("// ((((\nfn f() {}"), 1);
        assert_eq!(bracket_depth("/* (( /* ((( */ */ fn f() {}"), 1);
        assert_eq!(
            bracket_depth(r##"fn f() { "((((\"(("; '('; '\''; r#"(((("#; }"##),
            1
        );
        assert_eq!(bracket_depth("fn f<'a>(x: &'a str) -> [u8; 2] { [0; 2] }"), 2);
        assert_eq!(bracket_depth("((("), 3);
    }

    #[test]
    fn empty_file_has_one_line() {
        let file = SourceFile::new("a.rs", "a.rs", String::new());
        assert_eq!(file.line_count(), 1);
        assert_eq!(file.location(0), Location { line: 1, column: 1 });
        assert_eq!(file.line_text(0), "");
    }
}
