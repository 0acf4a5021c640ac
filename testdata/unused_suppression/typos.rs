// A safe `--fix` never deletes a suppression, and leaves alone a finding that a suppression
// with a misspelt or malformed name was probably written for; a misspelt name gets the rule
// it is close to, and a fix that corrects it.
use tokio_util::sync::CancellationToken;

fn misspelt_above(token: CancellationToken) {
    // ctxlint: allow(dropped_cancel_gaurd) -- cancel at once //~ unused_suppression
    let _ = token.clone().drop_guard(); //~ dropped_cancel_guard
}

fn misspelt_after(token: CancellationToken) {
    let _ = token.clone().drop_guard(); // ctxlint: allow(ctxlint::droped_cancel_guard) -- now //~ unused_suppression //~ dropped_cancel_guard
}

fn malformed(token: CancellationToken) {
    // ctxlint: allow dropped_cancel_guard -- no parentheses //~ unused_suppression
    let _ = token.clone().drop_guard(); //~ dropped_cancel_guard
}

fn part_of_a_rule_name(token: CancellationToken) {
    // ctxlint: allow(guard) -- a word of one rule's name //~ unused_suppression
    let _ = token.clone().drop_guard(); //~ dropped_cancel_guard
}

fn far_from_any_rule(token: CancellationToken) {
    // ctxlint: allow(unused_variables) -- not a ctxlint rule at all //~ unused_suppression
    let _ = token.clone().drop_guard(); //~ dropped_cancel_guard
}

fn stale(token: CancellationToken) {
    // ctxlint: allow(dropped_cancel_guard) -- the guard is kept now //~ unused_suppression
    let _guard = token.clone().drop_guard();
}
