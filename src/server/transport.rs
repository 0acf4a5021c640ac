//! JSON-RPC over stdin/stdout with `Content-Length` framing.
//!
//! lsp-server's own stdio transport stops reading at the first malformed message; this one
//! answers a message that is not JSON-RPC with a parse error and reads on. Only broken framing
//! (no usable `Content-Length`) ends it, as nothing after it can be trusted, and so does the
//! end of stdin.

use std::io::{self, BufRead, Read, Write};
use std::sync::{Arc, Mutex};

use crossbeam_channel::{Receiver, Sender};
use lsp_server::Message;

/// What the reader thread hands to the main loop.
pub enum Incoming {
    Message(Message),
    /// A framed message that is not a JSON-RPC message (the reason).
    Malformed(String),
}

/// Starts the thread that reads stdin. The channel closes when stdin ends or its framing breaks.
pub fn read_stdin() -> Receiver<Incoming> {
    let (sender, receiver) = crossbeam_channel::unbounded();
    std::thread::Builder::new()
        .name("ctxlint-server-reader".into())
        .spawn(move || {
            let stdin = io::stdin();
            if let Err(error) = read_messages(&mut stdin.lock(), &sender) {
                eprintln!("ctxlint server: stopped reading: {error}");
            }
        })
        .expect("reader thread");
    receiver
}

fn read_messages(input: &mut impl BufRead, sender: &Sender<Incoming>) -> io::Result<()> {
    while let Some(body) = read_frame(input)? {
        let incoming = match serde_json::from_slice::<Message>(&body) {
            Ok(message) => Incoming::Message(message),
            Err(error) => Incoming::Malformed(error.to_string()),
        };
        if sender.send(incoming).is_err() {
            break;
        }
    }
    Ok(())
}

/// One message's body, or `None` at the end of the input.
fn read_frame(input: &mut impl BufRead) -> io::Result<Option<Vec<u8>>> {
    let mut length = None;
    let mut line = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let header = line.trim_end_matches(['\r', '\n']);
        if header.is_empty() {
            if length.is_none() {
                // Blank lines between messages are tolerated.
                continue;
            }
            break;
        }
        let Some((name, value)) = header.split_once(':') else {
            return Err(io::Error::other(format!("bad header line {header:?}")));
        };
        if name.trim().eq_ignore_ascii_case("content-length") {
            let value = value.trim().parse::<u64>();
            length = Some(value.map_err(|_| io::Error::other(format!("bad header {header:?}")))?);
        }
    }
    let length = length.expect("set before the blank line");
    // Read what arrives rather than reserving what the header claims.
    let mut body = Vec::new();
    input.take(length).read_to_end(&mut body)?;
    if (body.len() as u64) < length {
        return Ok(None);
    }
    Ok(Some(body))
}

/// The writing end: whole messages, one at a time, flushed at once. Shared by the main loop
/// and the lint worker.
#[derive(Clone)]
pub struct Outgoing {
    stdout: Arc<Mutex<dyn Write + Send>>,
}

impl Outgoing {
    pub fn stdout() -> Outgoing {
        Outgoing::to(io::stdout())
    }

    pub fn to(writer: impl Write + Send + 'static) -> Outgoing {
        Outgoing {
            stdout: Arc::new(Mutex::new(writer)),
        }
    }

    pub fn send(&self, message: impl Into<Message>) {
        let message = message.into();
        let mut stdout = self
            .stdout
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // A client that went away is noticed by the reader (stdin closes).
        let _ = message.write(&mut &mut *stdout);
    }

    /// The JSON-RPC answer to a message that could not be read (its id is unknown: `null`).
    pub fn send_parse_error(&self, reason: &str) {
        let body = serde_json::json!({
            "jsonrpc": "2.0",
            "id": null,
            "error": { "code": -32700, "message": format!("could not read this message: {reason}") },
        })
        .to_string();
        let mut stdout = self
            .stdout
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let _ = write!(stdout, "Content-Length: {}\r\n\r\n{body}", body.len());
        let _ = stdout.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &str) -> Vec<Result<String, String>> {
        let (sender, receiver) = crossbeam_channel::unbounded();
        let result = read_messages(&mut input.as_bytes(), &sender);
        drop(sender);
        let mut out: Vec<Result<String, String>> = receiver
            .iter()
            .map(|incoming| match incoming {
                Incoming::Message(Message::Notification(n)) => Ok(n.method),
                Incoming::Message(other) => Ok(format!("{other:?}")),
                Incoming::Malformed(reason) => Err(reason),
            })
            .collect();
        if let Err(error) = result {
            out.push(Err(format!("stopped: {error}")));
        }
        out
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn malformed_bodies_do_not_stop_reading() {
        let input = [
            frame(r#"{"jsonrpc":"2.0","method":"a"}"#),
            frame("{not json"),
            frame("[1, 2]"),
            frame(r#"{"jsonrpc":"2.0","method":"b"}"#),
        ]
        .concat();
        let got = frames(&input);
        assert_eq!(got.len(), 4);
        assert_eq!(got[0], Ok("a".into()));
        assert!(got[1].is_err() && got[2].is_err());
        assert_eq!(got[3], Ok("b".into()));
    }

    #[test]
    fn broken_framing_and_short_input_end_reading() {
        let got = frames(&format!(
            "{}garbage\r\n\r\n",
            frame(r#"{"jsonrpc":"2.0","method":"a"}"#)
        ));
        assert_eq!(got[0], Ok("a".into()));
        assert!(got[1].as_ref().unwrap_err().starts_with("stopped"));
        // A length far beyond the input: nothing is reserved, the input just ends.
        assert!(frames("Content-Length: 99999999999999\r\n\r\n{}").is_empty());
    }
}
