//@ fix: unsafe
// Go-style contexts: `err()`/`Err()`/`is_done()` polls and selects with `default`.
use std::thread;
use std::time::Duration;

use go_lib::context::Context;
use go_lib::select;

fn s11_err_poll_with_sleep(ctx: &Context) {
    while ctx.err().is_none() { //~ done_polling
        thread::sleep(Duration::from_millis(10));
    }
}

fn s11_empty_loop(ctx: &Context) {
    loop {
        if ctx.err().is_some() { //~ done_polling
            break;
        }
    }
}

fn is_done_spin(ctx: Context) {
    while !ctx.is_done() {} //~ done_polling
}

fn s02_empty_default(ctx: Context) {
    loop {
        go_lib::select! {
            recv(ctx.done()) -> _ => break,
            default => {} //~ done_polling
        }
    }
}

fn s05b_default_only_sleeps(ctx: Context) {
    loop {
        go_lib::select! {
            recv(ctx.done()) -> _ => break,
            default => thread::sleep(Duration::from_millis(5)), //~ done_polling
        }
    }
}

// Yielding to the scheduler is no wait; `select!` imported by name is go-lib's.
fn default_only_yields(ctx: Context) {
    loop {
        select! {
            recv(ctx.done()) -> _ => break,
            default => go_lib::gosched(), //~ done_polling
        }
    }
}

fn try_recv_on_done(ctx: Context) {
    while ctx.done().try_recv().is_err() { //~ done_polling
        thread::yield_now();
    }
}

fn goish_err_nil(ctx: goish::context::Context) {
    while ctx.Err() == nil { //~ done_polling
        thread::sleep(Duration::from_millis(1));
    }
}

async fn scuffle_is_done(ctx: scuffle_context::Context) {
    while !ctx.is_done() { //~ done_polling
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn halo_err(ctx: core::context::Context) {
    loop {
        if ctx.err().is_some() { //~ done_polling
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

// No findings.

fn s01_one_shot_select(ctx: Context, rx: Receiver<Job>) {
    go_lib::select! {
        recv(ctx.done()) -> _ => return,
        recv(rx) -> job => job.unwrap().run(),
        default => {}
    }
}

fn s03_default_does_work(ctx: Context, queue: &Queue) {
    loop {
        go_lib::select! {
            recv(ctx.done()) -> _ => break,
            default => {
                queue.process_next();
                gosched();
            }
        }
    }
}

fn s04_blocking_select(ctx: Context, rx: Receiver<Job>) {
    loop {
        go_lib::select! {
            recv(ctx.done()) -> _ => break,
            recv(rx) -> job => job.unwrap().run(),
        }
    }
}

fn default_with_timeout_blocks(ctx: Context) {
    loop {
        go_lib::select! {
            recv(ctx.done()) -> _ => break,
            default(Duration::from_secs(1)) => tick(),
        }
    }
}

fn s10_err_check_around_blocking_work(ctx: Context, conn: &mut Conn) -> Result<(), Error> {
    loop {
        if let Some(err) = ctx.err() {
            return Err(err.into());
        }
        let request = conn.read_request()?;
        conn.respond(handle(request))?;
    }
}

fn blocking_wait_on_done(ctx: Context) {
    while ctx.err().is_none() {
        let _ = ctx.done().recv_timeout(Duration::from_secs(1));
    }
}

fn bounded_poll_with_work(ctx: Context, items: &[Item]) {
    for item in items {
        if ctx.err().is_some() {
            return;
        }
        item.process();
    }
}

fn select_without_done_arm(rx: Receiver<Job>) {
    loop {
        go_lib::select! {
            recv(rx) -> job => job.unwrap().run(),
            default => {}
        }
    }
}
