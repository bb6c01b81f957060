#!/usr/bin/env bash
# Checks archive timestamps (NAME.timestamps.json, docs/bundle-format.md §8) by hand, with jq, openssl and coreutils:
#   examples/renewal-by-hand.sh NAME.timestamps.json NAME.sigstore.json trusted_root.json
# Verify the Sigstore bundle itself first (examples/verify-by-hand.sh). Prints one line per step, OK or FAIL, and
# exits 0 only if every step passed. docs/verify-by-hand.md §5 explains each step.
set -u
[ $# -eq 3 ] || { echo "usage: $0 NAME.timestamps.json NAME.sigstore.json trusted_root.json" >&2; exit 2; }
T=$1 B=$2 ROOT=$3
work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT
failed=0
ok() { printf 'OK   %-12s %s\n' "$1" "$2"; }
fail() { printf 'FAIL %-12s %s\n' "$1" "$2"; failed=1; }
epoch() { date -u -d "$1" +%s; }

# The trusted root's timestamp authorities, each as a chain: leaf.pem (first certificate) and rest.pem.
n_tsa=$(jq -er '.timestampAuthorities | length' "$ROOT") || { fail root "$ROOT: no timestampAuthorities"; exit 1; }
for a in $(seq 0 $((n_tsa - 1))); do
  mkdir -p "$work/tsa$a"
  jq -r ".timestampAuthorities[$a].certChain.certificates[].rawBytes" "$ROOT" | {
    i=0
    while read -r c; do
      printf -- '-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----\n' "$(printf '%s' "$c" | fold -w64)" \
        >> "$work/tsa$a/$([ $i -eq 0 ] && echo leaf || echo rest).pem"
      i=$((i + 1))
    done
  }
  # Until when it holds: the earliest expiry in its chain, or the end of the root's window for it if earlier.
  until=$( (cat "$work/tsa$a"/*.pem | openssl crl2pkcs7 -nocrl -certfile /dev/stdin | openssl pkcs7 -print_certs -text -noout |
    sed -n 's/^ *Not After *: //p'
    jq -r ".timestampAuthorities[$a].validFor.end // empty" "$ROOT") | while read -r d; do epoch "$d"; done | sort -n | head -1)
  echo "$until" > "$work/tsa$a/until"
  from=$(jq -r ".timestampAuthorities[$a].validFor.start // empty" "$ROOT")
  echo "${from:+$(epoch "$from")}" > "$work/tsa$a/from"
done

time_of() { epoch "$(openssl ts -reply -in "$1" -text 2>/dev/null | sed -n 's/^Time stamp: //p')"; }
# Which authority of the root verifies TOKEN over DATA: its index, or nothing. The chain is checked at the token's own
# time (-attime), as Sigstore does, so an authority whose certificates have since expired still verifies what it
# stamped while valid; and the token's time must lie inside the root's window for that authority.
verified_by() {
  local at
  at=$(time_of "$1") || return 1
  for a in $(seq 0 $((n_tsa - 1))); do
    [ -s "$work/tsa$a/rest.pem" ] || continue
    [ -z "$(cat "$work/tsa$a/from")" ] || [ "$at" -ge "$(cat "$work/tsa$a/from")" ] || continue
    [ -z "$(cat "$work/tsa$a/until")" ] || [ "$at" -le "$(cat "$work/tsa$a/until")" ] || continue
    openssl ts -verify -attime "$at" -data "$2" -in "$1" -CAfile "$work/tsa$a/rest.pem" \
      -untrusted "$work/tsa$a/leaf.pem" >/dev/null 2>&1 && { echo "$a"; return 0; }
  done
  return 1
}

# 1. The file renews this Sigstore bundle.
want=$(jq -er .sigstoreBundleSha256 "$T") || { fail file "$T: no sigstoreBundleSha256"; exit 1; }
have=$(sha256sum < "$B" | cut -c1-64)
[ "$want" = "$have" ] && ok bundle "$T renews sha256:$have" || fail bundle "$T renews sha256:$want, $B is sha256:$have"

# 0. The bundle's own timestamp, over its signature: no renewal may be earlier, and the first must come before its
# authority expires. (`evidence verify` also counts the certificate authority's expiry; see docs/bundle-format.md §8.)
jq -r '.dsseEnvelope.signatures[0].sig // .messageSignature.signature' "$B" | base64 -d > "$work/sig.bin"
prev=0
until=
if ! jq -e '.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0]' "$B" >/dev/null 2>&1; then
  ok timestamp "the bundle has no timestamp of its own (a Rekor v1 signed time dates it): the first renewal's deadline is not checked here"
else
  jq -r '.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0].signedTimestamp' "$B" | base64 -d > "$work/ts0.tsr"
  if a=$(verified_by "$work/ts0.tsr" "$work/sig.bin"); then
    until=$(cat "$work/tsa$a/until")
    prev=$(time_of "$work/ts0.tsr")
    ok timestamp "the bundle's own, $(date -u -d "@$prev" +%FT%TZ); its authority holds until $(date -u -d "@$until" +%FT%TZ)"
  else
    fail timestamp "the bundle's own timestamp does not verify with the root's authorities"
  fi
fi

# 2-4. Each renewal: over the bundle and every renewal before it, by an authority of the root, in time order, and
# made before what it renews expired.
openssl dgst -sha256 -binary "$B" > "$work/data.bin"
n=$(jq -er '.renewals | length' "$T") || n=0
[ "$n" -gt 0 ] || fail renewals "$T holds no renewal"
for i in $(seq 1 "$n"); do
  jq -r ".renewals[$((i - 1))].rfc3161Timestamp" "$T" | base64 -d > "$work/r$i.tsr"
  at=$(time_of "$work/r$i.tsr") || at=
  if ! a=$(verified_by "$work/r$i.tsr" "$work/data.bin"); then
    fail "renewal-$i" "does not verify over the bundle and the renewals before it with the root's authorities"
  elif [ -z "$at" ] || [ "$at" -lt "$prev" ]; then
    fail "renewal-$i" "earlier than what it renews"
  elif [ -n "$until" ] && [ "$at" -gt "$until" ]; then
    fail "renewal-$i" "made $(date -u -d "@$at" +%FT%TZ), after what it renews expired ($(date -u -d "@$until" +%FT%TZ))"
  else
    until=$(cat "$work/tsa$a/until")
    ok "renewal-$i" "$(date -u -d "@$at" +%FT%TZ) by $(jq -r ".timestampAuthorities[$a].uri" "$ROOT"); holds until $(date -u -d "@$until" +%FT%TZ)"
  fi
  prev=${at:-0}
  openssl dgst -sha256 -binary "$work/r$i.tsr" >> "$work/data.bin"
done

[ $failed -eq 0 ] && { echo "result: OK${until:+ (renew before $(date -u -d "@$until" +%FT%TZ))}"; exit 0; }
echo "result: FAIL"
exit 1
