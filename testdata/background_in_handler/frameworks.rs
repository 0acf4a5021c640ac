//@ fix: unsafe
// Request handlers: a root token there is not cancelled when the request goes away.
#[macro_use]
extern crate rocket;

use actix_web::{get, web, HttpResponse};
use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::RequestContext;
use rmcp::{tool, tool_router};
use tokio_util::sync::CancellationToken;

#[get("/jobs/{id}")]
async fn start_job(id: web::Path<u64>) -> HttpResponse {
    let token = CancellationToken::new(); //~ background_in_handler
    tokio::spawn(run_job(*id, token.clone()));
    HttpResponse::Ok().finish()
}

#[actix_web::post("/jobs")]
async fn start_inline(body: web::Json<Job>) -> HttpResponse {
    tokio::spawn(run(body.into_inner(), CancellationToken::new())); //~ background_in_handler
    HttpResponse::Accepted().finish()
}

#[post("/upload")]
async fn rocket_upload(data: Data<'_>) -> &'static str {
    let cancel = CancellationToken::new(); //~ background_in_handler
    spawn_upload(data, cancel);
    "ok"
}

#[poem::handler]
async fn poem_handler() -> String {
    let token = CancellationToken::new(); //~ background_in_handler
    spawn_work(token);
    String::new()
}

mod salvo_routes {
    use salvo::prelude::*;
    use tokio_util::sync::CancellationToken;

    #[handler]
    async fn salvo_handler(res: &mut Response) {
        let token = CancellationToken::new(); //~ background_in_handler
        spawn_work(token);
    }
}

pub struct MyGreeter;

#[tonic::async_trait]
impl greeter_server::Greeter for MyGreeter {
    async fn say_hello(&self, request: Request<HelloRequest>) -> Result<Response<HelloReply>, Status> {
        let token = CancellationToken::new(); //~ background_in_handler
        tokio::spawn(stream_replies(request, token.clone()));
        Ok(Response::new(HelloReply::default()))
    }
}

struct Counter;

#[tool_router]
impl Counter {
    #[tool(description = "count slowly")]
    async fn count(&self, Parameters(n): Parameters<u32>) -> String {
        let token = CancellationToken::new(); //~ background_in_handler
        tokio::spawn(count_to(n, token.clone()));
        String::new()
    }

    // rmcp's request context carries the request's token in `ct`.
    #[tool(description = "fetch")]
    async fn fetch(&self, url: String, context: RequestContext<RoleServer>) -> String {
        let token = CancellationToken::new(); //~ background_in_handler
        download(url, token).await
    }

    // ---- No findings below. ----

    #[tool(description = "derived")]
    async fn derived(&self, context: RequestContext<RoleServer>) -> String {
        download(String::new(), context.ct.child_token()).await
    }

    #[tool(description = "guarded")]
    async fn guarded(&self) -> String {
        let token = CancellationToken::new();
        let _guard = token.clone().drop_guard();
        tokio::spawn(count_to(3, token.clone()));
        String::new()
    }

    // Not a tool: an ordinary method.
    async fn helper(&self) {
        spawn_work(CancellationToken::new());
    }
}

// A handler that hands the token back.
#[get("/token")]
async fn make_token() -> Result<CancellationToken, Error> {
    Ok(CancellationToken::new())
}

// `get` from elsewhere is not a route attribute.
mod other_get {
    use my_macros::get;
    use tokio_util::sync::CancellationToken;

    #[get]
    fn not_a_route() {
        spawn_work(CancellationToken::new());
    }
}

// A stop-token source is itself the guard that stops its tokens.
#[get("/stream")]
async fn stream() -> HttpResponse {
    let source = stop_token::StopSource::new();
    serve_until(source.token()).await;
    HttpResponse::Ok().finish()
}

// Other traits' impls are not gRPC services.
impl std::fmt::Display for MyGreeter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        spawn_work(CancellationToken::new());
        Ok(())
    }
}

// The hoisted name avoids the handler's own names.
#[get("/again")]
async fn names_taken(token: web::Query<String>) -> HttpResponse {
    spawn_work(token.into_inner(), CancellationToken::new()); //~ background_in_handler
    HttpResponse::Ok().finish()
}
