//! `cargo ctxlint`: cargo runs `cargo-ctxlint ctxlint <args>`; see `cargo ctxlint --help`.

// The same allocator as `ctxlint` (see src/main.rs): this binary lints in process too.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    ctxlint::process::disable_huge_pages();
    std::process::exit(ctxlint::cargo::main(std::env::args_os()));
}
