pub use tokio_util;

pub mod time;
pub mod task;
