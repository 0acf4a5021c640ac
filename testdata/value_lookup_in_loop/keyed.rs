//@ fix: unsafe
// Keyed lookups (halo-core, goish, rs_ctx) in loops whose context and key do not change.
use core::context::Context;
use goish::context::Context as GoishContext;

const USER_KEY: UserKey = UserKey;

struct Server {
    ctx: Context,
}

fn v01_for_loop(ctx: Context, items: Vec<Item>) {
    for item in items {
        let user = ctx.value(&USER_KEY); //~ value_lookup_in_loop
        handle(item, user);
    }
}

// Used by reference only: the `let` moves before the loop as it is, no clone left inside.
fn borrowed_only(ctx: Context, items: Vec<Item>) {
    for item in items {
        let base = ctx.value(&USER_KEY); //~ value_lookup_in_loop
        item.price(&base);
    }
}

// Another binding of the same name in the function: moving the `let` could shadow it.
fn homonym(ctx: Context, items: Vec<Item>, base: Price) {
    for item in items {
        let base = ctx.value(&USER_KEY); //~ value_lookup_in_loop
        item.price(&base);
    }
    item_total(base);
}

fn while_loop(ctx: &Context, queue: &mut Queue) {
    while let Some(job) = queue.pop() {
        if let Some(user) = ctx.value(&keys::USER) { //~ value_lookup_in_loop
            job.run(user);
        }
    }
}

fn plain_loop(ctx: Context, rx: Receiver<Job>) {
    loop {
        let Ok(job) = rx.recv() else { break };
        job.run(ctx.value(&USER_KEY)); //~ value_lookup_in_loop
    }
}

fn while_condition(ctx: Context, mut n: u32) {
    while ctx.value(&LIMIT_KEY).is_some() { //~ value_lookup_in_loop
        n -= 1;
        if n == 0 {
            break;
        }
    }
}

fn goish_string_key(ctx: GoishContext, items: &[Item]) {
    for item in items {
        let id = ctx.Value::<String>("request_id"); //~ value_lookup_in_loop
        item.tag(id);
    }
}

fn field_of_self(this: &Server, items: &[Item]) {
    for item in items {
        item.tag(this.ctx.value(&USER_KEY)); //~ value_lookup_in_loop
    }
}

fn nested_loops_hoist_out_of_both(ctx: Context, rows: Vec<Vec<Cell>>) {
    for row in rows {
        for cell in row {
            cell.owner(ctx.value(&USER_KEY)); //~ value_lookup_in_loop
        }
    }
}

fn invariant_in_inner_loop_only(parent: Context, batches: Vec<Batch>) {
    for batch in batches {
        let ctx: Context = batch.context(&parent);
        for item in batch.items {
            item.owner(ctx.value(&USER_KEY)); //~ value_lookup_in_loop
        }
    }
}

fn iterator_closure(ctx: Context, items: Vec<Item>) -> Vec<Tagged> {
    items
        .iter()
        .map(|item| item.tagged(ctx.value(&USER_KEY))) //~ value_lookup_in_loop
        .collect()
}

fn for_each_closure(ctx: &Context, items: &[Item]) {
    items.iter().for_each(|item| item.tag(ctx.value(&USER_KEY))); //~ value_lookup_in_loop
}

fn fold_closure(ctx: &Context, items: &[Item]) -> u64 {
    items.iter().fold(0, |sum, item| sum + item.cost(ctx.value(&USER_KEY))) //~ value_lookup_in_loop
}

fn range_filter(ctx: &Context) -> usize {
    (0..10).filter(|i| ctx.value(&USER_KEY).is_some_and(|u| u.allows(*i))).count() //~ value_lookup_in_loop
}

fn same_lookup_twice_is_one_finding(ctx: Context, items: Vec<Item>) {
    for item in items {
        let a = ctx.value(&USER_KEY); //~ value_lookup_in_loop
        let b = ctx.value(&USER_KEY);
        compare(item, a, b);
    }
}

// The context or the key changes, or the loop runs once: no findings.

fn v02_hoisted_already(ctx: Context, items: Vec<Item>) {
    let user = ctx.value(&USER_KEY);
    for item in items {
        handle(item, user.clone());
    }
}

fn v03_context_rebound_in_loop(ctx: Context, items: Vec<Item>) {
    for item in items {
        let ctx = core::context::WithValue(&ctx, ItemKey, item.id);
        handle(item, ctx.value(&USER_KEY));
    }
}

fn context_assigned_in_loop(mut ctx: Context, items: Vec<Item>) {
    for item in items {
        ctx = core::context::WithValue(&ctx, ItemKey, item.id);
        handle(item, ctx.value(&USER_KEY));
    }
}

fn context_borrowed_mutably_in_loop(mut ctx: Context, items: Vec<Item>) {
    for item in items {
        refresh(&mut ctx);
        handle(item, ctx.value(&USER_KEY));
    }
}

fn v04_key_from_loop_variable(ctx: Context, keys: Vec<Key>) {
    for i in 0..keys.len() {
        handle(ctx.value(&keys[i]));
    }
    for key in &keys {
        handle(ctx.value(key));
    }
}

fn key_assigned_in_loop(ctx: Context, mut key: Key) {
    loop {
        handle(ctx.value(&key));
        key = key.next();
    }
}

fn key_made_by_a_call(ctx: Context, items: Vec<Item>) {
    for item in items {
        handle(item, ctx.value(&Key::fresh()));
    }
}

fn v06_runs_once(ctx: Context, items: Vec<Item>) {
    for item in items {
        handle(item, ctx.value(&USER_KEY));
        break;
    }
    loop {
        let user = ctx.value(&USER_KEY);
        return finish(user);
    }
}

fn runs_once_unless_continue(ctx: Context, items: Vec<Item>) {
    for item in items {
        if item.skip() {
            continue;
        }
        handle(item, ctx.value(&USER_KEY)); //~ value_lookup_in_loop
        break;
    }
}

fn option_map_runs_once(ctx: Context, item: Option<Item>) -> Option<Tagged> {
    item.map(|item| item.tagged(ctx.value(&USER_KEY)))
}

fn spawned_closures_and_tasks(ctx: Context, items: Vec<Item>) {
    for item in items {
        let ctx = ctx.clone();
        std::thread::spawn(move || handle(item, ctx.value(&USER_KEY)));
    }
    for item in items {
        tokio::spawn(async move { handle(item, ctx.value(&USER_KEY)) });
    }
}

fn before_the_loop_only(ctx: Context, items: Vec<Item>) {
    for item in filter(items, ctx.value(&USER_KEY)) {
        handle(item);
    }
}

fn unknown_context_type(ctx: Unknown, items: Vec<Item>) {
    for item in items {
        handle(item, ctx.value(&USER_KEY));
    }
}

fn local_binding_missed_is_not_invariant(ctx: Context, items: Vec<Item>) {
    for item in items {
        handle(item, ctx.value(&key));
    }
}

fn unknown_macro_may_change_the_context(mut ctx: Context, items: Vec<Item>) {
    for item in items {
        replace_context!(ctx, item);
        handle(item, ctx.value(&USER_KEY));
    }
}

fn mutated_through_self(this: &mut Server, items: Vec<Item>) {
    for item in items {
        this.advance(item);
        handle(this.ctx.value(&USER_KEY));
    }
}
