pub use tokio_util;

pub mod time;
