pub mod state;
mod server;
mod types;
mod poll;
