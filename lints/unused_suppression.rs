//! The suppression comments themselves are checked in `src/suppress.rs` (comments are not in
//! syn's tree); this file holds the rule's docs and level.

use crate::diagnostic::Level;

super::declare_rule! {
    /// ## What it does
    /// Finds `// ctxlint: allow(…)` and `// ctxlint: allow-file(…)` comments (or `/* ctxlint:
    /// allow(…) */`) that allow nothing: the rule they name reports nothing where the comment applies, the name is not
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
    /// A name that is not a rule but is close to one (`dropped_cancel_gaurd`, or a word of
    /// one rule's name such as `guard`) is reported with the rule it probably means.
    ///
    /// ## Fix safety
    /// Correcting a misspelt name to the one rule it is close to makes the comment do what its
    /// writer wanted: machine-applicable. Removing a comment, or a name from its list, deletes
    /// something the user wrote, so it is applied only with `--unsafe-fixes`. And while a
    /// suppression that does not parse, or names a misspelling of a rule, applies to a
    /// finding of that rule, the finding's own fix is held back from a safe `--fix` too.
    pub static UNUSED_SUPPRESSION = {
        name: "unused_suppression",
        summary: "a `// ctxlint: allow(…)` comment that suppresses nothing",
        level: Level::Warn,
    }
}
