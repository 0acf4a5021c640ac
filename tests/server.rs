//! `ctxlint server` at the protocol level: a client speaking JSON-RPC over its stdio.

mod support;

use serde_json::{Value, json};
use support::cli::{CLEAN, FINDING, project};
use support::lsp::{Client, apply_edits, file_uri, frame};

const BINARY: &str = env!("CARGO_BIN_EXE_ctxlint");

/// A second mistake, added to [`FINDING`] after its line 3.
const SECOND: &str = "    let _ = token.clone().drop_guard();\n";

fn started(dir: &std::path::Path) -> Client {
    let mut client = Client::start(BINARY, dir);
    client.initialize(json!({}), Some(dir));
    client
}

fn codes(diagnostics: &[Value]) -> Vec<(u64, String)> {
    diagnostics
        .iter()
        .map(|d| {
            (
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn with_second_mistake() -> String {
    FINDING.replace("drop_guard();\n", &format!("drop_guard();\n{SECOND}"))
}

#[test]
fn initialize_declares_capabilities_and_encoding() {
    let dir = project(&[]);
    let mut client = Client::start(BINARY, dir.path());
    let result = client.initialize(json!({}), Some(dir.path()));
    let capabilities = &result["capabilities"];
    assert_eq!(capabilities["positionEncoding"], "utf-16");
    assert_eq!(capabilities["textDocumentSync"]["change"], 2, "incremental");
    assert_eq!(capabilities["textDocumentSync"]["openClose"], true);
    let kinds = capabilities["codeActionProvider"]["codeActionKinds"]
        .as_array()
        .unwrap();
    assert!(kinds.contains(&json!("quickfix")) && kinds.contains(&json!("source.fixAll.ctxlint")));
    assert_eq!(result["serverInfo"]["name"], "ctxlint");
    assert!(client.shut_down().success());

    let mut client = Client::start(BINARY, dir.path());
    let result = client.initialize(
        json!({ "general": { "positionEncodings": ["utf-32", "utf-8", "utf-16"] } }),
        None,
    );
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");
    // A second initialize is refused.
    let again = client.request("initialize", json!({ "capabilities": {} }));
    assert_eq!(again["error"]["code"], -32600);
    assert!(client.shut_down().success());
}

#[test]
fn diagnostics_follow_the_buffer_not_the_file() {
    // On disk the file is clean; the buffer has the mistake.
    let dir = project(&[("src/lib.rs", CLEAN)]);
    let uri = file_uri(&dir.path().join("src/lib.rs"));
    let mut client = started(dir.path());
    client.open(&uri, FINDING);
    let diagnostics = client.diagnostics(&uri, Some(1));
    assert_eq!(codes(&diagnostics), [(2, "dropped_cancel_guard".to_string())]);
    let diagnostic = &diagnostics[0];
    assert_eq!(diagnostic["source"], "ctxlint");
    assert_eq!(diagnostic["severity"], 2);
    assert_eq!(diagnostic["range"]["start"]["character"], 8);
    assert_eq!(diagnostic["range"]["end"]["character"], 9);
    // The message the command line prints for the same text.
    std::fs::write(dir.path().join("same.rs"), FINDING).unwrap();
    let short = support::cli::stdout(&support::cli::ctxlint(
        dir.path(),
        &["--message-format", "short", "same.rs"],
    ));
    let message = diagnostic["message"].as_str().unwrap();
    assert!(
        short.contains(&format!("[ctxlint::dropped_cancel_guard]: {message}\n")),
        "{short}\n{message}"
    );
    let related: Vec<&str> = diagnostic["relatedInformation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["message"].as_str().unwrap())
        .collect();
    assert!(related.iter().any(|m| m.starts_with("help: ")), "{related:?}");
    assert!(related.contains(&"dropped here"), "{related:?}");

    // A full change adds a second mistake, unsaved.
    client.change(&uri, 2, json!([{ "text": with_second_mistake() }]));
    let diagnostics = client.diagnostics(&uri, Some(2));
    assert_eq!(
        codes(&diagnostics),
        [
            (2, "dropped_cancel_guard".to_string()),
            (3, "dropped_cancel_guard".to_string())
        ]
    );

    // An incremental change fixes the first: `_` → `_guard` on line 2.
    let range = json!({ "start": { "line": 2, "character": 9 }, "end": { "line": 2, "character": 9 } });
    client.change(&uri, 3, json!([{ "range": range, "text": "guard" }]));
    let diagnostics = client.diagnostics(&uri, Some(3));
    assert_eq!(codes(&diagnostics), [(3, "dropped_cancel_guard".to_string())]);

    // Closing clears them.
    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
    assert!(client.diagnostics(&uri, None).is_empty());
    assert!(client.shut_down().success());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("src/lib.rs")).unwrap(),
        CLEAN
    );
}

#[test]
fn other_languages_are_left_alone() {
    let dir = project(&[]);
    let mut client = started(dir.path());
    let readme = file_uri(&dir.path().join("README.md"));
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": readme, "languageId": "markdown", "version": 1, "text": FINDING } }),
    );
    // A Rust file opened after it gets its diagnostics; the markdown file never does.
    let rust = file_uri(&dir.path().join("a.rs"));
    client.open(&rust, FINDING);
    assert_eq!(client.diagnostics(&rust, Some(1)).len(), 1);
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": readme },
            "range": { "start": { "line": 2, "character": 8 }, "end": { "line": 2, "character": 8 } },
            "context": { "diagnostics": [] }
        }),
    );
    assert_eq!(actions["result"], json!([]));
    assert!(client.shut_down().success());
    let published = client.received();
    assert!(!published.iter().any(|m| m["params"]["uri"] == readme));
}

#[test]
fn a_burst_of_changes_is_linted_once_not_at_every_change() {
    let dir = project(&[]);
    let uri = file_uri(&dir.path().join("a.rs"));
    let mut client = started(dir.path());
    client.open(&uri, FINDING);
    client.diagnostics(&uri, Some(1));
    // Twenty changes in one write: they arrive together, well within the quiet period.
    let mut burst = Vec::new();
    let mut text = FINDING.to_string();
    for version in 2..=21 {
        text.push_str("// edit\n");
        let message = json!({
            "jsonrpc": "2.0",
            "method": "textDocument/didChange",
            "params": { "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] },
        });
        burst.extend(frame(&message));
    }
    client.write_raw(&burst);
    client.diagnostics(&uri, Some(21));
    assert!(client.shut_down().success());
    let versions: Vec<i64> = client
        .received()
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .map(|m| m["params"]["version"].as_i64().unwrap())
        .collect();
    // The burst's first change may be linted at once (the others then make it stale); the
    // rest are linted together once they pause.
    assert!(
        versions.len() < 10,
        "most versions were linted one by one: {versions:?}"
    );
    assert!(versions.windows(2).all(|pair| pair[0] < pair[1]), "{versions:?}");
}

#[test]
fn positions_in_utf16_and_utf8_with_non_ascii_crlf_and_bom() {
    // `é` is 2 bytes/1 unit, `𝄞` 4 bytes/2 units; the finding's `_` follows them on a CRLF line.
    let text = "\u{feff}use tokio_util::sync::CancellationToken;\r\n\
                fn f(token: CancellationToken) {\r\n    /*é𝄞*/ let _ = token.drop_guard();\r\n}\r\n";
    let prefix = "    /*é𝄞*/ let ";
    let utf16: u64 = prefix.chars().map(|c| c.len_utf16() as u64).sum();
    let utf8 = prefix.len() as u64;
    for (offered, column, bom) in [
        (json!(["utf-16"]), utf16, 1),
        (json!(["utf-8", "utf-16"]), utf8, 3),
    ] {
        let dir = project(&[]);
        let uri = file_uri(&dir.path().join("a.rs"));
        let mut client = Client::start(BINARY, dir.path());
        client.initialize(json!({ "general": { "positionEncodings": offered } }), None);
        client.open(&uri, text);
        let diagnostics = client.diagnostics(&uri, Some(1));
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        let range = &diagnostics[0]["range"];
        assert_eq!(range["start"], json!({ "line": 2, "character": column }));
        assert_eq!(range["end"], json!({ "line": 2, "character": column + 1 }));

        // An incremental edit at that position in the same encoding: insert `guard` after `_`.
        let at = json!({ "line": 2, "character": column + 1 });
        client.change(
            &uri,
            2,
            json!([{ "range": { "start": at, "end": at }, "text": "guard" }]),
        );
        assert!(client.diagnostics(&uri, Some(2)).is_empty());
        // The BOM counts as a character of line 0 (`use` starts after it).
        let first = json!({ "line": 0, "character": bom });
        client.change(
            &uri,
            3,
            json!([{ "range": { "start": first, "end": first }, "text": "\n" }]),
        );
        let diagnostics = client.diagnostics(&uri, Some(3));
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert!(client.shut_down().success());
    }
}

fn code_actions(
    client: &mut Client,
    uri: &str,
    line: u64,
    character: u64,
    only: Option<Value>,
) -> Vec<Value> {
    let position = json!({ "line": line, "character": character });
    let mut context = json!({ "diagnostics": [] });
    if let Some(only) = only {
        context["only"] = only;
    }
    let response = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": { "start": position, "end": position }, "context": context }),
    );
    response["result"].as_array().unwrap().clone()
}

fn edits_of(action: &Value, uri: &str) -> Vec<Value> {
    action["edit"]["changes"][uri].as_array().unwrap().clone()
}

#[test]
fn quick_fixes_suppression_and_fix_all() {
    let dir = project(&[]);
    let uri = file_uri(&dir.path().join("a.rs"));
    let mut client = started(dir.path());
    let text = with_second_mistake();
    client.open(&uri, &text);
    client.diagnostics(&uri, Some(1));

    // At the first finding: its fix (preferred), and its suppression.
    let actions = code_actions(&mut client, &uri, 2, 8, None);
    let quickfixes: Vec<&Value> = actions.iter().filter(|a| a["kind"] == "quickfix").collect();
    assert_eq!(quickfixes.len(), 2, "{actions:#?}");
    let fix = quickfixes
        .iter()
        .find(|a| a["isPreferred"] == true)
        .expect("a preferred fix");
    assert_eq!(fix["diagnostics"][0]["code"], "dropped_cancel_guard");
    let fixed = apply_edits(&text, &edits_of(fix, &uri));
    assert_eq!(
        fixed,
        CLEAN.replace("drop_guard();\n", &format!("drop_guard();\n{SECOND}"))
    );
    let suppress = quickfixes
        .iter()
        .find(|a| a["title"] == "Suppress `dropped_cancel_guard` on this line")
        .expect("a suppression");
    let suppressed = apply_edits(&text, &edits_of(suppress, &uri));
    assert!(
        suppressed.contains("let _ = token.drop_guard(); // ctxlint: allow(dropped_cancel_guard)\n"),
        "{suppressed}"
    );
    // The suppressed text has only the second finding left.
    client.change(&uri, 2, json!([{ "text": suppressed }]));
    assert_eq!(
        codes(&client.diagnostics(&uri, Some(2))),
        [(3, "dropped_cancel_guard".to_string())]
    );

    // Fix-all, asked for by kind, fixes both at once.
    client.change(&uri, 3, json!([{ "text": text }]));
    client.diagnostics(&uri, Some(3));
    let actions = code_actions(&mut client, &uri, 0, 0, Some(json!(["source.fixAll"])));
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(actions[0]["kind"], "source.fixAll.ctxlint");
    let all_fixed = apply_edits(&text, &edits_of(&actions[0], &uri));
    assert_eq!(
        all_fixed,
        CLEAN.replace(
            "drop_guard();\n",
            "drop_guard();\n    let _guard = token.clone().drop_guard();\n"
        )
    );
    // Away from any finding only fix-all is offered; `quickfix` alone gives nothing there.
    assert_eq!(
        code_actions(&mut client, &uri, 0, 0, Some(json!(["quickfix"]))),
        Vec::<Value>::new()
    );
    assert!(client.shut_down().success());
}

#[test]
fn risky_and_placeholder_fixes_are_marked() {
    let dir = project(&[]);
    let mut client = Client::start(BINARY, dir.path());
    client.initialize(
        json!({ "textDocument": { "codeAction": { "disabledSupport": true } } }),
        Some(dir.path()),
    );
    // A MaybeIncorrect fix.
    let risky = "use tokio_util::sync::{CancellationToken, DropGuard};\n\
                 struct S { dg: DropGuard, token: CancellationToken }\n\
                 impl S {\n    fn reset(&mut self) {\n        \
                 let _ = std::mem::replace(&mut self.dg, self.token.clone().drop_guard());\n    }\n}\n";
    let uri = file_uri(&dir.path().join("risky.rs"));
    client.open(&uri, risky);
    assert_eq!(client.diagnostics(&uri, Some(1)).len(), 1);
    let actions = code_actions(&mut client, &uri, 4, 12, Some(json!(["quickfix"])));
    let fix = &actions[0];
    assert!(
        fix["title"].as_str().unwrap().ends_with("(may change behaviour)"),
        "{fix:#}"
    );
    assert!(fix.get("isPreferred").is_none());
    assert!(apply_edits(risky, &edits_of(fix, &uri)).contains(".drop_guard()).disarm();"));
    // Not part of fix-all.
    let all = code_actions(&mut client, &uri, 0, 0, Some(json!(["source.fixAll.ctxlint"])));
    assert!(all.is_empty(), "{all:#?}");

    // A HasPlaceholders fix: shown, disabled, with the reason.
    let chain = "use opentelemetry::Context;\nfn f(parent: &Context) {\n    \
                 let a = parent.with_value(User(1));\n    let b = a.with_value(Tenant(2));\n    \
                 let c = b.with_value(RequestId(3));\n    handle(&c);\n}\n";
    let uri = file_uri(&dir.path().join("chain.rs"));
    client.open(&uri, chain);
    let diagnostics = client.diagnostics(&uri, Some(1));
    assert_eq!(codes(&diagnostics), [(4, "value_chain".to_string())]);
    let actions = code_actions(&mut client, &uri, 4, 14, Some(json!(["quickfix"])));
    let fix = actions
        .iter()
        .find(|a| a["title"].as_str().unwrap().contains("placeholders"))
        .expect("the placeholder fix");
    assert!(
        fix["disabled"]["reason"]
            .as_str()
            .unwrap()
            .contains("placeholders")
    );
    assert!(fix.get("isPreferred").is_none());
    assert!(client.shut_down().success());
}

#[test]
fn a_client_without_disabled_support_gets_no_placeholder_edit() {
    let dir = project(&[]);
    let mut client = started(dir.path());
    let chain = "use opentelemetry::Context;\nfn f(parent: &Context) {\n    \
                 let a = parent.with_value(User(1));\n    let b = a.with_value(Tenant(2));\n    \
                 let c = b.with_value(RequestId(3));\n    handle(&c);\n}\n";
    let uri = file_uri(&dir.path().join("chain.rs"));
    client.open(&uri, chain);
    client.diagnostics(&uri, Some(1));
    let actions = code_actions(&mut client, &uri, 4, 14, Some(json!(["quickfix"])));
    let fix = actions
        .iter()
        .find(|a| a["title"].as_str().unwrap().contains("placeholders"))
        .expect("the placeholder fix");
    assert!(fix.get("edit").is_none(), "{fix:#}");
    assert!(client.shut_down().success());
}

#[test]
fn configuration_reloads_when_it_changes() {
    let dir = project(&[("ctxlint.toml", "[rules]\ndropped_cancel_guard = \"deny\"\n")]);
    let uri = file_uri(&dir.path().join("src/lib.rs"));
    let mut client = Client::start(BINARY, dir.path());
    client.initialize(
        json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } }),
        Some(dir.path()),
    );
    // The server asks to watch the configuration files.
    let registration = client.wait_for(|m| m["method"] == "client/registerCapability");
    let watchers = &registration["params"]["registrations"][0]["registerOptions"]["watchers"];
    assert!(
        watchers
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["globPattern"] == "**/ctxlint.toml")
    );
    let id = registration["id"].clone();
    client.send(&json!({ "jsonrpc": "2.0", "id": id, "result": null }));

    client.open(&uri, FINDING);
    assert_eq!(
        client.diagnostics(&uri, Some(1))[0]["severity"],
        1,
        "deny: an error"
    );

    // Changed on disk, announced by the watcher.
    std::fs::write(
        dir.path().join("ctxlint.toml"),
        "[rules]\ndropped_cancel_guard = \"allow\"\n",
    )
    .unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": file_uri(&dir.path().join("ctxlint.toml")), "type": 2 }] }),
    );
    assert!(client.diagnostics(&uri, Some(1)).is_empty());

    // Changed again, and only a save tells the server.
    std::fs::write(
        dir.path().join("ctxlint.toml"),
        "[rules]\ndropped_cancel_guard = \"warn\"\n",
    )
    .unwrap();
    client.notify("textDocument/didSave", json!({ "textDocument": { "uri": uri } }));
    assert_eq!(client.diagnostics(&uri, Some(1))[0]["severity"], 2);

    // Broken: said once, and the defaults apply meanwhile.
    std::fs::write(
        dir.path().join("ctxlint.toml"),
        "[rules]\nno_such_rule = \"warn\"\n",
    )
    .unwrap();
    client.notify("textDocument/didSave", json!({ "textDocument": { "uri": uri } }));
    let shown = client.wait_for(|m| m["method"] == "window/showMessage");
    assert!(
        shown["params"]["message"]
            .as_str()
            .unwrap()
            .contains("no_such_rule"),
        "{shown}"
    );
    assert_eq!(client.diagnostics(&uri, Some(1))[0]["severity"], 2);
    assert!(client.shut_down().success());
}

#[test]
fn files_outside_the_workspace_and_other_schemes_are_linted_on_their_own() {
    let workspace = project(&[(
        "ctxlint.toml",
        "exclude = [\"generated/\"]\n[rules]\ndropped_cancel_guard = \"deny\"\n",
    )]);
    let elsewhere = project(&[]);
    // Started elsewhere, with the workspace as its folder.
    let mut client = Client::start(BINARY, elsewhere.path());
    client.initialize(json!({}), Some(workspace.path()));
    let inside = file_uri(&workspace.path().join("src/lib.rs"));
    client.open(&inside, FINDING);
    assert_eq!(client.diagnostics(&inside, Some(1))[0]["severity"], 1);
    // Excluded by the configuration, as on the command line.
    let generated = file_uri(&workspace.path().join("generated/out.rs"));
    client.open(&generated, FINDING);
    assert!(client.diagnostics(&generated, Some(1)).is_empty());
    let outside = file_uri(&elsewhere.path().join("loose.rs"));
    client.open(&outside, FINDING);
    // Not the workspace's configuration: the default level.
    assert_eq!(client.diagnostics(&outside, Some(1))[0]["severity"], 2);

    // A buffer that is not a file takes the first workspace folder's configuration.
    let untitled = "untitled:Untitled-1";
    client.open(untitled, FINDING);
    assert_eq!(client.diagnostics(untitled, Some(1))[0]["severity"], 1);
    // Without that folder, the server's own directory's.
    client.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({ "event": { "added": [], "removed": [{ "uri": file_uri(workspace.path()), "name": "w" }] } }),
    );
    assert_eq!(client.diagnostics(untitled, Some(1))[0]["severity"], 2);
    assert!(client.shut_down().success());
}

#[test]
fn bad_input_never_stops_the_server() {
    let dir = project(&[]);
    let mut client = Client::start(BINARY, dir.path());
    // Before initialize: refused, not fatal; notifications are dropped.
    let early = client.request("textDocument/codeAction", json!({}));
    assert_eq!(early["error"]["code"], -32002);
    client.notify("textDocument/didOpen", json!({ "nonsense": true }));
    client.initialize(json!({}), Some(dir.path()));

    // Not JSON, and not JSON-RPC: a parse error with a null id.
    client.write_raw(b"Content-Length: 9\r\n\r\n{not json");
    let error = client.wait_for(|m| m["error"]["code"] == -32700);
    assert_eq!(error["id"], Value::Null);
    client.write_raw(&frame(&json!([1, 2, 3])));
    client.wait_for(|m| m["error"]["code"] == -32700);

    // Unknown method, bad parameters.
    let unknown = client.request("textDocument/hover", json!({}));
    assert_eq!(unknown["error"]["code"], -32601);
    let bad = client.request("textDocument/codeAction", json!({ "textDocument": 3 }));
    assert_eq!(bad["error"]["code"], -32602);
    client.notify("textDocument/didChange", json!({ "textDocument": "x" }));
    let logged = client.wait_for(|m| m["method"] == "window/logMessage");
    assert!(
        logged["params"]["message"]
            .as_str()
            .unwrap()
            .contains("didChange")
    );

    // Positions far outside the document, and a range given end first.
    let uri = file_uri(&dir.path().join("a.rs"));
    client.open(&uri, FINDING);
    client.diagnostics(&uri, Some(1));
    let far = json!({ "start": { "line": 900, "character": 4 }, "end": { "line": 2, "character": 4000 } });
    client.change(&uri, 2, json!([{ "range": far, "text": "\n" }]));
    client.diagnostics(&uri, Some(2));
    let actions = code_actions(&mut client, &uri, 7000, 7000, None);
    assert!(actions.iter().all(|a| a["kind"] != "quickfix"));
    // Edits to a document that is not open, and a code action on one.
    client.change("file:///nowhere/b.rs", 2, json!([{ "text": "x" }]));
    assert_eq!(
        code_actions(&mut client, "file:///nowhere/b.rs", 0, 0, None),
        Vec::<Value>::new()
    );

    // Binary and huge buffers: not linted, said in the log.
    let binary = file_uri(&dir.path().join("binary.rs"));
    client.open(&binary, "fn f() {}\0\0\u{1}");
    assert!(client.diagnostics(&binary, Some(1)).is_empty());
    let huge_text = format!(
        "{FINDING}{}",
        "// padding padding padding padding\n".repeat(300_000)
    );
    let huge = file_uri(&dir.path().join("huge.rs"));
    client.open(&huge, &huge_text);
    assert!(client.diagnostics(&huge, Some(1)).is_empty());
    let logged = client.wait_for(|m| {
        m["method"] == "window/logMessage" && m["params"]["message"].as_str().unwrap().contains("huge.rs")
    });
    assert!(
        logged["params"]["message"]
            .as_str()
            .unwrap()
            .contains("more than")
    );
    // Deeply nested code.
    let deep = file_uri(&dir.path().join("deep.rs"));
    let nested = format!("fn f() {{ {}{} }}", "(".repeat(5000), ")".repeat(5000));
    client.open(
        &deep,
        &format!("use tokio_util::sync::CancellationToken;\n{nested}"),
    );
    let diagnostics = client.diagnostics(&deep, Some(1));
    // Reported where the nesting goes too deep: the second line.
    assert_eq!(codes(&diagnostics), [(1, "parse_error".to_string())]);

    // Still answering.
    let id = client.send_request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } },
            "context": { "diagnostics": [] }
        }),
    );
    client.wait_for(|m| m["id"] == id && m.get("result").is_some());
    assert!(client.shut_down().success());
}

#[test]
fn exit_without_shutdown_fails_and_requests_after_shutdown_are_refused() {
    let dir = project(&[]);
    let mut client = started(dir.path());
    client.notify("exit", Value::Null);
    assert_eq!(client.wait_exit().code(), Some(1));

    let mut client = started(dir.path());
    assert!(client.request("shutdown", Value::Null)["error"].is_null());
    let after = client.request("textDocument/codeAction", json!({}));
    assert_eq!(after["error"]["code"], -32600);
    client.notify("exit", Value::Null);
    assert_eq!(client.wait_exit().code(), Some(0));
}

#[test]
fn the_server_ends_when_stdin_closes() {
    let dir = project(&[]);
    // Even before initialize.
    let mut client = Client::start(BINARY, dir.path());
    client.close_stdin();
    assert!(client.wait_exit().success());

    let mut client = started(dir.path());
    let uri = file_uri(&dir.path().join("a.rs"));
    client.open(&uri, FINDING);
    client.diagnostics(&uri, Some(1));
    client.close_stdin();
    assert!(client.wait_exit().success());
}

/// A panic while linting one buffer (made on purpose: debug builds panic on a marker named by
/// `CTXLINT_DEBUG_PANIC_ON`) becomes that buffer's `internal_error` diagnostic; the server goes
/// on linting, answers requests and shuts down cleanly.
#[test]
fn a_panic_while_linting_a_buffer_leaves_the_server_running() {
    let dir = project(&[("src/lib.rs", CLEAN)]);
    let uri = file_uri(&dir.path().join("src/lib.rs"));
    let mut client = Client::start_with_env(BINARY, dir.path(), &[("CTXLINT_DEBUG_PANIC_ON", "PANIC_HERE")]);
    client.initialize(json!({}), Some(dir.path()));
    client.open(&uri, &format!("{FINDING}// PANIC_HERE\n"));
    let diagnostics = client.diagnostics(&uri, Some(1));
    let rules: Vec<String> = codes(&diagnostics).into_iter().map(|(_, code)| code).collect();
    assert_eq!(rules, ["internal_error"], "{diagnostics:?}");
    assert!(
        diagnostics[0]["message"]
            .as_str()
            .unwrap()
            .contains("CTXLINT_DEBUG_PANIC_ON"),
        "{diagnostics:?}"
    );

    client.change(&uri, 2, json!([{ "text": FINDING }]));
    let diagnostics = client.diagnostics(&uri, Some(2));
    assert_eq!(codes(&diagnostics), [(2, "dropped_cancel_guard".to_string())]);
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": diagnostics[0]["range"],
            "context": { "diagnostics": diagnostics }
        }),
    );
    assert!(!actions["result"].as_array().unwrap().is_empty(), "{actions}");
    assert!(client.shut_down().success());
}
