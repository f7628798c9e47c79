#!/usr/bin/env bash
# Benchmark and reference: `triad binaries` against checksec 2.6.0 (Debian's checksec) on the
# same directory. Prints, per property (relro, canary, nx, pie, fortify_source), how many
# files the two agree on, then every disagreement with what readelf shows for it, then the
# wall-time ratio and peak RSS of both (/usr/bin/time).
# Usage: bench/compare-checksec.sh [DIR] [RUNS]   (default /usr/bin; triad's median of RUNS, default 3)
# Targets: agreement wherever checksec is right (docs/binaries.md lists where it is not),
# triad >= 200x faster, triad peak RSS < 64 MiB.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-/usr/bin}
runs=${2:-3}
triad=${TRIAD:-build/triad}
[ -x "$triad" ] || { echo "build triad first (make build), or set TRIAD=path" >&2; exit 2; }
for tool in checksec readelf python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "needs $tool (TRIAD_BOOTSTRAP_BENCH=1 scripts/bootstrap)" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

measure() {  # OUT_FILE CMD...: runs CMD with stdout to OUT_FILE; prints "seconds max_rss_kb"
  local out=$1
  shift
  /usr/bin/time -o "$work/time" -f '%e %M' "$@" >"$out" 2>"$work/stderr" || true
  tail -n 1 "$work/time"
}

# Warm the page cache for both: neither pays the cold read.
cat "$dir"/* >/dev/null 2>&1 || true

read -r checksec_s checksec_kb < <(measure "$work/checksec.json" checksec --dir="$dir" --output=json)
triad_times=(); triad_kb=0
for _ in $(seq "$runs"); do
  read -r s kb < <(measure "$work/triad.json" "$triad" binaries -r "$dir" --format json)
  triad_times+=("$s")
  [ "$kb" -gt "$triad_kb" ] && triad_kb=$kb
done
triad_median=$(printf '%s\n' "${triad_times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')

python3 - "$work/checksec.json" "$work/triad.json" <<'EOF'
import json, subprocess, sys

checksec = json.load(open(sys.argv[1]))
triad = {f["path"]: f for f in json.load(open(sys.argv[2]))["files"]}
props = ["relro", "canary", "nx", "pie", "fortify_source"]

def triad_value(f, prop):
    if prop == "relro":
        return {"none": "no"}.get(f["relro"], f["relro"])
    if prop in ("canary", "nx"):
        return "yes" if f[prop] else "no"
    if prop == "pie":
        return {"pie": "yes", "static-pie": "yes", "dso": "dso"}.get(f["kind"], "no")
    return "yes" if f["fortify"]["fortified"] > 0 else "no"

def readelf(path, prop):
    """The readelf lines that decide a property."""
    args = {"relro": ["-lWd"], "canary": ["-sW", "--dyn-syms"], "nx": ["-lW"], "pie": ["-hWd"],
            "fortify_source": ["--dyn-syms", "-W"]}[prop]
    out = subprocess.run(["readelf", *args, path], capture_output=True, text=True).stdout.splitlines()
    keys = {"relro": ("GNU_RELRO", "BIND_NOW", "FLAGS", "no dynamic section"),
            "canary": ("__stack_chk_fail", "__stack_chk_guard"), "nx": ("GNU_STACK",),
            "pie": ("Type:", "FLAGS_1", "(DEBUG)"), "fortify_source": ("_chk",)}[prop]
    lines = sorted({" ".join(l.split()) for l in out if any(k in l for k in keys)})
    if not lines:
        return "readelf: no " + " / ".join(keys)
    return "readelf: " + "; ".join(lines[:4]) + (f"; ... ({len(lines)} lines)" if len(lines) > 4 else "")

agree = dict.fromkeys(props, 0)
total = dict.fromkeys(props, 0)
disagreements = []
skipped_links = skipped_missing = 0
for path, c in checksec.items():
    if path == "dir":
        continue
    f = triad.get(path)
    if f is None:
        skipped_missing += 1
        continue
    if f["kind"] == "symlink":  # checksec follows links; triad lists them as links
        skipped_links += 1
        continue
    if f["error"]:
        disagreements.append(("error", path, "(checksec gives verdicts)", f["error"], ""))
        continue
    for p in props:
        total[p] += 1
        t = triad_value(f, p)
        if c.get(p) == t:
            agree[p] += 1
        else:
            disagreements.append((p, path, c.get(p), t, readelf(path, p)))

print(f"files both judged: {max(total.values())} (left out: {skipped_links} symlinks checksec followed, "
      f"{skipped_missing} files triad does not list: relocatable objects (.o), which are not binaries)")
for p in props:
    pct = 100.0 * agree[p] / total[p] if total[p] else 100.0
    print(f"  {p:15s} {agree[p]:5d}/{total[p]:<5d} agree ({pct:.1f}%)")
print(f"disagreements: {len(disagreements)}")
for p, path, c, t, r in sorted(disagreements):
    print(f"  {p:15s} {path}: checksec={c} triad={t}\n  {'':15s} {r}")
EOF

awk -v c="$checksec_s" -v t="$triad_median" -v ck="$checksec_kb" -v tk="$triad_kb" -v n="$runs" 'BEGIN {
  printf "checksec:  %8.2f s wall, peak RSS %6.1f MiB\n", c, ck / 1024
  printf "triad:     %8.3f s wall (median of %d), peak RSS %6.1f MiB (target < 64)\n", t, n, tk / 1024
  if (t > 0) printf "speed-up:  %8.0f x (target >= 200)\n", c / t
  else printf "speed-up:  > %.0f x (triad under /usr/bin/time resolution)\n", c / 0.01 }'
