#!/usr/bin/env bash
# Benchmark and reference: triad's package_integrity on an RPM root against `rpm -Va` on the
# same root. A root is generated with Debian's rpm tools: PACKAGES packages (default 100) of
# FILES files each (default 40, 16 KiB of random bytes, every fifth executable, one %config
# file per package), built by one rpmbuild run (subpackages) and installed with rpm --root;
# then a few files are changed, removed or replaced. Both tools verify every file; the script
# prints their wall time and peak RSS, and every path one reports and the other does not.
#
# Usage: bench/compare-rpm-verify.sh [ROOT]   ROOT: where to build the root (kept, so it can
#                                              be timed again); default a temporary directory.
# Environment: TRIAD (default build/triad), PACKAGES, FILES.
set -euo pipefail
cd "$(dirname "$0")/.."
triad=${TRIAD:-build/triad}
packages=${PACKAGES:-100}
files=${FILES:-40}
[ -x "$triad" ] || { echo "build triad first (make build), or set TRIAD=path" >&2; exit 2; }
for tool in rpm rpmbuild python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "needs $tool (scripts/bootstrap)" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=${1:-$work/root}
mkdir -p "$root" "$work/tmp"

# One spec, one subpackage per generated package (one rpmbuild run builds them all); the
# payload is stored uncompressed so that building is quick.
{
  printf 'Name: bench\nVersion: 1\nRelease: 1\nSummary: generated\nLicense: MIT\nBuildArch: noarch\n'
  printf '%%define _binary_payload w0.gzdio\n%%description\ngenerated\n'
  for p in $(seq 1 "$packages"); do
    printf '%%package -n bench-%d\nSummary: generated\n%%description -n bench-%d\ngenerated\n' "$p" "$p"
  done
  printf '%%install\nfor p in $(seq 1 %d); do\n' "$packages"
  printf '  mkdir -p %%{buildroot}/usr/lib/bench-$p %%{buildroot}/usr/bin %%{buildroot}/etc\n'
  printf '  for f in $(seq 1 %d); do head -c 16384 /dev/urandom > %%{buildroot}/usr/lib/bench-$p/f$f; done\n' "$files"
  printf '  for f in $(seq 1 5 %d); do chmod 755 %%{buildroot}/usr/lib/bench-$p/f$f; done\n' "$files"
  printf '  cp %%{buildroot}/usr/lib/bench-$p/f1 %%{buildroot}/usr/bin/bench-$p\n'
  printf '  echo "setting = $p" > %%{buildroot}/etc/bench-$p.conf\ndone\n'
  for p in $(seq 1 "$packages"); do
    printf '%%files -n bench-%d\n/usr/lib/bench-%d\n/usr/bin/bench-%d\n%%config(noreplace) /etc/bench-%d.conf\n' "$p" "$p" "$p" "$p"
  done
} >"$work/bench.spec"
rpmbuild --quiet --define "_topdir $work/rb" --define "_dbpath $work/builddb" --define "_tmppath $work/tmp" \
  -bb "$work/bench.spec" >/dev/null
rpm --root "$root" --dbpath /var/lib/rpm -i --nodeps --nosignature "$work"/rb/RPMS/noarch/*.rpm 2>/dev/null
rm -rf "$work/rb"

# What an intrusion or an admin leaves: a changed binary, a removed and a replaced library
# file, an edited conffile.
echo changed >"$root/usr/bin/bench-1"
rm "$root/usr/lib/bench-2/f3"
rm "$root/usr/lib/bench-3/f4" && ln -s /etc/passwd "$root/usr/lib/bench-3/f4"
echo "setting = edited" >"$root/etc/bench-4.conf"

cat >"$work/integrity.yml" <<'YAML'
policy: { id: bench-rpm-integrity, title: package integrity against rpm -Va, version: "1" }
checks:
  - id: BENCH-INTEGRITY
    title: every package file is as installed
    severity: high
    impact: { c: high, i: high, a: none }
    select: { collector: package_integrity }
    expect: none
YAML

/usr/bin/time -o "$work/rpm.time" -f '%e %M' rpm --root "$root" --dbpath /var/lib/rpm -Va --nodeps --noscripts \
  >"$work/rpm.out" 2>/dev/null || true
/usr/bin/time -o "$work/triad.time" -f '%e %M' "$triad" scan --root "$root" --policy "$work/integrity.yml" \
  --format events >"$work/triad.events" 2>/dev/null || true

python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
theirs = {}
for line in open(f"{work}/rpm.out"):
    path = line[line.index(" /") + 1:].rstrip("\n")
    theirs[path] = line.split()[0]
ours = set()
for line in open(f"{work}/triad.events"):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get("event") == "finding":
        ours = {ev["object"] for ev in e["result"].get("evidence", [])}
r_s, r_kb = open(f"{work}/rpm.time").read().split()[-2:]
t_s, t_kb = open(f"{work}/triad.time").read().split()[-2:]
print(f"rpm -Va: {r_s} s, {int(r_kb) // 1024} MiB, {len(theirs)} files")
print(f"triad:   {t_s} s, {int(t_kb) // 1024} MiB, {len(ours)} files")
for p in sorted(set(theirs) - ours):
    print(f"  only rpm -Va: {theirs[p]} {p}")
for p in sorted(ours - set(theirs)):
    print(f"  only triad:   {p}")
PY
