//! The suppression comments themselves are checked in `src/suppress.rs` (comments are not in
//! syn's tree); this file holds the rule's docs and level.

use crate::diagnostic::Level;

super::declare_rule! {
    /// ## What it does
    /// Finds `// ctxlint: allow(…)` and `// ctxlint: allow-file(…)` comments that allow
    /// nothing: the rule they name reports nothing where the comment applies, the name is not
    /// a ctxlint rule, or the comment does not follow the grammar.
    ///
    /// A comment after code applies to findings starting on its line. A comment on a line of
    /// its own applies to the next line of code and to the whole item or statement starting
    /// there (its attributes and doc comments included). `allow-file` applies to the file.
    ///
    /// ## Why is this bad?
    /// A suppression that outlived the code it was written for hides the next real finding
    /// at that place, and tells readers about a problem that is gone. A misspelt rule name
    /// suppresses nothing at all.
    ///
    /// Comments naming a rule that is not checked (allowed, or ignored for the file in the
    /// configuration) are left alone, since ctxlint cannot tell whether they are needed.
    ///
    /// ## Example
    /// ```rust
    /// fn serve(token: CancellationToken) {
    ///     // ctxlint: allow(dropped_cancel_guard) -- the guard is kept below
    ///     let _guard = token.drop_guard();
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```rust
    /// fn serve(token: CancellationToken) {
    ///     let _guard = token.drop_guard();
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Removing a comment, or a name from its list, cannot change what the program does:
    /// machine-applicable. A comment that does not follow the grammar is removed only with
    /// `--unsafe-fixes`, since it probably meant to suppress something.
    pub static UNUSED_SUPPRESSION = {
        name: "unused_suppression",
        summary: "a `// ctxlint: allow(…)` comment that suppresses nothing",
        level: Level::Warn,
    }
}
