//! Syntactically valid Rust assembled from context-API snippets, so that every lint engages:
//! the input chooses imports, parameters, statements and the loops, closures and macros that
//! wrap them.
#![no_main]

#[path = "common.rs"]
mod common;

#[path = "generate.rs"]
mod generate;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::run(&generate::text(data));
});
