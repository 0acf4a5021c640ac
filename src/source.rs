//! A source file as it is on disk, and the mapping between byte offsets, lines and columns.
//!
//! Every position ctxlint reports is a byte offset into the file *as read*. A BOM, a shebang
//! line and cargo-script front matter (`---cargo … ---`) come before the code syn parses, so
//! its offsets are shifted by [`SourceFile::code_start`]; this module is the one place that
//! knows about it.

use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::lex::Kind;

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
    /// Bytes of BOM, shebang and front matter before the code syn parses.
    pub code_start: usize,
    /// Byte offset of the first character of each line; line 0 starts after a BOM.
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, name: impl Into<String>, text: String) -> Self {
        let bom = if text.starts_with(BOM) { BOM.len() } else { 0 };
        let code_start = code_start(&text);
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

    /// The text syn parses: everything after the BOM, the shebang line and the front matter.
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

    /// The indentation of a block nested one level inside the line holding `byte`: that line's
    /// indentation and one more step of the file's own (a tab, or its usual number of spaces).
    pub fn nested_indent(&self, byte: usize) -> String {
        format!("{}{}", self.indent_at(byte), self.indent_unit())
    }

    /// One indentation step of this file: a tab if more lines are indented with tabs than with
    /// spaces, else the most common increase of indentation from one line to the next (four
    /// spaces when nothing says otherwise).
    pub fn indent_unit(&self) -> &'static str {
        let lines = || {
            self.text
                .lines()
                .filter(|line| !line.trim().is_empty() && !line.trim_start().starts_with('*'))
        };
        let tabs = lines().filter(|line| line.starts_with('\t')).count();
        let spaces = lines().filter(|line| line.starts_with(' ')).count();
        if tabs > spaces {
            return "\t";
        }
        let mut steps = [0usize; 9];
        let mut previous = 0;
        for line in lines() {
            let width = line.len() - line.trim_start_matches(' ').len();
            if let Some(step) = width.checked_sub(previous).filter(|step| (1..=8).contains(step)) {
                steps[step] += 1;
            }
            previous = width;
        }
        let step = (1..=8)
            .max_by_key(|&step| (steps[step], step == 4))
            .filter(|&step| steps[step] > 0);
        &"        "[..step.unwrap_or(4)]
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
    /// `span` and, when it is alone on its lines, their indentation and line end: what
    /// deleting a statement removes. A comment after it stays.
    pub fn whole_lines(&self, span: Span) -> Span {
        let text = &self.text;
        let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
        let rest = &text[span.end..];
        let line_end = rest.find('\n').map_or(text.len(), |i| span.end + i + 1);
        let before_blank = text[line_start..span.start].trim().is_empty();
        let after_blank = text[span.end..line_end].trim().is_empty();
        match (before_blank, after_blank) {
            (true, true) => Span::new(line_start, line_end),
            _ => {
                let trailing = rest.len() - rest.trim_start_matches([' ', '\t']).len();
                Span::new(span.start, span.end + trailing)
            }
        }
    }

    pub fn newline(&self) -> &'static str {
        match self.text.find('\n') {
            Some(i) if i > 0 && self.text.as_bytes()[i - 1] == b'\r' => "\r\n",
            _ => "\n",
        }
    }
}

/// Where the code syn parses starts in a file's text: after a BOM, a shebang line and front
/// matter.
pub fn code_start(text: &str) -> usize {
    let bom = if text.starts_with(BOM) { BOM.len() } else { 0 };
    let shebang = bom + shebang_len(&text[bom..]);
    shebang + frontmatter_len(&text[shebang..])
}

/// How deeply syn would recurse to parse `code`, estimated from its tokens, and the byte offset
/// where it is deepest.
///
/// syn and the walkers recurse once or more per level of brackets, but also per prefix
/// operator (`!`, `-`, `*`, `&`, `&&`), per `return`/`break`/`move`/`else`/`->`/closure bar and
/// per right-nested assignment, none of which needs a bracket: `!!!…x` or `a = a = … 1` can
/// overflow any stack. So each bracket level counts one, plus the chain of such tokens in it
/// since the last `;` or `,` (which end an operand); `<` counts as a level that `>` closes, so
/// that `Vec<Vec<…>>` and `HashMap<K, HashMap<…>>` count too (a comparison's `<` is closed by
/// the next `;`, `{` or `}`). The estimate is high rather than low: a file above the limit is
/// not parsed.
pub fn nesting_depth(code: &str) -> (usize, usize) {
    // One entry per open bracket.
    #[derive(Default)]
    struct Level {
        /// Tokens that take the rest of the expression as their operand (`return`, `=`, a
        /// closure's bars, `->`): they nest until the expression ends.
        chain: usize,
        /// Unary prefix operators in a row (`!!x`, `&&&T`): they nest until the operand.
        run: usize,
        /// `<` not closed yet.
        angles: usize,
    }
    impl Level {
        /// An expression or statement ended (`;`, or a statement after a block).
        fn end(&mut self, total: &mut usize) {
            *total -= self.chain + self.run + self.angles;
            *self = Level::default();
        }
    }
    let bytes = code.as_bytes();
    let byte = |at: usize| bytes.get(at).copied().unwrap_or(b' ');
    let mut levels = vec![Level::default()];
    // The sum of every level's count, kept as it changes.
    let mut total = 0usize;
    let (mut deepest, mut at) = (0usize, 0usize);
    // Whether the previous token ends an operand (so `-`, `*`, `&`, `|` after it are binary).
    let mut after_operand = false;
    // Whether the previous token closed a brace: a statement may end there.
    let mut after_brace = false;
    // The second byte of a two-byte operator (`&&`, `||`, `->`, `=>`, `==`, …) to pass over.
    let mut skip_at = None;
    for token in crate::lex::tokens(code).filter(|t| !t.is_comment()) {
        if skip_at == Some(token.start) {
            continue;
        }
        skip_at = None;
        let text = token.text(code);
        let level = levels.last_mut().expect("the outermost level stays");
        if after_brace && !matches!(text, "else" | "as" | "." | "?") && token.kind != Kind::Punct
            || after_brace && text == "#"
        {
            level.end(&mut total);
        }
        let mut operand = false;
        let mut prefix = false;
        let mut grow = 0;
        let next = byte(token.end);
        let previous = byte(token.start.wrapping_sub(1));
        match token.kind {
            Kind::Ident if is_prefix_keyword(text) => grow = 1,
            Kind::Ident => operand = !is_keyword(text),
            Kind::Str | Kind::Char | Kind::Number => operand = true,
            // `&'a &'a T`: a lifetime does not end a run of prefix operators.
            Kind::Lifetime => {}
            Kind::LineComment { .. } | Kind::BlockComment { .. } => {}
            Kind::Punct => match text.as_bytes()[0] {
                b'(' | b'[' | b'{' => {
                    if text == "{" {
                        // A block after `if a < b`: that `<` was a comparison.
                        total -= level.angles;
                        level.angles = 0;
                    }
                    levels.push(Level::default());
                    total += 1;
                }
                b')' | b']' | b'}' => {
                    if levels.len() > 1 {
                        let closed = levels.pop().expect("more than one level");
                        total -= 1 + closed.chain + closed.run + closed.angles;
                    }
                    operand = true;
                }
                b';' => level.end(&mut total),
                b',' => {
                    total -= level.chain + level.run;
                    level.chain = 0;
                    level.run = 0;
                }
                b'#' => operand = true,
                b'<' if next == b'=' || next == b'<' => skip_at = Some(token.end),
                b'<' => {
                    level.angles += 1;
                    total += 1;
                }
                b'>' if next == b'=' => skip_at = Some(token.end),
                b'>' if level.angles > 0 => {
                    level.angles -= 1;
                    total -= 1;
                    operand = true;
                }
                b'-' if next == b'>' => {
                    skip_at = Some(token.end);
                    grow = 1;
                }
                b'=' if next == b'=' || next == b'>' => skip_at = Some(token.end),
                // `!=`, `<=`, `>=` were passed over above or are comparisons.
                b'=' if matches!(previous, b'!' | b'<' | b'>' | b'=') => {}
                // `a = b`, `a += b`: assignment nests to the right.
                b'=' => grow = 1,
                // `a && b`, `a || b`: one binary operator.
                b'&' | b'|' if after_operand && next == text.as_bytes()[0] => skip_at = Some(token.end),
                b'&' | b'|' if after_operand => {}
                b'|' if next == b'|' => {
                    skip_at = Some(token.end);
                    grow = 1;
                }
                b'|' if !after_operand => grow = 1,
                b'!' | b'-' | b'*' | b'&' if !after_operand => prefix = true,
                b'?' => operand = true,
                _ => {}
            },
        }
        let level = levels.last_mut().expect("the outermost level stays");
        level.chain += grow;
        total += grow;
        if prefix {
            level.run += 1;
            total += 1;
        }
        if total > deepest {
            deepest = total;
            at = token.start;
        }
        if operand {
            total -= level.run;
            level.run = 0;
        }
        after_operand = operand;
        after_brace = text == "}";
    }
    (deepest, at)
}

/// Keywords after which an expression, type or pattern starts, and which syn parses by
/// recursing into what follows.
fn is_prefix_keyword(word: &str) -> bool {
    matches!(
        word,
        "return" | "break" | "move" | "else" | "yield" | "box" | "dyn" | "impl" | "become"
    )
}

/// Identifiers that are not operands (an operator after them is a prefix operator).
fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "as" | "async"
            | "await"
            | "const"
            | "continue"
            | "do"
            | "enum"
            | "extern"
            | "fn"
            | "for"
            | "if"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mut"
            | "pub"
            | "ref"
            | "static"
            | "struct"
            | "trait"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
    )
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

/// The length of cargo-script front matter at the start of `text` (after any shebang): blank
/// lines, a fence of three or more dashes with an optional info string (`---cargo`), anything,
/// and a line holding the same fence alone. As with the shebang, the closing line's `\n` stays
/// with the code. Without a closing fence there is no front matter (syn then reports the file).
fn frontmatter_len(text: &str) -> usize {
    let opening_at = text.len() - text.trim_start_matches([' ', '\t', '\r', '\n']).len();
    // The fence starts a line.
    if !text[..opening_at].is_empty() && !text[..opening_at].ends_with('\n') {
        return 0;
    }
    let rest = &text[opening_at..];
    let dashes = rest.len() - rest.trim_start_matches('-').len();
    if dashes < 3 {
        return 0;
    }
    let mut line_start = match rest.find('\n') {
        Some(end) => opening_at + end + 1,
        None => return 0,
    };
    while line_start < text.len() {
        let line_end = text[line_start..]
            .find('\n')
            .map_or(text.len(), |i| line_start + i);
        let line = text[line_start..line_end].trim_end();
        if line.len() == dashes && line.bytes().all(|b| b == b'-') {
            return line_start + dashes;
        }
        line_start = line_end + 1;
    }
    0
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
    fn front_matter_is_before_the_code() {
        let text = "#!/usr/bin/env -S cargo +nightly -Zscript\n---cargo\n[dependencies]\ntokio = \"1\"\n---\n\nfn main() {}\n";
        let file = SourceFile::new("a.rs", "a.rs", text.to_string());
        assert!(file.code().starts_with("\n\nfn main"), "{:?}", file.code());
        let file = SourceFile::new("a.rs", "a.rs", "\n----\na = 1\n---\n----  \nfn f() {}".into());
        assert_eq!(file.code(), "  \nfn f() {}");
        // No closing fence: no front matter.
        let file = SourceFile::new("a.rs", "a.rs", "---\nfn f() {}".into());
        assert_eq!(file.code_start, 0);
        let file = SourceFile::new("a.rs", "a.rs", "fn f() {}\n---\n---\n".into());
        assert_eq!(file.code_start, 0);
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

    fn depth(code: &str) -> usize {
        nesting_depth(code).0
    }

    #[test]
    fn brackets_count_outside_comments_and_literals() {
        assert_eq!(depth("fn f() { g((1)) }"), 3);
        assert_eq!(depth("// ((((\nfn f() {}"), 1);
        assert_eq!(depth("/* (( /* ((( */ */ fn f() {}"), 1);
        assert_eq!(depth(r##"fn f() { "((((\"(("; '('; '\''; r#"(((("#; }"##), 1);
        assert_eq!(depth("fn f<'a>(x: &'a str) -> [u8; 2] { [0; 2] }"), 3);
        assert_eq!(depth("((("), 3);
    }

    /// Raw strings have no escapes: `br"\"` ends at its second quote.
    #[test]
    fn raw_byte_and_c_strings_ending_in_a_backslash() {
        assert_eq!(depth(r#"fn f() { br"\"; cr"\"; g(1) }"#), 2);
        assert_eq!(depth(r#"fn f() { let x = br"\"; (((( }"#), 5);
        assert_eq!(depth(r#"fn f() { let x = br"\"; ")))))"; }"#), 2);
    }

    #[test]
    fn prefix_operators_and_keywords_nest() {
        let bangs = format!("fn f() {{ {}x; }}", "!".repeat(5000));
        assert!(depth(&bangs) > 5000);
        let refs = format!("fn f(x: {}u8) {{}}", "&".repeat(3000));
        assert!(depth(&refs) > 3000);
        let generics = format!("type T = {}u8{};", "Vec<".repeat(2000), ">".repeat(2000));
        assert!(depth(&generics) >= 2000);
        let maps = format!("type T = {}u8{};", "HashMap<u8, ".repeat(2000), ">".repeat(2000));
        assert!(depth(&maps) >= 2000);
        let returns = format!("fn f() {{ {}1 }}", "return ".repeat(2000));
        assert!(depth(&returns) > 2000);
        let closures = format!("fn f() {{ {}1 }}", "|x| ".repeat(2000));
        assert!(depth(&closures) > 2000);
        let assignments = format!("fn f() {{ {}1; }}", "a = ".repeat(2000));
        assert!(depth(&assignments) > 2000);
        let elses = format!("fn f() {{ {}{{}} }}", "if a {} else ".repeat(2000));
        assert!(depth(&elses) > 2000);
    }

    #[test]
    fn flat_code_stays_shallow() {
        let long = format!("fn f() {{ let x = 1{}; }}", " + -1 - !a * *b & &c".repeat(2000));
        assert!(depth(&long) < 10, "{}", depth(&long));
        let table = format!("const T: [i32; 3000] = [{}];", "-1, ".repeat(3000));
        assert!(depth(&table) < 10);
        let comparisons = format!(
            "fn f() {{ {} }}",
            "if a < b { g(); } if c < d { h(); }\n".repeat(2000)
        );
        assert!(depth(&comparisons) < 10, "{}", depth(&comparisons));
        let statements = "fn f() { let a = !x; return y; }\n".repeat(2000);
        assert!(depth(&statements) < 10);
        assert!(depth("fn f(a: u8, b: &mut Vec<u8>) -> Option<Box<dyn Fn(&u8) -> u8>> { a }") < 10);
    }

    #[test]
    fn empty_file_has_one_line() {
        let file = SourceFile::new("a.rs", "a.rs", String::new());
        assert_eq!(file.line_count(), 1);
        assert_eq!(file.location(0), Location { line: 1, column: 1 });
        assert_eq!(file.line_text(0), "");
    }
}
