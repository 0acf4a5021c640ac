//! Many words searched at once in a file's bytes, each found only as a whole identifier (not
//! inside a longer one): the pre-filter and the workspace index decide with it which files
//! to read further.

use foldhash::HashSet;
use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

pub struct Words {
    matcher: AhoCorasick,
    /// Whether every word is made of identifier bytes. Then one leftmost-longest pass finds
    /// every whole-identifier occurrence: a match can neither straddle the non-identifier byte
    /// before an occurrence nor run past the one after it. Otherwise every overlapping match
    /// must be looked at.
    identifiers: bool,
}

impl Words {
    pub fn new<W: AsRef<str>>(words: &[W]) -> Option<Words> {
        let identifiers = words
            .iter()
            .all(|word| !word.as_ref().is_empty() && word.as_ref().bytes().all(is_ident_byte));
        let kind = match identifiers {
            true => MatchKind::LeftmostLongest,
            false => MatchKind::Standard,
        };
        let matcher = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::DFA))
            .match_kind(kind)
            .build(words.iter().map(AsRef::as_ref))
            .ok()?;
        Some(Words { matcher, identifiers })
    }

    /// Calls `found` with the index of each word found as a whole identifier in `text`, in
    /// order, until it returns true; whether it did.
    pub fn any(&self, text: &[u8], mut found: impl FnMut(usize) -> bool) -> bool {
        self.any_at(text, |word, _| found(word))
    }

    /// [`Self::any`], with where each word was found.
    pub fn any_at(&self, text: &[u8], mut found: impl FnMut(usize, Range<usize>) -> bool) -> bool {
        let whole = |start: usize, end: usize| {
            let before = start.checked_sub(1).map(|i| text[i]);
            !before.is_some_and(is_ident_byte) && !text.get(end).copied().is_some_and(is_ident_byte)
        };
        match self.identifiers {
            true => self
                .matcher
                .find_iter(text)
                .any(|m| whole(m.start(), m.end()) && found(m.pattern().as_usize(), m.range())),
            false => self
                .matcher
                .find_overlapping_iter(text)
                .any(|m| whole(m.start(), m.end()) && found(m.pattern().as_usize(), m.range())),
        }
    }
}

/// Whether the identifier at `at` in `text` may name a crate, judged from the bytes around it
/// (see `Outline::names_crate`, which this never contradicts: it errs only towards yes).
pub fn may_name_crate(text: &[u8], at: Range<usize>) -> bool {
    let after = text[at.end..].trim_ascii_start();
    let before = text[..at.start].trim_ascii_end();
    let keyword_before = |word: &[u8]| {
        before.ends_with(word)
            && !before[..before.len() - word.len()]
                .last()
                .copied()
                .is_some_and(is_ident_byte)
    };
    // Only a name that starts its line can have a `//` comment before it: the line above.
    let starts_line = text[before.len()..at.start].contains(&b'\n');
    after.starts_with(b"::")
        || before.ends_with(b":")
        || keyword_before(b"use")
        || keyword_before(b"crate")
        || ((before.ends_with(b"{") || before.ends_with(b",")) && (after.starts_with(b",") || after.starts_with(b"}")))
        // A comment between the name and what is around it: leave it to the tokens.
        || after.starts_with(b"/")
        || before.ends_with(b"/")
        || (starts_line && ends_in_line_comment(before))
}

/// Whether the path that a crate's name ends at `end` in `text` may go on into one of
/// `modules`: it does unless the next segment is another module's (`core::fmt`, for a crate
/// named like the built-in `core` whose APIs live in `core::context`). A group, a glob, a
/// comment, or no next segment at all may (`core::{…}`, `use core;`): this errs towards yes.
pub fn may_go_on_into(text: &[u8], end: usize, modules: &HashSet<String>) -> bool {
    let Some(after) = text[end..].trim_ascii_start().strip_prefix(b"::") else {
        return true;
    };
    let after = after.trim_ascii_start();
    let segment_len = after.iter().take_while(|&&b| is_ident_byte(b)).count();
    if segment_len == 0 || after.get(segment_len) == Some(&b'#') {
        return true;
    }
    std::str::from_utf8(&after[..segment_len]).map_or(true, |segment| modules.contains(segment))
}

/// Whether the last line of `text` may end in a `//` comment.
fn ends_in_line_comment(text: &[u8]) -> bool {
    let line = text.rsplit(|&b| b == b'\n').next().unwrap_or(text);
    line.windows(2).any(|pair| pair == b"//")
}

pub fn is_ident_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte >= 0x80
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(words: &[&str], text: &str) -> Vec<String> {
        let finder = Words::new(words).unwrap();
        let mut out = Vec::new();
        finder.any(text.as_bytes(), |w| {
            out.push(words[w].to_string());
            false
        });
        out
    }

    #[test]
    fn a_builtin_named_crate_goes_on_into_its_modules_only() {
        let modules: HashSet<String> = ["context".to_string()].into_iter().collect();
        let goes_on = |text: &str| may_go_on_into(text.as_bytes(), text.find("core").unwrap() + 4, &modules);
        for text in [
            "use core::context::Context;",
            "core :: context",
            "core::{fmt, context}",
            "core::*",
        ] {
            assert!(goes_on(text), "{text}");
        }
        for text in [
            "core;",
            "core as c",
            "core::r#context",
            "core::/* x */context",
            "core",
        ] {
            assert!(goes_on(text), "{text}");
        }
        for text in ["core::fmt::Debug", "core :: task::Context", "core::contexts"] {
            assert!(!goes_on(text), "{text}");
        }
    }

    #[test]
    fn whole_identifiers_only_and_every_one() {
        let words = ["Task", "TaskHandle", "ask", "tokio_util"];
        assert_eq!(
            found(
                &words,
                "TaskHandle2 Task; (TaskHandle) mask tokio_utils tokio_util::x ask"
            ),
            ["Task", "TaskHandle", "tokio_util", "ask"]
        );
        // Not identifiers: every overlapping match is looked at.
        assert_eq!(found(&["a::b", "b"], "a::b"), ["a::b", "b"]);
    }
}
