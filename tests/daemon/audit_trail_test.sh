#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# triadd's audit trail (issue 14) end to end: a real auditd, started on a temporary
# configuration, receives the kernel audit records that triadd writes through libaudit with
# `audit_trail: true`. Two scans of the same fixture root: the first writes one record per
# failing check (all new) and a summary; the second, with nothing changed, a summary only.
# The failing checks and counts are cross-checked with `triad scan --format json` on the same
# root; no record carries a reason, evidence, or the HTTP token. The audit subsystem's
# previous state (enabled flag; no daemon) is restored on every exit path.
# Exit 77 (skipped, with the reason) when the kernel audit cannot be used here.
set -euo pipefail
build=$1
src=$(cd "$(dirname "$0")/../.." && pwd)
skip() { echo "skipped: $*"; exit 77; }

[ "$(id -u)" = 0 ] || skip "needs root to enable the kernel audit and run auditd"
command -v auditd >/dev/null && command -v auditctl >/dev/null || skip "auditd/auditctl not installed (scripts/bootstrap)"
status=$(auditctl -s 2>&1) || skip "no kernel audit here: $status"
prev_enabled=$(awk '$1 == "enabled" {print $2}' <<<"$status")
prev_pid=$(awk '$1 == "pid" {print $2}' <<<"$status")
[ "$prev_pid" = 0 ] || skip "an audit daemon (pid $prev_pid) already runs; its log is not this test's to read"
[ "$prev_enabled" != 2 ] || skip "the audit configuration is locked (enabled 2) until reboot"

dir=$(mktemp -d)
auditd_pid= triadd_pid=
cleanup() {
  [ -n "$triadd_pid" ] && kill -KILL "$triadd_pid" 2>/dev/null && wait "$triadd_pid" 2>/dev/null
  [ -n "$auditd_pid" ] && kill -TERM "$auditd_pid" 2>/dev/null && wait "$auditd_pid" 2>/dev/null
  auditctl -e "$prev_enabled" >/dev/null || echo "could not restore the audit enabled flag $prev_enabled" >&2
  rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# Waits (at most $2 tenths of a second) until file $1 contains the regex $3.
wait_for() {
  for ((i = 0; i < $2; i++)); do grep -Eq -- "$3" "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}

# auditd in the foreground (-f prints each record on its output), its config in $dir.
mkdir -m 0700 "$dir/auditd" "$dir/auditd/plugins"
cat > "$dir/auditd/auditd.conf" <<EOF
local_events = yes
write_logs = no
log_format = RAW
log_file = $dir/auditd/audit.log
flush = INCREMENTAL_ASYNC
freq = 1
max_log_file = 8
num_logs = 1
max_log_file_action = IGNORE
space_left = 2
space_left_action = IGNORE
admin_space_left = 1
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = IGNORE
q_depth = 1200
overflow_action = IGNORE
plugin_dir = $dir/auditd/plugins
EOF
chmod 0600 "$dir/auditd/auditd.conf"
auditd -f -n -s nochange -c "$dir/auditd" > "$dir/auditd.out" 2>&1 &
auditd_pid=$!
wait_for "$dir/auditd.out" 300 'Init complete' || fail "auditd did not start: $(tail -5 "$dir/auditd.out")"
auditctl -e 1 >/dev/null

# The fixture root, the HTTP token (a secret that must not reach the audit log), triadd.
bash "$src/tests/fixtures/make-root.sh" "$dir/root" mixed
policy="$src/rules/policies/file-permissions.yml"
token="audit-trail-secret-$RANDOM$RANDOM"
printf '%s\n' "$token" > "$dir/token"
chmod 0600 "$dir/token"
cat > "$dir/triadd.yml" <<EOF
policies: [$policy]
root: $dir/root
schedule: "0 3 * * *"
store: sqlite://$dir/triad.db
host_id: audit-host
socket: { path: $dir/triad.sock }
http: { listen: "127.0.0.1:0", token_file: $dir/token }
audit_trail: true
EOF
"$build/triadd" --config "$dir/triadd.yml" 2> "$dir/triadd.log" &
triadd_pid=$!
wait_for "$dir/triadd.log" 600 'triadd: started' || fail "triadd did not start: $(cat "$dir/triadd.log")"
kill -USR1 "$triadd_pid"
wait_for "$dir/triadd.log" 1200 'scan 1 stored' || fail "no first scan: $(cat "$dir/triadd.log")"
kill -USR1 "$triadd_pid"
wait_for "$dir/triadd.log" 1200 'scan 2 stored' || fail "no second scan: $(cat "$dir/triadd.log")"
kill -TERM "$triadd_pid"
wait "$triadd_pid" || fail "triadd exited $?"
triadd_pid=
grep -q 'audit trail unavailable\|refused' "$dir/triadd.log" && fail "$(cat "$dir/triadd.log")"
# auditd writes what it has received before it ends.
kill -TERM "$auditd_pid"
wait "$auditd_pid" || true
auditd_pid=
auditctl -e "$prev_enabled" >/dev/null
now=$(auditctl -s)
[ "$(awk '$1 == "enabled" {print $2}' <<<"$now")" = "$prev_enabled" ] || fail "audit enabled flag not restored"
[ "$(awk '$1 == "pid" {print $2}' <<<"$now")" = 0 ] || fail "an audit daemon pid is still registered"

# The reference: the same root scanned by the CLI.
set +e
"$build/triad" scan --root "$dir/root" --policy "$policy" --format json > "$dir/cli.json"
set -e
grep "type=TRUSTED_APP" "$dir/auditd.out" | grep "msg='op=triad-" > "$dir/records" || fail "no triad record in the audit log: $(tail "$dir/auditd.out")"
python3 - "$dir/records" "$dir/cli.json" "$token" <<'EOF'
import json, re, sys
records, cli, token = open(sys.argv[1]).read().splitlines(), json.load(open(sys.argv[2])), sys.argv[3]
def fields(line):
    msg = re.search(r"msg='(.*)'", line).group(1)
    return dict(kv.split("=", 1) for kv in msg.split(" "))
scans = [fields(r) for r in records if "op=triad-scan" in r]
fails = [fields(r) for r in records if "op=triad-fail" in r]
assert len(scans) == 2, records
expected = sorted(r["id"] for r in cli["results"] if r["verdict"] == "fail")
got = sorted(f["check"].strip('"') for f in fails)
assert got == expected, (got, expected)          # first scan: every failure is new; second: none
for f in fails:
    assert set(f) <= {"op", "host", "check", "severity", "policy", "exe", "hostname", "addr", "terminal", "res"}, f
    assert f["host"] == '"audit-host"' and f["res"] == "failed", f
for s in scans:
    assert s["host"] == '"audit-host"', s
    for k in ("pass", "fail", "error", "not_applicable", "waived"):
        assert int(s[k]) == cli["counts"][k], (k, s, cli["counts"])
    for p in ("confidentiality", "integrity", "availability", "overall"):
        v = cli["scores"][p]
        assert s[p] == ("?" if v is None else "%.1f" % v), (p, s[p], v)
    assert s["res"] == ("success" if cli["counts"]["fail"] == 0 and cli["counts"]["error"] == 0 else "failed")
# The second scan's summary follows the first's; its failures were not new.
assert records.index(next(r for r in records if "op=triad-scan" in r)) > max(i for i, r in enumerate(records) if "op=triad-fail" in r)
reasons = [r["reason"] for r in cli["results"] if r["verdict"] == "fail" and r["reason"]]
text = "\n".join(records)
assert token not in text
for reason in reasons:
    assert reason not in text, reason
print("audit trail: %d summaries, %d new-failure records, matching triad scan" % (len(scans), len(fails)))
EOF
