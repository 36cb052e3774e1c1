#!/usr/bin/env bash
# migrate verify catches every tampering, each on its own line naming the
# file and the expected and actual hash: one byte of a report, one figure of
# the manifest, the wrong public key, a key id that does not match, a
# removed signature, a changed input file, mapping table or playbook. An
# input file that is gone is "not checked", not a failure; an unsigned
# manifest is a failure only when a public key is given.
set -euo pipefail
source "$TOP/tests/lib.sh"
cd "$SCRATCH"
M=$BUILD/migrate

sha() { sha256sum "$1" | cut -c1-64; }
estate() {
  mkdir -p pb/data
  printf 'legacy,unified\n1,受理\n2,办结\n' >pb/status.csv
  printf 'id,text,st\n1,hello,1\n2,world,2\n' >pb/data/a.csv
  printf 'id,text,st\n3,more,1\n' >pb/data/b.csv
  cat >pb/t.yaml <<'YAML'
system: {code: t_manifest_tamper, hotline: "12345", name: manifest test, department: test, mode: merge}
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
flip_byte() { # FILE OFFSET: change one byte
  local now
  now=$(od -An -c -j "$2" -N 1 "$1" | tr -d ' ')
  if [[ $now == X ]]; then printf Y; else printf X; fi | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
verify_fails() { # WHAT LINE-EXPECTED ARGS...: exit 3 and the line printed
  local what=$1 line=$2
  shift 2
  assert_exit 3 "$M" verify "$@"
  assert_contains "$(cat "$SCRATCH/out")" "$line" "$what"
}

fresh_store
"$M" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
estate
id=$("$M" keygen --alg ed25519 --out k | awk '/^key_id:/ {print $2}')
run_reports rep k.key
m=rep/manifest-1.json
assert_exit 0 "$M" verify "$m" --pubkey k.pub --store ""
cp -a rep rep.orig
restore() { rm -rf rep && cp -a rep.orig rep; }

# ---- one byte of a report
out0=$(jq -r '.outputs[0].path' "$m")
before=$(sha "rep/$out0")
flip_byte "rep/$out0" 10
after=$(sha "rep/$out0")
verify_fails "changed report" "output $out0: FAILED: 'rep/$out0' has sha256 ${after:0:12}, the manifest says ${before:0:12}" \
  "$m" --pubkey k.pub
assert_contains "$(cat "$SCRATCH/out")" "signature: ok" "the manifest itself is untouched"
restore
# a report that is gone
rm "rep/$out0"
verify_fails "removed report" "output $out0: FAILED: 'rep/$out0' is missing" "$m"
restore

# ---- one figure of the manifest
sed -i 's/"records":2/"records":5/' "$m"
cmp -s "$m" rep.orig/manifest-1.json && die "the figure to change was not found"
verify_fails "changed manifest" "signature: FAILED: 'rep/manifest-1.sig' does not match 'rep/manifest-1.json' and the public key 'k.pub'" \
  "$m" --pubkey k.pub --store ""
assert_contains "$(cat "$SCRATCH/out")" "store: FAILED: the stored manifest of run 1 differs from 'rep/manifest-1.json'" "store differs"
restore

# ---- the wrong public key
other=$("$M" keygen --alg ed25519 --out other | awk '/^key_id:/ {print $2}')
verify_fails "wrong public key" "key id: FAILED: the public key is ${other:0:12}, 'rep/manifest-1.sig' names key ${id:0:12}" \
  "$m" --pubkey other.pub
assert_contains "$(cat "$SCRATCH/out")" "signature: FAILED: 'rep/manifest-1.sig' does not match" "wrong key: signature"

# ---- a .sig naming another key id (the signature bytes themselves still verify)
sed -i "s/^key_id: .*/key_id: $other/" rep/manifest-1.sig
verify_fails "key id mismatch" "key id: FAILED: the public key is ${id:0:12}, 'rep/manifest-1.sig' names key ${other:0:12}, the manifest names key ${id:0:12}" \
  "$m" --pubkey k.pub
assert_contains "$(cat "$SCRATCH/out")" "signature: ok" "the signature bytes are the signer's"
# without a public key, the .sig and the signed body still disagree
verify_fails "key id mismatch without --pubkey" "key id: FAILED: 'rep/manifest-1.sig' names key ${other:0:12}, the manifest names key ${id:0:12}" "$m"
restore

# ---- a removed or mangled signature
rm rep/manifest-1.sig
verify_fails "removed .sig" "signature: FAILED: 'rep/manifest-1.sig' is missing, but the manifest says it was signed (ed25519, key ${id:0:12})" "$m"
restore
sed -i 's/^signature: .*/signature: not*base64/' rep/manifest-1.sig
verify_fails "mangled .sig" "signature: FAILED: 'rep/manifest-1.sig': the signature is not base64" "$m" --pubkey k.pub
restore
sed -i '/^signature:/d' rep/manifest-1.sig
verify_fails "truncated .sig" "signature: FAILED: 'rep/manifest-1.sig' is malformed" "$m" --pubkey k.pub
restore

# ---- inputs: a changed file fails; a file that is gone is only not checked
cp pb/data/a.csv a.orig
printf '4,added,1\n' >>pb/data/a.csv
verify_fails "changed input" "input data/a.csv: FAILED: 'pb/data/a.csv' has sha256 $(sha pb/data/a.csv | cut -c1-12), the manifest says $(sha a.orig | cut -c1-12)" \
  "$m" --pubkey k.pub
mv a.orig pb/data/a.csv
mv pb/data/b.csv b.moved
assert_exit 0 "$M" verify "$m" --pubkey k.pub --store ""
assert_contains "$(cat "$SCRATCH/out")" "input data/b.csv: not checked (not found in 'pb')" "a moved input"
assert_contains "$(cat "$SCRATCH/out")" "0 failed, 1 not checked" "summary counts it"
mv b.moved pb/data/b.csv

# ---- the mapping table and the playbook
cp pb/status.csv status.orig
printf '3,退回\n' >>pb/status.csv
verify_fails "changed mapping table" "table pb/status.csv: FAILED: 'pb/status.csv' has sha256 $(sha pb/status.csv | cut -c1-12), the manifest says $(sha status.orig | cut -c1-12)" "$m"
mv status.orig pb/status.csv
cp pb/t.yaml t.orig
printf '# edited\n' >>pb/t.yaml
verify_fails "changed playbook" "playbook pb/t.yaml: FAILED: 'pb/t.yaml' has sha256 $(sha pb/t.yaml | cut -c1-12)" "$m"
mv t.orig pb/t.yaml
assert_exit 0 "$M" verify "$m" --pubkey k.pub --store ""

# ---- an unsigned manifest
run_reports unsigned
u=unsigned/manifest-2.json
[[ ! -e unsigned/manifest-2.sig ]] || die "an unsigned run wrote a .sig"
assert_eq null "$(jq .signature "$u")" "unsigned: signature null"
assert_contains "$(jq -r .note "$u")" "not signed" "unsigned: a note says so"
assert_eq "" "$(pg_query "SELECT coalesce(algorithm, '') || coalesce(signature, '') FROM migration.manifest WHERE run_id = 2")" "unsigned in the store"
assert_exit 0 "$M" verify "$u" --store ""
assert_contains "$(cat "$SCRATCH/out")" "signature: not checked (the manifest is not signed)" "unsigned, no key asked"
verify_fails "unsigned with --pubkey" "signature: FAILED: the manifest is not signed" "$u" --pubkey k.pub
# a signature file copied next to an unsigned manifest is not taken for one
cp rep/manifest-1.sig unsigned/manifest-2.sig
verify_fails "foreign .sig" "key id: FAILED: 'unsigned/manifest-2.sig' names key ${id:0:12}, but the manifest says it is not signed" "$u" --pubkey k.pub
echo ok
