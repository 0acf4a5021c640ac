pub fn scuffle_root(parent: &scuffle_context::Context) -> bool {
    let (ctx, handler) = scuffle_context::Context::new();
    let done = ctx.is_done();
    drop(handler);
    done
}

pub fn scuffle_dropped(parent: &scuffle_context::Context) {
    let _ = parent.new_child();
}

pub fn tree_root(parent: &mut tokio_tree_context::Context) {
    let child = tokio_tree_context::Context::new();
    drop(child);
}

// `new_child_context` takes `&mut self`: deriving from a shared reference is only suggested.
pub fn tree_root_shared(parent: &tokio_tree_context::Context) {
    let child = tokio_tree_context::Context::new();
    drop(child);
}
