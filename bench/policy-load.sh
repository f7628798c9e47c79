#!/usr/bin/env bash
# Benchmark: how long `triad policy check` takes on a generated policy of N checks (copies of
# three representative checks — a named file, a config key with a regex, a walk with globs —
# each with a distinct id). Target: a 10,000-check policy loads in under 2 s.
# Usage: [RUNS=3] [TIMEOUT=300] bench/policy-load.sh [N...]   (default N: 1000 10000; needs build/triad)
# Prints, per N: the policy size, the median wall time and the peak RSS; a run over TIMEOUT
# seconds is stopped and reported as such. 10,000 checks stay under the 4 MiB policy limit.
set -euo pipefail
cd "$(dirname "$0")/.."
triad=${TRIAD:-build/triad}
runs=${RUNS:-3}
timeout_s=${TIMEOUT:-300}
[ -x "$triad" ] || { echo "build triad first (ninja -C build)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time" >&2; exit 2; }
[ $# -gt 0 ] || set -- 1000 10000

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

generate() {  # writes a policy of $1 checks to stdout
  local n=$1 i
  echo 'policy: { id: bench-load, title: generated policy for load timing, version: "1" }'
  echo 'checks:'
  for ((i = 0; i < n; i++)); do
    case $((i % 3)) in
      0) cat <<EOF
  - id: BENCH-FILE-$i
    title: /etc/shadow is readable only by root and the shadow group
    rationale: Password hashes can be cracked offline once read.
    severity: high
    impact: { c: high, i: high, a: none }
    tags: [dac, authentication, cis-debian12:7.1.5]
    select: { collector: file, path: /etc/shadow }
    expect:
      all:
        - { field: mode, at_most: "0640" }
        - { field: owner, eq: root }
        - { field: group, in: [root, shadow] }
EOF
      ;;
      1) cat <<EOF
  - id: BENCH-CONFIG-$i
    title: sshd does not allow root to log in with a password
    severity: high
    impact: { c: high, i: high, a: none }
    select:
      collector: config
      path: /etc/ssh/sshd_config
      key: PermitRootLogin
      repeat: first
      case_insensitive: true
      default: prohibit-password
    expect: { field: value, matches: "^(no|prohibit-password)$" }
EOF
      ;;
      2) cat <<EOF
  - id: BENCH-WALK-$i
    title: No world-writable regular files outside temporary directories
    severity: medium
    impact: { c: low, i: high, a: low }
    select:
      collector: files
      paths: [/]
      where: { type: file, world_writable: true }
      exclude: [/tmp/**, /var/tmp/**, /dev/shm/**]
    expect: none
EOF
      ;;
    esac
  done
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for n in "$@"; do
  policy="$work/policy-$n.yml"
  generate "$n" >"$policy"
  times=(); rss=0
  for _ in $(seq "$runs"); do
    status=0
    /usr/bin/time -o "$work/stats" -f '%e %M' timeout "$timeout_s" "$triad" policy check "$policy" \
      >"$work/out" 2>&1 || status=$?
    if [ "$status" = 124 ]; then
      printf '%6d checks  stopped after %ss\n' "$n" "$timeout_s"; continue 2
    fi
    [ "$status" = 0 ] || { echo "policy check failed for N=$n:" >&2; head -3 "$work/out" >&2; exit 1; }
    read -r t m < <(tail -n 1 "$work/stats")
    times+=("$t"); [ "$m" -gt "$rss" ] && rss=$m
  done
  printf '%6d checks  %6d KiB policy  median %ss  peak RSS %d MiB\n' "$n" $(($(stat -c %s "$policy") / 1024)) \
    "$(printf '%s\n' "${times[@]}" | median)" $((rss / 1024))
done
