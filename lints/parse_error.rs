//! Parsing is done in `src/parse.rs` and reported in `src/engine.rs`; this file holds the
//! rule's docs and level.

use crate::diagnostic::Level;

super::declare_rule! {
    /// ## What it does
    /// Reports the items ctxlint could not read, and therefore did not check: one finding per
    /// item (a function, an `impl`, a method, …) that syn does not parse, or per file when the
    /// file does not even split into tokens (an unclosed delimiter or string).
    ///
    /// The rest of the file is still checked. Syntax that rustc accepts before macro
    /// expansion is read as such rather than reported: a visibility on an `impl`, as attribute
    /// macros such as `#[easy_ext::ext]` or `#[extension_trait]` take it, and cargo-script
    /// front matter (`---cargo … ---`).
    ///
    /// ## Why is this bad?
    /// It is not bad in itself: the code may be fine for rustc (an attribute macro may accept
    /// syntax that no parser of plain Rust does), or it may be a template that is not Rust yet.
    /// But a finding ctxlint would have reported in that item is missing, so you should know.
    /// The level is `warn` by default; it is never an error unless you deny it.
    ///
    /// ## Example
    /// ```rust
    /// #[my_macro::rewrite]
    /// fn handler(token: CancellationToken) -> yield_type!(..) { … }
    /// ```
    ///
    /// Use instead: nothing to change in the code. Allow the rule where ctxlint cannot read it:
    /// ```rust
    /// // ctxlint: allow(parse_error) -- expanded by my_macro
    /// #[my_macro::rewrite]
    /// fn handler(token: CancellationToken) -> yield_type!(..) { … }
    /// ```
    ///
    /// ## Configuration
    /// `-A parse_error` or `[rules] parse_error = "allow"` turns it off; `// ctxlint:
    /// allow-file(parse_error)` turns it off for a file. There is no fix.
    pub static PARSE_ERROR = {
        name: "parse_error",
        summary: "an item (or file) ctxlint could not parse, so it was not checked",
        level: Level::Warn,
    }
}
