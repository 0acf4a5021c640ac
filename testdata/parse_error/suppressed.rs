// `parse_error` is suppressed like any rule, on the item (its attributes included) or the line.
use tokio_util::sync::CancellationToken;

// ctxlint: allow(parse_error) -- expanded by the macro
#[some_macro::rewrite]
fn first(token: CancellationToken) -> u8 {
    let = token;
    0
}

fn second(token: CancellationToken) -> yield u8 { token.cancel(); } // ctxlint: allow(parse_error)

fn third(token: CancellationToken) {
    // A comment in a part that was not read is not reported as unused.
    // ctxlint: allow(dropped_cancel_guard)
    let = token;
}
// ctxlint: allow-file(parse_error)
