// Guards whose drop cancels, dropped at once.
use stop_token::StopSource;
use tokio_context::context::Context;

pub fn handle_discarded() -> Context {
    let (ctx, _) = Context::new();
    ctx
}

pub fn source_dropped() -> stop_token::StopToken {
    let token = StopSource::new().token();
    token
}
