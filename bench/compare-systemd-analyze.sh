#!/usr/bin/env bash
# Reference: the `services` collector's exposure scores against `systemd-analyze security
# --offline=true --root=ROOT` (systemd 252) on every service unit file of ROOT. Prints how many
# units get the same class (OK, MEDIUM, EXPOSED, UNSAFE, ...) and an exposure within 0.5 and
# exactly the same, then every unit that differs (docs/services.md explains the known
# causes), then the wall time of both over all units in one run each.
# Usage: bench/compare-systemd-analyze.sh [ROOT]   (default /)
# Targets: >= 95 % the same class, every exposure within 0.5; triad's time for all units at
# most 1x systemd-analyze's (for the figure quoted in docs: farm-bench with the two command
# lines this script prints at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
root=${1:-/}
triad=${TRIAD:-build/triad}
[ -x "$triad" ] || { echo "build triad first (make build), or set TRIAD=path" >&2; exit 2; }
for tool in systemd-analyze python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool (scripts/bootstrap installs systemd)" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Every service unit file name in ROOT's unit directories, aliases (links to another name)
# left out as systemd-analyze resolves them to their unit; templates included.
units=$(python3 - "$root" <<'PY'
import os, sys
root = sys.argv[1]
names = set()
for d in ["etc/systemd/system", "run/systemd/system", "usr/local/lib/systemd/system", "lib/systemd/system",
          "usr/lib/systemd/system"]:
    p = os.path.join(root, d)
    if not os.path.isdir(p):
        continue
    for n in os.listdir(p):
        full = os.path.join(p, n)
        if not n.endswith(".service") or os.path.isdir(full):
            continue
        if os.path.islink(full):
            t = os.readlink(full)
            if t != "/dev/null" and os.path.basename(t) != n:
                continue
        names.add(n)
print("\n".join(sorted(names)))
PY
)
mapfile -t unit_list <<<"$units"
echo "units: ${#unit_list[@]} service unit files under $root"

# The reference, all units in one call; masked and unloadable units are errors on stderr.
systemd-analyze security --offline=true --root="$root" --no-pager "${unit_list[@]}" >"$work/ref.txt" 2>"$work/ref.err" || true

# triad: a report lists at most 50 objects per check, so for the values one check per unit;
# for the time, one check over all of them (the collector reads every unit either way).
python3 - "$work/values.yml" "${unit_list[@]}" <<'PY'
import sys
out = ['policy: { id: bench-exposure, title: exposure of every service, version: "1" }', "checks:"]
for i, u in enumerate(sys.argv[2:]):
    out += [f"  - id: BENCH-{i}", f"    title: {u}", "    severity: info",
            "    impact: { c: none, i: none, a: none }", "    evidence: [exposure, exposure_level]",
            f"    select: {{ collector: services, where: {{ field: name, eq: '{u}' }} }}", "    expect: none"]
open(sys.argv[1], "w").write("\n".join(out) + "\n")
PY
cat >"$work/timing.yml" <<'YML'
policy: { id: bench-exposure-all, title: exposure of every service, version: "1" }
checks:
  - id: BENCH-ALL
    title: every service's exposure
    severity: info
    impact: { c: none, i: none, a: none }
    evidence: [exposure, exposure_level]
    select: { collector: services, where: { field: kind, eq: service } }
    expect: none
YML
"$triad" scan --root "$root" --policy "$work/values.yml" --format json >"$work/triad.json" 2>"$work/triad.err" || true

python3 - "$work/ref.txt" "$work/triad.json" "$work/ref.err" <<'PY'
import json, re, sys
ref = {}
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.search(r"Overall exposure level for ([^:]+): ([0-9.]+) ([A-Z]+)", line)
    if m:
        name = m.group(1)
        # a template is analysed as an instance (getty@.service -> getty@i.service)
        if "@" in name:
            name = name[: name.index("@") + 1] + name[name.rindex("."):]
        ref[name] = (float(m.group(2)), m.group(3))
res = json.load(open(sys.argv[2]))
mine = {}
for r in res["results"]:
    for o in r.get("evidence", []):
        name = o["object"]
        fields = o.get("observed", {})
        if re.fullmatch(r"[0-9.]+", str(fields.get("exposure", ""))):
            mine[name] = (float(fields["exposure"]), fields["exposure_level"])
common = sorted(set(ref) & set(mine))
same_class = sum(1 for u in common if ref[u][1] == mine[u][1])
within = sum(1 for u in common if abs(ref[u][0] - mine[u][0]) <= 0.5 + 1e-9)
exact = sum(1 for u in common if abs(ref[u][0] - mine[u][0]) < 1e-9)
n = len(common)
print(f"scored by both: {n}  (systemd-analyze only: {len(set(ref) - set(mine))}, triad only: {len(set(mine) - set(ref))})")
if n:
    print(f"same class: {same_class}/{n} ({100.0 * same_class / n:.1f} %)  within 0.5: {within}/{n}  exact: {exact}/{n}")
for u in common:
    if ref[u] != mine[u]:
        print(f"  differs: {u}: systemd-analyze {ref[u][0]} {ref[u][1]}, triad {mine[u][0]} {mine[u][1]}")
for u in sorted(set(ref) - set(mine)):
    print(f"  only systemd-analyze scores {u}: {ref[u][0]} {ref[u][1]}")
for u in sorted(set(mine) - set(ref)):
    print(f"  only triad scores {u}: {mine[u][0]} {mine[u][1]}")
errs = [l.strip() for l in open(sys.argv[3], encoding="utf-8") if l.strip()]
print(f"systemd-analyze errors (masked or unloadable units): {len(errs)}")
PY

echo
echo "timing (all units in one run each):"
echo "  farm-bench --vs 'systemd-analyze security --offline=true --root=$root --no-pager <${#unit_list[@]} units>' -- '$triad scan --root $root --policy timing.yml --format json'"
if command -v farm-bench >/dev/null; then
  # Both exit 1 here (failing checks; masked units), so neither is wrapped in a shell.
  farm-bench -n 10 --vs "systemd-analyze security --offline=true --root=$root --no-pager ${unit_list[*]}" \
    -- "$triad" scan --root "$root" --policy "$work/timing.yml" --format json || true
fi
