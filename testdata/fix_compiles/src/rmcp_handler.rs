use rmcp::service::{RequestContext, RoleClient};
use tokio_util::sync::CancellationToken;

pub async fn handle(ctx: &RequestContext<RoleClient>) {
    let token = CancellationToken::new();
    token.cancelled().await;
}
