//! ctxlint: a fast, syntax-level linter for Rust code that passes contexts and cancellation
//! tokens around.
//!
//! The pipeline per file: [`source`] (text and positions) → syn → [`model`] (what names mean)
//! → [`checker`] (walks the file, calls the [`lints`]) → [`diagnostic`]s → [`output`].
//! [`engine`] runs it over many files in parallel; [`cli`] is the command line; [`server`] is
//! the language server.

pub mod baseline;
pub mod cargo;
pub mod checker;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod engine;
pub mod exit;
pub mod finish;
pub mod fix;
pub mod lex;
pub mod model;
pub mod outline;
pub mod output;
pub mod parse;
pub mod paths;
pub mod process;
pub mod read;
pub mod server;
pub mod source;
pub mod suppress;
pub mod words;

#[path = "../lints/mod.rs"]
pub mod lints;
