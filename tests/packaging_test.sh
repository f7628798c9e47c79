#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The service packaging (issue 14): the units' sandbox rated by systemd's own
# `systemd-analyze security` (OK or MEDIUM, never EXPOSED/UNSAFE), the installed layout
# (units, tmpfiles.d entry, default configuration), the default configuration accepted by the
# installed triadd, the one-shot unit's command writing a JSON report, and the .deb from
# cpack carrying all of it with the configuration as a conffile.
set -euo pipefail
build=$1
src=$(cd "$(dirname "$0")/.." && pwd)
dest=$(mktemp -d)
daemon_pid=
cleanup() {
  [ -n "$daemon_pid" ] && kill -KILL "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
  rm -rf "$dest"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. The sandbox, as systemd rates it (offline: PID 1 here is not systemd).
for unit in triadd.service triad-scan.service; do
  out=$(systemd-analyze security --offline=yes "$src/packaging/$unit" 2>&1) || fail "systemd-analyze on $unit: $out"
  line=$(grep -E "Overall exposure level for $unit: [0-9.]+ " <<<"$out") || fail "no rating for $unit: $out"
  level=$(awk '{print $(NF-1)}' <<<"$line")
  case "$level" in PERFECT|SAFE|OK|MEDIUM) echo "$line" ;; *) fail "$line" ;; esac
done

# 2. The installed layout (DESTDIR: the configuration's absolute /etc path lands in $dest too).
DESTDIR="$dest" cmake --install "$build" --prefix /usr >/dev/null
for f in usr/lib/systemd/system/triadd.service usr/lib/systemd/system/triad-scan.service \
         usr/lib/systemd/system/triad-scan.timer usr/lib/tmpfiles.d/triad.conf etc/triad/triadd.yml; do
  test -f "$dest/$f" || fail "$f not installed"
done
grep -q '^ExecStart=/usr/sbin/triadd --config /etc/triad/triadd.yml$' "$dest/usr/lib/systemd/system/triadd.service"
grep -q '^d /var/lib/triad 0750 root adm -$' "$dest/usr/lib/tmpfiles.d/triad.conf"
# systemd-tmpfiles finds the entry by name where systemd looks and applies it inside $dest
# (the host's account databases copied in, so that root and adm resolve).
cp /etc/passwd /etc/group "$dest/etc/"
systemd-tmpfiles --root="$dest" --create triad.conf || fail "systemd-tmpfiles refused triad.conf"
for d in var/lib/triad run/triad; do
  [ "$(stat -c '%a %U %G' "$dest/$d")" = "750 root adm" ] || fail "/$d: $(stat -c '%a %U %G' "$dest/$d")"
done

# Cross-check: triad's own services collector (its port of systemd-analyze's assessor) on the
# installed units gives each the same exposure as systemd-analyze above. The probe check
# cannot pass (exposure below 0), so that its evidence shows the value.
for unit in triadd.service triad-scan.service; do
  cat > "$dest/probe.yml" <<PROBE
policy: { id: packaging-probe, title: Exposure probe, version: "1" }
checks:
  - id: PROBE
    title: exposure of $unit
    rationale: read the value
    remediation: none
    severity: low
    impact: { c: low, i: low, a: low }
    evidence: [exposure, exposure_level]
    select: { collector: services, where: { field: name, eq: $unit } }
    expect: { field: exposure_tenths, lt: 0 }
PROBE
  set +e
  "$build/triad" scan --root "$dest" --policy "$dest/probe.yml" --format json > "$dest/probe.json"
  set -e
  ours=$(python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["results"][0]["evidence"][0]["observed"]; print(e["exposure"], e["exposure_level"])' "$dest/probe.json")
  theirs=$(systemd-analyze security --offline=yes "$src/packaging/$unit" 2>&1 | sed -n "s/.*Overall exposure level for $unit: \([0-9.]*\) \([A-Z]*\).*/\1 \2/p")
  [ "$ours" = "$theirs" ] || fail "$unit: triad's services collector says '$ours', systemd-analyze '$theirs'"
  echo "$unit: triad's services collector agrees: $ours"
done

# 3. The default configuration as shipped, its state and runtime paths moved into $dest, its
# policies the installed ones: the installed triadd starts with it and stops on SIGTERM.
sed -e "s|/var/lib/triad|$dest/var/lib/triad|; s|/run/triad|$dest/run|; s|/usr/share/triad|$dest/usr/share/triad|; s|group: adm|group: root|" \
  "$dest/etc/triad/triadd.yml" > "$dest/triadd.yml"
"$dest/usr/sbin/triadd" --config "$dest/triadd.yml" 2> "$dest/triadd.log" &
daemon_pid=$!
for ((i = 0; i < 600; i++)); do grep -q 'triadd: started' "$dest/triadd.log" && break; sleep 0.1; done
grep -q 'triadd: started' "$dest/triadd.log" || fail "triadd refused the default configuration: $(cat "$dest/triadd.log")"
kill -TERM "$daemon_pid"
wait "$daemon_pid" || fail "triadd exited $? on SIGTERM"
daemon_pid=

# 4. triad-scan.service's command (its output path moved) writes a whole JSON report; exit 1
# (failing checks) is what the unit's SuccessExitStatus accepts.
cmd=$(sed -n 's/^ExecStart=//p' "$dest/usr/lib/systemd/system/triad-scan.service")
[ "$cmd" = "/usr/bin/triad scan --format json --output /var/lib/triad/scan.json" ] || fail "unexpected ExecStart: $cmd"
bash "$src/tests/fixtures/make-root.sh" "$dest/root" mixed
set +e
env -u TRIAD_POLICY_DIR "$dest/usr/bin/triad" scan --format json --output "$dest/var/lib/triad/scan.json" --root "$dest/root"
rc=$?
set -e
[ "$rc" = 0 ] || [ "$rc" = 1 ] || fail "triad scan exited $rc"
grep -q '^SuccessExitStatus=1$' "$dest/usr/lib/systemd/system/triad-scan.service"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["schema"].startswith("triad.result/"), r["schema"]' "$dest/var/lib/triad/scan.json"
[ "$(stat -c %a "$dest/var/lib/triad/scan.json")" = 640 ] || fail "report mode $(stat -c %a "$dest/var/lib/triad/scan.json")"

# 5. The .deb: the same files, the configuration a conffile.
(cd "$build" && cpack -G DEB -B "$dest/deb" >/dev/null) || fail "cpack failed"
deb=$(ls "$dest"/deb/*.deb)
dpkg-deb -c "$deb" > "$dest/contents"
for f in ./usr/sbin/triadd ./usr/bin/triad ./usr/lib/systemd/system/triadd.service ./usr/lib/systemd/system/triad-scan.service \
         ./usr/lib/systemd/system/triad-scan.timer ./usr/lib/tmpfiles.d/triad.conf ./etc/triad/triadd.yml; do
  grep -q " $f\$" "$dest/contents" || fail "$f not in $deb"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles | grep -qx /etc/triad/triadd.yml || fail "triadd.yml is not a conffile"
echo "packaging: ok"
