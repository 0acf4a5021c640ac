//! Findings of every rule, in code that compiles against the real crates. After
//! `ctxlint --fix --unsafe-fixes` it must still compile.
#![allow(dead_code, unused_variables, unused_mut, unused_imports, clippy::all)]

mod ctx_crate;
mod go_lib_context;
mod guards;
mod goish_context;
mod halo_context;
mod lost_cancel;
mod opentelemetry_values;
mod option_getter;
mod rmcp_handler;
mod rs_ctx_context;
mod scuffle_and_tree;
mod tokio_util_tokens;
