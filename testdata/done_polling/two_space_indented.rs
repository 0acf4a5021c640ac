//@ fix: unsafe
// The select! of the fix is indented as the file is: two spaces a level here, and the
// sleep's own continuation lines move one level deeper with it.
use std::time::Duration;
use tokio::time::sleep;
use tokio_util::sync::CancellationToken;

mod workers {
  use super::*;

  pub async fn nested(token: CancellationToken, slow: bool) {
    if slow {
      while !token.is_cancelled() { //~ done_polling
        sleep(
          Duration::from_secs(10),
        )
        .await;
      }
    }
  }
}
