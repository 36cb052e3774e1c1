#!/usr/bin/env bash
# Run manifests signed with Ed25519: two runs of a playbook make a chain of
# two; each manifest holds the SHA-256 of the playbook, mapping table, input
# files and reports; the file, the store and the signature agree; `migrate
# verify` says ok line by line; an auditor's plain openssl verifies the
# signature and recomputes the key id; no credential or environment value
# is in a manifest.
set -euo pipefail
source "$TOP/tests/lib.sh"
cd "$SCRATCH"
M=$BUILD/migrate

sha() { sha256sum "$1" | cut -c1-64; }
estate() { # a small CSV estate: pb/t.yaml over pb/data/*.csv with a code table
  mkdir -p pb/data
  printf 'legacy,unified\n1,受理\n2,办结\n' >pb/status.csv
  printf 'id,text,st\n1,hello,1\n2,world,2\n' >pb/data/a.csv
  printf 'id,text,st\n3,more,1\n' >pb/data/b.csv
  cat >pb/t.yaml <<'YAML'
system: {code: t_manifest, hotline: "12345", name: manifest test, department: test, mode: merge}
source: {driver: csv, dir: .}
tables:
  - name: "data/*.csv"
    encoding: utf-8
    fields: {legacy_id: id, content: text, status: {column: st, type: code, table: status.csv}}
YAML
}
run_reports() { # DIR [KEY]: run the playbook writing reports and the manifest into DIR
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

# ---- keygen: a private key only its owner reads, a key id openssl agrees with
assert_exit 0 "$M" keygen --alg ed25519 --out k
id=$(awk '/^key_id:/ {print $2}' "$SCRATCH/out")
assert_eq 600 "$(stat -c %a k.key)" "private key mode"
grep -q 'BEGIN PRIVATE KEY' k.key || die "k.key is not a PEM private key"
grep -q 'BEGIN PUBLIC KEY' k.pub || die "k.pub is not a PEM public key"
assert_eq "$(openssl pkey -pubin -in k.pub -outform DER | sha256sum | cut -c1-64)" "$id" \
  "key id = SHA-256 of the public key's DER"
assert_eq ED25519 "$(openssl pkey -in k.key -noout -text | sed -n 1p | awk '{print $1}')" "an Ed25519 key"
cp k.key k.key.orig
assert_exit 1 "$M" keygen --alg ed25519 --out k
assert_contains "$(cat "$SCRATCH/err")" "never overwritten" "keygen refuses to overwrite a key"
cmp -s k.key k.key.orig || die "keygen overwrote k.key"

# ---- two runs, two manifests in one chain
run_reports rep k.key
run_reports rep k.key
for f in rep/manifest-1.json rep/manifest-1.sig rep/manifest-2.json rep/manifest-2.sig; do
  [[ -s $f ]] || die "$f was not written"
done
m1=rep/manifest-1.json m2=rep/manifest-2.json
assert_eq null "$(jq -c .previous "$m1")" "the first manifest of the store links nothing"
assert_eq 1 "$(jq .previous.run "$m2")" "manifest 2 names run 1"
assert_eq "$(sha "$m1")" "$(jq -r .previous.sha256 "$m2")" "manifest 2 holds the SHA-256 of manifest 1"

# canonical form: one line, compact, keys sorted (jq -cS reproduces the bytes)
[[ $(wc -l <"$m2") == 0 ]] || die "a manifest is one line without a newline"
assert_eq "$(cat "$m2")" "$(jq -cS . "$m2")" "canonical JSON (compact, sorted keys)"

# what it holds
assert_eq "hotline-migrate manifest 1" "$(jq -r .format "$m2")" "format"
assert_eq "2 t_manifest finished true" "$(jq -r '[.run.id, .run.system, .run.status, .run.balanced] | join(" ")' "$m2")" "run"
assert_eq "pb/t.yaml $(sha pb/t.yaml)" "$(jq -r '.playbook | "\(.path) \(.sha256)"' "$m2")" "playbook and its hash"
assert_eq "pb/status.csv $(sha pb/status.csv)" "$(jq -r '.tables[] | "\(.path) \(.sha256)"' "$m2")" "mapping table"
assert_eq "data/a.csv $(sha pb/data/a.csv) 2
data/b.csv $(sha pb/data/b.csv) 1" "$(jq -r '.inputs[] | "\(.name) \(.sha256) \(.records)"' "$m2")" "input files"
assert_eq 3 "$(jq '.stages[] | select(.stage == "load") | .out' "$m2")" "ledger: loaded"
assert_eq 3 "$(jq '.stages[] | select(.stage == "target") | .out' "$m2")" "ledger: target recount"
assert_eq "$(jq -r '.stages[] | select(.stage == "load") | .total_out' "$m2")" \
  "$(jq -r '.stages[] | select(.stage == "target") | .total_out' "$m2")" "ledger: content totals"
n=$(jq '.outputs | length' "$m2")
((n >= 1)) || die "the manifest lists no outputs"
for ((i = 0; i < n; i++)); do
  p=$(jq -r ".outputs[$i].path" "$m2")
  [[ $p != /* ]] || die "output $p should be relative to the manifest's directory"
  assert_eq "$(sha "rep/$p")" "$(jq -r ".outputs[$i].sha256" "$m2")" "output $p hash"
done
assert_eq "ed25519 $id" "$(jq -r '.signature | "\(.algorithm) \(.key_id)"' "$m2")" "signer named inside the signed body"
assert_eq "algorithm: ed25519" "$(sed -n 1p rep/manifest-2.sig)" ".sig line 1"
assert_eq "key_id: $id" "$(sed -n 2p rep/manifest-2.sig)" ".sig line 2"

# the store holds the same bytes, hash, link and signature
assert_eq "$(sha "$m2") $(sha "$m1") ed25519 $id" "$(pg_query "SELECT encode(sha256(convert_to(body, 'UTF8')), 'hex'),
  prev_sha256, algorithm, key_id FROM migration.manifest WHERE run_id = 2" | tr '|' ' ')" "stored manifest 2"
assert_eq "$(sha "$m2")" "$(pg_query "SELECT sha256 FROM migration.manifest WHERE run_id = 2")" "stored sha256"
assert_eq "$(awk '/^signature:/ {print $2}' rep/manifest-2.sig)" \
  "$(pg_query "SELECT signature FROM migration.manifest WHERE run_id = 2")" "stored signature"
assert_eq 2 "$(pg_query "SELECT count(*) FROM migration.manifest")" "two manifests stored"

# no credential, connection value or environment value in a manifest
# (values of 8 bytes or more: a user named "migrate" is part of the format's name)
for v in "$PGHOST" "$PGDATABASE" "${MYSQL_UNIX_PORT:-}" "${MIGRATE_MYSQL_PASSWORD:-}" "$SCRATCH"; do
  ((${#v} >= 8)) || continue
  ! grep -qF -- "$v" rep/manifest-* || die "a manifest contains the environment value '$v'"
done
! grep -qi 'password' rep/manifest-* || die "a manifest mentions a password"

# ---- migrate verify: every check ok, chain in the files and in the store
assert_exit 0 "$M" verify "$m2" --pubkey k.pub --store ""
out=$(cat "$SCRATCH/out")
assert_contains "$out" "signature: ok (ed25519, key ${id:0:12})" "signature line"
assert_contains "$out" "key id: ok (${id:0:12}" "key id line"
assert_contains "$out" "store: ok" "store line"
assert_contains "$out" "chain: run 2 -> run 1 (manifest-1.json): ok" "chain in the files"
assert_contains "$out" "chain: run 2 -> run 1 (in the store): ok" "chain in the store"
assert_contains "$out" "playbook pb/t.yaml: ok" "playbook line"
assert_contains "$out" "table pb/status.csv: ok" "table line"
assert_contains "$out" "input data/a.csv: ok" "input line"
assert_contains "$out" "output $(jq -r '.outputs[0].path' "$m2"): ok" "output line"
assert_contains "$out" ", 0 failed, 0 not checked" "summary"
! grep -q FAILED "$SCRATCH/out" || die "verify printed FAILED: $out"
assert_exit 0 "$M" verify "$m1" --pubkey k.pub --store ""
assert_contains "$(cat "$SCRATCH/out")" "chain: ok (the first manifest of the store)" "manifest 1 is the first"

# without --pubkey the signature is not checked, and verify says so
assert_exit 0 "$M" verify "$m2"
assert_contains "$(cat "$SCRATCH/out")" "signature: not checked (give --pubkey FILE to check it)" "no --pubkey"
# from elsewhere: --base names where the playbook's relative paths start
mkdir elsewhere
(cd elsewhere && assert_exit 0 "$M" verify ../rep/manifest-2.json --pubkey ../k.pub --base ..)
assert_contains "$(cat "$SCRATCH/out")" "input data/b.csv: ok" "inputs found through --base"

# ---- the auditor's openssl, without this tool (docs/manifests.md)
awk '/^signature:/ {print $2}' rep/manifest-2.sig | base64 -d >sig.bin
assert_eq 64 "$(stat -c %s sig.bin)" "an Ed25519 signature is 64 bytes"
openssl pkeyutl -verify -rawin -pubin -inkey k.pub -in "$m2" -sigfile sig.bin >ossl.out 2>&1 ||
  die "openssl does not verify the signature: $(cat ossl.out)"
assert_contains "$(cat ossl.out)" "Signature Verified Successfully" "openssl verifies"
sed 's/"records":2/"records":9/' "$m2" >changed.json
cmp -s "$m2" changed.json && die "the figure to change was not found"
rc=0
openssl pkeyutl -verify -rawin -pubin -inkey k.pub -in changed.json -sigfile sig.bin >ossl.out 2>&1 || rc=$?
((rc != 0)) || die "openssl verified a changed manifest"
assert_contains "$(cat ossl.out)" "Signature Verification Failure" "openssl refuses a changed manifest"
# sha256sum and the store agree without this tool (the commands of docs/manifests.md)
assert_eq "$(sha "$m1")" "$(pg_query "SELECT prev_sha256 FROM migration.manifest WHERE run_id = 2")" "chain in plain SQL"
jq -r '.outputs[] | "\(.sha256)  \(.path)"' "$m2" >sums
(cd rep && sha256sum -c --quiet ../sums) || die "sha256sum -c of the outputs failed"
assert_eq "" "$(pg_query "SELECT run_id FROM migration.manifest
  WHERE encode(sha256(convert_to(body, 'UTF8')), 'hex') <> sha256")" "SQL: every body hashes to its sha256"
assert_eq "" "$(pg_query "SELECT m.run_id FROM migration.manifest m WHERE m.prev_sha256 IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM migration.manifest p WHERE p.sha256 = m.prev_sha256)")" "SQL: every link resolves"
assert_eq 1 "$(pg_query "SELECT count(*) FROM migration.manifest WHERE prev_sha256 IS NULL")" "SQL: one start"
assert_eq 3 "$(pg_query "SELECT body::jsonb -> 'stages' -> 4 -> 'out' FROM migration.manifest WHERE run_id = 2")" "SQL: figures"
echo ok
