#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The layers point one way: base -> scanner -> rules -> reporters -> store -> cli, daemon. For each library
# layer, a probe compiled with that layer's own compile command must find a header of its
# own layer and of the layer below, and must fail to find one of any layer above.
# usage: layering_test.sh BUILD_DIR
set -euo pipefail
build=$1
db=$build/compile_commands.json
[ -f "$db" ] || { echo "no $db (CMAKE_EXPORT_COMPILE_COMMANDS)"; exit 1; }
probe_dir=$(mktemp -d)
trap 'rm -rf "$probe_dir"' EXIT

# A header of each layer, and a source file whose compile command stands for the layer.
declare -A header=([base]=base/result.h [scanner]=scanner/core/fact.h [rules]=rules/model/policy.h
                   [reporters]=reporters/reporter.h [store]=store/scan_store.h)
layers=(base scanner rules reporters store)

command_for() {  # the compile command of the first source under $1/, without -o/-c and the source
  python3 - "$db" "$1" <<'PY'
import json, shlex, sys
db, layer = sys.argv[1], sys.argv[2]
for e in json.load(open(db)):
    if f"/{layer}/" in e["file"] and e["file"].endswith(".cpp") and "/tests/" not in e["file"]:
        args = shlex.split(e["command"])
        out, skip = [], False
        for a in args:
            if skip: skip = False; continue
            if a in ("-o", "-c"): skip = a == "-o"; continue
            if a == e["file"] or a.endswith(".cpp"): continue
            out.append(a)
        print(shlex.join(out)); break
PY
}

failures=0
for i in "${!layers[@]}"; do
  layer=${layers[$i]}
  cmd=$(command_for "$layer")
  [ -n "$cmd" ] || { echo "FAIL: no compile command for $layer"; failures=$((failures+1)); continue; }
  for j in "${!layers[@]}"; do
    other=${layers[$j]}
    printf '#include "%s"\n' "${header[$other]}" > "$probe_dir/probe.cpp"
    if (cd "$build" && eval "$cmd -fsyntax-only $probe_dir/probe.cpp") >/dev/null 2>&1; then found=yes; else found=no; fi
    if [ "$j" -le "$i" ] && [ "$found" = no ]; then
      echo "FAIL: $layer cannot include its own or a lower layer's ${header[$other]}"; failures=$((failures+1))
    elif [ "$j" -gt "$i" ] && [ "$found" = yes ]; then
      echo "FAIL: $layer can include ${header[$other]}, a layer above it"; failures=$((failures+1))
    else
      if [ "$found" = yes ]; then echo "ok: $layer sees ${header[$other]}"; else echo "ok: $layer does not see ${header[$other]}"; fi
    fi
  done
done
[ "$failures" -eq 0 ] && echo "layering: every layer sees only itself and the layers below"
exit "$failures"
