//! `cargo ctxlint`: cargo runs `cargo-ctxlint ctxlint <args>`; the extra `ctxlint` is dropped.

fn main() {
    let mut args: Vec<_> = std::env::args_os().collect();
    if args.get(1).is_some_and(|arg| arg == "ctxlint") {
        args.remove(1);
    }
    std::process::exit(ctxlint::cli::run(args));
}
