#!/usr/bin/env python3
"""Latency of `ctxlint server`: the time from a `didChange` to the diagnostics it publishes for
that version, on a generated file of LINES lines with findings.

    cargo build --release
    bench/server.py [--binary target/release/ctxlint] [--lines 5000] [--runs 50]

Each change edits one line (alternately adding and removing a finding) and is sent alone,
after the previous version's diagnostics arrived: a change after a pause, which the server
lints at once. The time includes linting, publishing and reading the diagnostics. Python's standard library only.

The wall times depend on what else the machine runs; the server's CPU time per change (from
/proc, Linux) does not, and is printed too.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def generate(lines):
    """A file of at least `lines` lines: functions using a token (one finding each) among plain ones."""
    out = ["use tokio_util::sync::CancellationToken;", ""]
    n = 0
    while len(out) < lines:
        out += [
            f"pub fn plain_{n}(x: u64) -> u64 {{",
            "    let mut total = 0;",
            "    for i in 0..x {",
            f"        total += i * {n};",
            "    }",
            "    total",
            "}",
            "",
            f"pub async fn worker_{n}(token: CancellationToken, n: u64) {{",
            "    let _ = token.child_token().drop_guard();",
            "    loop {",
            "        tokio::select! {",
            "            _ = token.cancelled() => break,",
            f"            _ = plain_{n}(n) => {{}}",
            "        }",
            "    }",
            "}",
            "",
        ]
        n += 1
    return "\n".join(out) + "\n"


class Server:
    def __init__(self, binary, cwd):
        self.process = subprocess.Popen(
            [binary, "server"], cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        self.next_id = 1

    def send(self, message):
        body = json.dumps(message).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def read(self):
        length = None
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise SystemExit("the server closed its output")
            line = line.strip()
            if not line:
                break
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        return json.loads(self.process.stdout.read(length))

    def request(self, method, params):
        request_id = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        while True:
            message = self.read()
            if message.get("id") == request_id and "method" not in message:
                return message

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def diagnostics(self, uri, version):
        while True:
            message = self.read()
            params = message.get("params", {})
            if (
                message.get("method") == "textDocument/publishDiagnostics"
                and params.get("uri") == uri
                and params.get("version") == version
            ):
                return params["diagnostics"]


def cpu_ms(pid):
    """User plus system CPU time of process `pid` so far, in milliseconds (Linux)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    return ticks * 1000 / os.sysconf("SC_CLK_TCK")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=os.path.join(here, "..", "target", "release", "ctxlint"))
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    args.binary = os.path.abspath(args.binary)
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"no ctxlint binary at {args.binary} (cargo build --release)")

    with tempfile.TemporaryDirectory() as scratch:
        path = os.path.join(scratch, "big.rs")
        text = generate(args.lines)
        with open(path, "w") as f:
            f.write(text)
        uri = "file://" + path
        server = Server(args.binary, scratch)
        server.request("initialize", {"processId": None, "rootUri": "file://" + scratch, "capabilities": {}})
        server.notify("initialized", {})
        server.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "rust", "version": 1, "text": text}},
        )
        findings = len(server.diagnostics(uri, 1))

        # Line 11 (0-based) is the first `let _ = token.child_token().drop_guard();`.
        line = 11
        timings = []
        cpu_before = cpu_ms(server.process.pid)
        for run in range(args.runs):
            version = run + 2
            # `_` -> `_guard` and back: one finding fewer, then one more.
            if run % 2 == 0:
                change = {"range": {"start": {"line": line, "character": 9}, "end": {"line": line, "character": 9}}, "text": "guard"}
            else:
                change = {"range": {"start": {"line": line, "character": 9}, "end": {"line": line, "character": 14}}, "text": ""}
            started = time.perf_counter()
            server.notify(
                "textDocument/didChange",
                {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]},
            )
            got = len(server.diagnostics(uri, version))
            timings.append((time.perf_counter() - started) * 1000)
            expected = findings - 1 if run % 2 == 0 else findings
            if got != expected:
                sys.exit(f"version {version}: {got} diagnostics, expected {expected}")

        cpu = (cpu_ms(server.process.pid) - cpu_before) / args.runs
        server.request("shutdown", None)
        server.notify("exit", None)
        server.process.wait(timeout=30)

    timings.sort()
    print(f"{args.lines} lines, {findings} findings, {args.runs} changes")
    print(
        "didChange -> publishDiagnostics: median {:.1f} ms, p90 {:.1f} ms, min {:.1f} ms, max {:.1f} ms".format(
            statistics.median(timings),
            timings[int(len(timings) * 0.9) - 1],
            timings[0],
            timings[-1],
        )
    )
    print(f"server CPU time per change: {cpu:.1f} ms (load average now {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
