//! Open documents and LSP positions.
//!
//! A position is a line and a column in the client's *position encoding*: UTF-16 code units
//! unless both sides agreed on UTF-8 bytes. Lines end at `\n`, `\r\n` or a lone `\r`, as the
//! protocol says. Positions are counted in the text exactly as the client sent it (a BOM, if
//! the client keeps one, is a character of line 0).

use lsp_types::{Position, Range, TextDocumentContentChangeEvent};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    fn width(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        }
    }
}

/// Where each line starts, and the conversions between byte offsets and positions.
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offset of the first character of each line.
    starts: Vec<usize>,
    encoding: Encoding,
    /// Byte offsets of the characters narrower in the encoding than in UTF-8 (with UTF-16:
    /// every non-ASCII character), so that a column costs a binary search, not a walk along
    /// its line (a long line with many findings would be quadratic).
    narrow: Vec<usize>,
    /// After each of them: the bytes saved by it and every earlier one.
    saved: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str, encoding: Encoding) -> LineIndex {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (i, &byte) in bytes.iter().enumerate() {
            let ends_line = byte == b'\n' || (byte == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if ends_line {
                starts.push(i + 1);
            }
        }
        let (mut narrow, mut saved) = (Vec::new(), Vec::new());
        if encoding == Encoding::Utf16 && !text.is_ascii() {
            let mut total = 0;
            for (at, c) in text.char_indices().filter(|(_, c)| !c.is_ascii()) {
                total += c.len_utf8() - c.len_utf16();
                narrow.push(at);
                saved.push(total);
            }
        }
        LineIndex {
            starts,
            encoding,
            narrow,
            saved,
        }
    }

    /// Bytes saved by the narrow characters before `offset`.
    fn saved_before(&self, offset: usize) -> usize {
        match self.narrow.partition_point(|&at| at < offset) {
            0 => 0,
            n => self.saved[n - 1],
        }
    }

    /// The byte range of line `line`'s content, without its line end.
    fn content(&self, text: &str, line: usize) -> (usize, usize) {
        let start = self.starts[line];
        let mut end = self.starts.get(line + 1).copied().unwrap_or(text.len());
        let bytes = text.as_bytes();
        if end > start && bytes[end - 1] == b'\n' {
            end -= 1;
        }
        if end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        (start, end)
    }

    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&start| start <= offset) - 1;
        let start = self.starts[line];
        let column = (offset - start) - (self.saved_before(offset) - self.saved_before(start));
        Position::new(clamp_u32(line), clamp_u32(column))
    }

    pub fn range(&self, text: &str, start: usize, end: usize) -> Range {
        Range::new(self.position(text, start), self.position(text, end))
    }

    /// The byte offset of a position. A line past the end means the end of the text, a column
    /// past the end of its line the end of that line, and a column inside a character the
    /// start of that character: a client's slip never splits a character.
    pub fn offset(&self, text: &str, position: Position) -> usize {
        let line = position.line as usize;
        if line >= self.starts.len() {
            return text.len();
        }
        let (start, end) = self.content(text, line);
        let wanted = position.character as usize;
        let mut column = 0;
        for (at, c) in text[start..end].char_indices() {
            let next = column + self.encoding.width(c);
            if next > wanted {
                return start + at;
            }
            column = next;
        }
        end
    }

    /// A range's byte offsets, in order whichever way round the client sent them.
    pub fn offsets(&self, text: &str, range: Range) -> (usize, usize) {
        let a = self.offset(text, range.start);
        let b = self.offset(text, range.end);
        (a.min(b), a.max(b))
    }
}

fn clamp_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// An open document: the client's text, which may differ from the file on disk.
pub struct Document {
    pub text: String,
    pub version: i32,
    pub index: LineIndex,
}

impl Document {
    pub fn new(text: String, version: i32, encoding: Encoding) -> Document {
        let index = LineIndex::new(&text, encoding);
        Document { text, version, index }
    }

    /// Applies one change of a `didChange`: a whole new text, or a range replaced.
    pub fn apply(&mut self, change: TextDocumentContentChangeEvent) {
        match change.range {
            None => self.text = change.text,
            Some(range) => {
                let (start, end) = self.index.offsets(&self.text, range);
                self.text.replace_range(start..end, &change.text);
            }
        }
        self.index = LineIndex::new(&self.text, self.index.encoding);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position::new(line, character)
    }

    #[test]
    fn columns_in_both_encodings() {
        // `é` is 2 bytes and 1 UTF-16 unit; `𝄞` is 4 bytes and 2 units.
        let text = "aé𝄞x\nsecond";
        let x = text.find('x').unwrap();
        let utf16 = LineIndex::new(text, Encoding::Utf16);
        assert_eq!(utf16.position(text, x), pos(0, 4));
        assert_eq!(utf16.offset(text, pos(0, 4)), x);
        let utf8 = LineIndex::new(text, Encoding::Utf8);
        assert_eq!(utf8.position(text, x), pos(0, 7));
        assert_eq!(utf8.offset(text, pos(0, 7)), x);
        assert_eq!(utf8.position(text, text.len()), pos(1, 6));
    }

    #[test]
    fn columns_agree_with_counting_characters() {
        let text = "aé\r\n𝄞b\u{feff}c\rüü\n\nx𝄞y";
        for encoding in [Encoding::Utf8, Encoding::Utf16] {
            let index = LineIndex::new(text, encoding);
            for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
                let position = index.position(text, offset);
                let start = index.starts[position.line as usize];
                let counted: usize = text[start..offset].chars().map(|c| encoding.width(c)).sum();
                assert_eq!(position.character as usize, counted, "{encoding:?} at {offset}");
                // Between `\r` and `\n` is no position of its own.
                if !text[..offset].ends_with('\r') || !text[offset..].starts_with('\n') {
                    assert_eq!(index.offset(text, position), offset, "{encoding:?} at {offset}");
                }
            }
        }
    }

    #[test]
    fn line_ends_of_every_kind() {
        let text = "a\r\nb\rc\nd";
        let index = LineIndex::new(text, Encoding::Utf16);
        assert_eq!(index.offset(text, pos(1, 0)), 3);
        assert_eq!(index.offset(text, pos(2, 0)), 5);
        assert_eq!(index.offset(text, pos(3, 0)), 7);
        // A column past the end of a CRLF line stops before the `\r`.
        assert_eq!(index.offset(text, pos(0, 9)), 1);
        assert_eq!(index.position(text, 7), pos(3, 0));
    }

    #[test]
    fn a_bom_is_a_character() {
        let text = "\u{feff}fn f() {}";
        let index = LineIndex::new(text, Encoding::Utf16);
        assert_eq!(index.position(text, text.find("fn").unwrap()), pos(0, 1));
        assert_eq!(index.offset(text, pos(0, 1)), 3);
    }

    #[test]
    fn bad_positions_are_clamped() {
        let text = "a𝄞b\nc";
        let index = LineIndex::new(text, Encoding::Utf16);
        // Inside the surrogate pair: the start of the character.
        assert_eq!(index.offset(text, pos(0, 2)), 1);
        assert_eq!(index.offset(text, pos(7, 3)), text.len());
        assert_eq!(index.offset(text, pos(1, 99)), text.len());
        assert_eq!(index.position(text, 2), pos(0, 1));
        assert_eq!(index.position(text, 999), pos(1, 1));
    }

    #[test]
    fn incremental_changes() {
        let mut document = Document::new("let é = 1;\nlet b = 2;\n".into(), 1, Encoding::Utf16);
        document.apply(TextDocumentContentChangeEvent {
            range: Some(Range::new(pos(0, 4), pos(0, 5))),
            range_length: None,
            text: "ü".into(),
        });
        assert_eq!(document.text, "let ü = 1;\nlet b = 2;\n");
        // A range given end first.
        document.apply(TextDocumentContentChangeEvent {
            range: Some(Range::new(pos(1, 9), pos(1, 8))),
            range_length: None,
            text: "3".into(),
        });
        assert_eq!(document.text, "let ü = 1;\nlet b = 3;\n");
        document.apply(TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: "x".into(),
        });
        assert_eq!(document.text, "x");
        assert_eq!(document.index.position("x", 1), pos(0, 1));
    }
}
