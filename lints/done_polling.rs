use quote::ToTokens;
use syn::visit::Visit;
use syn::{Expr, Stmt};

use crate::checker::{Checker, MacroCall};
use crate::diagnostic::{Diagnostic, Edit, Fix, Level};
use crate::model::SpanKey;
use crate::model::catalog::{Callable, Role};
use crate::model::loops::{self, ExitKind, Loop, LoopKind};
use crate::model::macros::{self, Fallback, FallbackKind, MacroBody, Select, SelectArm, SelectFlavor};
use crate::model::unreferenced;
use crate::source::Span;

super::declare_rule! {
    /// ## What it does
    /// Finds loops that wait for cancellation by polling it:
    ///
    /// - a loop that stops on a cancellation check (`is_cancelled()`, `is_done()`,
    ///   `err().is_none()`, `Err()`, `cancelled().now_or_never()`, `try_recv()` on a done
    ///   channel: its condition, or an `if` around a way out) and awaits a sleep that is not
    ///   raced against cancellation, whatever else it awaits and however else it may end: an
    ///   idle or back-off sleep holds shutdown up until it ends. Sleeps are `tokio::time::sleep`
    ///   and `sleep_until`, an awaited `.sleep(d)`/`.sleep_until(t)` on any receiver (an
    ///   injected clock), an awaited `interval.tick()`, and whatever the configuration declares.
    ///   The token may come from a workspace function returning `Option` of one, checked with
    ///   `is_none_or(|t| t.is_cancelled())` or `is_some_and(…)`: the fix then takes it out of
    ///   the `Option` in the raced future;
    /// - a loop whose condition, or only way out, is such a check and whose body waits only by
    ///   spinning or blocking sleeps: nothing at all, `thread::sleep`, `yield_now`, `spin_loop`;
    /// - a `select!` inside a loop with a `default` arm beside an arm on `done()`/`cancelled()`,
    ///   when the loop does nothing else but sleep or spin;
    /// - a `select!` inside a `loop` whose arm on `cancelled()`/`done()` does not leave the loop.
    ///
    /// ## Why is this bad?
    /// A busy loop burns a core until cancellation comes; a sleeping one notices cancellation
    /// only when the sleep ends, so shutdown waits for it. A cancelled token's `cancelled()` is
    /// ready at once, every time: a loop that selects on it and stays in the loop spins.
    ///
    /// Checking cancellation once per iteration of a loop that does real work (awaits I/O,
    /// blocks on a channel, computes) without sleeping is cooperative cancellation and is fine,
    /// as are loops whose waits are raced against cancellation: a `select!` (without
    /// `default`) with an arm on `cancelled()`, `run_until_cancelled`, and a sleep that is only
    /// a `select!` arm beside real work (a timeout on that work, like `timeout(d, rx.recv())`).
    /// tokio's `select! { …, else => … }` does not poll: its `else` runs only once every
    /// branch is disabled.
    ///
    /// ## Example
    /// ```rust
    /// while !token.is_cancelled() {
    ///     refresh_metrics();
    ///     tokio::time::sleep(Duration::from_secs(10)).await;
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// while !token.is_cancelled() {
    ///     refresh_metrics();
    ///     tokio::select! {
    ///         _ = token.cancelled() => break,
    ///         _ = tokio::time::sleep(Duration::from_secs(10)) => {}
    ///     }
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Racing the sleep against cancellation, awaiting `cancelled()` instead of spinning,
    /// removing an empty `default` arm and leaving the loop from the cancellation arm all
    /// change when the loop ends, which is the point, but code after the wait no longer runs
    /// once more: these fixes are applied only with `--unsafe-fixes`. Where the wait cannot be
    /// written for the API at hand, the fix is only described.
    ///
    /// ## Configuration
    /// An in-house clock or wait function counts as a sleep once declared with the `sleep`
    /// role in `ctxlint.toml`:
    /// ```toml
    /// [[api]]
    /// name = "acme-time"
    /// crates = ["acme_time"]
    /// functions."acme_time::pause" = { role = "sleep" }
    /// methods.wait_for = { role = "sleep" }   # any receiver's `.wait_for(d)`
    /// ```
    ///
    /// ## References
    /// - ruff `ASYNC110` (async-busy-wait)
    /// - staticcheck `SA5004` (empty default in a `for`/`select` loop)
    /// - `tokio_util::sync::CancellationToken::cancelled`, `run_until_cancelled`
    pub static DONE_POLLING = {
        name: "done_polling",
        summary: "a loop waits for cancellation by polling it, sleeping or spinning in between",
        group: super::Group::Correctness,
        level: Level::Warn,
        on_expr: check_loop,
        on_macro: check_select,
    }
}

/// A cancellation check that does not wait.
struct Poll<'a> {
    /// The check itself (`token.is_cancelled()`, `ctx.done().try_recv()`).
    call: &'a Expr,
    /// What is checked (`token`).
    target: &'a Expr,
    /// A method of it that waits for cancellation as a future (`cancelled`), if it has one.
    wait: Option<&'a Callable>,
    /// One that blocks instead (go-lib's `done()` channel).
    blocking_wait: Option<&'a Callable>,
    /// Checked inside an `Option` method's closure: `shutdown_token().is_none_or(|t| …)`.
    through: Option<Through<'a>>,
}

/// The `Option` a poll's target comes out of.
#[derive(Clone, Copy)]
struct Through<'a> {
    /// What gives the `Option` (`shutdown_token()`).
    option: &'a Expr,
    /// `is_none_or`: no value counts as cancelled.
    none_stops: bool,
}

impl<'a> Poll<'a> {
    /// The future that completes on cancellation, as code: `token.cancelled()`, or for a token
    /// out of an `Option`, an `async` block that takes it out first.
    fn wait_future(&self, checker: &Checker<'a>, wait: &str) -> String {
        let target = checker.text(self.target);
        let Some(through) = self.through else {
            return format!("{target}.{wait}()");
        };
        let option = checker.text(through.option);
        if through.none_stops {
            format!("async {{ if let Some({target}) = {option} {{ {target}.{wait}().await }} }}")
        } else {
            format!(
                "async {{ match {option} {{ Some({target}) => {target}.{wait}().await, None => std::future::pending().await }} }}"
            )
        }
    }

    /// How messages name what to wait on: `` `token.cancelled()` ``.
    fn wait_shown(&self, checker: &Checker<'a>, wait: &str) -> String {
        match self.through {
            Some(through) => format!("`{wait}()` of the token `{}` gives", checker.text(through.option)),
            None => format!("`{}.{wait}()`", checker.text(self.target)),
        }
    }
}

impl Poll<'_> {
    fn name(&self) -> String {
        match self.call {
            Expr::MethodCall(call) => format!("{}()", call.method),
            _ => "the check".to_string(),
        }
    }
}

/// Finds the cancellation check in a loop condition: `!token.is_cancelled()`,
/// `ctx.err().is_none()`, `ctx.Err() == nil`, `let None = ctx.err()`.
fn poll_in<'a>(checker: &Checker<'a>, expr: &'a Expr) -> Option<Poll<'a>> {
    if let Some(poll) = as_poll(checker, expr) {
        return Some(poll);
    }
    match expr {
        Expr::Unary(e) if matches!(e.op, syn::UnOp::Not(_)) => poll_in(checker, &e.expr),
        Expr::Paren(e) => poll_in(checker, &e.expr),
        Expr::Group(e) => poll_in(checker, &e.expr),
        Expr::Let(e) => poll_in(checker, &e.expr),
        Expr::Binary(e) if matches!(e.op, syn::BinOp::Eq(_) | syn::BinOp::Ne(_)) => {
            let constant = |e: &Expr| matches!(e, Expr::Path(_) | Expr::Lit(_));
            if constant(&e.right) {
                poll_in(checker, &e.left)
            } else if constant(&e.left) {
                poll_in(checker, &e.right)
            } else {
                None
            }
        }
        Expr::MethodCall(call)
            if call.args.is_empty()
                && matches!(
                    call.method.to_string().as_str(),
                    "is_none" | "is_some" | "is_ok" | "is_err"
                ) =>
        {
            poll_in(checker, &call.receiver)
        }
        // `shutdown_token().is_none_or(|token| token.is_cancelled())`.
        Expr::MethodCall(call) if call.method == "is_none_or" || call.method == "is_some_and" => {
            let [Expr::Closure(closure)] = call.args.iter().collect::<Vec<_>>()[..] else {
                return None;
            };
            let [syn::Pat::Ident(param)] = closure.inputs.iter().collect::<Vec<_>>()[..] else {
                return None;
            };
            let body = match &*closure.body {
                Expr::Block(block) => match block.block.stmts.as_slice() {
                    [Stmt::Expr(body, None)] => body,
                    _ => return None,
                },
                body => body,
            };
            let mut poll = as_poll(checker, body)?;
            if !matches!(poll.target, Expr::Path(p) if p.path.is_ident(&param.ident)) {
                return None;
            }
            poll.through = Some(Through {
                option: &call.receiver,
                none_stops: call.method == "is_none_or",
            });
            Some(poll)
        }
        _ => None,
    }
}

/// A call that checks cancellation without waiting.
fn as_poll<'a>(checker: &Checker<'a>, expr: &'a Expr) -> Option<Poll<'a>> {
    let Expr::MethodCall(call) = expr else {
        return None;
    };
    let callable = checker.model.method_callable(call);
    if callable.is_some_and(|c| c.role == Some(Role::Poll)) {
        let owner = callable.and_then(|c| c.owner);
        let waits: Vec<&Callable> = owner
            .map(|owner| checker.catalog.methods_of(owner))
            .unwrap_or_default()
            .into_iter()
            .filter(|m| m.role == Some(Role::Wait) && !m.consumes)
            .collect();
        return Some(Poll {
            call: expr,
            target: &call.receiver,
            wait: waits.iter().find(|m| !m.blocking).copied(),
            blocking_wait: waits.iter().find(|m| m.blocking).copied(),
            through: None,
        });
    }
    // `token.cancelled().now_or_never()`, `ctx.done().try_recv()`.
    if call.args.is_empty() && matches!(call.method.to_string().as_str(), "now_or_never" | "try_recv") {
        let Expr::MethodCall(inner) = unreferenced(&call.receiver) else {
            return None;
        };
        let wait = checker.model.method_callable(inner)?;
        if wait.role == Some(Role::Wait) {
            return Some(Poll {
                call: expr,
                target: &inner.receiver,
                wait: (!wait.blocking && !wait.consumes).then_some(wait),
                blocking_wait: wait.blocking.then_some(wait),
                through: None,
            });
        }
    }
    None
}

/// A future or channel that waits for cancellation: `token.cancelled()`, `ctx.done()`,
/// `&mut token.cancelled().fuse()`.
fn is_cancellation_wait(checker: &Checker, expr: &Expr) -> bool {
    match unreferenced(expr) {
        Expr::MethodCall(call) if matches!(call.method.to_string().as_str(), "fuse" | "boxed") => {
            is_cancellation_wait(checker, &call.receiver)
        }
        Expr::Call(call) if is_box_pin(call) => call
            .args
            .first()
            .is_some_and(|a| is_cancellation_wait(checker, a)),
        expr => checker
            .model
            .callable(expr)
            .is_some_and(|c| c.role == Some(Role::Wait)),
    }
}

fn is_box_pin(call: &syn::ExprCall) -> bool {
    matches!(&*call.func, Expr::Path(p) if p.path.segments.iter().map(|s| s.ident.to_string()).collect::<Vec<_>>().ends_with(&["Box".to_string(), "pin".to_string()]))
}

// ---------------------------------------------------------------------------------------------
// Loops whose condition or only exit is a poll.

/// How a loop waits, when all it does is poll.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Busy {
    /// Async code whose only awaits are sleeps.
    SleepAwait,
    /// `thread::sleep` and nothing else.
    Sleep,
    /// Nothing at all, or only `yield_now`/`spin_loop`.
    Spin,
}

/// The poll a `loop` leaves by: every way out of the body is inside `if <poll> { … }`.
struct PollExit<'a> {
    poll: Poll<'a>,
    /// The `if`s that check it.
    guards: Vec<&'a syn::ExprIf>,
    /// No other way out of the loop (`?`, a `break` elsewhere) exists.
    only_exit: bool,
}

fn check_loop(checker: &Checker, expr: &Expr) {
    let Some(found) = Loop::of(expr) else {
        return;
    };
    // A test that stops a little late costs nothing.
    if checker.in_test() {
        return;
    }
    let (poll, guards, only_exit) = match expr {
        Expr::While(w) => match poll_in(checker, &w.cond) {
            Some(poll) => (poll, Vec::new(), true),
            // `while more { if token.is_cancelled() { break; } … }`: the condition is another
            // exit. One that awaits (`while let Some(job) = rx.recv().await`) waits without
            // cancellation itself, so racing the sleep alone would not be the fix.
            None if !mentions_await(&w.cond.to_token_stream()) => {
                let Some(exit) = poll_exit(checker, &found) else {
                    return;
                };
                (exit.poll, exit.guards, false)
            }
            None => return,
        },
        Expr::Loop(_) => {
            let Some(exit) = poll_exit(checker, &found) else {
                return;
            };
            (exit.poll, exit.guards, exit.only_exit)
        }
        _ => return,
    };
    let skip: Vec<SpanKey> = guards.iter().map(|g| SpanKey::of(*g)).collect();
    let mut iteration = Iteration::new(checker, skip);
    if let Some(block) = found.block() {
        iteration.visit_block(block);
    }
    // A `select!` with `default` on the cancellation itself is reported as such.
    if iteration.polling_select {
        return;
    }
    let Some(busy) = iteration.busy() else {
        return;
    };
    // A loop that spins or blocks while it waits for more than cancellation polls them all.
    // One whose token comes out of an `Option` has no single token to block on instead.
    if (!only_exit || poll.through.is_some()) && busy != Busy::SleepAwait {
        return;
    }
    let checks = format!("`{}`", poll.name());
    let wait = poll
        .wait
        .filter(|_| checker.in_async())
        .or(poll.blocking_wait)
        .map(|w| poll.wait_shown(checker, &w.name));
    let message = match (busy, wait) {
        (Busy::SleepAwait, Some(wait)) => format!(
            "this loop polls {checks} and sleeps in between, so cancellation waits for the sleep to end; race the sleep against {wait}"
        ),
        (Busy::SleepAwait, None) => format!(
            "this loop polls {checks} and sleeps in between, so cancellation waits for the sleep to end; race the sleep against cancellation"
        ),
        (Busy::Sleep, Some(wait)) => {
            format!(
                "this loop waits for cancellation by polling {checks} between sleeps; block on {wait} instead"
            )
        }
        (Busy::Sleep, None) => {
            format!(
                "this loop waits for cancellation by polling {checks} between sleeps; block on cancellation instead"
            )
        }
        (Busy::Spin, Some(wait)) => {
            format!("this loop spins on {checks} until cancelled; wait on {wait} instead")
        }
        (Busy::Spin, None) => {
            format!("this loop spins on {checks} until cancelled; wait for cancellation instead")
        }
    };
    let mut diagnostic = Diagnostic::new(DONE_POLLING.name, checker.span(poll.call), message)
        .with_label("polled here")
        .with_secondary(loop_keyword(checker, expr), "in this loop");
    for &sleep in &iteration.sleeps {
        diagnostic = diagnostic.with_secondary(checker.span(sleep), "not raced against cancellation");
    }
    let fix = match busy {
        Busy::SleepAwait => race_sleep(checker, &poll, &guards, &iteration),
        Busy::Sleep | Busy::Spin => await_instead(checker, expr, &poll, &guards, &iteration),
    };
    checker.report(diagnostic.with_fix(fix));
}

/// A `loop` whose every exit is under `if <poll>` among its statements.
fn poll_exit<'a>(checker: &Checker<'a>, found: &Loop<'a>) -> Option<PollExit<'a>> {
    let block = found.block()?;
    let mut guards = Vec::new();
    let mut poll = None;
    for stmt in &block.stmts {
        if let Stmt::Expr(Expr::If(guard), _) = stmt
            && let Some(found_poll) = poll_in(checker, &guard.cond)
        {
            poll.get_or_insert(found_poll);
            guards.push(guard);
        }
    }
    let poll = poll?;
    let exits: Vec<_> = found
        .exits(checker.model)
        .into_iter()
        .filter(|exit| exit.leaves() && exit.kind != ExitKind::Diverge)
        .collect();
    let guarded = |at: SpanKey| guards.iter().any(|g| SpanKey::of(&g.then_branch).contains(at));
    if !exits.iter().any(|exit| guarded(exit.at)) {
        return None;
    }
    let only_exit = exits.iter().all(|exit| guarded(exit.at));
    Some(PollExit {
        poll,
        guards,
        only_exit,
    })
}

/// What one iteration of a loop does while it waits.
struct Iteration<'c, 'a> {
    checker: &'c Checker<'a>,
    /// Regions not part of the iteration's work (the `if`s that check cancellation; their
    /// `else` branches are).
    skip: Vec<SpanKey>,
    /// Waits on cancellation (a `select!` arm, `run_until_cancelled`, `cancelled().await`).
    raced: bool,
    /// Awaits or blocks on something else.
    waits: bool,
    /// Awaited sleeps.
    sleeps: Vec<&'a Expr>,
    sleeps_sync: bool,
    /// Calls that do something.
    work: bool,
    /// A `select!` whose `default` polls cancellation.
    polling_select: bool,
    /// Loops inside the loop around the node being visited.
    depth: usize,
    /// Awaits that are statements of the loop itself (not of a loop inside it).
    sleep_statements: Vec<SpanKey>,
    /// Where each `select!` arm starts, by where its future starts.
    arm_starts: Vec<(usize, usize)>,
}

impl<'c, 'a> Iteration<'c, 'a> {
    fn new(checker: &'c Checker<'a>, skip: Vec<SpanKey>) -> Self {
        Iteration {
            checker,
            skip,
            raced: false,
            waits: false,
            sleeps: Vec::new(),
            sleeps_sync: false,
            work: false,
            polling_select: false,
            depth: 0,
            sleep_statements: Vec::new(),
            arm_starts: Vec::new(),
        }
    }

    fn busy(&self) -> Option<Busy> {
        if self.raced {
            None
        } else if !self.sleeps.is_empty() {
            // An idle or back-off sleep holds shutdown up however much else the loop does.
            Some(Busy::SleepAwait)
        } else if self.waits || self.work {
            None
        } else if self.sleeps_sync {
            Some(Busy::Sleep)
        } else {
            Some(Busy::Spin)
        }
    }

    /// A future that only waits for time to pass.
    fn is_sleep(&self, future: &Expr) -> bool {
        let future = unreferenced(future);
        match self.role(future) {
            Some(role) => role == Role::Sleep,
            None => is_clock_wait(future),
        }
    }

    fn role(&self, expr: &Expr) -> Option<Role> {
        self.checker.model.callable(expr).and_then(|c| c.role)
    }

    /// A future being awaited (by `.await`, `join!` or a blocking `select!`).
    fn awaited(&mut self, future: &'a Expr, whole: &'a Expr) {
        let future = unreferenced(future);
        if self.is_sleep(future) {
            self.sleeps.push(whole);
            return;
        }
        match self.role(future) {
            Some(Role::Spin) => {}
            Some(Role::Wait | Role::RunUntilCancelled) => self.raced = true,
            _ => {
                self.waits = true;
                self.visit_expr(future);
            }
        }
    }

    fn select(&mut self, select: &'a Select) {
        let polls = select
            .fallbacks
            .iter()
            .any(|f| f.kind == FallbackKind::Default && f.timeout.is_none());
        let on_cancel = select
            .arms
            .iter()
            .any(|arm| is_cancellation_wait(self.checker, &arm.expr));
        if polls {
            // Arms run only when ready; each iteration runs `default` otherwise.
            self.polling_select |= on_cancel;
            for fallback in &select.fallbacks {
                self.visit_expr(&fallback.body);
            }
            return;
        }
        if on_cancel {
            self.raced = true;
        } else if select.flavor == SelectFlavor::Channel {
            self.waits = true;
        } else {
            // A sleep raced against real work is that work's timeout, not an idle wait.
            let waits_on_work = select.arms.iter().any(|arm| !self.is_sleep(&arm.expr));
            for arm in &select.arms {
                if waits_on_work && self.is_sleep(&arm.expr) {
                    continue;
                }
                if let Some(pat) = &arm.pat {
                    self.arm_starts
                        .push((self.checker.span(&arm.expr).start, self.checker.span(pat).start));
                }
                self.awaited(&arm.expr, &arm.expr);
            }
        }
        for arm in &select.arms {
            self.visit_expr(&arm.body);
        }
        for fallback in &select.fallbacks {
            self.visit_expr(&fallback.body);
        }
    }
}

/// An awaited wait for time on some clock: `clock.sleep(d)`, `time.sleep_until(t)` (an
/// injected clock), `interval.tick()`.
fn is_clock_wait(future: &Expr) -> bool {
    let Expr::MethodCall(call) = future else {
        return false;
    };
    match call.method.to_string().as_str() {
        "sleep" | "sleep_until" => call.args.len() == 1,
        "tick" => call.args.is_empty(),
        _ => false,
    }
}

/// Macros that only report: they are not work.
const REPORTING_MACROS: &[&str] = &[
    "print",
    "println",
    "eprint",
    "eprintln",
    "trace",
    "debug",
    "info",
    "warn",
    "error",
    "event",
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "dbg",
];

impl<'a> Visit<'a> for Iteration<'_, 'a> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        let key = SpanKey::of(expr);
        if self.skip.contains(&key) {
            if let Expr::If(guard) = expr
                && let Some((_, otherwise)) = &guard.else_branch
            {
                self.visit_expr(otherwise);
            }
            return;
        }
        match expr {
            Expr::Await(e) => return self.awaited(&e.base, expr),
            Expr::Closure(_) | Expr::Async(_) | Expr::Const(_) => return,
            Expr::ForLoop(_) | Expr::While(_) | Expr::Loop(_) => {
                self.depth += 1;
                syn::visit::visit_expr(self, expr);
                self.depth -= 1;
                return;
            }
            Expr::MethodCall(call)
                if call.args.is_empty()
                    && matches!(call.method.to_string().as_str(), "now_or_never" | "try_recv")
                    && self.role(unreferenced(&call.receiver)) == Some(Role::Wait) =>
            {
                return;
            }
            Expr::Call(_) | Expr::MethodCall(_) => match self.role(expr) {
                Some(Role::Sleep) => {
                    self.sleeps_sync = true;
                    return;
                }
                Some(Role::Spin | Role::Poll) => return,
                Some(Role::Wait | Role::RunUntilCancelled) => {
                    self.raced = true;
                    return;
                }
                _ => self.work = true,
            },
            _ => {}
        }
        syn::visit::visit_expr(self, expr);
    }

    fn visit_item(&mut self, _: &'a syn::Item) {}

    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.depth == 0
            && let Stmt::Expr(expr @ Expr::Await(_), Some(_)) = stmt
        {
            self.sleep_statements.push(SpanKey::of(expr));
        }
        syn::visit::visit_stmt(self, stmt);
    }

    fn visit_macro(&mut self, mac: &'a syn::Macro) {
        let name = macros::macro_name(mac);
        if REPORTING_MACROS.contains(&name.as_str()) {
            return;
        }
        match self.checker.model.macro_body(mac) {
            Some(MacroBody::Select(select)) => self.select(select),
            Some(MacroBody::Exprs(exprs)) if matches!(name.as_str(), "join" | "try_join") => {
                for expr in exprs {
                    self.awaited(expr, expr);
                }
            }
            Some(body) => macros::visit_body(self, body),
            // What an unknown macro does is unknown: count it as work, and as a wait if it
            // awaits.
            None if !loops::is_diverging_macro(mac) => {
                self.work = true;
                let awaiting = matches!(name.as_str(), "select" | "select_biased" | "join" | "try_join");
                self.waits |= awaiting || mentions_await(&mac.tokens);
                // A `select!` ctxlint cannot read may well wait on cancellation.
                self.raced |= matches!(name.as_str(), "select" | "select_biased");
            }
            None => {}
        }
    }
}

// ---------------------------------------------------------------------------------------------
// `select!` inside loops.

fn check_select(checker: &Checker, call: &MacroCall) {
    let MacroBody::Select(select) = call.body else {
        return;
    };
    if checker.in_test() {
        return;
    }
    let cancel_arms: Vec<&SelectArm> = select
        .arms
        .iter()
        .filter(|arm| is_cancellation_wait(checker, &arm.expr))
        .collect();
    if cancel_arms.is_empty() {
        return;
    }
    let Some(found) = checker.enclosing_loops().into_iter().next() else {
        return;
    };
    if found.kind == LoopKind::Closure || loop_facts(checker, &found).runs_once {
        return;
    }
    let polling = select
        .fallbacks
        .iter()
        .find(|f| f.kind == FallbackKind::Default && f.timeout.is_none());
    match polling {
        Some(default) => check_polling_select(checker, call, select, default, &found),
        None => check_cancel_arm_stays(checker, call, &cancel_arms, &found),
    }
}

/// What the `select!` checks ask of their enclosing loop, worked out once per loop: a loop
/// holding hundreds of nested `select!`s asks for each, and each answer walks the whole loop.
struct LoopFacts {
    runs_once: bool,
    /// Where the body leaves the loop.
    ways_out: Vec<SpanKey>,
}

fn loop_facts(checker: &Checker, found: &Loop) -> std::rc::Rc<LoopFacts> {
    let known = checker.per_file("done_polling loop facts", || {
        std::cell::RefCell::new(std::collections::HashMap::<SpanKey, std::rc::Rc<LoopFacts>>::new())
    });
    let mut known = known.borrow_mut();
    known
        .entry(SpanKey::of(found.expr))
        .or_insert_with(|| {
            std::rc::Rc::new(LoopFacts {
                runs_once: found.runs_once(checker.model),
                ways_out: found
                    .exits(checker.model)
                    .iter()
                    .filter(|exit| exit.leaves())
                    .map(|exit| exit.at)
                    .collect(),
            })
        })
        .clone()
}

/// `loop { select! { recv(ctx.done()) -> _ => break, default => {} } }`.
fn check_polling_select(
    checker: &Checker,
    call: &MacroCall,
    select: &Select,
    default: &Fallback,
    found: &Loop,
) {
    let mut iteration = Iteration::new(checker, Vec::new());
    if let Some(block) = found.block() {
        iteration.visit_block(block);
    }
    if let Expr::While(w) = found.expr {
        iteration.visit_expr(&w.cond);
    }
    if iteration.busy().is_none() {
        return;
    }
    let name = call.name();
    let message = format!(
        "`{name}!` with `default` polls cancellation on every iteration of this loop, which spins while nothing is ready; let `{name}!` block instead"
    );
    let keyword = checker.span_of(default.keyword);
    let empty = matches!(&default.body, Expr::Block(b) if b.block.stmts.is_empty())
        || matches!(&default.body, Expr::Tuple(t) if t.elems.is_empty());
    let fix = if empty {
        let span = fallback_span(checker, default);
        Fix::maybe_incorrect(
            "remove the empty `default` arm, so that the select blocks until an arm is ready",
            vec![Edit::replace(span, "")],
        )
    } else if select.flavor == SelectFlavor::Channel {
        Fix::has_placeholders(
            "give `default` a timeout, so that the select blocks on cancellation in between",
            vec![Edit::replace(keyword, "default(/* timeout */)")],
        )
    } else {
        Fix::has_placeholders(
            "remove the `default` arm and wait for what it waits for in an arm of its own",
            vec![Edit::replace(fallback_span(checker, default), "")],
        )
    };
    let diagnostic = Diagnostic::new(DONE_POLLING.name, keyword, message)
        .with_label("runs whenever nothing is ready")
        .with_secondary(loop_keyword(checker, found.expr), "in this loop")
        .with_fix(fix);
    checker.report(diagnostic);
}

/// `loop { select! { _ = token.cancelled() => { log() }, … } }`: once cancelled, the arm is
/// ready on every iteration.
fn check_cancel_arm_stays(checker: &Checker, call: &MacroCall, cancel_arms: &[&SelectArm], found: &Loop) {
    if found.kind != LoopKind::Loop {
        return;
    }
    let model = checker.model;
    let inside = SpanKey::of(call.mac);
    // A way out elsewhere in the loop may be taken once cancelled.
    if loop_facts(checker, found)
        .ways_out
        .iter()
        .any(|&at| !inside.contains(at))
    {
        return;
    }
    for arm in cancel_arms {
        if arm.guard.is_some() {
            continue;
        }
        let leaves = loops::exits_of_expr(model, &arm.body, found.label())
            .iter()
            .any(|exit| exit.leaves());
        if leaves || assigns(checker, &arm.body) {
            continue;
        }
        let message = format!(
            "once cancelled, `{}` is ready on every iteration and this loop spins, because this arm does not leave the loop",
            checker.text(unreferenced(&arm.expr))
        );
        let diagnostic = Diagnostic::new(DONE_POLLING.name, checker.span(&arm.expr), message)
            .with_label("ready at once after cancellation")
            .with_secondary(loop_keyword(checker, found.expr), "in this loop")
            .with_fix(break_out(checker, &arm.body));
        checker.report(diagnostic);
        return;
    }
}

/// Whether an arm changes state that may end the loop (a flag checked by a guard, say).
fn assigns(checker: &Checker, body: &Expr) -> bool {
    struct Finder<'c, 'a> {
        checker: &'c Checker<'a>,
        found: bool,
    }
    impl<'a> Visit<'a> for Finder<'_, 'a> {
        fn visit_expr_assign(&mut self, _: &'a syn::ExprAssign) {
            self.found = true;
        }
        fn visit_expr_binary(&mut self, e: &'a syn::ExprBinary) {
            if !matches!(
                e.op,
                syn::BinOp::Add(_)
                    | syn::BinOp::Sub(_)
                    | syn::BinOp::Mul(_)
                    | syn::BinOp::Div(_)
                    | syn::BinOp::Rem(_)
                    | syn::BinOp::And(_)
                    | syn::BinOp::Or(_)
                    | syn::BinOp::BitXor(_)
                    | syn::BinOp::BitAnd(_)
                    | syn::BinOp::BitOr(_)
                    | syn::BinOp::Shl(_)
                    | syn::BinOp::Shr(_)
                    | syn::BinOp::Eq(_)
                    | syn::BinOp::Lt(_)
                    | syn::BinOp::Le(_)
                    | syn::BinOp::Ne(_)
                    | syn::BinOp::Ge(_)
                    | syn::BinOp::Gt(_)
            ) {
                self.found = true;
            }
            syn::visit::visit_expr_binary(self, e);
        }
        fn visit_macro(&mut self, mac: &'a syn::Macro) {
            if let Some(body) = self.checker.model.macro_body(mac) {
                macros::visit_body(self, body);
            }
        }
    }
    let mut finder = Finder {
        checker,
        found: false,
    };
    finder.visit_expr(body);
    finder.found
}

// ---------------------------------------------------------------------------------------------
// Fixes.

/// `sleep(d).await;` becomes `tokio::select! { _ = token.cancelled() => break, _ = sleep(d) => {} }`.
/// Applied (with `--unsafe-fixes`) only to a single tokio sleep awaited as a statement of the
/// loop itself, with a future to race it against; otherwise shown.
fn race_sleep(checker: &Checker, poll: &Poll, guards: &[&syn::ExprIf], iteration: &Iteration) -> Fix {
    let wait = poll
        .wait
        .or(poll.blocking_wait)
        .map_or("cancelled", |w| w.name.as_str());
    let title = format!("race the sleep against {}", poll.wait_shown(checker, wait));
    let cancelled = poll.wait_future(checker, wait);
    let sleep = iteration.sleeps[0];
    let exit = match guards.first() {
        None => "break".to_string(),
        Some(guard) => match single_exit(&guard.then_branch) {
            Some(exit) => checker.text(exit).to_string(),
            None => checker.text(&guard.then_branch).to_string(),
        },
    };
    let newline = checker.source.newline();
    let Expr::Await(awaited) = sleep else {
        // The future of a `select!` arm: add an arm on cancellation before it.
        let start = checker.span(sleep).start;
        let arm_start = iteration
            .arm_starts
            .iter()
            .copied()
            .find(|&(future, _)| future == start)
            .map_or(start, |(_, arm)| arm);
        let indent = checker.source.indent_at(arm_start);
        let arm = format!("_ = {cancelled} => {exit},{newline}{indent}");
        return Fix::has_placeholders(title, vec![Edit::insert(arm_start, arm)]);
    };
    let tokio_sleep = match unreferenced(&awaited.base) {
        Expr::Call(call) => match &*call.func {
            Expr::Path(func) => checker
                .model
                .resolve_path(func, &func.path)
                .is_some_and(|p| p.starts_with("tokio::")),
            _ => false,
        },
        _ => false,
    };
    let statement = iteration.sleep_statements.contains(&SpanKey::of(sleep));
    let span = checker.span(sleep);
    let indent = checker.source.indent_at(span.start);
    let inner = checker.source.nested_indent(span.start);
    // The future's own continuation lines move one level deeper with it.
    let future = checker
        .text(&awaited.base)
        .replace(&format!("\n{indent}"), &format!("\n{inner}"));
    let replacement = format!(
        "tokio::select! {{{newline}{inner}_ = {cancelled} => {exit},{newline}{inner}_ = {future} => {{}}{newline}{indent}}}"
    );
    let edits = vec![Edit::replace(span, replacement)];
    if poll.wait.is_some() && tokio_sleep && statement && iteration.sleeps.len() == 1 {
        Fix::maybe_incorrect(title, edits)
    } else {
        Fix::has_placeholders(title, edits)
    }
}

/// The loop becomes `token.cancelled().await;`, when it does nothing but wait. In sync code
/// (or when the loop does more) the wait is only suggested.
fn await_instead(
    checker: &Checker,
    expr: &Expr,
    poll: &Poll,
    guards: &[&syn::ExprIf],
    iteration: &Iteration,
) -> Fix {
    let target = checker.text(poll.target);
    let span = checker.span(expr);
    if !checker.in_async() {
        return match (poll.blocking_wait, poll.wait) {
            (Some(wait), _) => Fix::has_placeholders(
                format!("block on `{target}.{}()` instead of polling", wait.name),
                vec![Edit::replace(
                    span,
                    format!("/* block until cancelled on */ {target}.{}();", wait.name),
                )],
            ),
            (None, Some(wait)) => Fix::has_placeholders(
                format!("block on `{target}.{}()` instead of polling", wait.name),
                vec![Edit::replace(
                    span,
                    format!("futures::executor::block_on({target}.{}());", wait.name),
                )],
            ),
            (None, None) => Fix::has_placeholders(
                "wait for cancellation instead of polling it",
                vec![Edit::replace(span, "/* wait for cancellation */")],
            ),
        };
    }
    let wait = poll.wait.map_or("cancelled", |w| w.name.as_str());
    let title = format!("await `{target}.{wait}()` instead");
    let edits = vec![Edit::replace(span, format!("{target}.{wait}().await;"))];
    let plain_break = guards.iter().all(|g| {
        single_exit(&g.then_branch)
            .is_some_and(|e| matches!(e, Expr::Break(b) if b.label.is_none() && b.expr.is_none()))
    });
    let idle = !iteration.work && !iteration.sleeps_sync && is_statement(checker, expr);
    if poll.wait.is_some() && plain_break && idle && guards.len() <= 1 {
        Fix::maybe_incorrect(title, edits)
    } else {
        Fix::has_placeholders(title, edits)
    }
}

/// `break`, `return x` or the like, alone in a block.
fn single_exit(block: &syn::Block) -> Option<&Expr> {
    match block.stmts.as_slice() {
        [Stmt::Expr(e @ (Expr::Break(_) | Expr::Return(_) | Expr::Continue(_)), _)] => Some(e),
        _ => None,
    }
}

fn is_statement(checker: &Checker, expr: &Expr) -> bool {
    matches!(checker.parents().next(), Some(crate::checker::Node::Stmt(Stmt::Expr(e, _))) if std::ptr::eq(e, expr))
}

/// The arm's handler, ending with `break`.
fn break_out(checker: &Checker, body: &Expr) -> Fix {
    let title = "leave the loop once cancelled";
    let newline = checker.source.newline();
    let edits = match body {
        Expr::Block(block) if block.block.stmts.is_empty() => {
            vec![Edit::replace(checker.span(body), "{ break }")]
        }
        Expr::Tuple(t) if t.elems.is_empty() => vec![Edit::replace(checker.span(body), "{ break }")],
        Expr::Block(block) => {
            let mut edits = Vec::new();
            let last = block.block.stmts.last().expect("not empty");
            // `continue` becomes `break`.
            if let Stmt::Expr(Expr::Continue(next), _) = last
                && next.label.is_none()
            {
                return Fix::maybe_incorrect(title, vec![Edit::replace(checker.span(next), "break")]);
            }
            let last_span = checker.span(last);
            let semicolon = match last {
                Stmt::Expr(e, None) if !is_block_like(e) => ";",
                Stmt::Macro(m) if m.semi_token.is_none() => ";",
                _ => "",
            };
            let close = checker.span_of(block.block.brace_token.span.close()).start;
            let source = checker.source;
            let text = if source.line_index(close) == source.line_index(last_span.end) {
                format!("{semicolon} break;")
            } else {
                let indent = source.indent_at(last_span.start);
                format!("{semicolon}{newline}{indent}break;")
            };
            edits.push(Edit::insert(last_span.end, text));
            edits
        }
        other => vec![Edit::replace(
            checker.span(other),
            format!("{{ {}; break }}", checker.text(other)),
        )],
    };
    Fix::maybe_incorrect(title, edits)
}

fn is_block_like(expr: &Expr) -> bool {
    matches!(
        expr,
        Expr::Block(_) | Expr::If(_) | Expr::Match(_) | Expr::Loop(_) | Expr::While(_) | Expr::ForLoop(_)
    )
}

/// A fallback arm with its comma, and its whole lines when it has them to itself.
fn fallback_span(checker: &Checker, fallback: &Fallback) -> Span {
    let source = checker.source;
    let text = &source.text;
    let start = checker.span_of(fallback.keyword).start;
    let mut end = checker.span(&fallback.body).end;
    let after = &text[end..];
    let trimmed = after.trim_start_matches([' ', '\t']);
    if trimmed.starts_with(',') {
        end += after.len() - trimmed.len() + 1;
    }
    let line = source.line_index(start);
    let line_start = source.line_range(line).start;
    let end_line = source.line_index(end);
    let rest = &text[end..source.line_range(end_line).end];
    if text[line_start..start].trim().is_empty() && rest.trim().is_empty() {
        return Span::new(line_start, source.full_line_range(end_line).end);
    }
    Span::new(start, end)
}

/// The keyword that starts a loop, for a label.
fn loop_keyword(checker: &Checker, expr: &Expr) -> Span {
    match expr {
        Expr::ForLoop(e) => checker.span_of(e.for_token.span),
        Expr::While(e) => checker.span_of(e.while_token.span),
        Expr::Loop(e) => checker.span_of(e.loop_token.span),
        other => checker.span(other),
    }
}

fn mentions_await(tokens: &proc_macro2::TokenStream) -> bool {
    tokens.clone().into_iter().any(|tree| match tree {
        proc_macro2::TokenTree::Ident(ident) => ident == "await",
        proc_macro2::TokenTree::Group(group) => mentions_await(&group.stream()),
        _ => false,
    })
}
