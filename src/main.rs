//! `ctxlint [PATHS]...`: see `ctxlint --help`.

// syn allocates a node per token; mimalloc makes that markedly cheaper than the system
// allocator (see bench/compare.sh).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    ctxlint::process::disable_huge_pages();
    std::process::exit(ctxlint::cli::run(std::env::args_os()));
}
