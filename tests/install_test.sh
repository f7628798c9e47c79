#!/usr/bin/env bash
# The installed layout works on its own: bin/triad finds share/triad/policies beside it and
# audits a root with them, without the source tree.
set -euo pipefail
build=$1
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
# DESTDIR: the default configuration installs to the absolute /etc/triad (packaging/).
DESTDIR="$dest" cmake --install "$build" --prefix /usr >/dev/null
test -x "$dest/usr/bin/triad"
test -x "$dest/usr/sbin/triadd"
ls "$dest"/usr/share/triad/policies/*.yml >/dev/null
env -u TRIAD_POLICY_DIR "$dest/usr/bin/triad" rules list --format json > "$dest/list.json"
grep -q "\"source\": \"$dest/usr/share/triad/policies/" "$dest/list.json"
echo "install layout: ok"
