#!/usr/bin/env bash
# Benchmark: triad's single-pass walk (every `files` check of the shipped policy at once)
# against find(1) answering only the SUID/SGID/world-writable part, on the same tree.
# Usage: bench/walk.sh [ROOT] [RUNS]      (default: / and 5 runs; needs a built build/triad)
# Prints median wall time, peak RSS and the ratio triad/find. Target: ratio <= 0.6, RSS < 64 MiB.
set -euo pipefail
cd "$(dirname "$0")/.."
root=${1:-/}
runs=${2:-5}
triad=${TRIAD:-build/triad}
[ -x "$triad" ] || { echo "build triad first (make build)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (TRIAD_BOOTSTRAP_BENCH=1 scripts/bootstrap)" >&2; exit 2; }

# The checks that the walk answers: every check on the `files` collector.
mapfile -t walk_ids < <("$triad" rules list --format json |
  python3 -c 'import json,sys; [print(c["id"]) for c in json.load(sys.stdin) if c["collector"] == "files"]')
[ ${#walk_ids[@]} -gt 0 ] || { echo "no files checks in the shipped policy" >&2; exit 2; }
only=()
for id in "${walk_ids[@]}"; do only+=(--only "$id"); done
root_args=()
[ "$root" = / ] || root_args=(--root "$root")

measure() {  # prints "seconds max_rss_kb" of one run of "$@"
  local stats
  stats=$(mktemp)
  /usr/bin/time -o "$stats" -f '%e %M' "$@" >/dev/null 2>&1 || true
  tail -n 1 "$stats"
  rm -f "$stats"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Warm the page cache and dentry cache once for both, so neither pays the cold read.
find "$root" -xdev >/dev/null 2>&1 || true
"$triad" scan "${root_args[@]}" "${only[@]}" --format json >/dev/null 2>&1 || true

find_times=(); triad_times=(); triad_rss=0; find_rss=0
for _ in $(seq "$runs"); do
  read -r t m < <(measure find "$root" -xdev \( -perm -4000 -o -perm -2000 -o -perm -0002 \))
  find_times+=("$t"); [ "$m" -gt "$find_rss" ] && find_rss=$m
  read -r t m < <(measure "$triad" scan "${root_args[@]}" "${only[@]}" --format json)
  triad_times+=("$t"); [ "$m" -gt "$triad_rss" ] && triad_rss=$m
done
find_med=$(printf '%s\n' "${find_times[@]}" | median)
triad_med=$(printf '%s\n' "${triad_times[@]}" | median)
entries=$(find "$root" -xdev 2>/dev/null | wc -l)

echo "tree:            $root ($entries entries, one file system)"
echo "walk checks:     ${#walk_ids[@]} (${walk_ids[*]})"
echo "find:            ${find_med} s median of $runs, peak RSS $((find_rss / 1024)) MiB  (SUID, SGID, world-writable only)"
echo "triad:           ${triad_med} s median of $runs, peak RSS $((triad_rss / 1024)) MiB  (all walk checks, one pass, $(nproc) threads)"
awk -v t="$triad_med" -v f="$find_med" -v n="$entries" 'BEGIN {
  printf "ratio:           %.2f x the wall time of find (target <= 0.60)\n", t / f
  if (n > 0) printf "per 1000 files:  %.2f ms triad, %.2f ms find\n", t * 1e6 / n, f * 1e6 / n }'
