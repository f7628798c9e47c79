#!/usr/bin/env bash
# Seeds for luks_fuzz: the first 64 KiB (both LUKS2 header copies with 16 KiB metadata, or
# the LUKS1 header and the start of its key material) of images made with cryptsetup.
set -euo pipefail
out=${1:?usage: make_seeds.sh DIR}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf pw > "$tmp/key"
make() {  # NAME luksFormat-options...
  local name=$1; shift
  truncate -s 2M "$tmp/$name.img"
  cryptsetup luksFormat -q --key-file "$tmp/key" "$@" "$tmp/$name.img" 2>/dev/null
  head -c 65536 "$tmp/$name.img" > "$out/$name"
}
small=(--type luks2 --luks2-metadata-size=16k --luks2-keyslots-size=1m)
make luks2-pbkdf2 "${small[@]}" --pbkdf pbkdf2 --pbkdf-force-iterations 1000
make luks2-argon2id "${small[@]}" --pbkdf argon2id --pbkdf-memory 32 --pbkdf-force-iterations 4 --pbkdf-parallel 1 --label seed
make luks1-cbc --type luks1 --pbkdf-force-iterations 1000 --cipher aes-cbc-essiv:sha256 --key-size 256
