//@ fix: unsafe
// Every suppression form, used and unused. `dropped_cancel_guard` is on (forms.toml), so the
// findings nothing suppresses are marked too.
use tokio_util::sync::CancellationToken;

fn trailing(token: CancellationToken) {
    let _ = token.clone().drop_guard(); // ctxlint: allow(dropped_cancel_guard) -- shut down now
    let _ = token.clone().drop_guard(); // ctxlint: allow(ctxlint::dropped_cancel_guard)
    let _guard = token.drop_guard(); // ctxlint: allow(dropped_cancel_guard) -- kept //~ unused_suppression
}

fn line_above(token: CancellationToken) {
    // ctxlint: allow(dropped_cancel_guard) -- shut down now
    let _ = token.clone().drop_guard();
    // ctxlint: allow(dropped_cancel_guard)
    // A plain comment between the suppression and the code.
    let _ = token.clone().drop_guard();
    // ctxlint: allow(dropped_cancel_guard) -- a blank line ends its reach //~ unused_suppression

    let _ = token.clone().drop_guard(); //~ dropped_cancel_guard
    // ctxlint: allow(dropped_cancel_guard) -- nothing to allow here //~ unused_suppression
    let _guard = token.drop_guard();
}

fn statement(token: CancellationToken, ready: bool) {
    // ctxlint: allow(dropped_cancel_guard) -- the whole `if` statement
    if ready {
        let _ = token.clone().drop_guard();
    }
    let _ = token.clone().drop_guard(); //~ dropped_cancel_guard
}

// ctxlint: allow(dropped_cancel_guard) -- the whole item
fn whole_item(token: CancellationToken) {
    let _ = token.clone().drop_guard();
    token.clone().drop_guard();
}

// ctxlint: allow(dropped_cancel_guard) -- above the doc comment and attributes
/// Documented.
#[inline]
fn documented(token: CancellationToken) {
    let _ = token.clone().drop_guard();
}

/// Documented.
// ctxlint: allow(dropped_cancel_guard) -- between the doc comment and the item
fn between(token: CancellationToken) {
    let _ = token.clone().drop_guard();
}

fn closures(token: CancellationToken) {
    let run = |t: CancellationToken| {
        // ctxlint: allow(dropped_cancel_guard) -- a statement in a closure
        let _ = t.drop_guard();
    };
    run(token.clone());
    match token.is_cancelled() {
        // ctxlint: allow(dropped_cancel_guard) -- a match arm
        true => {
            let _ = token.clone().drop_guard();
        }
        false => {}
    }
}

fn names(token: CancellationToken) {
    let _ = token.clone().drop_guard(); // ctxlint: allow(dropped_cancel_guard, no_such_rule) -- one unknown //~ unused_suppression
}

fn block_comments(token: CancellationToken) {
    let _ = token.clone().drop_guard(); /* ctxlint: allow(dropped_cancel_guard) -- after code */
    /* ctxlint: allow(dropped_cancel_guard) -- on a line of its own */
    let _ = token.clone().drop_guard();
    /* ctxlint: allow(dropped_cancel_guard) */ let _ = token.clone().drop_guard();
    /* ctxlint: allow(dropped_cancel_guard)
       -- over several lines */
    let _ = token.clone().drop_guard();
    let _guard = token.clone().drop_guard(); /* ctxlint: allow(dropped_cancel_guard) */ //~ unused_suppression
}

fn not_suppressions(token: CancellationToken) {
    let text = "// ctxlint: allow(dropped_cancel_guard)";
    let raw = r#"// ctxlint: allow(dropped_cancel_guard)"#;
    /// ctxlint: allow(dropped_cancel_guard) -- a doc comment is not a suppression
    let _ = token.clone().drop_guard(); //~ dropped_cancel_guard
    /** ctxlint: allow(dropped_cancel_guard) -- nor is a block doc comment */
    let _ = token.clone().drop_guard(); //~ dropped_cancel_guard
    // Prose that mentions ctxlint: allow(…) is not a suppression either.
    let _ = (text, raw);
}
