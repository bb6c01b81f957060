#!/usr/bin/env bash
# Verifies a signed evidence bundle with coreutils, GNU tar, jq and openssl
# only: no node, no evidence. docs/verify-by-hand.md explains each step.
#
#   verify-by-hand.sh BUNDLE.tar.gz TRUSTED_ROOT.json EXPECTED_IDENTITY EXPECTED_ISSUER [ARTIFACT]
#
# EXPECTED_IDENTITY is the certificate's SAN (a URI such as a GitHub workflow
# ref, or an e-mail address), compared byte for byte; EXPECTED_ISSUER is the
# OIDC issuer Fulcio recorded in the certificate. Exit 0 only when every step
# printed OK. Keyless (Fulcio certificate) bundles only.
#
# What this does NOT check (`evidence verify` does): the Rekor inclusion
# proof and signed entry timestamp, the RFC 3161 timestamp and the SCT. The
# signing time used for the certificate check is the one the bundle claims.
set -euo pipefail
export LC_ALL=C

if [ "$#" -lt 4 ] || [ "$#" -gt 5 ]; then
  echo "usage: $0 BUNDLE.tar.gz TRUSTED_ROOT.json EXPECTED_IDENTITY EXPECTED_ISSUER [ARTIFACT]" >&2
  exit 2
fi
BUNDLE=$1
TRUSTED_ROOT=$2
EXPECTED_IDENTITY=$3
EXPECTED_ISSUER=$4
ARTIFACT=${5-}

for tool in jq openssl tar sha256sum base64; do
  command -v "$tool" >/dev/null 2>&1 || { echo "missing tool: $tool" >&2; exit 2; }
done

WORK=$(mktemp -d)
trap 'rm -rf -- "$WORK"' EXIT
X="$WORK/bundle"
mkdir -- "$X"

FAILURES=0
ok() { printf 'OK   %-18s %s\n' "$1" "$2"; }
fail() { printf 'FAIL %-18s %s\n' "$1" "$2"; FAILURES=$((FAILURES + 1)); }
# A failed step that later steps cannot do without: stop here.
fatal() { fail "$1" "$2"; echo "result: FAIL (stopped at $1)"; exit 1; }

# One JSON text in FILE; FILTER yields exactly one string, written raw (no newline).
jstr() {
  jq -e -j -s --arg f "$2" "if length == 1 then [.[0] | $2] else error(\"not exactly one JSON value\") end
    | if length == 1 and (.[0] | type) == \"string\" then .[0] else error(\"\\(\$f): not one string\") end" "$1"
}
# Standard or URL-safe base64 (padding optional, as protobuf JSON allows), strictly.
b64d() {
  local s
  s=$(cat)
  s=$(printf '%s' "$s" | tr -- '-_' '+/')
  [[ $s =~ ^[A-Za-z0-9+/]+={0,2}$ ]] || return 1
  s=${s%%=*}
  case $((${#s} % 4)) in 0) ;; 2) s="$s==" ;; 3) s="$s=" ;; *) return 1 ;; esac
  printf '%s' "$s" | base64 -d
}
# Fields of an `openssl asn1parse` line: offset depth header-length length kind(prim|cons) rest.
asn1_fields() {
  [[ $1 =~ ^\ *([0-9]+):d=([0-9]+)\ +hl=([0-9]+)\ +l=\ *([0-9]+)\ +(prim|cons):\ +(.*)$ ]] || return 1
  printf '%s %s %s %s %s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}" "${BASH_REMATCH[4]}" "${BASH_REMATCH[5]}"
}
# bytes OFFSET LENGTH FILE: LENGTH bytes of FILE from byte OFFSET (0-based).
bytes() { tail -c "+$(($1 + 1))" -- "$3" | head -c "$2"; }

# ---------------------------------------------------------------------------
# 1. Archive: regular files only, with the names the format allows, once each.
if ! tar -tvzf "$BUNDLE" >"$WORK/tv" 2>"$WORK/err" || ! tar -tzf "$BUNDLE" >"$WORK/names" 2>>"$WORK/err"; then
  fatal archive "not a readable .tar.gz: $(head -n 1 "$WORK/err")"
fi
if [ "$(cut -c1 "$WORK/tv" | sort -u)" != "-" ]; then
  fatal archive "a member is not a regular file (link, directory, device): refusing to extract"
fi
if grep -Evq '^(manifest\.json|SHA256SUMS|attestations/evidence\.sigstore\.json|attestations/standard\.sigstore\.jsonl|blobs/sha256/[0-9a-f]{64})$' "$WORK/names"; then
  fatal archive "unexpected member name: $(grep -Ev '^(manifest\.json|SHA256SUMS|attestations/evidence\.sigstore\.json|attestations/standard\.sigstore\.jsonl|blobs/sha256/[0-9a-f]{64})$' "$WORK/names" | head -n 1)"
fi
if [ "$(wc -l <"$WORK/tv")" != "$(wc -l <"$WORK/names")" ] || [ -n "$(sort "$WORK/names" | uniq -d)" ]; then
  fatal archive "duplicate or ambiguous member names"
fi
for required in manifest.json SHA256SUMS attestations/evidence.sigstore.json; do
  grep -Fxq -- "$required" "$WORK/names" || fatal archive "no $required in the bundle"
done
ok archive "$(wc -l <"$WORK/names") regular files, all with expected names"

# 2. Extract into the temporary directory.
if ! tar -xzf "$BUNDLE" -C "$X" --no-same-owner --no-same-permissions 2>"$WORK/err"; then
  fatal extract "tar failed: $(head -n 1 "$WORK/err")"
fi
if [ -n "$(find "$X" -mindepth 1 ! -type f ! -type d -print)" ]; then
  fatal extract "extraction produced something other than plain files"
fi
ok extract "into $X"

# 3. SHA256SUMS: lists exactly manifest.json and every blob, and they match.
sums_re='^[0-9a-f]{64}  (manifest\.json|blobs/sha256/[0-9a-f]{64})$'
listed=$(grep -E -- "$sums_re" "$X/SHA256SUMS" | cut -c67- | sort || true)
present=$(grep -Ex 'manifest\.json|blobs/sha256/[0-9a-f]{64}' "$WORK/names" | sort || true)
if grep -Evq -- "$sums_re" "$X/SHA256SUMS"; then
  fail sha256sums "SHA256SUMS has a malformed line"
elif [ "$listed" != "$present" ]; then
  fail sha256sums "SHA256SUMS does not list exactly manifest.json and the blobs in the archive"
elif ! (cd "$X" && sha256sum --quiet --strict -c SHA256SUMS) >"$WORK/sumout" 2>&1; then
  fail sha256sums "$(head -n 1 "$WORK/sumout")"
else
  ok sha256sums "$(wc -l <"$X/SHA256SUMS") files match (sha256sum -c)"
fi

# 4. The attestation: a Sigstore bundle v0.3, keyless, with one DSSE signature.
A="$X/attestations/evidence.sigstore.json"
if ! media=$(jstr "$A" '.mediaType' 2>/dev/null); then
  fatal attestation "not a JSON Sigstore bundle"
fi
case "$media" in
  'application/vnd.dev.sigstore.bundle.v0.3+json' | 'application/vnd.dev.sigstore.bundle+json;version=0.3') ;;
  *) fatal attestation "unsupported bundle media type '$media'" ;;
esac
if jq -e -s '.[0].verificationMaterial.publicKey != null' "$A" >/dev/null 2>&1; then
  fatal attestation "signed with a key (hint: $(jstr "$A" '.verificationMaterial.publicKey.hint' 2>/dev/null || echo none)), not keylessly: check it with openssl dgst against the publisher's key"
fi
if ! jq -e -s '.[0].dsseEnvelope.signatures | type == "array" and length == 1' "$A" >/dev/null 2>&1; then
  fatal attestation "no DSSE envelope with exactly one signature"
fi
jstr "$A" '.dsseEnvelope.payload' >"$WORK/payload.b64" 2>/dev/null &&
  jstr "$A" '.dsseEnvelope.payloadType' >"$WORK/type.bin" 2>/dev/null &&
  jstr "$A" '.dsseEnvelope.signatures[0].sig' >"$WORK/sig.b64" 2>/dev/null &&
  jstr "$A" '.verificationMaterial.certificate.rawBytes' >"$WORK/leaf.b64" 2>/dev/null ||
  fatal attestation "missing payload, payloadType, signature or certificate.rawBytes"
b64d <"$WORK/payload.b64" >"$WORK/payload.bin" 2>/dev/null &&
  b64d <"$WORK/sig.b64" >"$WORK/sig.bin" 2>/dev/null &&
  b64d <"$WORK/leaf.b64" >"$WORK/leaf.der" 2>/dev/null ||
  fatal attestation "payload, signature or certificate is not base64"
if ! T=$(jq -e -j -s '[.[0].verificationMaterial.tlogEntries[0].integratedTime
      | select(type == "string" or type == "number") | tostring] | if length == 1 then .[0] else error("none") end' "$A" 2>/dev/null) ||
  ! [[ $T =~ ^[0-9]{1,12}$ ]]; then
  fatal attestation "no Rekor integratedTime in tlogEntries[0]"
fi
ok attestation "Sigstore bundle v0.3, DSSE, Fulcio certificate, logged at $T ($(date -u -d "@$T" '+%Y-%m-%dT%H:%M:%SZ'))"

# 5. The payload type.
if [ "$(cat "$WORK/type.bin")" = 'application/vnd.in-toto+json' ] && [ "$(wc -c <"$WORK/type.bin")" = 28 ]; then
  ok payload-type "application/vnd.in-toto+json"
else
  fail payload-type "payloadType is '$(head -c 100 "$WORK/type.bin")', not application/vnd.in-toto+json"
fi

# 6. The DSSE pre-authentication encoding: what was actually signed.
#    "DSSEv1" SP len(type) SP type SP len(payload) SP payload, lengths in bytes.
type_len=$(wc -c <"$WORK/type.bin")
payload_len=$(wc -c <"$WORK/payload.bin")
{
  printf 'DSSEv1 %d ' "$type_len"
  cat "$WORK/type.bin"
  printf ' %d ' "$payload_len"
  cat "$WORK/payload.bin"
} >"$WORK/pae.bin"
ok pae "DSSEv1 $type_len $(head -c 60 "$WORK/type.bin") $payload_len <payload> ($(wc -c <"$WORK/pae.bin") bytes)"

# 7. The Fulcio leaf certificate, DER -> PEM, and its public key. The PEM must
#    re-encode to the same DER (no trailing bytes, no lenient parse).
if openssl x509 -inform DER -in "$WORK/leaf.der" -out "$WORK/leaf.pem" 2>/dev/null &&
  openssl x509 -in "$WORK/leaf.pem" -outform DER 2>/dev/null | cmp -s - "$WORK/leaf.der" &&
  openssl x509 -in "$WORK/leaf.pem" -noout -pubkey >"$WORK/leafpub.pem" 2>/dev/null &&
  openssl asn1parse -inform DER -in "$WORK/leaf.der" >"$WORK/leaf.asn1" 2>/dev/null; then
  ok certificate "$(openssl x509 -in "$WORK/leaf.pem" -noout -issuer), valid $(openssl x509 -in "$WORK/leaf.pem" -noout -startdate | cut -d= -f2) to $(openssl x509 -in "$WORK/leaf.pem" -noout -enddate | cut -d= -f2)"
else
  fatal certificate "certificate.rawBytes is not one DER X.509 certificate"
fi

# 8. The DSSE signature (ECDSA P-256, DER-encoded, over SHA-256 of the PAE).
if openssl dgst -sha256 -verify "$WORK/leafpub.pem" -signature "$WORK/sig.bin" "$WORK/pae.bin" >"$WORK/dgst" 2>&1; then
  ok dsse-signature "$(head -n 1 "$WORK/dgst")"
else
  fail dsse-signature "the signature does not verify with the certificate's key: $(head -n 1 "$WORK/dgst")"
fi

# 9. The certificate chains to a Fulcio CA of the trusted root, at the time
#    Rekor says the entry was logged (the leaf is valid for ~10 minutes only).
if ! ncas=$(jq -e -s 'if length == 1 and (.[0].certificateAuthorities | type) == "array" then .[0].certificateAuthorities | length else error("bad") end' "$TRUSTED_ROOT" 2>/dev/null) || [ "$ncas" = 0 ]; then
  fail chain "the trusted root has no certificateAuthorities"
else
  chained=''
  tried=()
  for ((i = 0; i < ncas; i++)); do
    ca=".certificateAuthorities[$i]"
    # Only a CA whose validity window holds the signing time.
    start=$(jstr "$TRUSTED_ROOT" "$ca.validFor.start" 2>/dev/null) || { tried+=("CA $i: no validFor.start"); continue; }
    end=$(jstr "$TRUSTED_ROOT" "$ca.validFor.end" 2>/dev/null || true)
    start_s=$(date -u -d "$start" +%s 2>/dev/null) || { tried+=("CA $i: bad validFor.start"); continue; }
    if [ "$T" -lt "$start_s" ]; then tried+=("CA $i: not valid yet at $T"); continue; fi
    if [ -n "$end" ]; then
      end_s=$(date -u -d "$end" +%s 2>/dev/null) || { tried+=("CA $i: bad validFor.end"); continue; }
      if [ "$T" -gt "$end_s" ]; then tried+=("CA $i: expired before $T"); continue; fi
    fi
    n=$(jq -e -s "[.[0]$ca.certChain.certificates[]] | length" "$TRUSTED_ROOT" 2>/dev/null) || { tried+=("CA $i: no certChain"); continue; }
    [ "$n" -ge 1 ] || { tried+=("CA $i: empty certChain"); continue; }
    : >"$WORK/root.pem"
    : >"$WORK/inter.pem"
    good=yes
    for ((j = 0; j < n; j++)); do
      if [ "$j" -eq $((n - 1)) ]; then out="$WORK/root.pem"; else out="$WORK/inter.pem"; fi
      jstr "$TRUSTED_ROOT" "$ca.certChain.certificates[$j].rawBytes" 2>/dev/null | b64d 2>/dev/null |
        openssl x509 -inform DER -outform PEM >>"$out" 2>/dev/null || { good=''; break; }
    done
    [ -n "$good" ] || { tried+=("CA $i: unreadable certificate"); continue; }
    untrusted=()
    [ -s "$WORK/inter.pem" ] && untrusted=(-untrusted "$WORK/inter.pem")
    # -no-CApath/-no-CAstore: trust nothing but this CA's root (not the system store).
    if openssl verify -no-CApath -no-CAstore -attime "$T" -CAfile "$WORK/root.pem" "${untrusted[@]}" "$WORK/leaf.pem" >"$WORK/verify" 2>&1; then
      chained="CA $i ($(openssl x509 -in "$WORK/root.pem" -noout -subject | sed 's/^subject=//'); $((n - 1)) intermediate(s))"
      break
    fi
    tried+=("CA $i: $(grep -m1 '^error' "$WORK/verify" || head -n 1 "$WORK/verify")")
  done
  if [ -n "$chained" ]; then
    ok chain "leaf chains to $chained at $T"
  else
    fail chain "the certificate does not chain to any CA of the trusted root at $T: ${tried[*]-none tried}"
  fi
fi

# Certificate extensions: the DER value of extension OID_NAME (as asn1parse
# names it) inside the certificate's extensions, to FILE. Exactly one.
ext_value() {
  local oid=$1 file=$2 line f exts_from='' exts_to='' found=0 want_octet=''
  while IFS= read -r line; do
    f=$(asn1_fields "$line") || return 1
    read -r o d hl l kind <<<"$f"
    if [ -z "$exts_from" ] && [ "$d" = 2 ] && [[ $line == *'cont [ 3 ]'* ]]; then
      exts_from=$o
      exts_to=$((o + hl + l))
      continue
    fi
    [ -n "$exts_from" ] && [ "$o" -lt "$exts_to" ] || { want_octet=''; continue; }
    if [ "$d" = 5 ] && [[ $line =~ prim:\ OBJECT\ +:(.*)$ ]]; then
      if [ "${BASH_REMATCH[1]}" = "$oid" ]; then want_octet=yes; found=$((found + 1)); else want_octet=''; fi
      continue
    fi
    if [ -n "$want_octet" ] && [ "$d" = 5 ] && [[ $line == *'prim: OCTET STRING'* ]]; then
      bytes "$((o + hl))" "$l" "$WORK/leaf.der" >"$file"
      want_octet=''
    fi
  done <"$WORK/leaf.asn1"
  [ "$found" = 1 ] && [ -f "$file" ]
}
# A DER TLV in FILE, exactly, whose single element at depth DEPTH is of TYPE
# (asn1parse's name); its value bytes to OUT.
der_value() {
  local in=$1 depth=$2 type=$3 out=$4 lines f
  openssl asn1parse -inform DER -in "$in" >"$WORK/inner.asn1" 2>/dev/null || return 1
  lines=$(wc -l <"$WORK/inner.asn1")
  read -r o0 d0 hl0 l0 k0 <<<"$(asn1_fields "$(head -n 1 "$WORK/inner.asn1")")" || return 1
  [ "$((hl0 + l0))" = "$(wc -c <"$in")" ] || return 1
  [ "$lines" = "$((depth + 1))" ] || return 1
  f=$(tail -n 1 "$WORK/inner.asn1")
  read -r o d hl l k <<<"$(asn1_fields "$f")" || return 1
  [ "$d" = "$depth" ] && [[ $f =~ prim:\ \ *$type ]] || return 1
  bytes "$((o + hl))" "$l" "$in" >"$out"
}

# 10. Identity: the SAN is exactly one URI (or e-mail) equal to EXPECTED_IDENTITY.
printf '%s' "$EXPECTED_IDENTITY" >"$WORK/expected-identity"
san_shown=$(openssl x509 -in "$WORK/leaf.pem" -noout -ext subjectAltName 2>/dev/null | tail -n +2 | sed 's/^ *//' || true)
if ext_value 'X509v3 Subject Alternative Name' "$WORK/san.der" &&
  { der_value "$WORK/san.der" 1 'cont \[ 6 \]' "$WORK/san.bin" || der_value "$WORK/san.der" 1 'cont \[ 1 \]' "$WORK/san.bin"; } &&
  cmp -s "$WORK/san.bin" "$WORK/expected-identity"; then
  ok identity "$san_shown"
else
  fail identity "the certificate's SAN is '${san_shown:-unreadable}', expected URI or email '$EXPECTED_IDENTITY'"
fi

# 11. Issuer: Fulcio's extension 1.3.6.1.4.1.57264.1.8 (a DER UTF8String),
#     or, in older certificates only, 1.3.6.1.4.1.57264.1.1 (the raw string).
printf '%s' "$EXPECTED_ISSUER" >"$WORK/expected-issuer"
if ext_value '1.3.6.1.4.1.57264.1.8' "$WORK/iss.der"; then
  if der_value "$WORK/iss.der" 0 UTF8STRING "$WORK/iss.bin" && cmp -s "$WORK/iss.bin" "$WORK/expected-issuer"; then
    ok issuer "$(cat "$WORK/iss.bin") (1.3.6.1.4.1.57264.1.8)"
  else
    fail issuer "the certificate's issuer (1.3.6.1.4.1.57264.1.8) is '$(der_value "$WORK/iss.der" 0 UTF8STRING /dev/stdout 2>/dev/null | head -c 200 || echo unreadable)', expected '$EXPECTED_ISSUER'"
  fi
elif ! grep -q ':1\.3\.6\.1\.4\.1\.57264\.1\.8$' "$WORK/leaf.asn1" && ext_value '1.3.6.1.4.1.57264.1.1' "$WORK/iss.bin"; then
  if cmp -s "$WORK/iss.bin" "$WORK/expected-issuer"; then
    ok issuer "$(cat "$WORK/iss.bin") (legacy 1.3.6.1.4.1.57264.1.1)"
  else
    fail issuer "the certificate's issuer (1.3.6.1.4.1.57264.1.1) is '$(head -c 200 "$WORK/iss.bin")', expected '$EXPECTED_ISSUER'"
  fi
else
  fail issuer "the certificate has no single, readable Fulcio issuer extension"
fi

# 12. The statement is about this manifest: subject "manifest.json" has the
#     sha256 of the extracted manifest.json's bytes (and so does the predicate).
mhex=$(sha256sum <"$X/manifest.json" | cut -c1-64)
if jq -e -n --slurpfile s "$WORK/payload.bin" --arg h "$mhex" '
    ($s | length) == 1 and ($s[0] | type) == "object"
    and $s[0]._type == "https://in-toto.io/Statement/v1"
    and $s[0].predicateType == "https://evidence-bundle.dev/attestation/release-evidence/v1"
    and ($s[0].subject | type) == "array"
    and ([$s[0].subject[] | select(.name == "manifest.json")] | length == 1 and .[0].digest.sha256 == $h)
    and $s[0].predicate.bundle.manifestDigest == ("sha256:" + $h)' >/dev/null 2>&1; then
  ok statement-manifest "subject manifest.json sha256:$mhex"
else
  fail statement-manifest "the statement is not an evidence statement whose subject manifest.json has sha256:$mhex"
fi

# 13. Every release subject of the manifest is a subject of the statement, same sha256.
if missing=$(jq -e -r -n --slurpfile m "$X/manifest.json" --slurpfile s "$WORK/payload.bin" '
    if ($m | length) == 1 and ($s | length) == 1 and ($m[0].subjects | type) == "array" and ($s[0].subject | type) == "array"
       and all($m[0].subjects[]; (.name | type) == "string" and (.digest | type) == "string" and (.digest | test("^sha256:[0-9a-f]{64}$")))
    then [$m[0].subjects[] | . as $x | select(any($s[0].subject[]; .name == $x.name and .digest.sha256 == ($x.digest | ltrimstr("sha256:"))) | not) | $x.name]
    else error("malformed") end | if length == 0 then "" else join(", ") end' 2>/dev/null) && [ -z "$missing" ]; then
  ok statement-subjects "$(jq -r '.subjects | length' "$X/manifest.json") release subject(s) covered: $(jq -r '[.subjects[].name] | join(", ")' "$X/manifest.json")"
else
  fail statement-subjects "release subjects not covered by the statement: ${missing:-manifest or statement malformed}"
fi

# 14. The artifact (optional) is one of the manifest's subjects.
if [ -n "$ARTIFACT" ]; then
  if [ -f "$ARTIFACT" ] && ahex=$(sha256sum <"$ARTIFACT" | cut -c1-64) &&
    names=$(jq -e -r --arg d "sha256:$ahex" '[.subjects[] | select(.digest == $d) | .name] | if length > 0 then join(", ") else error("none") end' "$X/manifest.json" 2>/dev/null); then
    ok artifact "sha256:$ahex is subject $names"
  else
    fail artifact "'$ARTIFACT' (sha256:${ahex:-unreadable}) is not a subject of the manifest"
  fi
fi

# 15. The standard statements (docs/bundle-format.md §6.5), when present:
# what each states, by hand: its subjects are the release subjects, an SBOM
# predicate is one of the SBOM blobs, a test result's lists add up to its
# JUnit entry's counts. Their signatures are not checked here (they are
# Sigstore bundles like the one of steps 5-11: run those steps on a line).
S="$X/attestations/standard.sigstore.jsonl"
if [ -f "$S" ]; then
  n=0
  problems=""
  subjects=$(jq -S -c '[.subjects[] | {name, digest: {sha256: (.digest | ltrimstr("sha256:"))}}]' "$X/manifest.json")
  while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    if ! printf '%s' "$line" | jq -r '.dsseEnvelope.payload' 2>/dev/null | b64d >"$WORK/std.json" 2>/dev/null || ! jq -e . "$WORK/std.json" >/dev/null 2>&1; then
      problems="$problems line $n: no readable statement;"
      continue
    fi
    type=$(jq -r '.predicateType' "$WORK/std.json")
    if [ "$subjects" != "[]" ] && [ "$(jq -S -c '.subject' "$WORK/std.json")" != "$subjects" ]; then
      problems="$problems line $n ($type): subjects are not the release subjects;"
    fi
    case "$type" in
      https://cyclonedx.org/bom | https://spdx.dev/Document)
        found=no
        for d in $(jq -r '.entries[] | select(.kind == "sbom" and (.mediaType | test("json$"))) | .digest | ltrimstr("sha256:")' "$X/manifest.json"); do
          if jq -e --slurpfile b "$X/blobs/sha256/$d" '.predicate == $b[0]' "$WORK/std.json" >/dev/null 2>&1; then found=yes; fi
        done
        # A tag-value SPDX blob is restated in its JSON form: not compared by hand.
        if [ "$found" = no ] && ! jq -e '.entries[] | select(.mediaType == "text/spdx")' "$X/manifest.json" >/dev/null; then
          problems="$problems line $n ($type): the predicate is none of the SBOM blobs;"
        fi
        ;;
      https://in-toto.io/attestation/test-result/v0.1)
        if ! jq -e -n --slurpfile s "$WORK/std.json" --slurpfile m "$X/manifest.json" '
            ($s[0].predicate) as $p | ($p.configuration[0].digest.sha256) as $d
            | [$m[0].entries[] | select(.kind == "junit" and .digest == ("sha256:" + $d)) | .summary][0] as $j
            | $j != null and ($p.passedTests | length) == $j.passed and ($p.failedTests | length) == ($j.failed + $j.errored)' >/dev/null 2>&1; then
          problems="$problems line $n (test-result): its lists do not add up to the JUnit entry it names;"
        fi
        ;;
    esac
  done <"$S"
  if [ -z "$problems" ]; then
    ok standard "$n standard statement(s) state what the evidence says (content; signatures: run steps 5-11 on each line)"
  else
    fail standard "${problems# }"
  fi
fi

if [ "$FAILURES" -eq 0 ]; then
  echo "result: OK (by hand; Rekor inclusion proof/SET and the RFC 3161 timestamp not checked)"
  exit 0
fi
echo "result: FAIL ($FAILURES step(s) failed)"
exit 1
