#!/usr/bin/env bash
# Generates the two stress inputs of the performance issue in a scratch directory and times
# ctxlint on each, with peak memory: one ~50 MB file, and 100,000 tiny files.
#
#   bench/stress.sh [-b CTXLINT_BINARY] [-m MEGABYTES] [-f FILES]
#
# Needs a release build (`cargo build --release`) and GNU time (/usr/bin/time).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
ctxlint="$here/../target/release/ctxlint"
megabytes=50
files=100000
while getopts "b:m:f:" opt; do
  case $opt in
    b) ctxlint=$OPTARG ;;
    m) megabytes=$OPTARG ;;
    f) files=$OPTARG ;;
    *) echo "usage: $0 [-b CTXLINT_BINARY] [-m MEGABYTES] [-f FILES]" >&2; exit 2 ;;
  esac
done
[ -x "$ctxlint" ] || { echo "no ctxlint binary at $ctxlint (cargo build --release)" >&2; exit 2; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# One big file: a token-using function (one finding each) among plain ones, repeated.
mkdir "$scratch/big"
awk -v bytes=$((megabytes * 1024 * 1024)) 'BEGIN {
  print "use tokio_util::sync::CancellationToken;"
  n = 0; size = 0
  while (size < bytes) {
    block = sprintf("pub fn plain_%d(x: u64) -> u64 {\n    let mut total = 0;\n    for i in 0..x {\n        total += i * %d;\n    }\n    total\n}\n\npub async fn worker_%d(token: CancellationToken, n: u64) {\n    let _ = token.child_token().drop_guard();\n    while !token.is_cancelled() {\n        plain_%d(n).await;\n    }\n}\n\n", n, n, n, n)
    printf "%s", block
    size += length(block); n++
  }
}' > "$scratch/big/big.rs"

# Many tiny files, a tenth of them using a token.
mkdir "$scratch/tiny"
awk -v files="$files" -v dir="$scratch/tiny" 'BEGIN {
  for (i = 0; i < files; i++) {
    sub_dir = sprintf("%s/d%03d", dir, i % 1000)
    if (i < 1000) system("mkdir -p " sub_dir)
    path = sprintf("%s/f%06d.rs", sub_dir, i)
    if (i % 10 == 0)
      printf "use tokio_util::sync::CancellationToken;\nfn f(t: CancellationToken) { t.child_token().drop_guard(); }\n", i > path
    else
      printf "fn f%d() -> u32 { %d }\n", i, i > path
    close(path)
  }
}'

measure() {
  local label=$1 dir=$2
  local out
  out=$( { /usr/bin/time -f '%e %M' "$ctxlint" --exit-zero --stats --message-format short "$dir" > /dev/null; } 2>&1 )
  local stats times
  stats=$(printf '%s\n' "$out" | grep '^ctxlint:' | tail -1)
  times=$(printf '%s\n' "$out" | tail -1)
  printf '%-12s %s; %s s wall, peak RSS %s MiB\n' "$label" "$stats" "${times% *}" "$(( ${times#* } / 1024 ))"
}

printf 'big file:    %s bytes, %s lines\n' "$(wc -c < "$scratch/big/big.rs")" "$(wc -l < "$scratch/big/big.rs")"
measure "big file:" "$scratch/big"
measure "tiny files:" "$scratch/tiny"
