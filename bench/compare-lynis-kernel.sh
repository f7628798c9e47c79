#!/usr/bin/env bash
# Reference and benchmark: Lynis 3.0.8's kernel hardening test (KRNL-6000: 35 sysctl keys
# against its scan profile) beside triad on this machine.
#   1. For every key Lynis judges, triad's `sysctl` collector is asked the same question
#      (live value equal to Lynis's expected value) through a policy written on the fly;
#      the two verdicts must agree on every key (target: 100%).
#   2. Where kernel-hardening.yml or memory-protection.yml judge the same key, their verdict
#      is printed beside Lynis's, with the threshold each applies (docs/kernel.md explains
#      where they differ).
#   3. The wall time of both (/usr/bin/time): Lynis's whole kernel_hardening group against
#      triad's whole kernel-hardening policy (246 checks).
# Usage: bench/compare-lynis-kernel.sh          (run as root: Lynis needs it)
set -euo pipefail
cd "$(dirname "$0")/.."
triad=${TRIAD:-build/triad}
[ -x "$triad" ] || { echo "build triad first (make build), or set TRIAD=path" >&2; exit 2; }
for tool in lynis python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "needs $tool (TRIAD_BOOTSTRAP_BENCH=1 scripts/bootstrap)" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

/usr/bin/time -o "$work/lynis.time" -f '%e %M' \
  lynis audit system --tests-from-group kernel_hardening --quick --no-colors \
  --logfile "$work/lynis.log" --report-file "$work/lynis.dat" >"$work/lynis.out" 2>&1 || true

# Lynis's verdict per key, from its log ("contains equal expected and current value" or
# "has a different value than expected ... Expected=X, Real=Y"), and its expected values
# from the profile it used (sysctl lines: config-data=sysctl;KEY;VALUES;...).
python3 - "$work" <<'PY'
import re, sys, pathlib
work = pathlib.Path(sys.argv[1])
log = (work / "lynis.log").read_text(errors="replace")
verdicts = {}
for m in re.finditer(r"sysctl key (\S+) (contains equal expected|has a different value)", log):
    verdicts[m.group(1)] = "OK" if m.group(2).startswith("contains") else "DIFFERENT"
expected = {}
for prf in ["/etc/lynis/default.prf", "/usr/share/lynis/default.prf"]:
    p = pathlib.Path(prf)
    if not p.exists(): continue
    for line in p.read_text(errors="replace").splitlines():
        if line.startswith("config-data=sysctl;"):
            f = line.split(";")
            expected[f[1]] = f[2].split("|")
    break
lines = ["policy: { id: lynis-mirror, title: Lynis KRNL-6000 mirrored, version: \"1\" }", "checks:"]
for i, key in enumerate(sorted(verdicts)):
    values = expected.get(key)
    if not values: continue
    lines += [f"  - id: LYNIS-{i:03d}", f"    title: \"{key}\"", "    severity: low",
              "    impact: { c: low, i: low, a: none }",
              f"    select: {{ collector: sysctl, key: {key}, source: live }}",
              "    expect: { field: value, in: [" + ", ".join(f"\"{v}\"" for v in values) + "] }"]
(work / "mirror.yml").write_text("\n".join(lines) + "\n")
(work / "lynis.verdicts").write_text("".join(f"{k} {v}\n" for k, v in sorted(verdicts.items())))
PY

"$triad" scan --policy "$work/mirror.yml" --format json >"$work/mirror.json" 2>"$work/mirror.err" || true
/usr/bin/time -o "$work/triad.time" -f '%e %M' \
  "$triad" scan --policy rules/policies/kernel-hardening.yml --policy rules/policies/memory-protection.yml \
  --only 'KRN-*' --only 'MEM-*' --skip 'MEM-EXEC-*' --skip 'MEM-LIB-*' --skip 'MEM-PROC-*' \
  --format json >"$work/policy.json" 2>"$work/policy.err" || true

python3 - "$work" <<'PY'
import json, sys, pathlib, re
work = pathlib.Path(sys.argv[1])
lynis = dict(l.split() for l in (work / "lynis.verdicts").read_text().splitlines())
mirror = json.loads((work / "mirror.json").read_text())
agree = total = 0
print("1. Same question (live value == Lynis's expected value):")
for r in mirror["results"]:
    key = r["title"]
    triad = {"pass": "OK", "fail": "DIFFERENT"}.get(r["verdict"], r["verdict"])
    total += 1
    same = triad == lynis[key]
    agree += same
    if not same: print(f"   DISAGREE {key}: lynis {lynis[key]}, triad {r['verdict']} {r.get('reason','')}")
print(f"   agreement: {agree}/{total} keys")
policy = json.loads((work / "policy.json").read_text())
by_key = {}
for r in policy["results"]:
    m = re.search(r"\(([a-z0-9_.]+) (=|>=|<=|between)", r["title"])
    if m and not r["id"].endswith("-CONFIGURED"): by_key[m.group(1)] = r
print("2. The shipped policies on the same keys (only where the verdicts differ):")
shown = 0
for key, v in sorted(lynis.items()):
    r = by_key.get(key)
    if not r: continue
    t = {"pass": "OK", "fail": "DIFFERENT"}.get(r["verdict"], r["verdict"])
    if t != v:
        print(f"   {key}: lynis {v}; {r['id']} {r['verdict']} ({r['title']})")
        shown += 1
print(f"   {len([k for k in lynis if k in by_key])} keys judged by both; {shown} differ in verdict")
print(f"   keys only Lynis judges: {', '.join(sorted(k for k in lynis if k not in by_key))}")
lt, lk = (work / "lynis.time").read_text().split()[-2:]
tt, tk = (work / "triad.time").read_text().split()[-2:]
print(f"3. wall time: lynis kernel_hardening group {lt} s ({int(lk)//1024} MiB peak); "
      f"triad kernel policy {tt} s ({int(tk)//1024} MiB peak); ratio {float(tt)/float(lt):.3f}")
PY
