//! The whole pipeline on one text: analysis, every output format, fixes with a re-parse.

use std::sync::OnceLock;

use ctxlint::engine::{self, Settings};
use ctxlint::fix::{self, Mode};
use ctxlint::model::catalog::Catalog;
use ctxlint::output::{Format, Options, human, json, short};
use ctxlint::source::SourceFile;

fn settings() -> &'static Settings {
    static SETTINGS: OnceLock<Settings> = OnceLock::new();
    SETTINGS.get_or_init(|| Settings::new(Catalog::build(&Catalog::builtin_specs()).unwrap()))
}

pub fn run(text: &str) {
    let settings = settings();
    let rules = settings.enabled_rules();
    let report = engine::lint_source(SourceFile::new("fuzz.rs", "fuzz.rs", text.to_string()), settings, &rules);
    let mut sink = Vec::new();
    let json_options = Options::new(Format::Json, false);
    for diagnostic in &report.diagnostics {
        assert!(diagnostic.span.end <= text.len(), "span outside the file");
        assert!(text.is_char_boundary(diagnostic.span.start) && text.is_char_boundary(diagnostic.span.end));
        human::render(diagnostic, &report.source, true);
        human::render(diagnostic, &report.source, false);
        short::write(&mut sink, diagnostic, &report.source).unwrap();
        json::write(&mut sink, diagnostic, &report.source, &json_options).unwrap();
    }
    let parses = syn::parse_file(text).is_ok();
    for mode in [Mode::Safe, Mode::Unsafe] {
        let (fixed, applied) = fix::apply(text, &report.diagnostics, mode);
        if parses && applied > 0 {
            // A fix must never turn parsing code into code that does not parse.
            assert!(syn::parse_file(&fixed).is_ok(), "a fix broke the code:\n{text}\n---\n{fixed}");
        }
    }
    proc_macro2::extra::invalidate_current_thread_spans();
}
