// Syntax rustc's parser takes before an attribute macro rewrites it is read, not reported.
use tokio_util::sync::CancellationToken;

#[easy_ext::ext(TokenExt)]
pub impl CancellationToken {
    fn cancel_on_drop(&self) {
        let _ = self.clone().drop_guard(); //~ dropped_cancel_guard
    }
}

#[extension_trait::extension_trait]
pub(crate) impl ScopedCancel for CancellationToken {
    fn scoped(&self) -> CancellationToken {
        let child = self.child_token();
        let _ = child.clone().drop_guard(); //~ dropped_cancel_guard
        child
    }
}

pub(in crate::jobs) unsafe impl Send for Holder {}

struct Holder;
