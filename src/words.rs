//! Many words searched at once in a file's bytes, each found only as a whole identifier (not
//! inside a longer one): the pre-filter and the workspace index decide with it which files
//! to read further.

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
        let whole = |start: usize, end: usize| {
            let before = start.checked_sub(1).map(|i| text[i]);
            !before.is_some_and(is_ident_byte) && !text.get(end).copied().is_some_and(is_ident_byte)
        };
        match self.identifiers {
            true => self
                .matcher
                .find_iter(text)
                .any(|m| whole(m.start(), m.end()) && found(m.pattern().as_usize())),
            false => self
                .matcher
                .find_overlapping_iter(text)
                .any(|m| whole(m.start(), m.end()) && found(m.pattern().as_usize())),
        }
    }
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
