#!/usr/bin/env bash
# Benchmark and reference: triad's `packages` collection against `apt list --upgradable` on
# this machine, in one run. Both build libapt-pkg's cache (in memory: triad never writes
# apt's cache file), so the target (issue 11) is triad at most 1x apt's time, with the same
# upgradable set. Prints both tools' wall time and peak RSS (median of RUNS, default 5) and
# whether the upgradable sets agree.
# Usage: bench/packages.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
triad=${TRIAD:-build/triad}
[ -x "$triad" ] || { echo "build triad first (make build), or set TRIAD=path" >&2; exit 2; }
for tool in apt python3 /usr/bin/time; do
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

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
apt_t=(); triad_t=(); apt_kb=0; triad_kb=0
for _ in $(seq "$runs"); do
  /usr/bin/time -o "$work/t" -f '%e %M' apt list --upgradable >"$work/apt.out" 2>/dev/null
  read -r s kb <"$work/t"; apt_t+=("$s"); [ "$kb" -gt "$apt_kb" ] && apt_kb=$kb
  /usr/bin/time -o "$work/t" -f '%e %M' "$triad" scan --policy "$work/pending.yml" --format json >"$work/triad.json" 2>/dev/null || true
  read -r s kb < <(tail -n 1 "$work/t"); triad_t+=("$s"); [ "$kb" -gt "$triad_kb" ] && triad_kb=$kb
done
a=$(printf '%s\n' "${apt_t[@]}" | median); t=$(printf '%s\n' "${triad_t[@]}" | median)
echo "apt list --upgradable : ${a} s  $((apt_kb / 1024)) MiB"
echo "triad packages        : ${t} s  $((triad_kb / 1024)) MiB"
python3 - "$work" "$a" "$t" <<'PY'
import json, sys
work, a, t = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
print(f"time ratio triad/apt: {t / max(a, 0.01):.2f}")
apt = sum(1 for line in open(f"{work}/apt.out") if "/" in line)
r = json.load(open(f"{work}/triad.json"))["results"][0]
print(f"upgradable: apt {apt}, triad {r.get('evidence_total', 0)}" + ("  (same count)" if apt == r.get("evidence_total", 0) else "  DIFFER"))
PY
