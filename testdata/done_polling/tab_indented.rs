//@ fix: unsafe
// The select! of the fix is indented as the file is: with tabs here.
use std::time::Duration;
use tokio::time::sleep;
use tokio_util::sync::CancellationToken;

mod workers {
	use super::*;

	pub async fn nested(token: CancellationToken) {
		if true {
			while !token.is_cancelled() { //~ done_polling
				sleep(Duration::from_secs(1)).await;
			}
		}
	}
}
