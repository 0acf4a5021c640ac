//@ fix: unsafe
// goish v1's `Context` is a trait: contexts travel as `Arc<dyn Context>`, `&dyn Context` or an
// alias of one. A trait of the same name declared here is not goish's.
use std::sync::Arc;

use goish::context::Context;

type Ctx = Arc<dyn Context + Send + Sync>;

fn shared(req: u32, ctx: Arc<dyn Context>) {} //~ context_param_order
fn borrowed(req: u32, ctx: &dyn Context) {} //~ context_param_order
fn aliased(req: u32, ctx: Ctx) {} //~ context_param_order
fn first(ctx: &dyn Context, req: u32) {}

mod own {
    pub trait Context {
        fn done(&self) -> bool;
    }

    fn local_trait(req: u32, ctx: &dyn Context) {}
}
