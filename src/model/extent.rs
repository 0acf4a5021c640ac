//! The byte range of a syntax node, found from its first and last tokens.
//!
//! syn's `Spanned::span()` prints a node's whole subtree back into tokens to find its first and
//! last token, so asking for the span of a block costs as much as the block, and asking for
//! every enclosing node's span is quadratic. [`Extent`] reaches the edge tokens directly: the
//! outer attributes, label or keyword that starts a node, and the closing delimiter or the
//! rightmost child that ends it. The result is exactly `Spanned`'s (a test checks it on every
//! node of the fixtures); small leaves (paths, literals, types) still use `Spanned`.

use foldhash::{HashMap, HashMapExt};
use std::cell::RefCell;
use std::ops::Range;

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Attribute, Block, Expr, Local, Stmt};

/// A syntax node's byte range in the parsed code.
pub trait Extent {
    fn extent(&self) -> Range<usize>;
}

/// Nodes whose tokens are few: `Spanned` is cheap for them.
macro_rules! extent_via_spanned {
    ($($ty:ty),* $(,)?) => {
        $(impl Extent for $ty {
            fn extent(&self) -> Range<usize> {
                self.span().byte_range()
            }
        })*
    };
}

extent_via_spanned!(
    syn::Ident,
    syn::ExprPath,
    syn::Pat,
    syn::PatIdent,
    syn::PatType,
    syn::PatWild,
    syn::Lit,
    syn::Member,
    syn::Attribute,
    syn::FnArg,
    syn::ReturnType,
    syn::Lifetime,
    syn::ExprInfer,
    syn::ExprLit,
    syn::ExprContinue,
    syn::ItemConst,
    syn::ItemStatic,
    syn::TypePath,
    syn::Visibility,
);

/// A type's edge tokens: a type is asked for once per binding and parameter, and a long
/// generic one (`HashMap<String, Vec<Arc<T>>>`) costs `Spanned` its every token.
impl Extent for syn::Type {
    fn extent(&self) -> Range<usize> {
        use syn::Type;
        match self {
            Type::Path(ty) => {
                let path = ty.path.extent();
                let start = ty
                    .qself
                    .as_ref()
                    .map_or(path.start, |qself| qself.lt_token.span.byte_range().start);
                start..path.end
            }
            Type::Reference(ty) => ty.and_token.span.byte_range().start..ty.elem.extent().end,
            Type::Ptr(ty) => ty.star_token.span.byte_range().start..ty.elem.extent().end,
            Type::Slice(ty) => ty.bracket_token.span.join().byte_range(),
            Type::Array(ty) => ty.bracket_token.span.join().byte_range(),
            Type::Tuple(ty) => ty.paren_token.span.join().byte_range(),
            Type::Paren(ty) => ty.paren_token.span.join().byte_range(),
            Type::Never(ty) => ty.bang_token.span.byte_range(),
            Type::Infer(ty) => ty.underscore_token.span.byte_range(),
            Type::Macro(ty) => ty.mac.extent(),
            // Function pointers, `impl`/`dyn` bounds, groups: rare, and their edges vary.
            _ => self.span().byte_range(),
        }
    }
}

impl Extent for syn::Path {
    fn extent(&self) -> Range<usize> {
        let start = self.leading_colon.map(|colon| colon.spans[0].byte_range().start);
        let Some(last) = self.segments.last() else {
            return self.span().byte_range();
        };
        let first = &self.segments[0];
        let start = start.unwrap_or_else(|| first.ident.span().byte_range().start);
        let end = match &last.arguments {
            syn::PathArguments::None => last.ident.span().byte_range().end,
            syn::PathArguments::AngleBracketed(arguments) => arguments.gt_token.span.byte_range().end,
            syn::PathArguments::Parenthesized(arguments) => {
                output_end(&arguments.output, arguments.paren_token)
            }
        };
        start..end
    }
}

/// From its first qualifier or `fn` to its `where` clause, return type or parameters.
impl Extent for syn::Signature {
    fn extent(&self) -> Range<usize> {
        let start = [
            self.constness.map(|t| t.span),
            self.asyncness.map(|t| t.span),
            match self.safety {
                syn::Safety::Safe(t) => Some(t.span),
                syn::Safety::Unsafe(t) => Some(t.span),
                syn::Safety::Default => None,
            },
            self.abi.as_ref().map(|abi| abi.extern_token.span),
        ]
        .into_iter()
        .flatten()
        .next()
        .unwrap_or(self.fn_token.span)
        .byte_range()
        .start;
        let where_end = self.generics.where_clause.as_ref().and_then(|clause| {
            Some(match clause.predicates.pairs().next_back()? {
                syn::punctuated::Pair::Punctuated(_, comma) => comma.spans[0].byte_range().end,
                syn::punctuated::Pair::End(predicate) => predicate.span().byte_range().end,
            })
        });
        let end = where_end.unwrap_or_else(|| output_end(&self.output, self.paren_token));
        start..end
    }
}

/// Where `(…) -> T` ends: at its return type, or at the parentheses without one.
fn output_end(output: &syn::ReturnType, parentheses: syn::token::Paren) -> usize {
    match output {
        syn::ReturnType::Type(_, ty) => ty.extent().end,
        syn::ReturnType::Default => parentheses.span.join().byte_range().end,
    }
}

impl Extent for Span {
    fn extent(&self) -> Range<usize> {
        self.byte_range()
    }
}

impl<T: Extent + ?Sized> Extent for &T {
    fn extent(&self) -> Range<usize> {
        (**self).extent()
    }
}

impl<T: Extent + ?Sized> Extent for Box<T> {
    fn extent(&self) -> Range<usize> {
        (**self).extent()
    }
}

impl Extent for Block {
    fn extent(&self) -> Range<usize> {
        self.brace_token.span.join().byte_range()
    }
}

impl Extent for syn::Macro {
    fn extent(&self) -> Range<usize> {
        let start = self.path.span().byte_range().start;
        start..delimiter_end(&self.delimiter)
    }
}

impl Extent for Local {
    fn extent(&self) -> Range<usize> {
        start_after_attrs(&self.attrs, self.let_token.span)..self.semi_token.span.byte_range().end
    }
}

impl Extent for Stmt {
    fn extent(&self) -> Range<usize> {
        match self {
            Stmt::Local(local) => local.extent(),
            // A lone `;` is an empty verbatim expression, which has no position of its own.
            Stmt::Expr(Expr::Verbatim(tokens), Some(semi)) if tokens.is_empty() => semi.span.byte_range(),
            Stmt::Expr(expr, semi) => {
                let range = expr.extent();
                range.start..semi.map_or(range.end, |semi| semi.span.byte_range().end)
            }
            Stmt::Macro(mac) => {
                let start = start_after_attrs(&mac.attrs, mac.mac.path.span());
                let end = mac.semi_token.map_or_else(
                    || delimiter_end(&mac.mac.delimiter),
                    |semi| semi.span.byte_range().end,
                );
                start..end
            }
            Stmt::Item(item) => item.extent(),
        }
    }
}

impl Extent for syn::Item {
    fn extent(&self) -> Range<usize> {
        match self {
            syn::Item::Fn(item) => item.extent(),
            item => item.span().byte_range(),
        }
    }
}

impl Extent for syn::Arm {
    fn extent(&self) -> Range<usize> {
        let start = start_after_attrs(&self.attrs, self.pat.span());
        let end = self
            .comma
            .map_or_else(|| end(&self.body), |comma| comma.span.byte_range().end);
        start..end
    }
}

impl Extent for syn::ItemMod {
    fn extent(&self) -> Range<usize> {
        let first = match (&self.vis, &self.unsafety) {
            (syn::Visibility::Inherited, None) => self.mod_token.span,
            (syn::Visibility::Inherited, Some(unsafety)) => unsafety.span,
            (vis, _) => vis.span(),
        };
        let outer = self
            .attrs
            .iter()
            .find(|a| matches!(a.style, syn::AttrStyle::Outer));
        let start = outer
            .map_or(first, |attr| attr.pound_token.span)
            .byte_range()
            .start;
        let end = match (&self.content, &self.semi) {
            (Some((brace, _)), _) => brace.span.close().byte_range().end,
            (None, Some(semi)) => semi.span.byte_range().end,
            (None, None) => self.ident.span().byte_range().end,
        };
        start..end
    }
}

impl Extent for syn::ItemImpl {
    fn extent(&self) -> Range<usize> {
        let first = [
            self.modifiers.defaultness.map(|t| t.span),
            self.unsafety.map(|t| t.span),
        ]
        .into_iter()
        .flatten()
        .next()
        .unwrap_or(self.impl_token.span);
        let outer = self
            .attrs
            .iter()
            .find(|a| matches!(a.style, syn::AttrStyle::Outer));
        let start = outer
            .map_or(first, |attr| attr.pound_token.span)
            .byte_range()
            .start;
        start..self.brace_token.span.close().byte_range().end
    }
}

impl Extent for syn::ItemFn {
    fn extent(&self) -> Range<usize> {
        let start = match self
            .attrs
            .iter()
            .find(|a| matches!(a.style, syn::AttrStyle::Outer))
        {
            Some(attr) => attr.pound_token.span.byte_range().start,
            None => match &self.vis {
                syn::Visibility::Inherited => self.sig.span().byte_range().start,
                vis => vis.span().byte_range().start,
            },
        };
        start..self.block.extent().end
    }
}

impl Extent for syn::ImplItemFn {
    fn extent(&self) -> Range<usize> {
        let start = match self
            .attrs
            .iter()
            .find(|a| matches!(a.style, syn::AttrStyle::Outer))
        {
            Some(attr) => attr.pound_token.span.byte_range().start,
            None => match (&self.vis, &self.modifiers.defaultness) {
                (syn::Visibility::Inherited, None) => self.sig.span().byte_range().start,
                (syn::Visibility::Inherited, Some(default)) => default.span.byte_range().start,
                (vis, _) => vis.span().byte_range().start,
            },
        };
        start..self.block.extent().end
    }
}

impl Extent for Expr {
    fn extent(&self) -> Range<usize> {
        start(self)..end(self)
    }
}

/// Expression node types lints and the model take spans of.
macro_rules! extent_via_expr {
    ($($variant:ident($ty:ty)),* $(,)?) => {
        $(impl Extent for $ty {
            fn extent(&self) -> Range<usize> {
                // Cheap: the node is re-wrapped by reference only through its edges.
                start_end(self.attrs.first(), || expr_start(&ExprRef::$variant(self)), || expr_end(&ExprRef::$variant(self)))
            }
        })*
    };
}

/// Borrowed views of the expression kinds that have their own `Extent` impls.
enum ExprRef<'a> {
    Assign(&'a syn::ExprAssign),
    Call(&'a syn::ExprCall),
    MethodCall(&'a syn::ExprMethodCall),
    Field(&'a syn::ExprField),
    Closure(&'a syn::ExprClosure),
    ForLoop(&'a syn::ExprForLoop),
    While(&'a syn::ExprWhile),
    Loop(&'a syn::ExprLoop),
    Binary(&'a syn::ExprBinary),
    Reference(&'a syn::ExprReference),
    Async(&'a syn::ExprAsync),
    Match(&'a syn::ExprMatch),
    If(&'a syn::ExprIf),
    Let(&'a syn::ExprLet),
    Await(&'a syn::ExprAwait),
    Try(&'a syn::ExprTry),
    Unary(&'a syn::ExprUnary),
    Struct(&'a syn::ExprStruct),
    Macro(&'a syn::ExprMacro),
    Tuple(&'a syn::ExprTuple),
    Index(&'a syn::ExprIndex),
}

extent_via_expr!(
    Assign(syn::ExprAssign),
    Call(syn::ExprCall),
    MethodCall(syn::ExprMethodCall),
    Field(syn::ExprField),
    Closure(syn::ExprClosure),
    ForLoop(syn::ExprForLoop),
    While(syn::ExprWhile),
    Loop(syn::ExprLoop),
    Binary(syn::ExprBinary),
    Reference(syn::ExprReference),
    Async(syn::ExprAsync),
    Match(syn::ExprMatch),
    If(syn::ExprIf),
    Let(syn::ExprLet),
    Await(syn::ExprAwait),
    Try(syn::ExprTry),
    Unary(syn::ExprUnary),
    Struct(syn::ExprStruct),
    Macro(syn::ExprMacro),
    Tuple(syn::ExprTuple),
    Index(syn::ExprIndex),
);

fn start_end(
    first_attr: Option<&Attribute>,
    start: impl FnOnce() -> usize,
    end: impl FnOnce() -> usize,
) -> Range<usize> {
    let start = first_attr.map_or_else(start, |attr| attr.pound_token.span.byte_range().start);
    start..end()
}

fn expr_start(expr: &ExprRef) -> usize {
    match *expr {
        ExprRef::Assign(e) => start(&e.left),
        ExprRef::Call(e) => start(&e.func),
        ExprRef::MethodCall(e) => start(&e.receiver),
        ExprRef::Field(e) => start(&e.base),
        ExprRef::Closure(e) => closure_start(e),
        ExprRef::ForLoop(e) => label_or(&e.label, e.for_token.span),
        ExprRef::While(e) => label_or(&e.label, e.while_token.span),
        ExprRef::Loop(e) => label_or(&e.label, e.loop_token.span),
        ExprRef::Binary(e) => start(&e.left),
        ExprRef::Reference(e) => e.and_token.span.byte_range().start,
        ExprRef::Async(e) => e.async_token.span.byte_range().start,
        ExprRef::Match(e) => e.match_token.span.byte_range().start,
        ExprRef::If(e) => e.if_token.span.byte_range().start,
        ExprRef::Let(e) => e.let_token.span.byte_range().start,
        ExprRef::Await(e) => start(&e.base),
        ExprRef::Try(e) => start(&e.expr),
        ExprRef::Unary(e) => e.op.span().byte_range().start,
        ExprRef::Struct(e) => match &e.qself {
            Some(qself) => qself.lt_token.span.byte_range().start,
            None => e.path.span().byte_range().start,
        },
        ExprRef::Macro(e) => e.mac.path.span().byte_range().start,
        ExprRef::Tuple(e) => e.paren_token.span.open().byte_range().start,
        ExprRef::Index(e) => start(&e.expr),
    }
}

fn expr_end(expr: &ExprRef) -> usize {
    match *expr {
        ExprRef::Assign(e) => end(&e.right),
        ExprRef::Call(e) => e.paren_token.span.close().byte_range().end,
        ExprRef::MethodCall(e) => e.paren_token.span.close().byte_range().end,
        ExprRef::Field(e) => e.member.span().byte_range().end,
        ExprRef::Closure(e) => end(&e.body),
        ExprRef::ForLoop(e) => e.body.extent().end,
        ExprRef::While(e) => e.body.extent().end,
        ExprRef::Loop(e) => e.body.extent().end,
        ExprRef::Binary(e) => end(&e.right),
        ExprRef::Reference(e) => end(&e.expr),
        ExprRef::Async(e) => e.block.extent().end,
        ExprRef::Match(e) => e.brace_token.span.close().byte_range().end,
        ExprRef::If(e) => match &e.else_branch {
            Some((_, else_branch)) => end(else_branch),
            None => e.then_branch.extent().end,
        },
        ExprRef::Let(e) => end(&e.expr),
        ExprRef::Await(e) => e.await_token.span.byte_range().end,
        ExprRef::Try(e) => e.question_token.span.byte_range().end,
        ExprRef::Unary(e) => end(&e.expr),
        ExprRef::Struct(e) => e.brace_token.span.close().byte_range().end,
        ExprRef::Macro(e) => delimiter_end(&e.mac.delimiter),
        ExprRef::Tuple(e) => e.paren_token.span.close().byte_range().end,
        ExprRef::Index(e) => e.bracket_token.span.close().byte_range().end,
    }
}

fn attrs_of(expr: &Expr) -> &[Attribute] {
    match expr {
        Expr::Assign(e) => &e.attrs,
        Expr::Call(e) => &e.attrs,
        Expr::MethodCall(e) => &e.attrs,
        Expr::Field(e) => &e.attrs,
        Expr::Closure(e) => &e.attrs,
        Expr::ForLoop(e) => &e.attrs,
        Expr::While(e) => &e.attrs,
        Expr::Loop(e) => &e.attrs,
        Expr::Binary(e) => &e.attrs,
        Expr::Reference(e) => &e.attrs,
        Expr::Async(e) => &e.attrs,
        Expr::Match(e) => &e.attrs,
        Expr::If(e) => &e.attrs,
        Expr::Let(e) => &e.attrs,
        Expr::Await(e) => &e.attrs,
        Expr::Try(e) => &e.attrs,
        Expr::Unary(e) => &e.attrs,
        Expr::Struct(e) => &e.attrs,
        Expr::Macro(e) => &e.attrs,
        Expr::Tuple(e) => &e.attrs,
        Expr::Index(e) => &e.attrs,
        Expr::Block(e) => &e.attrs,
        Expr::Paren(e) => &e.attrs,
        Expr::Return(e) => &e.attrs,
        Expr::Break(e) => &e.attrs,
        Expr::Unsafe(e) => &e.attrs,
        _ => &[],
    }
}

/// Starts (`true`) and ends of expressions, by kind and anchor position.
type Known = HashMap<(u8, usize, bool), usize>;

thread_local! {
    /// Starts and ends of expressions already found, while [`memoized`] runs: a chain
    /// (`a || b || …`, `x.f().g()…`, `a = b = …`) would otherwise be walked down from each of its
    /// nodes, in time quadratic in its length. Keyed by the expression's kind and the position
    /// of a token that belongs to it alone, so a macro body parsed again from the same tokens
    /// finds its entries too.
    static KNOWN: RefCell<Option<Known>> = const { RefCell::new(None) };
}

/// Runs `f` with starts and ends of expressions remembered; the code parsed in it must be one
/// text (positions identify expressions).
pub fn memoized<R>(f: impl FnOnce() -> R) -> R {
    struct Forget;
    impl Drop for Forget {
        fn drop(&mut self) {
            KNOWN.with(|known| *known.borrow_mut() = None);
        }
    }
    KNOWN.with(|known| *known.borrow_mut() = Some(HashMap::new()));
    let _forget = Forget;
    f()
}

/// The kind of an expression that has children at its edges, and a token only it holds.
fn anchor(expr: &Expr) -> Option<(u8, usize)> {
    let at = |span: Span| span.byte_range().start;
    Some(match expr {
        Expr::Binary(e) => (0, at(e.op.span())),
        Expr::Assign(e) => (1, at(e.eq_token.span)),
        Expr::MethodCall(e) => (2, at(e.dot_token.span)),
        Expr::Field(e) => (3, at(e.dot_token.span)),
        Expr::Await(e) => (4, at(e.dot_token.span)),
        Expr::Try(e) => (5, at(e.question_token.span)),
        Expr::Index(e) => (6, at(e.bracket_token.span.open())),
        Expr::Call(e) => (7, at(e.paren_token.span.open())),
        Expr::Unary(e) => (8, at(e.op.span())),
        Expr::Reference(e) => (9, at(e.and_token.span)),
        Expr::Closure(e) => (10, at(e.inputs_begin.span)),
        Expr::Let(e) => (11, at(e.let_token.span)),
        Expr::If(e) => (12, at(e.if_token.span)),
        Expr::Return(e) => (13, at(e.return_token.span)),
        Expr::Break(e) => (14, at(e.break_token.span)),
        Expr::Cast(e) => (15, at(e.as_token.span)),
        _ => return None,
    })
}

/// `find(expr)`, remembered under `expr`'s anchor while [`memoized`] runs.
fn remembered(expr: &Expr, is_start: bool, find: impl FnOnce(&Expr) -> usize) -> usize {
    let key = anchor(expr).map(|(kind, at)| (kind, at, is_start));
    if let Some(key) = key
        && let Some(found) = KNOWN.with(|known| known.borrow().as_ref().and_then(|m| m.get(&key).copied()))
    {
        return found;
    }
    let found = find(expr);
    if let Some(key) = key {
        KNOWN.with(|known| {
            if let Some(map) = known.borrow_mut().as_mut() {
                map.insert(key, found);
            }
        });
    }
    found
}

/// Where an expression's first token starts.
fn start(expr: &Expr) -> usize {
    remembered(expr, true, start_of_expr)
}

/// Where an expression's last token ends.
fn end(expr: &Expr) -> usize {
    remembered(expr, false, end_of_expr)
}

fn start_of_expr(expr: &Expr) -> usize {
    if let Some(attr) = attrs_of(expr).first() {
        return attr.pound_token.span.byte_range().start;
    }
    match expr {
        Expr::Assign(e) => expr_start(&ExprRef::Assign(e)),
        Expr::Call(e) => expr_start(&ExprRef::Call(e)),
        Expr::MethodCall(e) => expr_start(&ExprRef::MethodCall(e)),
        Expr::Field(e) => expr_start(&ExprRef::Field(e)),
        Expr::Closure(e) => expr_start(&ExprRef::Closure(e)),
        Expr::ForLoop(e) => expr_start(&ExprRef::ForLoop(e)),
        Expr::While(e) => expr_start(&ExprRef::While(e)),
        Expr::Loop(e) => expr_start(&ExprRef::Loop(e)),
        Expr::Binary(e) => expr_start(&ExprRef::Binary(e)),
        Expr::Reference(e) => expr_start(&ExprRef::Reference(e)),
        Expr::Async(e) => expr_start(&ExprRef::Async(e)),
        Expr::Match(e) => expr_start(&ExprRef::Match(e)),
        Expr::If(e) => expr_start(&ExprRef::If(e)),
        Expr::Let(e) => expr_start(&ExprRef::Let(e)),
        Expr::Await(e) => expr_start(&ExprRef::Await(e)),
        Expr::Try(e) => expr_start(&ExprRef::Try(e)),
        Expr::Unary(e) => expr_start(&ExprRef::Unary(e)),
        Expr::Struct(e) => expr_start(&ExprRef::Struct(e)),
        Expr::Macro(e) => expr_start(&ExprRef::Macro(e)),
        Expr::Tuple(e) => expr_start(&ExprRef::Tuple(e)),
        Expr::Index(e) => expr_start(&ExprRef::Index(e)),
        Expr::Block(e) => label_or(&e.label, e.block.brace_token.span.open()),
        Expr::Paren(e) => e.paren_token.span.open().byte_range().start,
        Expr::Return(e) => e.return_token.span.byte_range().start,
        Expr::Break(e) => e.break_token.span.byte_range().start,
        Expr::Unsafe(e) => e.unsafe_token.span.byte_range().start,
        other => other.span().byte_range().start,
    }
}

fn end_of_expr(expr: &Expr) -> usize {
    match expr {
        Expr::Assign(e) => expr_end(&ExprRef::Assign(e)),
        Expr::Call(e) => expr_end(&ExprRef::Call(e)),
        Expr::MethodCall(e) => expr_end(&ExprRef::MethodCall(e)),
        Expr::Field(e) => expr_end(&ExprRef::Field(e)),
        Expr::Closure(e) => expr_end(&ExprRef::Closure(e)),
        Expr::ForLoop(e) => expr_end(&ExprRef::ForLoop(e)),
        Expr::While(e) => expr_end(&ExprRef::While(e)),
        Expr::Loop(e) => expr_end(&ExprRef::Loop(e)),
        Expr::Binary(e) => expr_end(&ExprRef::Binary(e)),
        Expr::Reference(e) => expr_end(&ExprRef::Reference(e)),
        Expr::Async(e) => expr_end(&ExprRef::Async(e)),
        Expr::Match(e) => expr_end(&ExprRef::Match(e)),
        Expr::If(e) => expr_end(&ExprRef::If(e)),
        Expr::Let(e) => expr_end(&ExprRef::Let(e)),
        Expr::Await(e) => expr_end(&ExprRef::Await(e)),
        Expr::Try(e) => expr_end(&ExprRef::Try(e)),
        Expr::Unary(e) => expr_end(&ExprRef::Unary(e)),
        Expr::Struct(e) => expr_end(&ExprRef::Struct(e)),
        Expr::Macro(e) => expr_end(&ExprRef::Macro(e)),
        Expr::Tuple(e) => expr_end(&ExprRef::Tuple(e)),
        Expr::Index(e) => expr_end(&ExprRef::Index(e)),
        Expr::Block(e) => e.block.extent().end,
        Expr::Paren(e) => e.paren_token.span.close().byte_range().end,
        Expr::Unsafe(e) => e.block.extent().end,
        Expr::Return(e) => match &e.expr {
            Some(value) => end(value),
            None => e.return_token.span.byte_range().end,
        },
        Expr::Break(e) => match (&e.expr, &e.label) {
            (Some(value), _) => end(value),
            (None, Some(label)) => label.span().byte_range().end,
            (None, None) => e.break_token.span.byte_range().end,
        },
        other => other.span().byte_range().end,
    }
}

fn closure_start(closure: &syn::ExprClosure) -> usize {
    if let Some(lifetimes) = &closure.lifetimes {
        return lifetimes.for_token.span.byte_range().start;
    }
    let first = [
        closure.constness.map(|t| t.span),
        closure.asyncness.map(|t| t.span),
        closure.capture.map(|t| t.span),
    ];
    first
        .into_iter()
        .flatten()
        .next()
        .unwrap_or(closure.inputs_begin.spans[0])
        .byte_range()
        .start
}

fn label_or(label: &Option<syn::Label>, keyword: Span) -> usize {
    match label {
        Some(label) => label.name.apostrophe.byte_range().start,
        None => keyword.byte_range().start,
    }
}

fn start_after_attrs(attrs: &[Attribute], first: Span) -> usize {
    attrs
        .first()
        .map_or(first, |attr| attr.pound_token.span)
        .byte_range()
        .start
}

fn delimiter_end(delimiter: &syn::MacroDelimiter) -> usize {
    match delimiter {
        syn::MacroDelimiter::Paren(p) => p.span.close().byte_range().end,
        syn::MacroDelimiter::Brace(b) => b.span.close().byte_range().end,
        syn::MacroDelimiter::Bracket(b) => b.span.close().byte_range().end,
    }
}

#[cfg(test)]
mod tests {
    use syn::visit::Visit;

    use super::*;

    /// Checks `Extent` against `Spanned` on every expression, statement, block and local.
    struct Compare(usize);

    impl Compare {
        fn check(&mut self, fast: Range<usize>, slow: Range<usize>, what: &str) {
            assert_eq!(fast, slow, "{what}");
            self.0 += 1;
        }
    }

    impl<'a> Visit<'a> for Compare {
        fn visit_expr(&mut self, expr: &'a Expr) {
            self.check(expr.extent(), expr.span().byte_range(), &format!("{expr:?}"));
            syn::visit::visit_expr(self, expr);
        }
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            self.check(stmt.extent(), stmt.span().byte_range(), "stmt");
            syn::visit::visit_stmt(self, stmt);
        }
        fn visit_block(&mut self, block: &'a Block) {
            self.check(block.extent(), block.span().byte_range(), "block");
            syn::visit::visit_block(self, block);
        }
        fn visit_local(&mut self, local: &'a Local) {
            self.check(local.extent(), local.span().byte_range(), "local");
            syn::visit::visit_local(self, local);
        }
        fn visit_item_fn(&mut self, item: &'a syn::ItemFn) {
            self.check(item.extent(), item.span().byte_range(), "fn");
            syn::visit::visit_item_fn(self, item);
        }
        fn visit_impl_item_fn(&mut self, item: &'a syn::ImplItemFn) {
            self.check(item.extent(), item.span().byte_range(), "impl fn");
            syn::visit::visit_impl_item_fn(self, item);
        }
        fn visit_macro(&mut self, mac: &'a syn::Macro) {
            self.check(mac.extent(), mac.span().byte_range(), "macro");
        }
        fn visit_type(&mut self, ty: &'a syn::Type) {
            self.check(ty.extent(), ty.span().byte_range(), &format!("{ty:?}"));
            syn::visit::visit_type(self, ty);
        }
        fn visit_path(&mut self, path: &'a syn::Path) {
            self.check(path.extent(), path.span().byte_range(), &format!("{path:?}"));
            syn::visit::visit_path(self, path);
        }
        fn visit_signature(&mut self, signature: &'a syn::Signature) {
            self.check(signature.extent(), signature.span().byte_range(), "signature");
            syn::visit::visit_signature(self, signature);
        }
        fn visit_arm(&mut self, arm: &'a syn::Arm) {
            self.check(arm.extent(), arm.span().byte_range(), "arm");
            syn::visit::visit_arm(self, arm);
        }
        fn visit_item_mod(&mut self, item: &'a syn::ItemMod) {
            self.check(item.extent(), item.span().byte_range(), "mod");
            syn::visit::visit_item_mod(self, item);
        }
        fn visit_item_impl(&mut self, item: &'a syn::ItemImpl) {
            self.check(item.extent(), item.span().byte_range(), "impl");
            syn::visit::visit_item_impl(self, item);
        }
    }

    #[test]
    fn extents_are_spanned_ranges_on_every_fixture() {
        let mut compared = Compare(0);
        let testdata = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
        for dir in std::fs::read_dir(testdata).unwrap() {
            let dir = dir.unwrap().path();
            if !dir.is_dir() {
                continue;
            }
            for file in std::fs::read_dir(&dir).unwrap() {
                let path = file.unwrap().path();
                if path.extension().is_some_and(|e| e == "rs")
                    && let Ok(text) = std::fs::read_to_string(&path)
                    && let Ok(file) = syn::parse_file(&text)
                {
                    compared.visit_file(&file);
                }
            }
        }
        let odd = r#"
            #[inline] pub fn f() { #[allow(x)] let a = 1; 'outer: for x in y { break 'outer; }
                let c = async move || -> u8 { 1 }; let d = for<'a> |x: &'a u8| x; return;
                m!{ a } n!(b); x?.await; -x; &mut y; (a, b); v[0]; S { a: 1, ..b }; if a {} else if b {} else {}
                #[cfg(x)] g(1); unsafe { 1 } 'b: { 2 } break 'b 3; <T as Q>::X { }; ; }
            #[cfg(test)] pub(crate) mod m { } mod n; unsafe impl<T> S for T {} #[doc = "d"] impl X {}
            fn arms() { match x { #[cfg(a)] A => 1, B if c => { 2 } C => 3 } }
            const unsafe extern "C" fn q<T>(a: <T as Q>::X, b: &'static mut [u8; 4], c: *const ()) -> ! where T: Q, { loop {} }
            async fn r(f: impl Fn(u8) -> u8, g: Box<dyn FnOnce()>, h: fn(u8) -> u8, i: ::std::vec::Vec<(u8, _)>) where T: A + B {}
            fn s(x: m!(u8), y: Box<dyn Fn(u8)>, z: (u8,)) -> Option<HashMap<String, Vec<Arc<T>>>> {}
            impl A { pub(crate) default fn g(&self) {} default fn i() {} #[doc = "x"] fn h() {} }
        "#;
        compared.visit_file(&syn::parse_file(odd).unwrap());
        assert!(compared.0 > 1000, "compared only {} nodes", compared.0);
    }
}
