//! Suppression comments, and the report of those that suppress nothing.
//!
//! - `// ctxlint: allow(rule[, rule]) -- reason` after code: findings starting on that line;
//! - the same on a line of its own: the next line of code, and the whole item or statement
//!   that starts there (attributes and doc comments included);
//! - `// ctxlint: allow-file(rule[, rule])`: the whole file;
//! - `/* ctxlint: allow(…) */` works as the line comment would (on a line of its own, or
//!   before or after code on its line).
//!
//! `#[allow(ctxlint::rule)]` is a compile error on stable Rust, hence comments. syn drops
//! comments, so they are found with [`crate::lex`], which skips string and character literals.
//! A comment naming a rule that reports nothing where it applies, or an unknown rule, is
//! reported as `ctxlint::unused_suppression` with a fix that removes it.

use std::ops::RangeInclusive;

use syn::spanned::Spanned;
use syn::visit::{self, Visit};

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::lex::{self, Kind};
use crate::lints::{self, Rule};
use crate::source::{SourceFile, Span};

pub const UNUSED: &str = "unused_suppression";

/// One `// ctxlint: …` comment.
#[derive(Debug)]
struct Directive {
    comment: Span,
    /// Nothing but whitespace before it on its line.
    own_line: bool,
    file_wide: bool,
    /// `None`: the comment does not follow the grammar.
    names: Option<Vec<Name>>,
    /// The text between the parentheses.
    list: Span,
    /// 0-based lines it covers (`None`: nothing, e.g. a blank line follows it).
    lines: Option<RangeInclusive<usize>>,
}

#[derive(Debug)]
struct Name {
    span: Span,
    /// `None`: not a ctxlint rule.
    rule: Option<&'static str>,
    /// For a name that is not a rule, the rule it is closest to, if any is close.
    meant: Option<&'static str>,
    used: bool,
}

/// Whether `text` may hold a suppression comment (a cheap test before lexing).
pub fn may_have_directives(text: &str) -> bool {
    memchr::memmem::find(text.as_bytes(), b"ctxlint:").is_some()
}

/// Drops the findings that suppression comments allow and adds one `unused_suppression`
/// finding per comment that allows nothing. `rules` are the rules checked in this file: a
/// comment naming a rule that is not checked here is left alone. `unread` are the parts of the
/// file that were not parsed (items left out, or the whole file): an own-line comment before
/// one covers all of it, and a comment inside one is never reported, since nothing there was
/// checked.
pub fn apply(
    source: &SourceFile,
    file: &syn::File,
    rules: &[&'static Rule],
    unread: &[Span],
    diagnostics: &mut Vec<Diagnostic>,
) {
    if !may_have_directives(&source.text) {
        return;
    }
    let mut directives = scan(source);
    if directives.is_empty() {
        return;
    }
    if directives.iter().any(|d| d.own_line && !d.file_wide) {
        let mut nodes = Nodes::collect(source, file);
        for &span in unread {
            nodes.add_span(span);
        }
        for directive in directives.iter_mut().filter(|d| d.own_line && !d.file_wide) {
            directive.lines = directive.lines.as_ref().map(|l| nodes.covered(*l.start()));
        }
    }
    diagnostics.retain(|d| !suppress(source, &mut directives, d));
    for diagnostic in diagnostics.iter_mut() {
        hold_back_fix(source, &directives, diagnostic);
    }

    let checked = |name: &str| rules.iter().any(|rule| rule.name == name);
    if !checked(UNUSED) {
        return;
    }
    let mut unused: Vec<Diagnostic> = directives
        .iter()
        .filter(|directive| !unread.iter().any(|span| span.contains(directive.comment)))
        .filter_map(|directive| report(source, directive, &checked))
        .collect();
    unused.retain(|d| !suppress(source, &mut directives, d));
    diagnostics.extend(unused);
}

/// Whether a directive allows `diagnostic`; the narrowest one that does counts as used.
fn suppress(source: &SourceFile, directives: &mut [Directive], diagnostic: &Diagnostic) -> bool {
    if lints::by_name(diagnostic.rule).is_none() {
        // Parse and read errors are about the input, not the code.
        return false;
    }
    let line = source.line_index(diagnostic.span.start);
    let best = directives
        .iter_mut()
        .filter_map(|d| {
            let lines = d.lines.as_ref().filter(|l| l.contains(&line))?;
            let width = lines.end() - lines.start();
            let name = d
                .names
                .as_mut()?
                .iter_mut()
                .find(|n| n.rule == Some(diagnostic.rule))?;
            Some((width, name))
        })
        .min_by_key(|(width, _)| *width);
    match best {
        Some((_, name)) => {
            name.used = true;
            true
        }
        None => false,
    }
}

/// A finding where a suppression that does not parse, or names a misspelling of its rule,
/// applies: the writer probably meant to keep the code as it is, so its fix is no longer
/// applied by a safe `--fix` (only with `--unsafe-fixes`).
fn hold_back_fix(source: &SourceFile, directives: &[Directive], diagnostic: &mut Diagnostic) {
    let Some(fix) = diagnostic.fix.as_mut() else {
        return;
    };
    if fix.applicability != Applicability::MachineApplicable || lints::by_name(diagnostic.rule).is_none() {
        return;
    }
    let line = source.line_index(diagnostic.span.start);
    let meant = directives
        .iter()
        .filter(|d| d.lines.as_ref().is_some_and(|lines| lines.contains(&line)))
        .find_map(|d| match &d.names {
            None => Some("a suppression comment here does not parse".to_string()),
            Some(names) => names
                .iter()
                .find(|name| name.meant == Some(diagnostic.rule))
                .map(|name| {
                    format!(
                        "a suppression here names `{}`, which may mean this rule",
                        source.slice(name.span)
                    )
                }),
        });
    let Some(meant) = meant else {
        return;
    };
    fix.applicability = Applicability::MaybeIncorrect;
    diagnostic
        .notes
        .push(format!("{meant}: a safe `--fix` leaves this finding alone"));
}

/// Every `// ctxlint:` comment of the file, with the lines it covers before items are known
/// (own-line comments: the line they point at).
fn scan(source: &SourceFile) -> Vec<Directive> {
    let text = &source.text;
    let last_line = source.line_count() - 1;
    let mut code_lines = vec![false; source.line_count()];
    let mut comments = Vec::new();
    // Front matter is not code: only the code is lexed.
    let tokens = lex::tokens(source.code()).map(|token| lex::Token {
        start: token.start + source.code_start,
        end: token.end + source.code_start,
        ..token
    });
    for token in tokens {
        match token.kind {
            Kind::LineComment { doc: false } => {
                let body = token.text(text)[2..].trim_start();
                if body.starts_with("ctxlint:") {
                    comments.push(token);
                }
            }
            Kind::BlockComment { doc: false } => {
                let body = token.text(text)[2..].trim_start();
                if body.starts_with("ctxlint:") {
                    comments.push(token);
                }
            }
            _ => code_lines[source.line_index(token.start)] = true,
        }
    }
    let mut directives = Vec::new();
    for comment in comments {
        // A block comment (`/* ctxlint: allow(…) */`) is read without its `*/`, and applies
        // from its last line.
        let block = comment.kind != (Kind::LineComment { doc: false });
        let body_end = if block { comment.end - 2 } else { comment.end };
        let line = source.line_index(comment.start);
        let end_line = source.line_index(comment.end);
        let before = &text[source.line_range(line).start..comment.start];
        let after = &text[comment.end..source.line_range(end_line).end];
        let own_line = before.trim().is_empty() && after.trim().is_empty();
        let (file_wide, names, list) = parse(source, Span::new(comment.start, body_end));
        let line = if own_line { end_line } else { line };
        let lines = if file_wide {
            Some(0..=last_line)
        } else if own_line {
            // The next line of code, past other comment lines but not past a blank line.
            (line + 1..=last_line)
                .take_while(|&next| code_lines[next] || !source.line_text(next).trim().is_empty())
                .find(|&next| code_lines[next])
                .map(|target| target..=target)
        } else {
            Some(line..=line)
        };
        directives.push(Directive {
            comment: Span::new(comment.start, comment.end),
            own_line,
            file_wide,
            names,
            list,
            lines,
        });
    }
    directives
}

/// `ctxlint: allow(a, b) -- reason` or `ctxlint: allow-file(a)`: whether it is file-wide, its
/// names (`None` if it does not parse) and the span of the list between the parentheses.
fn parse(source: &SourceFile, comment: Span) -> (bool, Option<Vec<Name>>, Span) {
    let text = source.slice(comment);
    let body_start = comment.start + 2 + (text[2..].len() - text[2..].trim_start().len());
    let after_prefix = body_start + "ctxlint:".len();
    let rest = &source.text[after_prefix..comment.end];
    let trimmed = rest.trim_start();
    let at = after_prefix + (rest.len() - trimmed.len());
    let (file_wide, keyword) = if trimmed.starts_with("allow-file") {
        (true, "allow-file")
    } else if trimmed.starts_with("allow") {
        (false, "allow")
    } else {
        return (false, None, Span::empty_at(comment.end));
    };
    let after_keyword = &source.text[at + keyword.len()..comment.end];
    let Some(open_rel) = after_keyword
        .find(|c: char| !c.is_whitespace())
        .filter(|&i| after_keyword[i..].starts_with('('))
    else {
        return (file_wide, None, Span::empty_at(comment.end));
    };
    let list_start = at + keyword.len() + open_rel + 1;
    let Some(close_rel) = source.text[list_start..comment.end].find(')') else {
        return (file_wide, None, Span::empty_at(comment.end));
    };
    let list = Span::new(list_start, list_start + close_rel);
    let tail = source.text[list.end + 1..comment.end].trim();
    if !(tail.is_empty() || tail.starts_with("--")) {
        return (file_wide, None, list);
    }
    let mut names = Vec::new();
    let mut offset = list.start;
    for part in source.slice(list).split(',') {
        let name = part.trim();
        let start = offset + (part.len() - part.trim_start().len());
        offset += part.len() + 1;
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':');
        if !valid {
            return (file_wide, None, list);
        }
        let bare = name.strip_prefix("ctxlint::").unwrap_or(name);
        let rule = lints::by_name(bare).map(|rule| rule.name);
        names.push(Name {
            span: Span::new(start, start + name.len()),
            rule,
            meant: if rule.is_none() { closest_rule(bare) } else { None },
            used: false,
        });
    }
    (file_wide, Some(names), list)
}

/// The rule a name that is not one was probably meant to be: the nearest by edit distance
/// (a transposition counts as one edit), if it is close (at most a fifth of it differs).
fn closest_rule(name: &str) -> Option<&'static str> {
    let (distance, rule) = lints::ALL
        .iter()
        .map(|rule| (strsim::damerau_levenshtein(name, rule.name), rule.name))
        .min()?;
    if distance > 0 && distance * 5 <= rule.len() {
        return Some(rule);
    }
    // Or words of one rule's name (`guard`, `cancel_guard`).
    let mut holding = lints::ALL.iter().map(|rule| rule.name).filter(|rule| {
        rule.split('_')
            .collect::<Vec<_>>()
            .windows(name.split('_').count())
            .any(|words| words.join("_") == name)
    });
    match (holding.next(), holding.next()) {
        (Some(rule), None) => Some(rule),
        _ => None,
    }
}

/// The `unused_suppression` finding for a directive, if it has names that allow nothing.
fn report(source: &SourceFile, directive: &Directive, checked: &dyn Fn(&str) -> bool) -> Option<Diagnostic> {
    let Some(names) = &directive.names else {
        return Some(
            Diagnostic::new(UNUSED, directive.comment, "malformed suppression comment")
                .with_label("expected `ctxlint: allow(rule, …)` or `ctxlint: allow-file(rule, …)`")
                .with_fix(Fix::maybe_incorrect(
                    "remove the comment",
                    vec![remove_comment(source, directive)],
                )),
        );
    };
    let dead: Vec<&Name> = names
        .iter()
        .filter(|name| match name.rule {
            None => true,
            Some(rule) => rule != UNUSED && checked(rule) && !name.used,
        })
        .collect();
    if dead.is_empty() {
        return None;
    }
    let written = |name: &Name| source.slice(name.span).to_string();
    let typos: Vec<&&Name> = dead.iter().filter(|name| name.meant.is_some()).collect();
    if !typos.is_empty() {
        return Some(misspelt(source, &typos, &dead));
    }
    let place = if directive.file_wide {
        "in this file"
    } else {
        "here"
    };
    let mut parts = Vec::new();
    let unused: Vec<String> = dead
        .iter()
        .filter(|n| n.rule.is_some())
        .map(|n| format!("`{}`", written(n)))
        .collect();
    if !unused.is_empty() {
        let verb = if unused.len() == 1 { "reports" } else { "report" };
        parts.push(format!("{} {verb} nothing {place}", join(&unused)));
    }
    for name in dead.iter().filter(|n| n.rule.is_none()) {
        parts.push(format!("`{}` is not a ctxlint rule", written(name)));
    }
    let message = format!("unused suppression: {}", parts.join("; "));
    let diagnostic = if dead.len() == names.len() {
        Diagnostic::new(UNUSED, directive.comment, message).with_fix(Fix::maybe_incorrect(
            "remove the suppression comment",
            vec![remove_comment(source, directive)],
        ))
    } else {
        let kept: Vec<String> = names
            .iter()
            .filter(|name| !dead.iter().any(|d| std::ptr::eq(*d, *name)))
            .map(written)
            .collect();
        let removed: Vec<String> = dead.iter().map(|n| format!("`{}`", written(n))).collect();
        let mut diagnostic = Diagnostic::new(UNUSED, dead[0].span, message)
            .with_label("not needed")
            .with_fix(Fix::maybe_incorrect(
                format!("remove {} from the suppression", join(&removed)),
                vec![Edit::replace(directive.list, kept.join(", "))],
            ));
        for name in &dead[1..] {
            diagnostic = diagnostic.with_secondary(name.span, "not needed");
        }
        diagnostic
    };
    Some(diagnostic.with_note(if directive.file_wide {
        "an `allow-file` comment applies to the whole file"
    } else if directive.own_line {
        "a suppression on a line of its own applies to the next line, and to the whole item or statement starting there"
    } else {
        "a suppression after code applies to findings starting on its line"
    }))
}

/// The finding for a suppression naming rules that do not exist but are close to one: it
/// says which rule was probably meant, and its fix corrects the names (the suppression then
/// does what its writer wanted).
fn misspelt(source: &SourceFile, typos: &[&&Name], dead: &[&Name]) -> Diagnostic {
    let written = |name: &Name| source.slice(name.span).to_string();
    let parts: Vec<String> = dead
        .iter()
        .map(|name| match (name.rule, name.meant) {
            (None, Some(meant)) => format!(
                "`{}` is not a ctxlint rule; did you mean `{meant}`?",
                written(name)
            ),
            (None, None) => format!("`{}` is not a ctxlint rule", written(name)),
            (Some(_), _) => format!("`{}` reports nothing here", written(name)),
        })
        .collect();
    // `ctxlint::` stays as written.
    let edits: Vec<Edit> = typos
        .iter()
        .filter_map(|name| {
            let prefix = if written(name).starts_with("ctxlint::") {
                "ctxlint::".len()
            } else {
                0
            };
            Some(Edit::replace(
                Span::new(name.span.start + prefix, name.span.end),
                name.meant?,
            ))
        })
        .collect();
    let meant: Vec<String> = typos
        .iter()
        .filter_map(|name| name.meant)
        .map(|rule| format!("`{rule}`"))
        .collect();
    let mut diagnostic = Diagnostic::new(
        UNUSED,
        typos[0].span,
        format!("unused suppression: {}", parts.join("; ")),
    )
    .with_label("not a rule")
    .with_fix(Fix::machine_applicable(format!("write {}", join(&meant)), edits));
    for name in &typos[1..] {
        diagnostic = diagnostic.with_secondary(name.span, "not a rule");
    }
    diagnostic
}

fn join(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Deletes the comment: its whole line when it stands alone, else the comment and the spaces
/// before it.
fn remove_comment(source: &SourceFile, directive: &Directive) -> Edit {
    let line = source.line_index(directive.comment.start);
    if directive.own_line {
        let start = source.full_line_range(line).start;
        let end = source
            .full_line_range(source.line_index(directive.comment.end))
            .end;
        return Edit::replace(Span::new(start, end), "");
    }
    let line_start = source.line_range(line).start;
    let before = &source.text[line_start..directive.comment.start];
    if before.trim().is_empty() {
        // `/* ctxlint: … */ code`: the comment and the spaces after it.
        let after = &source.text[directive.comment.end..];
        let spaces = after.len() - after.trim_start_matches([' ', '\t']).len();
        return Edit::replace(
            Span::new(directive.comment.start, directive.comment.end + spaces),
            "",
        );
    }
    let start = line_start + before.trim_end().len();
    Edit::replace(Span::new(start, directive.comment.end), "")
}

/// Items, statements, fields, variants, match arms, closures and async blocks, as
/// (first line, first line after the attributes, last line), 0-based.
struct Nodes<'s> {
    source: &'s SourceFile,
    lines: Vec<(usize, usize, usize)>,
}

impl<'s> Nodes<'s> {
    fn collect(source: &'s SourceFile, file: &syn::File) -> Nodes<'s> {
        let mut nodes = Nodes {
            source,
            lines: Vec::new(),
        };
        nodes.visit_file(file);
        nodes
    }

    fn add(&mut self, node: &impl Spanned) {
        self.add_span(self.source.span_from_code(node.span().byte_range()));
    }

    fn add_span(&mut self, span: Span) {
        if span.is_empty() {
            return;
        }
        let first = self.source.line_index(span.start);
        let last = self.source.line_index(span.end.saturating_sub(1).max(span.start));
        let at = &self.source.text[span.start..];
        let head = if at.starts_with('#') || at.starts_with("///") || at.starts_with("/**") {
            self.source.line_index(self.first_after_attributes(span))
        } else {
            first
        };
        self.lines.push((first, head, last));
    }

    /// Where the node's code starts, after its outer attributes and doc comments.
    fn first_after_attributes(&self, span: Span) -> usize {
        let text = self.source.slice(span);
        let mut tokens = lex::tokens(text);
        while let Some(token) = tokens.next() {
            match token.kind {
                Kind::LineComment { .. } | Kind::BlockComment { .. } => {}
                Kind::Punct if token.is_punct(text, b'#') => {
                    // Skip `[ … ]`, nested brackets included.
                    let mut depth = 0;
                    for inner in tokens.by_ref() {
                        if inner.is_punct(text, b'[') {
                            depth += 1;
                        } else if inner.is_punct(text, b']') {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                    }
                }
                _ => return span.start + token.start,
            }
        }
        span.start
    }

    /// The lines an own-line suppression pointing at `line` covers: the outermost node whose
    /// head (or attributes) starts there, else the line alone.
    fn covered(&self, line: usize) -> RangeInclusive<usize> {
        let mut covered = line..=line;
        for &(first, head, last) in &self.lines {
            if first <= line && line <= head && last > *covered.end() {
                covered = line.min(first)..=last;
            }
        }
        covered
    }
}

impl<'ast> Visit<'ast> for Nodes<'_> {
    fn visit_item(&mut self, node: &'ast syn::Item) {
        self.add(node);
        visit::visit_item(self, node);
    }

    fn visit_impl_item(&mut self, node: &'ast syn::ImplItem) {
        self.add(node);
        visit::visit_impl_item(self, node);
    }

    fn visit_trait_item(&mut self, node: &'ast syn::TraitItem) {
        self.add(node);
        visit::visit_trait_item(self, node);
    }

    fn visit_foreign_item(&mut self, node: &'ast syn::ForeignItem) {
        self.add(node);
        visit::visit_foreign_item(self, node);
    }

    fn visit_stmt(&mut self, node: &'ast syn::Stmt) {
        self.add(node);
        visit::visit_stmt(self, node);
    }

    fn visit_field(&mut self, node: &'ast syn::Field) {
        self.add(node);
        visit::visit_field(self, node);
    }

    fn visit_variant(&mut self, node: &'ast syn::Variant) {
        self.add(node);
        visit::visit_variant(self, node);
    }

    fn visit_arm(&mut self, node: &'ast syn::Arm) {
        self.add(node);
        visit::visit_arm(self, node);
    }

    fn visit_expr_closure(&mut self, node: &'ast syn::ExprClosure) {
        self.add(node);
        visit::visit_expr_closure(self, node);
    }

    fn visit_expr_async(&mut self, node: &'ast syn::ExprAsync) {
        self.add(node);
        visit::visit_expr_async(self, node);
    }
}
