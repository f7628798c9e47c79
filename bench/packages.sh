#!/usr/bin/env bash
# Benchmark and reference: triad's `packages` collection against `apt list --upgradable` on
# this machine, in one run. Issue 11's target: triad at most 1x apt's time, with the same
# upgradable set, and faster where apt's binary cache is valid.
#
# Measured, each the median wall time and the peak RSS of RUNS runs (default 5):
#   apt and triad, in memory    libapt-pkg's cache built in memory: apt with -o
#                               Dir::Cache::pkgcache=, triad with APT_CONFIG naming a file
#                               that sets it "" (read before apt.conf.d)
#   apt and triad, cache file   only when apt's pkgcache.bin exists and apt itself takes it
#                               as valid; triad then reads it unless its stricter checks
#                               refuse it (docs/packages.md; strace tells). Said plainly when
#                               there is none.
# Whether apt takes the cache as valid is asked of apt-cache (Debug::pkgCacheGen) in a private
# mount namespace where the cache directory is read-only, so that apt cannot rebuild it.
# Usage: bench/packages.sh [RUNS]   (as root, for the namespace)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
triad=${TRIAD:-build/triad}
[ -x "$triad" ] || { echo "build triad first (make build), or set TRIAD=path" >&2; exit 2; }
for tool in apt apt-config apt-cache unshare python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/pending.yml" <<'YAML'
policy: { id: bench-pending, title: pending updates, version: "1" }
checks:
  - id: BENCH-PENDING
    title: no pending update
    severity: low
    impact: { c: none, i: low, a: low }
    select: { collector: packages, where: { upgradable: true } }
    expect: none
YAML
printf 'Dir::Cache::pkgcache "";\n' >"$work/no-cache.conf"

cache=$(apt-config shell C Dir::Cache::pkgcache/f | sed -n "s/^C='\(.*\)'$/\1/p")
cache_note=""
if [ -z "$cache" ]; then
  cache_note="no cache file: apt's configuration sets Dir::Cache::pkgcache empty (docker-clean?)"
elif [ ! -f "$cache" ]; then
  cache_note="no cache file: $cache does not exist (run apt-cache gencaches or apt update)"
else
  dir=$(dirname "$cache")
  verdict=$(unshare -m sh -c 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" &&
                              apt-cache -o Debug::pkgCacheGen=true policy apt 2>&1 >/dev/null' sh "$dir" || true)
  case "$verdict" in
    *"pkgcache.bin is valid"*) ;;
    *) cache_note="the cache file $cache is not valid for apt (stale): run apt-cache gencaches first" ;;
  esac
fi

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# measure NAME COMMAND...: median seconds and peak KiB of RUNS runs; the last run's stdout in $work/NAME.out
measure() {
  local name=$1; shift
  local times=() kb=0 s k
  for _ in $(seq "$runs"); do
    /usr/bin/time -o "$work/t" -f '%e %M' "$@" >"$work/$name.out" 2>/dev/null || true
    read -r s k < <(tail -n 1 "$work/t"); times+=("$s"); [ "$k" -gt "$kb" ] && kb=$k
  done
  echo "$(printf '%s\n' "${times[@]}" | median) $((kb / 1024))"
}
scan=("$triad" scan --policy "$work/pending.yml" --format json)
# apt in memory too (no cache file named): the yardstick of triad's in-memory build.
read -r apt_s apt_mb < <(measure apt apt -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= list --upgradable)
read -r mem_s mem_mb < <(measure memory env APT_CONFIG="$work/no-cache.conf" "${scan[@]}")
printf '%-34s %6s s  %4s MiB\n' "apt list --upgradable, in memory" "$apt_s" "$apt_mb"
printf '%-34s %6s s  %4s MiB\n' "triad packages, in memory" "$mem_s" "$mem_mb"
# Whether triad read the cache rather than building: a build opens the Packages lists.
if [ -z "$cache_note" ] && command -v strace >/dev/null; then
  strace -f -qq -e trace=openat -o "$work/strace" "${scan[@]}" >/dev/null 2>&1 || true
  if grep -q '_Packages' "$work/strace"; then
    cache_note="triad did not use $cache (its stricter checks refused it: an index file changed after the cache?)"
  fi
fi
if [ -z "$cache_note" ]; then
  read -r aptc_s aptc_mb < <(measure apt_cached apt list --upgradable)
  read -r file_s file_mb < <(measure cached "${scan[@]}")
  printf '%-34s %6s s  %4s MiB\n' "apt list --upgradable, cache file" "$aptc_s" "$aptc_mb"
  printf '%-34s %6s s  %4s MiB\n' "triad packages, cache file" "$file_s" "$file_mb"
else
  file_s="" aptc_s=""
  echo "triad packages, cache file : not measured, $cache_note"
fi
python3 - "$work" "$apt_s" "$mem_s" "$aptc_s" "$file_s" <<'PY'
import json, sys
work, a, m, ac, c = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
print(f"time ratio triad / apt, in memory: {m / max(a, 0.01):.2f}")
if c:
    print(f"time ratio triad / apt, cache file: {float(c) / max(float(ac), 0.01):.2f}")
apt = sum(1 for line in open(f"{work}/apt.out") if "/" in line)
def count(name):
    return json.load(open(f"{work}/{name}.out"))["results"][0].get("evidence_total", 0)
runs = ["memory"] + (["cached"] if c else [])
counts = {name: count(name) for name in runs}
same = all(n == apt for n in counts.values())
print(f"upgradable: apt {apt}, " + ", ".join(f"triad {k} {v}" for k, v in counts.items()) + ("  (same count)" if same else "  DIFFER"))
PY
