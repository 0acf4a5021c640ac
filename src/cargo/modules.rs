//! A crate's files: its root and every file reached through `mod name;` declarations, found the
//! way rustc looks for them (`name.rs`, `name/mod.rs`, `#[path = "…"]`, inline `mod a { … }`
//! blocks as directories), plus files pulled in by `include!("literal.rs")`. The files are only
//! lexed, not parsed, so declarations inside macros such as `cfg_if!` are seen too;
//! declarations whose file does not exist are skipped. Paths computed by macros
//! (`include!(concat!(…))`) cannot be followed.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::lex::{self, Kind, Token};
use crate::paths::normalize;

/// The files of the crate rooted at `root`, root first, leaving out files in `seen` (and
/// adding the others to it). Files larger than `limit` bytes, or not regular files, are not
/// read for declarations (the engine reports them).
pub fn crate_files(root: &Path, seen: &mut HashSet<PathBuf>, limit: u64) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let root = normalize(root);
    // (file, directory its `mod x;` children live in)
    let mut stack = vec![(
        root.clone(),
        root.parent().map(Path::to_path_buf).unwrap_or_default(),
    )];
    while let Some((file, module_dir)) = stack.pop() {
        let key = file.canonicalize().unwrap_or_else(|_| file.clone());
        if !file.is_file() || !seen.insert(key) {
            continue;
        }
        let text = crate::read::read_source(&file, limit)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok());
        let Some(text) = text else {
            // The engine reports unreadable files; linting it is enough.
            files.push(file);
            continue;
        };
        let file_dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut children = Vec::new();
        for declaration in declarations(&text) {
            if let Some(child) = resolve(&declaration, &file_dir, &module_dir) {
                children.push(child);
            }
        }
        files.push(file);
        // Depth first, in declaration order.
        stack.extend(children.into_iter().rev());
    }
    files
}

/// `mod name;` with its `#[path]` and the inline modules around it, or `include!("path")`.
#[derive(Debug, PartialEq, Eq)]
struct Declaration {
    name: String,
    path: Option<String>,
    /// `include!`: the file's text is part of the current module.
    include: bool,
    /// Enclosing inline modules: each one's directory name (its `#[path]` or its name).
    inline: Vec<String>,
}

/// Where a declared module's file is, and the directory its own children live in.
fn resolve(declaration: &Declaration, file_dir: &Path, module_dir: &Path) -> Option<(PathBuf, PathBuf)> {
    let mut dir = module_dir.to_path_buf();
    for inline in &declaration.inline {
        dir.push(inline);
    }
    if declaration.include {
        // Relative to the including file; its `mod` items belong to the current module.
        let file = normalize(&file_dir.join(declaration.path.as_ref()?));
        return Some((file, dir));
    }
    if let Some(path) = &declaration.path {
        // Relative to the file's directory outside inline modules; `#[path]` files own their
        // directory like `mod.rs` files.
        let base = if declaration.inline.is_empty() {
            file_dir
        } else {
            &dir
        };
        let file = normalize(&base.join(path));
        let children = file.parent().map(Path::to_path_buf).unwrap_or_default();
        return Some((file, children));
    }
    let flat = dir.join(format!("{}.rs", declaration.name));
    if flat.is_file() {
        return Some((normalize(&flat), normalize(&dir.join(&declaration.name))));
    }
    let nested = dir.join(&declaration.name).join("mod.rs");
    if nested.is_file() {
        return Some((normalize(&nested), normalize(&dir.join(&declaration.name))));
    }
    None
}

/// Every `mod name;` of a file.
fn declarations(text: &str) -> Vec<Declaration> {
    if memchr::memmem::find(text.as_bytes(), b"mod").is_none() {
        return Vec::new();
    }
    // Front matter (`---cargo … ---`) is not code.
    let text = &text[crate::source::code_start(text)..];
    let tokens: Vec<Token> = lex::tokens(text).filter(|t| !t.is_comment()).collect();
    let ident = |i: usize| -> Option<&str> {
        let token = tokens.get(i)?;
        (token.kind == Kind::Ident).then(|| token.text(text))
    };
    let punct = |i: usize, c: u8| tokens.get(i).is_some_and(|t| t.is_punct(text, c));
    let mut found = Vec::new();
    // One entry per open `{`: the inline module it opens, if any.
    let mut braces: Vec<Option<String>> = Vec::new();
    let mut path_attr: Option<String> = None;
    let mut i = 0;
    while i < tokens.len() {
        if punct(i, b'#') && punct(i + 1, b'[') {
            // An outer attribute: remember `#[path = "…"]`, skip the rest.
            if ident(i + 2) == Some("path")
                && punct(i + 3, b'=')
                && tokens.get(i + 4).is_some_and(|t| t.kind == Kind::Str)
                && punct(i + 5, b']')
            {
                path_attr = lex::string_value(tokens[i + 4].text(text)).map(|v| v.into_owned());
                i += 6;
                continue;
            }
            let mut depth = 0;
            i += 1;
            while i < tokens.len() {
                if punct(i, b'[') {
                    depth += 1;
                } else if punct(i, b']') {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                i += 1;
            }
            i += 1;
            continue;
        }
        if ident(i) == Some("include")
            && punct(i + 1, b'!')
            && punct(i + 2, b'(')
            && tokens.get(i + 3).is_some_and(|t| t.kind == Kind::Str)
            && punct(i + 4, b')')
            && let Some(path) = lex::string_value(tokens[i + 3].text(text))
        {
            found.push(Declaration {
                name: String::new(),
                path: Some(path.into_owned()),
                include: true,
                inline: braces.iter().flatten().cloned().collect(),
            });
            i += 5;
            continue;
        }
        if ident(i) == Some("mod")
            && let Some(name) = ident(i + 1)
        {
            let name = name.strip_prefix("r#").unwrap_or(name).to_string();
            if punct(i + 2, b';') {
                found.push(Declaration {
                    name,
                    path: path_attr.take(),
                    include: false,
                    inline: braces.iter().flatten().cloned().collect(),
                });
                i += 3;
                continue;
            }
            if punct(i + 2, b'{') {
                braces.push(Some(path_attr.take().unwrap_or(name)));
                i += 3;
                continue;
            }
        }
        let token = tokens[i];
        if token.is_punct(text, b'{') {
            braces.push(None);
            path_attr = None;
        } else if token.is_punct(text, b'}') {
            braces.pop();
            path_attr = None;
        } else if token.is_punct(text, b';') {
            path_attr = None;
        }
        i += 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<(String, Option<String>, Vec<String>)> {
        declarations(text)
            .into_iter()
            .map(|d| (d.name, d.path, d.inline))
            .collect()
    }

    #[test]
    fn front_matter_is_not_code() {
        let text = "---cargo\n# mod in_front_matter;\n[dependencies]\n---\nmod real;\n";
        let found: Vec<String> = names(text).into_iter().map(|(name, _, _)| name).collect();
        assert_eq!(found, ["real"]);
    }

    #[test]
    fn finds_declarations() {
        let text = r#"
            // mod commented;
            const S: &str = "mod in_string;";
            pub(crate) mod a;
            #[cfg(test)]
            #[path = "x/y.rs"]
            mod b;
            mod inline {
                #[path = "deep.rs"] mod c;
                mod d;
                fn f() { let x = 1; }
                mod e;
            }
            cfg_if::cfg_if! { if #[cfg(unix)] { mod unix; } }
            macro_rules! m { ($n:ident) => { mod $n; } }
            mod r#type;
            include!("generated.rs");
            include!(concat!(env!("OUT_DIR"), "/x.rs"));
        "#;
        assert_eq!(
            names(text),
            vec![
                ("a".into(), None, vec![]),
                ("b".into(), Some("x/y.rs".into()), vec![]),
                ("c".into(), Some("deep.rs".into()), vec!["inline".into()]),
                ("d".into(), None, vec!["inline".into()]),
                ("e".into(), None, vec!["inline".into()]),
                ("unix".into(), None, vec![]),
                ("type".into(), None, vec![]),
                ("".into(), Some("generated.rs".into()), vec![]),
            ]
        );
    }

    #[test]
    fn walks_a_crate() {
        let dir = tempfile::tempdir().unwrap();
        let write = |path: &str, text: &str| {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(
            "src/lib.rs",
            "mod a; mod b; mod missing; #[path = \"../shared/s.rs\"] mod s; include!(\"gen/out.rs\");",
        );
        write("src/gen/out.rs", "mod from_included;");
        write("src/from_included.rs", "");
        write("src/a.rs", "mod child;");
        write("src/a/child.rs", "");
        write("src/b/mod.rs", "mod inner { mod leaf; }");
        write("src/b/inner/leaf.rs", "");
        write("shared/s.rs", "mod sibling;");
        write("shared/sibling.rs", "");
        write("src/unused.rs", "");
        let mut seen = HashSet::new();
        let files = crate_files(&dir.path().join("src/lib.rs"), &mut seen, u64::MAX);
        let names: Vec<String> = files
            .iter()
            .map(|f| f.strip_prefix(dir.path()).unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "src/lib.rs",
                "src/a.rs",
                "src/a/child.rs",
                "src/b/mod.rs",
                "src/b/inner/leaf.rs",
                "shared/s.rs",
                "shared/sibling.rs",
                "src/gen/out.rs",
                "src/from_included.rs"
            ]
        );
        // A second crate sharing a file does not get it again.
        write("src/bin/tool.rs", "#[path = \"../a.rs\"] mod a;");
        let files = crate_files(&dir.path().join("src/bin/tool.rs"), &mut seen, u64::MAX);
        assert_eq!(files.len(), 1);
    }
}
