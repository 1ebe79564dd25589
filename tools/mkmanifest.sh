#!/usr/bin/env bash
# Writes the reference manifest of a build (attest/verify.h, docs/attestation.md):
# the SHA-256 of xenia-hv and of each stub domain binary as hv measures them
# (PCR 8), of the default policy binary (PCR 9), and of the guest images built
# here (PCR 10). libconfig syntax, read by xenia-verify --manifest.
#   tools/mkmanifest.sh BUILD_DIR > BUILD_DIR/attest/manifest.cfg
set -euo pipefail
B=${1:?usage: mkmanifest.sh BUILD_DIR}
sha() { sha256sum "$1" | cut -d' ' -f1; }
echo "# Xenia reference manifest for $B (tools/mkmanifest.sh); do not edit."
echo "version = 1;"
echo "components = ("
sep=""
printf '%s  { name = "xenia:hv"; sha256 = "%s"; }' "$sep" "$(sha "$B/bin/xenia-hv")"; sep=$',\n'
for role in builder dm console attest; do
  f="$B/bin/xenia-$role"
  [ -f "$f" ] || continue
  printf '%s  { name = "xenia:stubdom %s"; sha256 = "%s"; }' "$sep" "$role" "$(sha "$f")"
done
printf '\n);\npolicies = (\n  { name = "default"; sha256 = "%s"; }\n);\nimages = (\n' \
  "$(sha "$B/policy/xenia.xpol")"
sep=""
for f in "$B"/guests/*.elf; do
  [ -f "$f" ] || continue
  printf '%s  { name = "%s"; sha256 = "%s"; }' "$sep" "$(basename "$f" .elf)" "$(sha "$f")"
  sep=$',\n'
done
printf '\n);\n'
