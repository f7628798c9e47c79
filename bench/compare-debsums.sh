#!/usr/bin/env bash
# Benchmark and reference: triad's package_integrity against debsums (Debian's `debsums`) on
# this machine, in one run. Both verify every file of every installed package, conffiles
# included (debsums -a -s); the script prints both tools' wall time, peak RSS and their
# findings (changed + missing files), then every path one of them reports and the other
# does not.
# Usage: bench/compare-debsums.sh            Target (issue 11): triad at most 0.5x debsums' time,
#                                            the same set of files.
set -euo pipefail
cd "$(dirname "$0")/.."
triad=${TRIAD:-build/triad}
[ -x "$triad" ] || { echo "build triad first (make build), or set TRIAD=path" >&2; exit 2; }
for tool in debsums python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "needs $tool (scripts/bootstrap)" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Every file, conffiles too, with all evidence: one check per status so no list is cut short.
cat >"$work/integrity.yml" <<'YAML'
policy: { id: bench-integrity, title: package integrity against debsums, version: "1" }
checks:
  - id: BENCH-INTEGRITY
    title: every package file is as installed
    severity: high
    impact: { c: high, i: high, a: none }
    select: { collector: package_integrity }
    expect: none
YAML

/usr/bin/time -o "$work/debsums.time" -f '%e %M' debsums -a -s >/dev/null 2>"$work/debsums.err" || true
/usr/bin/time -o "$work/triad.time" -f '%e %M' "$triad" scan --policy "$work/integrity.yml" --format events \
  >"$work/triad.events" 2>/dev/null || true

python3 - "$work" <<'PY'
import json, re, sys
work = sys.argv[1]
theirs = set()
for line in open(f"{work}/debsums.err", errors="replace"):
    m = re.search(r"(?:changed|missing) file (.*) \(from (\S+) package\)", line)
    if m:
        theirs.add(m.group(1))
# A finding event is the check's result: evidence_total objects, of which the 50 smallest
# (rules/model/result.h kMaxEvidence) are listed. Compared: the totals, and those 50 against
# the 50 smallest of debsums' set.
total, listed = 0, set()
for line in open(f"{work}/triad.events"):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get("event") != "finding":
        continue
    r = e["result"]
    total = r.get("evidence_total", 0)
    listed = {ev["object"] for ev in r.get("evidence", [])}
nosums = {o for o in listed if o.endswith("(no md5sums)")}
ours = listed - nosums
d_s, d_kb = open(f"{work}/debsums.time").read().split()[-2:]
t_s, t_kb = open(f"{work}/triad.time").read().split()[-2:]
print(f"debsums -a -s : {float(d_s):7.2f} s  {int(d_kb)//1024:4d} MiB  {len(theirs)} files")
print(f"triad         : {float(t_s):7.2f} s  {int(t_kb)//1024:4d} MiB  {total} files")
print(f"time ratio triad/debsums: {float(t_s)/max(float(d_s),0.01):.2f}")
smallest = set(sorted(theirs)[:len(ours)])
for p in sorted(smallest - ours):
    print("only debsums:", p)
for p in sorted(ours - smallest):
    print("only triad:  ", p)
same = total == len(theirs) and smallest == ours and not nosums
print("same set" if same else f"differ: debsums {len(theirs)}, triad {total} ({len(nosums)} packages without md5sums)")
PY
