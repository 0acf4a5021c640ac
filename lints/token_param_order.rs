//! The check is `context_param_order`'s, shared (the same parameter analysis and fix); this
//! file holds the rule's docs and level.

use crate::checker::{Checker, FnNode};
use crate::diagnostic::Level;

super::declare_rule! {
    /// ## What it does
    /// Checks that a function's cancellation-token and framework-context parameters
    /// (tokio-util, stop-token, tokio-context, scuffle-context, tokio-tree-context, rmcp's
    /// `RequestContext`) come **last**, together. Pedantic: allowed unless you enable it
    /// (`-W token_param_order`, `-W pedantic`, or `[rules] pedantic = "warn"`).
    ///
    /// The receiver does not count, and one finding is reported per function. In-house
    /// contexts (`…Context`/`…Ctx`) and tracing `Span`s may stand next to the tokens, and
    /// callbacks and futures (`impl FnOnce`, `F: Future`) may follow them. Constructors that
    /// only store their tokens (`Self { shutdown, .. }`), methods of `impl Trait for T`,
    /// closures and `extern` functions are not checked. Functions with a Go-style context are
    /// `context_param_order`'s.
    ///
    /// ## Why is this bad?
    /// It is a convention, not a bug: Rust's types make a misplaced token a compile error, not
    /// a silent swap. But Rust code takes tokens last (in surveyed workspaces, 94% of the
    /// functions taking a tokio-util token take it last), so a token first or among other
    /// arguments reads differently from the rest of the ecosystem, and call sites differ
    /// from one function to the next.
    ///
    /// ## Example
    /// ```rust
    /// fn fetch(url: &str, cancel: &CancellationToken, retries: u32) { … }
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// fn fetch(url: &str, retries: u32, cancel: &CancellationToken) { … }
    /// ```
    ///
    /// ## Configuration
    /// The position is the API's (`[[api]] name = "tokio-util"`, `position = "last"` |
    /// `"either"` | `"first"` | `"none"`): `either` accepts the start or the end; `first` moves
    /// the API to `context_param_order`. `allow_types_before` and `allow_types_after` work
    /// as there.
    ///
    /// ## Fix safety
    /// The fix reorders the signature only; call sites must change with it (the note names
    /// those in the same file), so it is only applied with `--unsafe-fixes`.
    pub static TOKEN_PARAM_ORDER = {
        name: "token_param_order",
        summary: "a cancellation token or framework context parameter is not last",
        group: super::Group::Pedantic,
        level: Level::Allow,
        on_fn: check_fn,
    }
}

fn check_fn(checker: &Checker, function: &FnNode) {
    super::context_param_order::check(checker, function, &TOKEN_PARAM_ORDER);
}
