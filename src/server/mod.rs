//! `ctxlint server`: a language server on stdin/stdout.
//!
//! It lints open Rust documents' in-memory text through the same engine as the command line,
//! publishes the findings as diagnostics, and offers their fixes as code actions. It knows
//! nothing of lints: it maps [`crate::diagnostic::Diagnostic`]s and their fixes to LSP types.
//!
//! Threads: the reader (stdin → messages), the main loop (documents, requests), and the lint
//! worker (debounced linting and publishing). The main loop and the worker run on deep stacks,
//! as the engine's threads do.

mod actions;
mod convert;
mod document;
mod transport;
mod worker;
mod workspace;

use std::collections::HashMap;
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::Arc;

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{self as notif, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionParams, CodeActionProviderCapability,
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams, DidChangeWatchedFilesRegistrationOptions,
    DidChangeWorkspaceFoldersParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DidSaveTextDocumentParams, FileSystemWatcher, GlobPattern, InitializeParams, InitializeResult,
    LogMessageParams, MessageType, PositionEncodingKind, Registration, RegistrationParams, SaveOptions,
    ServerCapabilities, ServerInfo, ShowMessageParams, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Url, WorkspaceFoldersServerCapabilities,
    WorkspaceServerCapabilities,
};
use serde::de::DeserializeOwned;

use crate::engine::{FileReport, STACK_SIZE};
use document::{Document, Encoding};
use transport::{Incoming, Outgoing};
use worker::{Job, LintJob, Reports};
use workspace::Workspace;

/// Runs the server until `exit` or the end of stdin; returns the exit code.
pub fn run() -> i32 {
    let out = Outgoing::stdout();
    let incoming = transport::read_stdin();
    let main = std::thread::Builder::new()
        .name("ctxlint-server".into())
        .stack_size(STACK_SIZE)
        .spawn(move || serve(&incoming, out))
        .expect("server thread");
    main.join().unwrap_or(1)
}

#[derive(Clone, Copy)]
pub enum LogLevel {
    Error,
    Warning,
    Info,
}

/// `window/logMessage`: the client's log, not a pop-up.
pub fn log_message(out: &Outgoing, level: LogLevel, message: String) {
    let typ = match level {
        LogLevel::Error => MessageType::ERROR,
        LogLevel::Warning => MessageType::WARNING,
        LogLevel::Info => MessageType::INFO,
    };
    out.send(Notification::new(
        notif::LogMessage::METHOD.to_string(),
        LogMessageParams { typ, message },
    ));
}

/// The protocol's life cycle: requests before `initialize` are refused, `exit` ends the loop
/// (code 0 after `shutdown`, 1 without), and so does the end of stdin.
fn serve(incoming: &Receiver<Incoming>, out: Outgoing) -> i32 {
    let mut server: Option<Server> = None;
    let mut shut_down = false;
    for message in incoming {
        let message = match message {
            Incoming::Message(message) => message,
            Incoming::Malformed(reason) => {
                out.send_parse_error(&reason);
                continue;
            }
        };
        match message {
            Message::Notification(n) if n.method == notif::Exit::METHOD => {
                return if shut_down { 0 } else { 1 };
            }
            Message::Request(request) if request.method == req::Initialize::METHOD => {
                if server.is_some() {
                    let message = "the server is already initialized".to_string();
                    out.send(Response::new_err(
                        request.id,
                        ErrorCode::InvalidRequest as i32,
                        message,
                    ));
                    continue;
                }
                match initialize(&out, request) {
                    Some(started) => server = Some(started),
                    None => continue,
                }
            }
            Message::Request(request) if shut_down => {
                let message = "the server is shutting down".to_string();
                out.send(Response::new_err(
                    request.id,
                    ErrorCode::InvalidRequest as i32,
                    message,
                ));
            }
            Message::Request(request) if request.method == req::Shutdown::METHOD && server.is_some() => {
                shut_down = true;
                out.send(Response::new_ok(request.id, ()));
            }
            Message::Request(request) => match server.as_mut() {
                None => {
                    let message = "the server is not initialized yet".to_string();
                    out.send(Response::new_err(
                        request.id,
                        ErrorCode::ServerNotInitialized as i32,
                        message,
                    ));
                }
                Some(server) => server.request(request),
            },
            Message::Notification(notification) => {
                if let Some(server) = server.as_mut().filter(|_| !shut_down) {
                    server.notification(notification);
                }
            }
            // Answers to our own requests (capability registration).
            Message::Response(_) => {}
        }
    }
    0
}

/// Answers `initialize`; `None` if its parameters do not parse.
fn initialize(out: &Outgoing, request: Request) -> Option<Server> {
    let params: InitializeParams = match serde_json::from_value(request.params) {
        Ok(params) => params,
        Err(error) => {
            let message = format!("bad initialize parameters: {error}");
            out.send(Response::new_err(
                request.id,
                ErrorCode::InvalidParams as i32,
                message,
            ));
            return None;
        }
    };
    let capabilities = &params.capabilities;
    let offered = capabilities
        .general
        .as_ref()
        .and_then(|general| general.position_encodings.as_ref());
    let encoding = if offered.is_some_and(|kinds| kinds.contains(&PositionEncodingKind::UTF8)) {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    };
    let disabled_support = capabilities
        .text_document
        .as_ref()
        .and_then(|text| text.code_action.as_ref())
        .and_then(|code_action| code_action.disabled_support)
        .unwrap_or(false);
    let watch = capabilities
        .workspace
        .as_ref()
        .and_then(|workspace| workspace.did_change_watched_files.as_ref())
        .and_then(|watched| watched.dynamic_registration)
        .unwrap_or(false);
    let mut folders: Vec<PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|folder| folder.uri.to_file_path().ok())
        .collect();
    #[allow(deprecated)]
    if folders.is_empty()
        && let Some(root) = params.root_uri.as_ref().and_then(|uri| uri.to_file_path().ok())
    {
        folders.push(root);
    }
    let result = InitializeResult {
        capabilities: ServerCapabilities {
            position_encoding: Some(match encoding {
                Encoding::Utf8 => PositionEncodingKind::UTF8,
                Encoding::Utf16 => PositionEncodingKind::UTF16,
            }),
            text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            })),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![
                    CodeActionKind::QUICKFIX,
                    CodeActionKind::from(actions::FIX_ALL),
                ]),
                ..CodeActionOptions::default()
            })),
            workspace: Some(WorkspaceServerCapabilities {
                workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                    supported: Some(true),
                    change_notifications: Some(lsp_types::OneOf::Left(true)),
                }),
                file_operations: None,
            }),
            ..ServerCapabilities::default()
        },
        server_info: Some(ServerInfo {
            name: "ctxlint".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    };
    out.send(Response::new_ok(request.id, result));
    let reports = Reports::default();
    let mut server = Server {
        worker: worker::spawn(out.clone(), encoding, reports.clone()),
        out: out.clone(),
        encoding,
        disabled_support,
        watch,
        workspace: Workspace::new(folders),
        documents: HashMap::new(),
        reports,
    };
    server.workspace.refresh(&[]);
    Some(server)
}

struct Open {
    document: Document,
    /// `None`: not a `file:` URI.
    path: Option<PathBuf>,
}

struct Server {
    out: Outgoing,
    encoding: Encoding,
    disabled_support: bool,
    /// The client can watch files for us.
    watch: bool,
    workspace: Workspace,
    /// Open Rust documents.
    documents: HashMap<Url, Open>,
    reports: Reports,
    worker: Sender<Job>,
}

/// A request or notification whose handling failed; for a request, the error to answer with.
struct Failure {
    code: ErrorCode,
    message: String,
}

fn params<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, Failure> {
    serde_json::from_value(value).map_err(|error| Failure {
        code: ErrorCode::InvalidParams,
        message: format!("bad parameters: {error}"),
    })
}

impl Server {
    fn request(&mut self, request: Request) {
        let id = request.id.clone();
        let method = request.method.clone();
        let result = panic::catch_unwind(AssertUnwindSafe(|| self.answer(request)));
        let response = match result {
            Ok(Ok(value)) => Response::new_ok(id, value),
            Ok(Err(failure)) => Response::new_err(id, failure.code as i32, failure.message),
            Err(_) => {
                let message = format!("ctxlint crashed while answering {method}; please report it");
                log_message(&self.out, LogLevel::Error, message.clone());
                Response::new_err(id, ErrorCode::InternalError as i32, message)
            }
        };
        self.out.send(response);
    }

    fn answer(&mut self, request: Request) -> Result<serde_json::Value, Failure> {
        match request.method.as_str() {
            req::CodeActionRequest::METHOD => {
                let actions = self.code_actions(params(request.params)?);
                Ok(serde_json::to_value(actions).expect("serialisable"))
            }
            method => Err(Failure {
                code: ErrorCode::MethodNotFound,
                message: format!("ctxlint does not handle {method}"),
            }),
        }
    }

    fn notification(&mut self, notification: Notification) {
        let method = notification.method.clone();
        match panic::catch_unwind(AssertUnwindSafe(|| self.notified(notification))) {
            Ok(Ok(())) => {}
            Ok(Err(failure)) => {
                log_message(
                    &self.out,
                    LogLevel::Warning,
                    format!("{method}: {}", failure.message),
                );
            }
            Err(_) => {
                let message = format!("ctxlint crashed while handling {method}; please report it");
                log_message(&self.out, LogLevel::Error, message);
            }
        }
    }

    fn notified(&mut self, notification: Notification) -> Result<(), Failure> {
        match notification.method.as_str() {
            notif::Initialized::METHOD => self.register_watchers(),
            notif::DidOpenTextDocument::METHOD => {
                let params: DidOpenTextDocumentParams = params(notification.params)?;
                let item = params.text_document;
                let path = item
                    .uri
                    .to_file_path()
                    .ok()
                    .filter(|_| item.uri.scheme() == "file");
                let rust = item.language_id == "rust"
                    || path
                        .as_ref()
                        .is_some_and(|p| p.extension().is_some_and(|e| e == "rs"));
                if !rust {
                    return Ok(());
                }
                let document = Document::new(item.text, item.version, self.encoding);
                self.documents.insert(item.uri.clone(), Open { document, path });
                self.schedule(&item.uri);
            }
            notif::DidChangeTextDocument::METHOD => {
                let params: DidChangeTextDocumentParams = params(notification.params)?;
                let uri = params.text_document.uri;
                let Some(open) = self.documents.get_mut(&uri) else {
                    return Ok(());
                };
                for change in params.content_changes {
                    open.document.apply(change);
                }
                open.document.version = params.text_document.version;
                self.schedule(&uri);
            }
            notif::DidCloseTextDocument::METHOD => {
                let params: DidCloseTextDocumentParams = params(notification.params)?;
                if self.documents.remove(&params.text_document.uri).is_some() {
                    let _ = self.worker.send(Job::Close(params.text_document.uri));
                }
            }
            notif::DidSaveTextDocument::METHOD => {
                let params: DidSaveTextDocumentParams = params(notification.params)?;
                let saved: Vec<PathBuf> = params.text_document.uri.to_file_path().into_iter().collect();
                // Configuration may have been edited outside the editor: read it again.
                self.workspace.refresh(&saved);
                self.workspace.reload_configuration();
                self.schedule_all();
            }
            notif::DidChangeWatchedFiles::METHOD => {
                let params: DidChangeWatchedFilesParams = params(notification.params)?;
                let changed: Vec<PathBuf> = params
                    .changes
                    .iter()
                    .filter_map(|change| change.uri.to_file_path().ok())
                    .collect();
                if self.workspace.refresh(&changed) {
                    self.schedule_all();
                }
            }
            notif::DidChangeWorkspaceFolders::METHOD => {
                let params: DidChangeWorkspaceFoldersParams = params(notification.params)?;
                let path = |folder: &lsp_types::WorkspaceFolder| folder.uri.to_file_path().ok();
                let removed: Vec<PathBuf> = params.event.removed.iter().filter_map(path).collect();
                self.workspace.folders.retain(|folder| !removed.contains(folder));
                self.workspace
                    .folders
                    .extend(params.event.added.iter().filter_map(path));
                self.workspace.reload_configuration();
                self.schedule_all();
            }
            // `$/cancelRequest`, `$/setTrace` and the rest: nothing to do.
            _ => {}
        }
        Ok(())
    }

    /// Asks the client to tell us when configuration files change (if it can).
    fn register_watchers(&mut self) {
        if !self.watch {
            return;
        }
        let watchers = workspace::CONFIG_FILES
            .iter()
            .map(|name| FileSystemWatcher {
                glob_pattern: GlobPattern::String(format!("**/{name}")),
                kind: None,
            })
            .collect();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let registration = Registration {
            id: "ctxlint-configuration".into(),
            method: notif::DidChangeWatchedFiles::METHOD.into(),
            register_options: Some(serde_json::to_value(options).expect("serialisable")),
        };
        let params = RegistrationParams {
            registrations: vec![registration],
        };
        self.out.send(Request::new(
            RequestId::from("ctxlint-register-watchers".to_string()),
            req::RegisterCapability::METHOD.into(),
            params,
        ));
    }

    /// Hands the document's current text to the lint worker.
    fn schedule(&mut self, uri: &Url) {
        let Some(open) = self.documents.get(uri) else {
            return;
        };
        let (setup, problem) = self.workspace.setup_for(open.path.as_deref());
        if let Some(problem) = problem {
            self.show_warning(problem);
        }
        let job = LintJob {
            uri: uri.clone(),
            version: open.document.version,
            path: document_path(uri, open.path.as_ref()),
            text: open.document.text.clone(),
            setup,
        };
        let _ = self.worker.send(Job::Lint(job));
    }

    fn schedule_all(&mut self) {
        let uris: Vec<Url> = self.documents.keys().cloned().collect();
        for uri in uris {
            self.schedule(&uri);
        }
    }

    fn show_warning(&self, message: String) {
        log_message(&self.out, LogLevel::Warning, message.clone());
        self.out.send(Notification::new(
            notif::ShowMessage::METHOD.to_string(),
            ShowMessageParams {
                typ: MessageType::WARNING,
                message,
            },
        ));
    }

    fn code_actions(&mut self, params: CodeActionParams) -> Vec<lsp_types::CodeActionOrCommand> {
        let uri = &params.text_document.uri;
        let Some(open) = self.documents.get(uri) else {
            return Vec::new();
        };
        let (setup, _) = self.workspace.setup_for(open.path.as_deref());
        // The worker's report if it is of this version; otherwise lint the text now.
        let report: Arc<FileReport> = match self.reports.get(uri, open.document.version) {
            Some(report) => report,
            None => {
                let path = document_path(uri, open.path.as_ref());
                Arc::new(workspace::lint(&setup, &path, open.document.text.clone()).report)
            }
        };
        if report.source.text != open.document.text {
            // Not linted (too large or binary).
            return Vec::new();
        }
        let request = actions::Request {
            uri,
            range: params.range,
            diagnostics: &params.context.diagnostics,
            only: params.context.only.as_deref(),
            disabled_support: self.disabled_support,
        };
        actions::code_actions(&report, &open.document.index, &setup, &request)
    }
}

/// The path a document is linted as: its file, or for other URIs a name (configuration then
/// comes from the first workspace folder).
fn document_path(uri: &Url, path: Option<&PathBuf>) -> PathBuf {
    match path {
        Some(path) => path.clone(),
        None => PathBuf::from(uri.path().rsplit('/').next().unwrap_or("untitled.rs")),
    }
}
