#!/usr/bin/env bash
# Run manifests signed with SM2 over SM3 (GB/T 32918, distinguishing ID
# 1234567812345678): verify says ok; openssl alone verifies the signature;
# one changed figure, or the wrong kind of public key, fails.
set -euo pipefail
source "$TOP/tests/lib.sh"
cd "$SCRATCH"
M=$BUILD/migrate

openssl list -public-key-algorithms 2>/dev/null | grep -qi sm2 || skip "this OpenSSL has no SM2"

sha() { sha256sum "$1" | cut -c1-64; }
estate() {
  mkdir -p pb/data
  printf 'legacy,unified\n1,受理\n2,办结\n' >pb/status.csv
  printf 'id,text,st\n1,hello,1\n2,world,2\n' >pb/data/a.csv
  cat >pb/t.yaml <<'YAML'
system: {code: t_manifest_sm2, hotline: "12345", name: manifest test, department: test, mode: merge}
source: {driver: csv, dir: .}
tables:
  - name: "data/*.csv"
    encoding: utf-8
    fields: {legacy_id: id, content: text, status: {column: st, type: code, table: status.csv}}
YAML
}
run_reports() { # DIR [KEY]
  local rc=0
  "$M" run pb/t.yaml --report-dir "$1" ${2:+--sign-key "$2"} >run.out 2>run.err || rc=$?
  if ((rc)) && grep -q 'not compiled in' run.err; then
    skip "manifests are written after the reports: $(cat run.err)"
  fi
  ((rc == 0)) || die "migrate run failed ($rc): $(cat run.err)"
}

fresh_store
"$M" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
estate

assert_exit 0 "$M" keygen --alg sm2 --out sm
id=$(awk '/^key_id:/ {print $2}' "$SCRATCH/out")
assert_contains "$(cat "$SCRATCH/out")" "algorithm: sm2-sm3" "keygen names the algorithm"
assert_eq 600 "$(stat -c %a sm.key)" "private key mode"
assert_eq "$(openssl pkey -pubin -in sm.pub -outform DER | sha256sum | cut -c1-64)" "$id" "key id"
assert_contains "$(openssl pkey -in sm.key -noout -text)" "SM2" "an SM2 key"

run_reports rep sm.key
m=rep/manifest-1.json
assert_eq "sm2-sm3 $id 1234567812345678" "$(jq -r '.signature | "\(.algorithm) \(.key_id) \(.sm2_id)"' "$m")" "signer in the body"
assert_eq "sm2_id: 1234567812345678" "$(grep '^sm2_id:' rep/manifest-1.sig)" "distinguishing ID in the .sig"
assert_eq "sm2-sm3" "$(pg_query "SELECT algorithm FROM migration.manifest WHERE run_id = 1")" "stored algorithm"

assert_exit 0 "$M" verify "$m" --pubkey sm.pub --store ""
assert_contains "$(cat "$SCRATCH/out")" "signature: ok (sm2-sm3, key ${id:0:12})" "verify: SM2 signature ok"
! grep -q FAILED "$SCRATCH/out" || die "verify printed FAILED: $(cat "$SCRATCH/out")"

# openssl alone: SM3 digest, the distinguishing ID, the DER signature
awk '/^signature:/ {print $2}' rep/manifest-1.sig | base64 -d >sig.der
openssl asn1parse -inform DER -in sig.der >/dev/null 2>&1 || die "the SM2 signature is not DER"
openssl pkeyutl -verify -rawin -digest sm3 -pkeyopt distid:1234567812345678 -pubin -inkey sm.pub \
  -in "$m" -sigfile sig.der >ossl.out 2>&1 || die "openssl does not verify the SM2 signature: $(cat ossl.out)"
assert_contains "$(cat ossl.out)" "Signature Verified Successfully" "openssl verifies SM2/SM3"

# one changed figure: the signature fails (and the store says the file differs)
cp "$m" m.orig
sed -i 's/"records":2/"records":3/' "$m"
cmp -s "$m" m.orig && die "the figure to change was not found"
assert_exit 3 "$M" verify "$m" --pubkey sm.pub --store ""
out=$(cat "$SCRATCH/out")
assert_contains "$out" "signature: FAILED: 'rep/manifest-1.sig' does not match 'rep/manifest-1.json'" "changed manifest"
assert_contains "$out" "store: FAILED: the stored manifest of run 1 differs from 'rep/manifest-1.json'" "store differs"
rc=0
openssl pkeyutl -verify -rawin -digest sm3 -pkeyopt distid:1234567812345678 -pubin -inkey sm.pub \
  -in "$m" -sigfile sig.der >ossl.out 2>&1 || rc=$?
((rc != 0)) || die "openssl verified a changed SM2-signed manifest"
cp m.orig "$m"

# an Ed25519 public key for an SM2 signature
edid=$("$M" keygen --alg ed25519 --out ed | awk '/^key_id:/ {print $2}')
assert_exit 3 "$M" verify "$m" --pubkey ed.pub
out=$(cat "$SCRATCH/out")
assert_contains "$out" "signature: FAILED: 'rep/manifest-1.sig' is an sm2-sm3 signature, the public key 'ed.pub' is ed25519" "wrong kind of key"
assert_contains "$out" "key id: FAILED: the public key is ${edid:0:12}, 'rep/manifest-1.sig' names key ${id:0:12}" "key id differs"
# another SM2 key
"$M" keygen --alg sm2 --out sm_other >/dev/null
assert_exit 3 "$M" verify "$m" --pubkey sm_other.pub
assert_contains "$(cat "$SCRATCH/out")" "signature: FAILED: 'rep/manifest-1.sig' does not match" "another SM2 key"
assert_exit 0 "$M" verify "$m" --pubkey sm.pub
echo ok
