#!/usr/bin/env bash
# ctest's short fuzz smoke run: builds every libFuzzer target with clang into DIR (once; later
# runs are incremental), replays each target's seed corpus, then fuzzes each for a few
# seconds (SMOKE_SECONDS, default 2) from a fixed seed. A crash, leak, sanitizer report,
# timeout or out-of-memory fails the test and names the target.
# Exit 77 (skipped) when clang or its fuzzer runtime is not installed.
set -euo pipefail
dir=${1:?usage: smoke.sh BUILD_DIR}
seconds=${SMOKE_SECONDS:-2}
src=$(cd "$(dirname "$0")" && pwd)
command -v clang++ >/dev/null || { echo "clang++ not installed: fuzz smoke skipped"; exit 77; }
if [ ! -f "$dir/build.ninja" ]; then
  cmake -S "$src" -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null ||
    { echo "cannot configure the fuzz targets (libclang-rt missing?): skipped"; exit 77; }
fi
cmake --build "$dir" >/dev/null
failed=()
while read -r name max_len; do
  case "$name" in ''|'#'*) continue ;; esac
  seeds="$dir/seeds-$name"
  [ "$name" = elf ] && seeds="$dir/seeds"
  [ "$name" = luks ] && seeds="$dir/luks/seeds"
  mkdir -p "$dir/smoke-corpus-$name" "$seeds"
  echo "== $name"
  if ! "$dir/${name}_fuzz" -runs=0 -max_len="$max_len" -timeout=10 "$seeds" 2>"$dir/smoke-$name.log" ||
     ! "$dir/${name}_fuzz" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=1024 -seed=1 \
         -artifact_prefix="$dir/smoke-$name-" "$dir/smoke-corpus-$name" "$seeds" 2>>"$dir/smoke-$name.log"; then
    tail -n 40 "$dir/smoke-$name.log"
    failed+=("$name")
  else
    grep -E '^(Done|#[0-9]+ +DONE)' "$dir/smoke-$name.log" | tail -n 1 || true
  fi
done <"$src/TARGETS.txt"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz targets that failed: ${failed[*]} (inputs in $dir/smoke-NAME-*)"
  exit 1
fi
