#!/usr/bin/env bash
# The manifest of a database-source run (the 12319 estate on MariaDB): no
# files were read, so the inputs are the independent source recount (rows
# and content total, as in the ledger); the mapping tables and taxonomy the
# playbook names are hashed; fixes and rejects are those of the run; no
# connection value, user or password from the environment is recorded.
set -euo pipefail
source "$TOP/tests/lib.sh"
cd "$SCRATCH"
M=$BUILD/migrate

sha() { sha256sum "$1" | cut -c1-64; }

fresh_store
export CG12319_DATABASE=legacy_t0625
"$BUILD/gen12319" --playbook-dir "$TOP/playbooks/cg12319" --rows 400 --seed 11 --out gen --database "$CG12319_DATABASE" >/dev/null
"$M" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
# the playbook and its tables copied here: the manifest names them relative to the run's directory
cp -r "$TOP/playbooks/cg12319" "$TOP/playbooks/cg12319.yaml" "$TOP/playbooks/taxonomy.csv" .
id=$("$M" keygen --alg ed25519 --out k | awk '/^key_id:/ {print $2}')
rc=0
"$M" run cg12319.yaml --json --report-dir rep --sign-key k.key >run.json 2>run.err || rc=$?
if ((rc)) && grep -q 'not compiled in' run.err; then
  skip "manifests are written after the reports: $(cat run.err)"
fi
((rc == 0)) || die "migrate run failed ($rc): $(cat run.err)"
run=$(jq .run run.json)
m=rep/manifest-$run.json
[[ -s "$m" ]] || die "no $m"

assert_eq "cg12319 mysql" "$(jq -r '"\(.run.system) \(.source.driver)"' "$m")" "system and driver"
assert_eq null "$(jq .source.dir "$m")" "a database source has no dir"
assert_eq "gd_jbxx $(jq .stages.source.out run.json) $(jq -r .stages.source.total_out run.json)" \
  "$(jq -r '.inputs[] | "\(.table) \(.source_recount.rows) \(.source_recount.total)"' "$m")" "inputs: the source recount"
assert_eq "$(jq .rows gen/expected.json)" "$(jq '.inputs[0].source_recount.rows' "$m")" "recount = rows generated"
assert_eq "cg12319/districts.csv $(sha cg12319/districts.csv)
cg12319/categories.csv $(sha cg12319/categories.csv)
cg12319/status.csv $(sha cg12319/status.csv)
cg12319/units.csv $(sha cg12319/units.csv)
cg12319/satisfaction.csv $(sha cg12319/satisfaction.csv)
taxonomy.csv $(sha taxonomy.csv)" "$(jq -r '.tables[] | "\(.path) \(.sha256)"' "$m")" "mapping and district tables and the taxonomy beside the playbook"
assert_eq "$(jq -cS .fixes run.json)" "$(jq -cS .fixes "$m")" "fixes"
assert_eq "$(jq -cS .rejects run.json)" "$(jq -cS .rejects "$m")" "rejects by stage and reason"
assert_eq "source extract decode transform load target" "$(jq -r '[.stages[].stage] | join(" ")' "$m")" "every stage, in order"
for s in source extract decode transform load target; do
  assert_eq "$(jq -c "[.stages.$s | .in, .out, .rejected, .merged, .total_in, .total_out, .total_rejected, .total_merged]" run.json)" \
    "$(jq -c ".stages[] | select(.stage == \"$s\") | [.in, .out, .rejected, .merged, .total_in, .total_out, .total_rejected, .total_merged]" "$m")" \
    "stage $s as in the run's ledger"
done

# no credential or connection value
for v in "${MIGRATE_MYSQL_PASSWORD:-}" "$MYSQL_UNIX_PORT" "$CG12319_DATABASE" "$PGHOST" "$PGDATABASE"; do
  ((${#v} >= 8)) || continue
  ! grep -qF -- "$v" "$m" || die "the manifest contains the environment value '$v'"
done
! grep -q 'socket\|password\|user' "$m" || die "the manifest names connection settings"

assert_exit 0 "$M" verify "$m" --pubkey k.pub --store ""
out=$(cat "$SCRATCH/out")
assert_contains "$out" "signature: ok (ed25519, key ${id:0:12})" "signature"
assert_contains "$out" "table cg12319/categories.csv: ok" "mapping table checked"
assert_contains "$out" "input gd_jbxx: not checked (a database table: $(jq .rows gen/expected.json) rows" "database input"
assert_contains "$out" ", 0 failed, 1 not checked" "summary"

# a category mapping changed after the run
printf 'CG9999,new,0103\n' >>cg12319/categories.csv
assert_exit 3 "$M" verify "$m" --pubkey k.pub
assert_contains "$(cat "$SCRATCH/out")" "table cg12319/categories.csv: FAILED: 'cg12319/categories.csv' has sha256" "changed mapping"
echo ok
