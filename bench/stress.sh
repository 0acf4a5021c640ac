#!/usr/bin/env bash
# Generates stress inputs in a scratch directory and times ctxlint on each, with peak memory:
# one ~50 MB file, 100,000 tiny files, and hostile shapes (long chains, thousands of roots in
# one function, thousands of misordered functions, nested select!, nesting past the bound,
# special files) each beside a flat file of the same size: a shaped input should cost a small
# multiple of its flat twin.
#
#   bench/stress.sh [-b CTXLINT_BINARY] [-m MEGABYTES] [-f FILES] [-s SHAPE_KILOBYTES]
#
# Needs a release build (`cargo build --release`) and GNU time (/usr/bin/time).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
ctxlint="$here/../target/release/ctxlint"
megabytes=50
files=100000
shape_kb=400
while getopts "b:m:f:s:" opt; do
  case $opt in
    b) ctxlint=$OPTARG ;;
    m) megabytes=$OPTARG ;;
    f) files=$OPTARG ;;
    s) shape_kb=$OPTARG ;;
    *) echo "usage: $0 [-b CTXLINT_BINARY] [-m MEGABYTES] [-f FILES] [-s SHAPE_KILOBYTES]" >&2; exit 2 ;;
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

# Above the default size cap (32 MiB): raise it for this file.
printf 'max_file_size = 1000000000\n' > "$scratch/big/ctxlint.toml"

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

# Hostile shapes, each about $shape_kb KB, and a flat file of the same size.
mkdir "$scratch/shapes"
awk -v bytes=$((shape_kb * 1024)) -v dir="$scratch/shapes" 'BEGIN {
  head = "use tokio_util::sync::CancellationToken;\nfn f(token: CancellationToken, x: u64) {\n    let _ = token.drop_guard();\n"
  # flat: plain statements
  out = dir "/flat.rs"; printf "%s", head > out
  for (n = 0; n * 19 < bytes; n++) printf "    let y = x + 1;\n" > out
  printf "}\n" > out; close(out)
  # a long || chain
  out = dir "/or_chain.rs"; printf "%s    let y = x", head > out
  for (n = 0; n * 5 < bytes; n++) printf " || x" > out
  printf ";\n}\n" > out; close(out)
  # a long method chain
  out = dir "/method_chain.rs"; printf "%s    let y = x", head > out
  for (n = 0; n * 4 < bytes; n++) printf ".f()" > out
  printf ";\n}\n" > out; close(out)
  # assignment chains 900 deep (the nesting bound is 1,000)
  out = dir "/assignments.rs"; printf "%s", head > out
  for (n = 0; n * 3600 < bytes; n++) { printf "    " > out; for (k = 0; k < 900; k++) printf "a = " > out; printf "1;\n" > out }
  printf "}\n" > out; close(out)
  # thousands of roots in one function
  out = dir "/roots.rs"; printf "%s", head > out
  for (n = 0; n * 38 < bytes; n++) printf "    let t = CancellationToken::new();\n" > out
  printf "}\n" > out; close(out)
  # thousands of functions with a misordered token, each called once
  out = dir "/misordered.rs"; printf "use tokio_util::sync::CancellationToken;\n" > out
  for (n = 0; n * 80 < bytes; n++) printf "fn f%d(x: u64, token: CancellationToken, y: u64) { f%d(x, token, y); }\n", n, n > out
  close(out)
  # nested select! (a few hundred levels: each level is ~70 bytes)
  out = dir "/nested_select.rs"; printf "%s    loop {\n", head > out
  for (n = 0; n < 300; n++) printf "tokio::select! { _ = token.cancelled() => break, _ = sleep(d) => {\n" > out
  printf "x();" > out
  for (n = 0; n < 300; n++) printf "} }" > out
  printf "\n    }\n}\n" > out; close(out)
  # nesting far past the bound, without brackets
  out = dir "/deep_bangs.rs"; printf "%s    let y = ", head > out
  for (n = 0; n < bytes; n++) printf "!" > out
  printf "x;\n}\n" > out; close(out)
}'

shape() {
  local file=$1
  local out
  out=$( { /usr/bin/time -f '%e %M' timeout 600 "$ctxlint" --exit-zero --no-prefilter --message-format short "$file" > /dev/null; } 2>&1 | tail -1)
  printf '%-18s %8s bytes: %6s s wall, peak RSS %s MiB\n' "$(basename "$file")" "$(wc -c < "$file")" "${out% *}" "$(( ${out#* } / 1024 ))"
}
echo "shapes (each against flat.rs):"
for file in flat or_chain method_chain assignments roots misordered nested_select deep_bangs; do
  shape "$scratch/shapes/$file.rs"
done

# Special files named on the command line: each is one diagnostic, nothing blocks or grows.
mkfifo "$scratch/pipe.rs"
out=$( { /usr/bin/time -f '%e %M' timeout 60 "$ctxlint" --exit-zero --message-format short "$scratch/pipe.rs" /dev/zero /proc/self/pagemap > /dev/null; } 2>&1 | tail -1)
printf 'special files:     FIFO, /dev/zero, /proc/self/pagemap: %s s wall, peak RSS %s MiB\n' "${out% *}" "$(( ${out#* } / 1024 ))"
