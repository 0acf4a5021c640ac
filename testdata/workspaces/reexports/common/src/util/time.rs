use std::time::Duration;

pub trait TimeProvider {
    fn now(&self) -> u64;
}

pub async fn pause(duration: Duration) {
    let _ = duration;
}
