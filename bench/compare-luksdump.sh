#!/usr/bin/env bash
# Benchmark and reference: triad's luks and luks_keyslots collectors against
# `cryptsetup luksDump` on the same LUKS images. Makes N small images (LUKS2 and LUKS1, fast
# PBKDF costs), checks that triad's UUID, version, cipher and keyslot count agree with
# luksDump for each, then times one `triad scan` of all of them against one luksDump per
# image (with --disable-locks, so that luksDump cannot write a header repair).
# Usage: bench/compare-luksdump.sh [IMAGES] [RUNS]   (default 40 images, at most 50: the evidence a report lists; median of 3 runs)
# Target: agreement on every image; triad no slower than the luksDump loop.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-40}
runs=${2:-3}
triad=${TRIAD:-build/triad}
[ -x "$triad" ] || { echo "build triad first (make build), or set TRIAD=path" >&2; exit 2; }
for tool in cryptsetup python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool (scripts/bootstrap installs cryptsetup-bin)" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root/srv/images"
printf pw > "$work/key"
for i in $(seq "$count"); do
  img="$work/root/srv/images/disk$i.img"
  truncate -s 2M "$img"
  if [ $((i % 4)) -eq 0 ]; then
    cryptsetup luksFormat -q --type luks1 --pbkdf-force-iterations 1000 --key-file "$work/key" "$img"
  else
    cryptsetup luksFormat -q --type luks2 --luks2-metadata-size=16k --luks2-keyslots-size=1m \
      --pbkdf argon2id --pbkdf-memory 32 --pbkdf-force-iterations 4 --pbkdf-parallel 1 --key-file "$work/key" "$img" 2>/dev/null
  fi
done
cat > "$work/luks.yml" <<'YAML'
policy: { id: bench-luks, title: LUKS headers, version: "1" }
checks:
  - id: BENCH-LUKS
    title: every header is LUKS2
    severity: low
    impact: { c: low, i: none, a: none }
    evidence: [uuid, version, cipher, cipher_mode, active_keyslots]
    select: { collector: luks, images: [/srv/images/*.img] }
    expect: { field: version, eq: 99 }
  - id: BENCH-KEYSLOTS
    title: every keyslot is argon2id
    severity: low
    impact: { c: low, i: none, a: none }
    select: { collector: luks_keyslots, images: [/srv/images/*.img] }
    expect: { field: pbkdf, eq: argon2id }
YAML
cat > "$work/dump-all.sh" <<SH
#!/bin/sh
for f in $work/root/srv/images/*.img; do cryptsetup --disable-locks luksDump "\$f"; done
SH
chmod +x "$work/dump-all.sh"

# Agreement: triad's evidence against luksDump, image by image.
"$triad" scan --policy "$work/luks.yml" --root "$work/root" --format json > "$work/triad.json" 2>/dev/null || true
python3 - "$work" <<'PY'
import json, subprocess, sys, glob, os
work = sys.argv[1]
doc = json.load(open(os.path.join(work, "triad.json")))
ev = {}
for r in doc["results"]:
    if r["id"] != "BENCH-LUKS": continue
    for e in r.get("evidence", []):
        ev[e["object"]] = e.get("observed", {})
agree = 0; images = sorted(glob.glob(os.path.join(work, "root/srv/images/*.img")))
for img in images:
    out = subprocess.run(["cryptsetup", "--disable-locks", "luksDump", img], capture_output=True, text=True).stdout
    kv = {}
    for line in out.splitlines():
        if ":" in line and not line.startswith(("\t", " ")):
            k, v = line.split(":", 1); kv.setdefault(k.strip(), v.strip())
    slots = out.count(": luks2") + out.count(": ENABLED")
    t = ev.get("/srv/images/" + os.path.basename(img), {})
    ok = t.get("uuid") == kv.get("UUID") and t.get("version") == kv.get("Version") and t.get("active_keyslots") == str(slots)
    agree += ok
    if not ok: print("disagree:", img, t, kv.get("UUID"), kv.get("Version"), slots)
print(f"agreement: {agree}/{len(images)} images (uuid, version, active keyslots)")
PY

if command -v farm-bench >/dev/null; then
  farm-bench -n "$runs" --vs "$work/dump-all.sh" -- "$(realpath "$triad")" scan --policy "$work/luks.yml" --root "$work/root" --format json
else
  time_of() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc; }
  echo "luksDump loop: $(time_of "$work/dump-all.sh") s"
  echo "triad scan:    $(time_of "$triad" scan --policy "$work/luks.yml" --root "$work/root" --format json) s"
fi
