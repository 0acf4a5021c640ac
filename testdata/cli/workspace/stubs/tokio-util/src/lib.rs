//! A stand-in for tokio-util's `CancellationToken`, enough for `cargo check`.

pub mod sync {
    #[derive(Clone, Default)]
    pub struct CancellationToken(());

    pub struct DropGuard(CancellationToken);

    impl CancellationToken {
        pub fn new() -> Self {
            Self::default()
        }

        pub fn child_token(&self) -> Self {
            self.clone()
        }

        pub fn drop_guard(self) -> DropGuard {
            DropGuard(self)
        }
    }
}
