//! The lint worker: lints the newest version of each changed document (a change after a pause
//! at once, a burst of changes when it pauses), publishes the findings, and drops work that a
//! newer version made stale.

use std::collections::HashMap;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TryRecvError};
use lsp_server::Notification;
use lsp_types::notification::{Notification as _, PublishDiagnostics};
use lsp_types::{PublishDiagnosticsParams, Url};

use crate::engine::{FileReport, INTERNAL_ERROR, STACK_SIZE};
use crate::server::convert::{self, Text};
use crate::server::document::{Encoding, LineIndex};
use crate::server::transport::Outgoing;
use crate::server::workspace::{self, Linted, Setup};
use crate::server::{LogLevel, log_message};

/// How long changes must pause before the newest version is linted: a burst of keystrokes is
/// linted at its start and at its end, not at every key.
pub const QUIET: Duration = Duration::from_millis(30);

pub struct LintJob {
    pub uri: Url,
    pub version: i32,
    pub path: PathBuf,
    pub text: String,
    pub setup: Arc<Setup>,
}

pub enum Job {
    Lint(LintJob),
    /// The document was closed: forget it and clear its diagnostics.
    Close(Url),
}

/// A document's version and its findings.
type Versioned = (i32, Arc<FileReport>);

/// The newest report of each document, for code actions.
#[derive(Clone, Default)]
pub struct Reports {
    inner: Arc<Mutex<HashMap<Url, Versioned>>>,
}

impl Reports {
    /// The report of `uri` at `version`, if the worker has made it.
    pub fn get(&self, uri: &Url, version: i32) -> Option<Arc<FileReport>> {
        let reports = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        reports
            .get(uri)
            .filter(|(v, _)| *v == version)
            .map(|(_, report)| report.clone())
    }

    fn set(&self, uri: Url, version: i32, report: Arc<FileReport>) {
        let mut reports = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        reports.insert(uri, (version, report));
    }

    fn remove(&self, uri: &Url) {
        let mut reports = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        reports.remove(uri);
    }
}

/// Starts the worker; it ends when the sender is dropped.
pub fn spawn(out: Outgoing, encoding: Encoding, reports: Reports) -> Sender<Job> {
    let (sender, receiver) = crossbeam_channel::unbounded();
    std::thread::Builder::new()
        .name("ctxlint-server-lint".into())
        .stack_size(STACK_SIZE)
        .spawn(move || {
            Worker {
                out,
                encoding,
                reports,
                pending: HashMap::new(),
                lint: workspace::lint,
            }
            .run(&receiver)
        })
        .expect("lint worker thread");
    sender
}

struct Worker {
    out: Outgoing,
    encoding: Encoding,
    reports: Reports,
    /// The newest unlinted version of each document.
    pending: HashMap<Url, LintJob>,
    /// [`workspace::lint`] (tests put a failing one in its place).
    lint: fn(&Setup, &Path, String) -> Linted,
}

impl Worker {
    /// A change after a pause is linted at once; the changes that follow it closely are linted
    /// when they pause for [`QUIET`].
    fn run(mut self, receiver: &Receiver<Job>) {
        let mut last_job: Option<Instant> = None;
        loop {
            let job = if self.pending.is_empty() {
                receiver.recv().map_err(|_| RecvTimeoutError::Disconnected)
            } else {
                let since = last_job.map_or(QUIET, |at| at.elapsed());
                receiver.recv_timeout(QUIET.saturating_sub(since))
            };
            match job {
                Ok(job) => {
                    let after_pause = last_job.is_none_or(|at| at.elapsed() >= QUIET);
                    last_job = Some(Instant::now());
                    self.take(job);
                    if after_pause {
                        self.lint_one(receiver);
                    }
                }
                Err(RecvTimeoutError::Timeout) => self.lint_one(receiver),
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }

    fn take(&mut self, job: Job) {
        match job {
            // A newer version replaces a pending one, which is never linted.
            Job::Lint(job) => {
                self.pending.insert(job.uri.clone(), job);
            }
            Job::Close(uri) => {
                self.pending.remove(&uri);
                self.reports.remove(&uri);
                self.publish(uri, Vec::new(), None);
            }
        }
    }

    /// Lints one pending document; its findings are published unless a newer version or a
    /// close arrived meanwhile.
    fn lint_one(&mut self, receiver: &Receiver<Job>) {
        let Some(uri) = self.pending.keys().next().cloned() else {
            return;
        };
        let job = self.pending.remove(&uri).expect("pending");
        let (uri, version) = (job.uri.clone(), job.version);
        let linted = panic::catch_unwind(AssertUnwindSafe(|| (self.lint)(&job.setup, &job.path, job.text)));
        let linted = match linted {
            Ok(linted) => linted,
            Err(_) => {
                let message = format!("ctxlint crashed while linting {uri}; please report it with the file");
                log_message(&self.out, LogLevel::Error, message);
                return;
            }
        };
        let mut stale = false;
        loop {
            match receiver.try_recv() {
                Ok(Job::Lint(newer)) => {
                    stale |= newer.uri == uri;
                    self.take(Job::Lint(newer));
                }
                Ok(Job::Close(closed)) => {
                    stale |= closed == uri;
                    self.take(Job::Close(closed));
                }
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        if stale {
            return;
        }
        if let Some(reason) = linted.skipped {
            log_message(&self.out, LogLevel::Info, reason);
        }
        for finding in linted
            .report
            .diagnostics
            .iter()
            .filter(|d| d.rule == INTERNAL_ERROR)
        {
            log_message(&self.out, LogLevel::Error, format!("{uri}: {}", finding.message));
        }
        let report = Arc::new(linted.report);
        let index = LineIndex::new(&report.source.text, self.encoding);
        let text = Text {
            text: &report.source.text,
            index: &index,
        };
        let diagnostics = report
            .diagnostics
            .iter()
            .map(|finding| convert::diagnostic(finding, &text, &uri))
            .collect();
        self.reports.set(uri.clone(), version, report.clone());
        self.publish(uri, diagnostics, Some(version));
    }

    fn publish(&self, uri: Url, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.out
            .send(Notification::new(PublishDiagnostics::METHOD.to_string(), params));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Diagnostic;
    use crate::source::{SourceFile, Span};
    use std::io::Write;

    /// What the worker wrote, shared with the test.
    #[derive(Clone, Default)]
    struct Written(Arc<Mutex<Vec<u8>>>);

    impl Write for Written {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Written {
        /// The messages written so far, as JSON.
        fn messages(&self) -> Vec<serde_json::Value> {
            let bytes = std::mem::take(&mut *self.0.lock().unwrap());
            let text = String::from_utf8(bytes).unwrap();
            text.split("Content-Length: ")
                .filter(|part| !part.is_empty())
                .map(|part| serde_json::from_str(part.split_once("\r\n\r\n").unwrap().1).unwrap())
                .collect()
        }
    }

    fn panicking(_: &Setup, path: &Path, text: String) -> Linted {
        if text.contains("boom") {
            panic!("a lint broke");
        }
        workspace::lint(&Setup::default_setup(), path, text)
    }

    fn internal_error(_: &Setup, path: &Path, text: String) -> Linted {
        let mut report = crate::engine::FileReport {
            source: SourceFile::new(path, "a.rs", text),
            diagnostics: Vec::new(),
        };
        report.diagnostics.push(Diagnostic::new(
            INTERNAL_ERROR,
            Span::default(),
            "ctxlint crashed while linting this file: x",
        ));
        Linted {
            report,
            skipped: None,
        }
    }

    fn job(text: &str, version: i32) -> Job {
        Job::Lint(LintJob {
            uri: Url::parse("file:///tmp/a.rs").unwrap(),
            version,
            path: PathBuf::from("/tmp/a.rs"),
            text: text.into(),
            setup: Arc::new(Setup::default_setup()),
        })
    }

    fn worker(written: &Written, lint: fn(&Setup, &Path, String) -> Linted) -> Worker {
        Worker {
            out: Outgoing::to(written.clone()),
            encoding: Encoding::Utf16,
            reports: Reports::default(),
            pending: HashMap::new(),
            lint,
        }
    }

    #[test]
    fn a_panic_is_logged_and_the_next_version_is_linted() {
        let written = Written::default();
        let mut worker = worker(&written, panicking);
        let (_sender, receiver) = crossbeam_channel::unbounded();
        worker.take(job("boom", 1));
        worker.lint_one(&receiver);
        let messages = written.messages();
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert_eq!(messages[0]["method"], "window/logMessage");
        assert_eq!(messages[0]["params"]["type"], 1);
        assert!(
            messages[0]["params"]["message"]
                .as_str()
                .unwrap()
                .contains("crashed")
        );

        worker.take(job("fn f() {}", 2));
        worker.lint_one(&receiver);
        let messages = written.messages();
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert_eq!(messages[0]["method"], "textDocument/publishDiagnostics");
        assert_eq!(messages[0]["params"]["version"], 2);
    }

    #[test]
    fn an_internal_error_is_logged_and_shown() {
        let written = Written::default();
        let mut worker = worker(&written, internal_error);
        let (_sender, receiver) = crossbeam_channel::unbounded();
        worker.take(job("fn f() {}", 1));
        worker.lint_one(&receiver);
        let messages = written.messages();
        let methods: Vec<&str> = messages.iter().map(|m| m["method"].as_str().unwrap()).collect();
        assert_eq!(methods, ["window/logMessage", "textDocument/publishDiagnostics"]);
        assert_eq!(messages[1]["params"]["diagnostics"][0]["code"], INTERNAL_ERROR);
    }

    #[test]
    fn a_version_that_became_stale_while_linting_is_not_published() {
        let written = Written::default();
        let mut worker = worker(&written, workspace::lint);
        let (sender, receiver) = crossbeam_channel::unbounded();
        worker.take(job("fn f() {}", 1));
        sender.send(job("fn g() {}", 2)).unwrap();
        worker.lint_one(&receiver);
        assert!(written.messages().is_empty());
        worker.lint_one(&receiver);
        let messages = written.messages();
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0]["params"]["version"], 2);
    }
}
