#!/usr/bin/env -S cargo +nightly -Zscript
---cargo
# Not Rust: "an unclosed quote and a ' stay in the front matter
[dependencies]
tokio-util = "0.7"
---

use tokio_util::sync::CancellationToken;

fn main() {
    let token = CancellationToken::new();
    let _ = token.drop_guard(); //~ dropped_cancel_guard
}
