//@ fix: unsafe
// `dropped_cancel_guard` is not checked here (rule_off.toml): whether its suppressions are needed
// cannot be told, so they are left alone. Unknown rules are still reported.
use tokio_util::sync::CancellationToken;

fn f(token: CancellationToken) {
    // ctxlint: allow(dropped_cancel_guard)
    let _guard = token.clone().drop_guard();
    // ctxlint: allow(dropped_cancel_guard, not_a_rule) -- one typo //~ unused_suppression
    let _guard = token.drop_guard();
}
