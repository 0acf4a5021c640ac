use syn::Expr;

use crate::checker::{Checker, FnOwner};
use crate::diagnostic::{Diagnostic, Edit, Fix, Level};
use crate::model::Ty;
use crate::model::catalog::OnDrop;
use crate::model::fate::{self, Handle};

super::declare_rule! {
    /// ## What it does
    /// Finds a struct built with the only handle to a token that a task it spawned waits on,
    /// when dropping the struct does not cancel the token: it has no `DropGuard` field and no
    /// `impl Drop` that cancels. The token is made where the struct is built, a detached task
    /// observes it, and nothing else may cancel it there.
    ///
    /// Pedantic: a `shutdown()` or `cancel()` method elsewhere may be how the struct is meant to
    /// be stopped, and callers may always call it.
    ///
    /// ## Why is this bad?
    /// Dropping a token does not cancel it. A handle that replaced a channel (whose sender's
    /// drop ended the reader) with a token silently changes behaviour: dropping the handle no
    /// longer stops the task.
    ///
    /// ## Example
    /// ```rust
    /// struct Reader {
    ///     cancel: CancellationToken,
    /// }
    ///
    /// fn start(conn: Conn) -> Reader {
    ///     let cancel = CancellationToken::new();
    ///     tokio::spawn(read_loop(conn, cancel.clone()));
    ///     Reader { cancel }
    /// }
    /// ```
    ///
    /// Use instead: a `DropGuard` field (`cancel.drop_guard()`), or
    /// ```rust
    /// impl Drop for Reader {
    ///     fn drop(&mut self) {
    ///         self.cancel.cancel();
    ///     }
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// The added `impl Drop` cancels whenever the struct is dropped, also where a caller
    /// relied on the task outliving it; and a struct with a `Drop` impl can no longer be moved
    /// out of field by field. The fix is only applied with `--unsafe-fixes`.
    pub static NO_CANCEL_ON_DROP = {
        name: "no_cancel_on_drop",
        summary: "a struct holds the only canceller of a task it spawned, but dropping it does not cancel",
        group: super::Group::Pedantic,
        level: Level::Allow,
        on_expr: check_root,
    }
}

fn check_root(checker: &Checker, expr: &Expr) {
    let Some(fate::RootLet {
        token,
        function,
        block,
        ..
    }) = fate::root_let(checker, expr)
    else {
        return;
    };
    if checker.in_test() {
        return;
    }
    let fate = fate::fate_of(checker, block, token);
    if fate.escapes || !fate.cancels.is_empty() {
        return;
    }
    let Some(spawn) = fate.spawned.iter().find(|s| s.handle == Handle::Detached) else {
        return;
    };
    let [(literal, field)] = fate.stored_in.as_slice() else {
        return;
    };
    let Some(name) = struct_name(&function.owner, literal) else {
        return;
    };
    let Some(item) = local_struct(checker, &name) else {
        return;
    };
    if has_guard_field(checker, &name) || drop_cancels(checker, &name) {
        return;
    }
    let syn::Member::Named(field_name) = &field.member else {
        return;
    };
    let line = checker.source.line_index(checker.span(spawn.call).start) + 1;
    let message = format!(
        "`{name}` holds the only canceller of the task spawned on line {line}, but dropping a `{name}` does not cancel it"
    );
    let newline = checker.source.newline();
    // Generic structs need the impl's parameters and bounds, and a `Drop` on a `Clone` handle
    // cancels when any clone goes: those fixes are shown, not applied.
    let plain = item.generics.params.is_empty() && !derives_clone(item);
    let make = if plain {
        Fix::maybe_incorrect
    } else {
        Fix::has_placeholders
    };
    let fix = make(
        format!("cancel `{field_name}` when a `{name}` is dropped"),
        vec![Edit::insert(
            struct_end(checker, item),
            format!(
                "{newline}{newline}impl Drop for {name} {{{newline}    fn drop(&mut self) {{{newline}        self.{field_name}.cancel();{newline}    }}{newline}}}"
            ),
        )],
    );
    let diagnostic = Diagnostic::new(NO_CANCEL_ON_DROP.name, checker.span(&field.member), message)
        .with_label("the only canceller")
        .with_note("dropping a token does not cancel it")
        .with_fix(fix);
    checker.report(diagnostic);
}

/// The struct a literal builds: its name, or the `impl`'s type for `Self { … }`.
fn struct_name(owner: &FnOwner, literal: &syn::ExprStruct) -> Option<String> {
    // `Msg::Worker { … }` may be an enum's variant, `proto::Reader` another module's.
    let [segment] = literal.path.segments.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    let last = segment.ident.to_string();
    if last != "Self" {
        return Some(last);
    }
    let FnOwner::Impl(item) = owner else {
        return None;
    };
    let syn::Type::Path(path) = &*item.self_ty else {
        return None;
    };
    Some(path.path.segments.last()?.ident.to_string())
}

/// The struct of this name this file defines (one, at any depth of inline modules).
fn local_struct<'a>(checker: &Checker<'a>, name: &str) -> Option<&'a syn::ItemStruct> {
    fn find<'a>(items: &'a [syn::Item], name: &str, found: &mut Vec<&'a syn::ItemStruct>) {
        for item in items {
            match item {
                syn::Item::Struct(s) if s.ident == name => found.push(s),
                syn::Item::Mod(m) => {
                    if let Some((_, items)) = &m.content {
                        find(items, name, found);
                    }
                }
                _ => {}
            }
        }
    }
    let mut found = Vec::new();
    find(&checker.file.items, name, &mut found);
    match found.as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

/// Whether the struct has a field holding a guard that cancels when dropped.
fn has_guard_field(checker: &Checker, name: &str) -> bool {
    let Some(item) = local_struct(checker, name) else {
        return true;
    };
    item.fields.iter().any(|field| {
        checker
            .model
            .catalog_types_in(&field.ty)
            .into_iter()
            .any(|ty| checker.catalog.ty(ty).on_drop == Some(OnDrop::Cancel))
            || matches!(checker.model.written_type(&field.ty), Some(Ty::Struct(_)))
    })
}

/// Whether this file has an `impl Drop for <name>` (whatever it does: it is the author's
/// choice of what dropping means).
fn drop_cancels(checker: &Checker, name: &str) -> bool {
    let Some(file) = checker.full_file() else {
        return true;
    };
    has_drop_impl(&file.items, name)
}

/// An `impl Drop for <name>` among `items`, inline modules included.
fn has_drop_impl(items: &[syn::Item], name: &str) -> bool {
    items.iter().any(|item| match item {
        syn::Item::Mod(module) => module
            .content
            .as_ref()
            .is_some_and(|(_, items)| has_drop_impl(items, name)),
        syn::Item::Impl(imp) => {
            let is_drop = imp
                .trait_
                .as_ref()
                .is_some_and(|(path, _)| path.segments.last().is_some_and(|s| s.ident == "Drop"));
            let for_it = matches!(&*imp.self_ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == name));
            is_drop && for_it
        }
        _ => false,
    })
}

/// Where a struct item ends: after its closing brace or semicolon.
fn struct_end(checker: &Checker, item: &syn::ItemStruct) -> usize {
    let close = match (&item.fields, &item.semi_token) {
        (_, Some(semi)) => semi.span,
        (syn::Fields::Named(fields), None) => fields.brace_token.span.close(),
        (syn::Fields::Unnamed(fields), None) => fields.paren_token.span.close(),
        (syn::Fields::Unit, None) => item.ident.span(),
    };
    checker.span_of(close).end
}

/// `#[derive(Clone)]` (or `Clone` among other derives).
fn derives_clone(item: &syn::ItemStruct) -> bool {
    item.attrs.iter().any(|attr| {
        attr.path().is_ident("derive")
            && attr.meta.require_list().is_ok_and(|list| {
                list.tokens
                    .to_string()
                    .split(|c: char| !c.is_alphanumeric())
                    .any(|w| w == "Clone")
            })
    })
}
