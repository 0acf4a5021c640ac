//! `cargo ctxlint`: cargo runs `cargo-ctxlint ctxlint <args>`; see `cargo ctxlint --help`.

fn main() {
    std::process::exit(ctxlint::cargo::main(std::env::args_os()));
}
