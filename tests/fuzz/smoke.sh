#!/usr/bin/env bash
# ctest's short fuzz smoke runs: builds the libFuzzer targets with clang into DIR (once; later
# runs are incremental), replays the seed corpus, then fuzzes for a few thousand inputs.
#   smoke.sh DIR            the ELF reader (elf_fuzz)
#   smoke.sh DIR packages   the package-database parsers and the CVE feed reader (issue 11)
# Exit 77 (skipped) when clang or its fuzzer runtime is not installed.
set -euo pipefail
dir=${1:?usage: smoke.sh BUILD_DIR [packages]}
which=${2:-elf}
src=$(cd "$(dirname "$0")" && pwd)
command -v clang++ >/dev/null || { echo "clang++ not installed: fuzz smoke skipped"; exit 77; }
if [ ! -f "$dir/build.ninja" ]; then
  cmake -S "$src" -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null ||
    { echo "cannot configure the fuzz target (libclang-rt missing?): skipped"; exit 77; }
fi
if [ "$which" = packages ]; then
  cmake --build "$dir" --target packages_fuzz cve_fuzz >/dev/null
  for t in packages cve; do
    mkdir -p "$dir/$t-smoke-corpus"
    "$dir/${t}_fuzz" -runs=0 "$dir/$t-seeds"
    "$dir/${t}_fuzz" -runs=20000 -max_len=65536 -rss_limit_mb=1024 -seed=1 "$dir/$t-smoke-corpus" "$dir/$t-seeds"
  done
  exit 0
fi
cmake --build "$dir" >/dev/null
mkdir -p "$dir/smoke-corpus"
"$dir/elf_fuzz" -runs=0 "$dir/seeds"
"$dir/elf_fuzz" -runs=3000 -max_len=65536 -rss_limit_mb=1024 -seed=1 "$dir/smoke-corpus" "$dir/seeds"
