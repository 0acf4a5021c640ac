//! Exit codes, shared by `ctxlint`, `cargo ctxlint` and what runs below them (fixing,
//! reporting): nothing reported, findings reported, ctxlint could not do its job.

pub const CLEAN: i32 = 0;
pub const FINDINGS: i32 = 1;
pub const ERROR: i32 = 2;

#[cfg(test)]
mod tests {
    /// The modules below the command lines take their exit codes from here, not from `cli`
    /// (which imports them): no import cycle.
    #[test]
    fn modules_below_the_command_line_do_not_import_it() {
        for (name, text) in [
            ("finish.rs", include_str!("finish.rs")),
            ("fix.rs", include_str!("fix.rs")),
        ] {
            assert!(!text.contains("crate::cli"), "{name} imports crate::cli");
        }
    }
}
