#!/usr/bin/env bash
# Times ctxlint against ast-grep running equivalent rules (bench/astgrep/) and against reading
# the same files, on corpus paths given as arguments, in one run with the tools alternating.
#
#   bench/compare.sh [-n ROUNDS] [-b CTXLINT_BINARY] PATH...
#
# Needs: a release build of ctxlint (`cargo build --release`), ast-grep
# (`pip install ast-grep-cli`), GNU time (/usr/bin/time) for peak memory. Fetches nothing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
rounds=7
ctxlint="$here/../target/release/ctxlint"
while getopts "n:b:" opt; do
  case $opt in
    n) rounds=$OPTARG ;;
    b) ctxlint=$OPTARG ;;
    *) echo "usage: $0 [-n ROUNDS] [-b CTXLINT_BINARY] PATH..." >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { echo "usage: $0 [-n ROUNDS] [-b CTXLINT_BINARY] PATH..." >&2; exit 2; }
[ -x "$ctxlint" ] || { echo "no ctxlint binary at $ctxlint (cargo build --release)" >&2; exit 2; }
command -v ast-grep >/dev/null || { echo "ast-grep not found (pip install ast-grep-cli)" >&2; exit 2; }

# The files ctxlint walks: *.rs outside hidden directories and target/.
list=$(mktemp)
trap 'rm -f "$list"' EXIT
find "$@" \( -name '.*' -o -name target \) -prune -o -name '*.rs' -type f -print0 > "$list"
files=$(tr -cd '\0' < "$list" | wc -c)
lines=$(xargs -0 cat < "$list" | wc -l)

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

run_ctxlint() { "$ctxlint" --exit-zero --message-format short "$@" > /dev/null 2>&1; }
run_astgrep() { ast-grep scan -c "$here/astgrep/sgconfig.yml" "$@" > /dev/null 2>&1 || true; }
run_read() { xargs -0 cat < "$list" > /dev/null; }

# Warm the page cache once, so every tool reads from memory.
run_read
declare -a t_ctx t_sg t_read
for ((i = 0; i < rounds; i++)); do
  s=$(now); run_ctxlint "$@"; t_ctx+=("$(elapsed "$s" "$(now)")")
  s=$(now); run_astgrep "$@"; t_sg+=("$(elapsed "$s" "$(now)")")
  s=$(now); run_read; t_read+=("$(elapsed "$s" "$(now)")")
done
m_ctx=$(printf '%s\n' "${t_ctx[@]}" | median)
m_sg=$(printf '%s\n' "${t_sg[@]}" | median)
m_read=$(printf '%s\n' "${t_read[@]}" | median)

stats=$("$ctxlint" --exit-zero --stats --message-format short "$@" 2>&1 > /dev/null | tail -2)
index=$(printf '%s\n' "$stats" | head -1 | sed 's/^ctxlint: //')
stats=$(printf '%s\n' "$stats" | tail -1)
rss=$(/usr/bin/time -f %M "$ctxlint" --exit-zero --message-format short "$@" 2>&1 > /dev/null | tail -1)

printf 'corpus:             %s files, %s lines (%s)\n' "$files" "$lines" "$*"
printf 'ctxlint:            %s\n' "$stats"
printf 'index:              %s\n' "$index"
printf 'rounds:             %s (medians below)\n' "$rounds"
printf 'ctxlint:            %.3f s\n' "$m_ctx"
printf 'ast-grep:           %.3f s\n' "$m_sg"
printf 'read (cat):         %.3f s\n' "$m_read"
printf 'ctxlint/ast-grep:   %.3f\n' "$(echo "$m_ctx / $m_sg" | bc -l)"
printf 'ctxlint/read:       %.1f\n' "$(echo "$m_ctx / $m_read" | bc -l)"
printf 'ctxlint peak RSS:   %.1f MiB\n' "$(echo "$rss / 1024" | bc -l)"
