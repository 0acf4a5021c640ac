//! Arbitrary bytes as `ctxlint.toml`: loading it and building the catalog from its `[[api]]`
//! tables gives a configuration or an error, never a panic or a stack overflow.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use ctxlint::config;
use ctxlint::model::catalog::Catalog;

fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("ctxlint-fuzz-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let path = scratch().join("ctxlint.toml");
    std::fs::write(&path, data).unwrap();
    let Ok(config) = config::load(&path) else {
        return;
    };
    let mut specs = Catalog::builtin_specs();
    specs.extend(config.api.iter().cloned());
    if let Ok(catalog) = Catalog::build(&specs) {
        // The pre-filter's words come from the configuration too.
        let _ = catalog.needle_groups();
    }
});
