use syn::{Expr, Pat};

use crate::checker::{Checker, FnNode, FnOwner, Node};
use crate::diagnostic::{Diagnostic, Edit, Fix, Level};
use crate::model::escape::strip_type;
use crate::model::fate::{self, CancelPoint, EarlyExit, Fate, Handle};
use crate::model::{BindingKind, SpanKey, Ty};

super::declare_rule! {
    /// ## What it does
    /// Finds tokens whose cancellation can never happen, or is skipped on an early exit, while
    /// spawned work waits on them (Go's `lostcancel`, for tokio-util's `CancellationToken` and
    /// every catalog token with a drop guard):
    ///
    /// - a root the function makes (`let token = CancellationToken::new();`) that a spawned
    ///   task observes, when neither it nor any clone or child is ever cancelled, tied to a
    ///   guard, returned, stored, sent, or handed to a function that may cancel it;
    /// - a `token.cancel()` (or a guard made later) that a `?`, `return`, `let … else` or
    ///   `bail!` skips, taken after a spawned task started observing the token, with no guard
    ///   or cancel before it in a block that holds the exit;
    /// - a token parameter taken by value that the function ties to a guard, but only after
    ///   an early exit: on that path the function never cancels it.
    ///
    /// What counts as a use. Observing: `cancelled()`, `is_cancelled()`, `child_token()`,
    /// `run_until_cancelled()`, and passing it to a function whose body only does those with
    /// it (a function summary: read from the workspace, or from this file). Cancelling:
    /// `cancel()` and a guard (`drop_guard()`) on it, a clone or a child. Anything else — a
    /// method ctxlint does not know, a function from another crate, a trait method, a closure
    /// that captures it, storage in a field, a collection or a struct, a channel, returning it,
    /// a macro ctxlint cannot read — may cancel it, and the token is not reported. Spawned
    /// work: `tokio::spawn`, `spawn_blocking`, `spawn_local`, `thread::spawn`, and `spawn`
    /// methods except on a local binding (a `JoinSet` aborts its tasks when dropped). `main`
    /// and tests are not checked.
    ///
    /// ## Why is this bad?
    /// Dropping a token does not cancel it. Work waiting on a token nobody cancels runs until
    /// it ends by itself: a reader loop that outlives its connection, a worker that holds a
    /// lock after its caller gave up, a shutdown that hangs.
    ///
    /// ## Example
    /// ```rust
    /// async fn sync(peer: Peer) -> Result<()> {
    ///     let cancel = CancellationToken::new();
    ///     tokio::spawn(heartbeat(peer.clone(), cancel.clone()));
    ///     peer.handshake().await?;
    ///     peer.transfer().await?;
    ///     cancel.cancel();
    ///     Ok(())
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// async fn sync(peer: Peer) -> Result<()> {
    ///     let cancel = CancellationToken::new();
    ///     let _cancel_guard = cancel.clone().drop_guard();
    ///     tokio::spawn(heartbeat(peer.clone(), cancel.clone()));
    ///     peer.handshake().await?;
    ///     peer.transfer().await
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// The guard also cancels on the success path when the scope ends, which is what a task
    /// meant to outlive the function must not do; the fix is only applied with
    /// `--unsafe-fixes`.
    ///
    /// ## References
    /// - Go's `lostcancel` analyzer
    /// - `tokio_util::sync::CancellationToken::drop_guard`
    pub static LOST_CANCEL = {
        name: "lost_cancel",
        summary: "a token spawned work waits on is never cancelled, or its cancel is skipped by an early exit",
        group: super::Group::Correctness,
        level: Level::Warn,
        on_expr: check_root,
        on_fn: check_params,
    }
}

/// `let token = CancellationToken::new();` with spawned work under it.
fn check_root(checker: &Checker, expr: &Expr) {
    let Some(fate::RootLet {
        stmt,
        ident,
        token,
        function,
        block,
        guard,
    }) = fate::root_let(checker, expr)
    else {
        return;
    };
    if exempt(checker, &function) {
        return;
    }
    let fate = fate::fate_of(checker, block, token);
    // Stored in a struct: its owner may cancel it (`no_cancel_on_drop` asks whether it does).
    if fate.escapes || !fate.stored_in.is_empty() {
        return;
    }
    let name = ident.to_string();
    if fate.cancels.is_empty() {
        // Only a task nobody holds a handle to runs on for sure.
        let Some(spawn) = fate.spawned.iter().find(|s| s.handle == Handle::Detached) else {
            return;
        };
        let spawn = spawn.call;
        let message = format!(
            "`{name}` is never cancelled, so the task spawned on line {} that waits on it keeps running",
            line_of(checker, spawn)
        );
        let diagnostic = Diagnostic::new(LOST_CANCEL.name, checker.span(ident), message)
            .with_label("nothing cancels this token")
            .with_secondary(checker.span(spawn), "keeps running")
            .with_note("dropping a token does not cancel it");
        // Where the guard belongs depends on who owns the work: no edit is right everywhere (a
        // guard here cancels the task as soon as this function returns), so it is only shown.
        let fix = insert_guard(
            checker,
            GuardAt::After(checker.span(stmt).end),
            &checker.fresh_name(&format!("{}_guard", name.trim_start_matches('_'))),
            &guard.replace("{}", &name),
            "keep a guard for as long as the work should run (moved into the task that owns it, say)",
        );
        checker.report(diagnostic.with_fix(Fix::has_placeholders(fix.message, fix.edits)));
        return;
    }
    // A cancel in another task (a signal handler) is not skipped by this function's exits;
    // a root made inside a closure or async block leaves by that block's exits, not these.
    if fate.cancels.iter().any(|point| point.deferred) || !in_own_flow(checker) {
        return;
    }
    // An early exit drops a kept handle too; only an aborting one stops the task.
    let Some(spawn) = fate.spawned.iter().find(|s| s.handle != Handle::AbortsOnDrop) else {
        return;
    };
    let spawn = spawn.call;
    let after = checker.span(spawn).end;
    let Some((Skip { exit, skipped }, more)) = first_skipping_exit(checker, block, &fate, after) else {
        return;
    };
    let end = checker.span(stmt).end;
    let fix = guard_fix(checker, &fate, GuardAt::After(end), &name, &guard);
    let message = format!(
        "this {} leaves before `{}` on line {}, so the task spawned on line {} keeps running",
        exit.kind,
        cancel_text(checker, &skipped),
        line_of(checker, skipped.call),
        line_of(checker, spawn)
    );
    report_exit(checker, exit, more, message, &name, fix);
}

/// `fn run(token: CancellationToken) { …?; let _guard = token.drop_guard(); … }`: the
/// function takes charge of cancelling the token, but not on the early path.
fn check_params(checker: &Checker, function: &FnNode) {
    let Some(block) = function.block else {
        return;
    };
    if exempt(checker, function) {
        return;
    }
    let model = checker.model;
    for id in model.function_bindings(SpanKey::of(block), true) {
        let binding = model.binding(id);
        let Some(Ty::Api(ty)) = binding.ty else {
            continue;
        };
        if binding.kind != BindingKind::Param || !taken_by_value(function, &binding.ident) {
            continue;
        }
        let Some(guard) = checker.catalog.guard_template(ty) else {
            continue;
        };
        let fate = fate::fate_of(checker, block, id);
        // Handed to an owner, or cancelled some other way: not this function's alone.
        let other_cancel = fate.cancels.iter().any(|point| point.deferred || !point.guard);
        if fate.escapes || !fate.stored_in.is_empty() || other_cancel {
            continue;
        }
        let start = checker.span(block).start;
        let Some((Skip { exit, skipped }, more)) = first_skipping_exit(checker, block, &fate, start) else {
            continue;
        };
        let name = binding.ident.to_string();
        let message = format!(
            "this {} leaves before the guard on line {} is made, so `{name}` is never cancelled on this path",
            exit.kind,
            line_of(checker, skipped.call)
        );
        let first = block.stmts.first().map_or(start + 1, |s| checker.span(s).start);
        let fix = guard_fix(checker, &fate, GuardAt::Before(first), &name, &guard);
        report_exit(checker, exit, more, message, &name, fix);
    }
}

/// The early exits after `after` that skip a cancel point coming later, with no cancel point
/// covering them: the first, with the cancel point it skips, and how many more there are.
fn first_skipping_exit<'a>(
    checker: &Checker<'a>,
    block: &'a syn::Block,
    fate: &Fate<'a>,
    after: usize,
) -> Option<(Skip<'a>, usize)> {
    // Once per function, however many tokens it makes.
    let known = checker.per_file("early exits by function", || {
        std::cell::RefCell::new(std::collections::HashMap::<SpanKey, std::rc::Rc<Vec<EarlyExit>>>::new())
    });
    let exits = known
        .borrow_mut()
        .entry(SpanKey::of(block))
        .or_insert_with(|| std::rc::Rc::new(fate::early_exits(checker, block)))
        .clone();
    // Only the exits between the work's start and the last cancel point can skip one.
    let start = |exit: &EarlyExit| checker.span_of(exit.at).start;
    let last = fate
        .cancels
        .iter()
        .map(|point| checker.span(point.call).start)
        .max()?;
    let from = exits.partition_point(|exit| start(exit) < after);
    let to = exits.partition_point(|exit| start(exit) < last);
    let mut skipping = exits[from..to.max(from)].iter().copied().filter_map(|exit| {
        let at = start(&exit);
        if fate.cancels.iter().any(|point| fate::covers(point, &exit)) {
            return None;
        }
        // A cancel in a sibling branch (the other arm of a `match`) is not skipped: only one
        // coming later in a block that holds the exit is.
        let raw = exit.at.byte_range().start;
        let skipped = fate
            .cancels
            .iter()
            .find(|point| checker.span(point.call).start > at && point.block.range().contains(&raw))?;
        Some(Skip {
            exit,
            skipped: *skipped,
        })
    });
    let first = skipping.next()?;
    // `.await??` is one way out, not two.
    let line = |exit: &EarlyExit| checker.source.line_index(checker.span_of(exit.at).start);
    let mut lines: Vec<usize> = skipping
        .map(|skip| line(&skip.exit))
        .filter(|&l| l != line(&first.exit))
        .collect();
    lines.dedup();
    Some((first, lines.len()))
}

/// An early exit and the cancel point it skips.
struct Skip<'a> {
    exit: EarlyExit,
    skipped: CancelPoint<'a>,
}

fn report_exit(checker: &Checker, exit: EarlyExit, more: usize, message: String, name: &str, fix: Fix) {
    let mut diagnostic =
        Diagnostic::new(LOST_CANCEL.name, checker.span_of(exit.at), message).with_label("leaves here");
    if more > 0 {
        let exits = if more == 1 { "exit skips" } else { "exits skip" };
        diagnostic = diagnostic.with_note(format!("{more} more early {exits} it too"));
    }
    let diagnostic = diagnostic.with_note(format!(
        "a guard made as soon as `{name}` exists cancels it on every path"
    ));
    checker.report(diagnostic.with_fix(fix));
}

/// `main` (process exit ends everything) and tests.
fn exempt(checker: &Checker, function: &FnNode) -> bool {
    let is_main = function.name() == "main" && matches!(function.owner, FnOwner::Free);
    is_main || checker.in_test()
}

/// Whether the node being checked runs in its function's own flow, not in a closure or async
/// block inside it.
fn in_own_flow(checker: &Checker) -> bool {
    for node in checker.parents() {
        match node {
            Node::Expr(Expr::Closure(_) | Expr::Async(_)) => return false,
            Node::Fn(_) => return true,
            _ => {}
        }
    }
    false
}

fn taken_by_value(function: &FnNode, name: &syn::Ident) -> bool {
    function.sig.inputs.iter().any(|input| match input {
        syn::FnArg::Typed(typed) => {
            matches!(strip_type(&typed.pat), Pat::Ident(p) if p.ident == *name)
                && !matches!(*typed.ty, syn::Type::Reference(_))
        }
        syn::FnArg::Receiver(_) => false,
    })
}

fn cancel_text(checker: &Checker, point: &CancelPoint) -> String {
    let text = checker.text(point.call);
    if text.contains('\n') {
        if point.guard { "the guard" } else { "the cancel" }.to_string()
    } else {
        text.to_string()
    }
}

fn line_of(checker: &Checker, node: &Expr) -> usize {
    checker.source.line_index(checker.span(node).start) + 1
}

/// Where the guard goes: after the statement that makes the token, or before the body's
/// first statement.
enum GuardAt {
    After(usize),
    Before(usize),
}

/// A guard from where the token is made or received on. When the skipped cancel point is a
/// guard made later (and the only cancel point), that guard is made early instead and used
/// where it was: a second guard would cancel on the success path too. Beside `cancel()`
/// calls, which cancel at the end anyway, a guard of its own is added.
fn guard_fix(checker: &Checker, fate: &Fate, at: GuardAt, name: &str, guard: &str) -> Fix {
    let title = "cancel it on every way out";
    let call = guard.replace("{}", name);
    let base = name.trim_start_matches('_');
    match fate.cancels.as_slice() {
        [point] if point.guard => {
            let guard_name = checker.fresh_name(&format!("{base}_guard"));
            let mut fix = insert_guard(checker, at, &guard_name, &call, title);
            fix.edits
                .push(Edit::replace(checker.span(point.call), guard_name.clone()));
            fix.message = format!(
                "{title}: make the guard first (`let {guard_name} = {call};`) and use it where it is made now"
            );
            fix
        }
        // Several guards made later: which to move instead is the author's call.
        points if points.iter().any(|point| point.guard) => {
            let guard_name = checker.fresh_name(&format!("{base}_guard"));
            let fix = insert_guard(checker, at, &guard_name, &call, title);
            Fix::has_placeholders(
                format!(
                    "{title}: make one guard as soon as `{name}` exists and use it where guards are made now"
                ),
                fix.edits,
            )
        }
        _ => insert_guard(
            checker,
            at,
            &checker.fresh_name(&format!("_{base}_guard")),
            &call,
            title,
        ),
    }
}

fn insert_guard(checker: &Checker, at: GuardAt, guard_name: &str, call: &str, title: &str) -> Fix {
    let newline = checker.source.newline();
    let edit = match at {
        GuardAt::After(end) => {
            let indent = checker.source.indent_at(end.saturating_sub(1));
            Edit::insert(
                checker.source.end_of_line_after(end),
                format!("{newline}{indent}let {guard_name} = {call};"),
            )
        }
        GuardAt::Before(start) => {
            let indent = checker.source.indent_at(start);
            Edit::insert(start, format!("let {guard_name} = {call};{newline}{indent}"))
        }
    };
    Fix::maybe_incorrect(format!("{title}: `let {guard_name} = {call};`"), vec![edit])
}
