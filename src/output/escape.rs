//! Control characters in text shown to people: source lines, messages and file names can
//! carry ESC, BEL or OSC sequences (a hostile string literal or file name could retitle the
//! terminal or write the clipboard). Every rendering escapes them the way rustc does: a C0
//! control becomes its Unicode control picture (ESC is `␛`, BEL `␇`), DEL becomes `␡`.

use std::borrow::Cow;
use std::io::{self, Write};

use termcolor::{ColorSpec, WriteColor};

/// The picture rustc shows for a control character, if `c` is one to escape. Line ends and
/// tabs are layout, not controls, unless `layout` is set (a file name must stay on one line).
fn picture(c: char, layout: bool) -> Option<char> {
    match c {
        '\n' | '\t' if !layout => None,
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32),
        '\u{7f}' => Some('\u{2421}'),
        _ => None,
    }
}

fn escape(text: &str, layout: bool) -> Cow<'_, str> {
    if !text.chars().any(|c| picture(c, layout).is_some()) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(|c| picture(c, layout).unwrap_or(c)).collect())
}

/// Text with its control characters shown as pictures; line ends and tabs stay.
pub fn controls(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// A file name (or anything that must stay on one line) with every control character shown
/// as a picture, line ends and tabs included.
pub fn name(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

/// A colour writer that shows control characters in what is drawn as pictures, and passes
/// colours through (they are the only escape sequences that reach the terminal).
pub struct Escaping<'a>(pub &'a mut dyn WriteColor);

impl Write for Escaping<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // Controls are single bytes, never inside a multi-byte character: bytewise is exact.
        let mut plain = 0;
        for (i, &byte) in buf.iter().enumerate() {
            let crlf = byte == b'\r' && buf.get(i + 1) == Some(&b'\n');
            let Some(shown) = picture(char::from(byte), false).filter(|_| byte < 0x80 && !crlf) else {
                continue;
            };
            self.0.write_all(&buf[plain..i])?;
            let mut utf8 = [0; 4];
            self.0.write_all(shown.encode_utf8(&mut utf8).as_bytes())?;
            plain = i + 1;
        }
        self.0.write_all(&buf[plain..])?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl WriteColor for Escaping<'_> {
    fn supports_color(&self) -> bool {
        self.0.supports_color()
    }

    fn set_color(&mut self, spec: &ColorSpec) -> io::Result<()> {
        self.0.set_color(spec)
    }

    fn reset(&mut self) -> io::Result<()> {
        self.0.reset()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_pictures() {
        assert_eq!(
            controls("a\u{1b}]52;c;x\u{7}b\n\tc\u{7f}"),
            "a\u{241b}]52;c;x\u{2407}b\n\tc\u{2421}"
        );
        assert_eq!(name("a\nb\tc"), "a\u{240a}b\u{2409}c");
        assert!(matches!(controls("plain é"), Cow::Borrowed(_)));
    }

    #[test]
    fn the_writer_escapes_text_and_keeps_colours() {
        let mut out = termcolor::Ansi::new(Vec::new());
        {
            let mut escaping = Escaping(&mut out);
            escaping.set_color(ColorSpec::new().set_bold(true)).unwrap();
            escaping.write_all(b"x\x1b[2Jy\r\nz\r").unwrap();
            escaping.reset().unwrap();
        }
        let text = String::from_utf8(out.into_inner()).unwrap();
        assert_eq!(text, "\u{1b}[0m\u{1b}[1mx\u{241b}[2Jy\r\nz\u{240d}\u{1b}[0m");
    }
}
