#!/usr/bin/env bash
# Benchmark: how long `triad report` takes, and how much memory it needs, to render a stored
# result of N check results in every format. Target (issue 15): 300,000 results render in
# under 10 s and under 1 GiB in each format.
# Usage: [TIMEOUT=300] bench/report-render.sh [N]   (default N: 300000; needs build/triad, python3)
# The generated result is a valid triad.result/1 document: 40% of the checks fail (each with
# one evidence object, a path), 30% pass, the rest split between error, not_applicable
# and waived; severities and C/I/A impacts rotate so that every failure has its own gain.
# It is written compactly so that 300,000 results stay under the 64 MiB a result may have.
# Prints, per format: the median wall time of three runs and the peak RSS; a run over TIMEOUT
# seconds is stopped and reported as such.
set -euo pipefail
cd "$(dirname "$0")/.."
triad=${TRIAD:-build/triad}
runs=${RUNS:-3}
timeout_s=${TIMEOUT:-300}
n=${1:-300000}
[ -x "$triad" ] || { echo "build triad first (ninja -C build)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time" >&2; exit 2; }
command -v python3 >/dev/null || { echo "needs python3" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$n" >"$work/result.json" <<'EOF'
import json, sys
n = int(sys.argv[1])
sev = ["info", "low", "medium", "high", "critical"]
imp = ["none", "low", "high"]
verdicts = ["fail", "pass", "fail", "pass", "error", "pass", "fail", "not_applicable", "fail", "waived"]
results, counts = [], {"pass": 0, "fail": 0, "error": 0, "not_applicable": 0, "waived": 0}
for i in range(n):
    v = verdicts[i % len(verdicts)]
    counts[v] += 1
    r = {"id": "G%x" % i, "title": "t", "policy": "g", "verdict": v,
         "severity": sev[i % 5], "impact": {"c": imp[i % 3], "i": imp[(i // 3) % 3], "a": imp[(i // 9) % 3]},
         "tags": [], "reason": "", "evidence": [], "evidence_total": 0, "rationale": "", "remediation": ""}
    if v == "fail":
        r["evidence"] = [{"object": "/f%d" % i, "observed": {}}]
        r["evidence_total"] = 1
    elif v == "error":
        r["reason"] = "unreadable"
    elif v == "waived":
        r["reason"] = "ok"
    results.append(r)
doc = {"schema": "triad.result/1", "tool": {"name": "triad", "version": "bench"},
       "target": {"root": "/", "hostname": "bench", "kernel": "", "os": ""},
       "started_at": "2026-01-01T00:00:00Z", "duration_ms": 0,
       "policies": [{"id": "g", "version": "1", "path": "g.yml"}],
       "scores": {"confidentiality": 50.0, "integrity": 50.0, "availability": 50.0, "overall": 50.0,
                  "weakest": "integrity"},
       "counts": counts, "results": results}
json.dump(doc, sys.stdout, separators=(",", ":"))
EOF
printf '%d results, %d MiB of JSON\n' "$n" $(($(stat -c %s "$work/result.json") / 1048576))

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for format in console json html junit sarif markdown csv; do
  times=(); rss=0
  for _ in $(seq "$runs"); do
    status=0
    /usr/bin/time -o "$work/stats" -f '%e %M' timeout "$timeout_s" "$triad" report "$work/result.json" \
      --format "$format" --output "$work/out" >/dev/null 2>"$work/err" || status=$?
    if [ "$status" = 124 ]; then
      printf '%-9s stopped after %ss\n' "$format" "$timeout_s"; continue 2
    fi
    [ "$status" = 0 ] || { echo "report --format $format failed ($status):" >&2; head -3 "$work/err" >&2; exit 1; }
    read -r t m < <(tail -n 1 "$work/stats")
    times+=("$t"); [ "$m" -gt "$rss" ] && rss=$m
  done
  printf '%-9s median %ss  peak RSS %d MiB  output %d MiB\n' "$format" "$(printf '%s\n' "${times[@]}" | median)" \
    $((rss / 1024)) $(($(stat -c %s "$work/out") / 1048576))
done
