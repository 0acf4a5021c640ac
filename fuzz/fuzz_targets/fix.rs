//! `--fix --unsafe-fixes` on generated files on disk: a file that parsed still parses after, a
//! shebang line is never touched, a body linting left out keeps its bytes, and no temporary
//! file is left behind.
#![no_main]

#[path = "generate.rs"]
mod generate;

use std::path::PathBuf;
use std::sync::OnceLock;

use ctxlint::discover::{self, Notes};
use ctxlint::engine::{self, Settings};
use ctxlint::fix::{self, Action, Mode};
use ctxlint::model::catalog::Catalog;

fn settings() -> &'static Settings {
    static SETTINGS: OnceLock<Settings> = OnceLock::new();
    SETTINGS.get_or_init(|| {
        let mut settings = Settings::new(Catalog::build(&Catalog::builtin_specs()).unwrap());
        settings.jobs = 1;
        settings
    })
}

fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("ctxlint-fuzz-fix-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    })
}

const SHEBANG: &str = "#!/usr/bin/env run-cargo-script --drop_guard() = 1\n";
const UNRELATED: &str = "fn unrelated() {\n    let x = ;\n}\n";

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&decoration, data)) = data.split_first() else {
        return;
    };
    let mut text = generate::text(data);
    if decoration & 1 != 0 {
        text.insert_str(0, SHEBANG);
    }
    if decoration & 2 != 0 {
        text.push_str(UNRELATED);
    }
    if decoration & 4 != 0 {
        text = text.replace('\n', "\r\n");
    }
    let dir = scratch();
    let path = dir.join("a.rs");
    std::fs::write(&path, &text).unwrap();
    let settings = settings();
    let inputs = discover::files(std::slice::from_ref(dir), Notes::default());
    let mut report = engine::lint_inputs(inputs, settings);
    fix::fix_files(&mut report, settings, &settings.enabled_rules(), Mode::Unsafe, Action::Write);
    let after = std::fs::read_to_string(&path).unwrap();
    let code = |t: &str| -> String {
        let t = t.strip_prefix(SHEBANG).unwrap_or(t);
        t.replace(UNRELATED, "").replace(&UNRELATED.replace('\n', "\r\n"), "")
    };
    if syn::parse_file(&code(&text)).is_ok() {
        assert!(syn::parse_file(&code(&after)).is_ok(), "a fix broke the code:\n{text}\n---\n{after}");
    }
    assert_eq!(text.starts_with(SHEBANG), after.starts_with(SHEBANG), "the shebang changed");
    if decoration & 2 != 0 {
        assert!(after.contains("let x = ;"), "a left-out body changed");
    }
    let entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(entries, ["a.rs"], "a temporary file was left behind");
});
