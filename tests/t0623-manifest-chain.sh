#!/usr/bin/env bash
# The chain of run manifests: one chain per store, whatever the system; a
# previous manifest that was altered or deleted, beside the manifest or in
# the store, is flagged at the link that breaks, even several links back;
# a manifest claiming to be the first while the store holds older ones is
# flagged too.
set -euo pipefail
source "$TOP/tests/lib.sh"
cd "$SCRATCH"
M=$BUILD/migrate

sha() { sha256sum "$1" | cut -c1-64; }
estate() { # CODE: a small CSV estate pb/CODE.yaml
  mkdir -p pb/data
  printf 'legacy,unified\n1,受理\n2,办结\n' >pb/status.csv
  printf 'id,text,st\n1,hello,1\n2,world,2\n' >pb/data/a.csv
  cat >"pb/$1.yaml" <<YAML
system: {code: $1, hotline: "12345", name: chain test, department: test, mode: merge}
source: {driver: csv, dir: .}
tables:
  - name: "data/*.csv"
    encoding: utf-8
    fields: {legacy_id: id, content: text, status: {column: st, type: code, table: status.csv}}
YAML
}
run_reports() { # PLAYBOOK DIR KEY
  local rc=0
  "$M" run "$1" --report-dir "$2" --sign-key "$3" >run.out 2>run.err || rc=$?
  if ((rc)) && grep -q 'not compiled in' run.err; then
    skip "manifests are written after the reports: $(cat run.err)"
  fi
  ((rc == 0)) || die "migrate run $1 failed ($rc): $(cat run.err)"
}
verify_fails() { # WHAT LINE-EXPECTED ARGS...
  local what=$1 line=$2
  shift 2
  assert_exit 3 "$M" verify "$@"
  assert_contains "$(cat "$SCRATCH/out")" "$line" "$what"
}

fresh_store
"$M" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
estate t_chain_a
estate t_chain_b
"$M" keygen --alg ed25519 --out k >/dev/null

# three runs of two systems: one chain 1 <- 2 <- 3
run_reports pb/t_chain_a.yaml rep k.key
run_reports pb/t_chain_b.yaml rep k.key
run_reports pb/t_chain_a.yaml rep k.key
assert_eq "null 1 2" "$(jq -r .previous.run rep/manifest-{1,2,3}.json | paste -sd' ')" "one chain across systems"
assert_eq "$(sha rep/manifest-1.json)" "$(jq -r .previous.sha256 rep/manifest-2.json)" "link 2 -> 1"
assert_eq "$(sha rep/manifest-2.json)" "$(jq -r .previous.sha256 rep/manifest-3.json)" "link 3 -> 2"
assert_exit 0 "$M" verify rep/manifest-3.json --pubkey k.pub --store ""
out=$(cat "$SCRATCH/out")
for l in "chain: run 3 -> run 2 (manifest-2.json): ok" "chain: run 2 -> run 1 (manifest-1.json): ok" \
  "chain: run 3 -> run 2 (in the store): ok" "chain: run 2 -> run 1 (in the store): ok"; do
  assert_contains "$out" "$l" "whole chain walked"
done
# the chain in plain SQL: every prev_sha256 is the sha256 of another stored body
assert_eq 0 "$(pg_query "SELECT count(*) FROM migration.manifest m WHERE m.prev_sha256 IS NOT NULL AND NOT EXISTS
  (SELECT 1 FROM migration.manifest p WHERE p.sha256 = m.prev_sha256
   AND encode(sha256(convert_to(p.body, 'UTF8')), 'hex') = p.sha256)")" "chain in SQL"
cp -a rep rep.orig
restore() { rm -rf rep && cp -a rep.orig rep; }

# ---- the previous manifest file altered: flagged at its link
sed -i 's/"records":2/"records":7/' rep/manifest-1.json
verify_fails "altered previous file" \
  "chain: run 2 -> run 1 (manifest-1.json): FAILED: 'rep/manifest-1.json' has sha256 $(sha rep/manifest-1.json | cut -c1-12), the manifest of run 2 says $(sha rep.orig/manifest-1.json | cut -c1-12)" \
  rep/manifest-2.json
# two links back
verify_fails "altered file two links back" "chain: run 2 -> run 1 (manifest-1.json): FAILED" rep/manifest-3.json
assert_contains "$(cat "$SCRATCH/out")" "chain: run 3 -> run 2 (manifest-2.json): ok" "the intact link is ok"
restore

# ---- the previous manifest file deleted
rm rep/manifest-2.json
verify_fails "deleted previous file" \
  "chain: run 3 -> run 2: FAILED: the previous manifest 'rep/manifest-2.json' is not beside the manifest (give --store to look in the store)" \
  rep/manifest-3.json
# the store still has it: the chain checks out there
assert_exit 0 "$M" verify rep/manifest-3.json --store ""
assert_contains "$(cat "$SCRATCH/out")" "chain: run 3 -> run 2 (in the store): ok" "found in the store"
restore

# ---- the previous manifest altered in the store (body and sha256 column)
pg_query "UPDATE migration.manifest SET body = replace(body, '\"records\":2', '\"records\":8') WHERE run_id = 1;
  UPDATE migration.manifest SET sha256 = encode(sha256(convert_to(body, 'UTF8')), 'hex') WHERE run_id = 1"
new1=$(pg_query "SELECT sha256 FROM migration.manifest WHERE run_id = 1")
[[ $new1 != "$(sha rep/manifest-1.json)" ]] || die "the stored manifest 1 was not altered"
verify_fails "altered previous in the store" \
  "chain: run 2 -> run 1 (in the store): FAILED: the stored manifest of run 1 has sha256 ${new1:0:12}, the manifest of run 2 says $(sha rep/manifest-1.json | cut -c1-12)" \
  rep/manifest-2.json --store ""
verify_fails "altered in the store, two links back" "chain: run 2 -> run 1 (in the store): FAILED" rep/manifest-3.json --store ""
verify_fails "stored manifest differs from its file" "store: FAILED: the stored manifest of run 1 differs from 'rep/manifest-1.json'" \
  rep/manifest-1.json --store ""

# a later run chains to the newest manifest; its chain breaks further back
run_reports pb/t_chain_b.yaml rep k.key
assert_eq 3 "$(jq .previous.run rep/manifest-4.json)" "run 4 follows run 3"
verify_fails "a new run over a broken chain" "chain: run 2 -> run 1 (in the store): FAILED" rep/manifest-4.json --pubkey k.pub --store ""
out=$(cat "$SCRATCH/out")
assert_contains "$out" "chain: run 4 -> run 3 (in the store): ok" "link 4 -> 3"
assert_contains "$out" "signature: ok" "manifest 4 itself is sound"

# only the sha256 column changed: the stored body no longer hashes to it
pg_query "UPDATE migration.manifest SET body = (SELECT body FROM migration.manifest WHERE run_id = 2) WHERE run_id = 2;
  UPDATE migration.manifest SET sha256 = repeat('0', 64) WHERE run_id = 2"
verify_fails "stored sha256 column" "chain: run 3 -> run 2 (in the store): FAILED: the store records sha256 000000000000 for run 2" \
  rep/manifest-3.json --store ""

# ---- the previous manifest deleted from the store
pg_query "DELETE FROM migration.manifest WHERE run_id = 1"
verify_fails "deleted from the store" "chain: run 2 -> run 1 (in the store): FAILED: the store holds no manifest of run 1" \
  rep/manifest-2.json --store ""
assert_contains "$(cat "$SCRATCH/out")" "chain: run 2 -> run 1 (manifest-1.json): ok" "the file is still there"

# ---- a manifest that names no previous one, re-signed by the key holder:
# the signature holds, but the store knows older manifests
jq -cS '.previous = null' rep/manifest-3.json | tr -d '\n' >cut.json
openssl pkeyutl -sign -rawin -inkey k.key -in cut.json -out cut.sig.bin
mkdir forged
cp cut.json forged/manifest-3.json
{
  sed -n '1,2p' rep/manifest-3.sig
  echo "signature: $(base64 -w0 cut.sig.bin)"
} >forged/manifest-3.sig
for f in $(jq -r '.outputs[].path' cut.json); do cp "rep/$f" forged/; done
assert_exit 0 "$M" verify forged/manifest-3.json --pubkey k.pub
assert_contains "$(cat "$SCRATCH/out")" "chain: not checked (the manifest names no previous one" "no store: not checked"
verify_fails "cut chain" "chain: FAILED: the manifest names no previous manifest, but the store holds older ones (1)" \
  forged/manifest-3.json --pubkey k.pub --store ""
assert_contains "$(cat "$SCRATCH/out")" "signature: ok" "the forger holds the key"
echo ok
