#!/usr/bin/env bash
# Raw landing: a source table landed verbatim in legacy_<system>.<table>,
# reconciled by the same ledger. As bytea, the landed rows carry the source's
# content total unchanged from the MariaDB recount to the PostgreSQL recount;
# as text, undecodable rows are rejects with their bytes; re-runs land
# nothing twice; a kill -9 resumes.
set -euo pipefail
source "$TOP/tests/lib.sh"

export CG12319_DATABASE=legacy_t0110
"$BUILD/gen12319" --playbook-dir "$TOP/playbooks/cg12319" --rows 2500 --seed 21 --out gen --database "$CG12319_DATABASE" >/dev/null
fresh_store
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
cat > raw.yaml <<'EOT'
system: {code: cg12319, hotline: "12319", name: 城管热线, department: 市城市管理局, mode: merge}
source:
  driver: mysql
  socket: ${MYSQL_UNIX_PORT}
  database: ${CG12319_DATABASE}
  user: ${MIGRATE_MYSQL_USER}
  password_env: MIGRATE_MYSQL_PASSWORD
tables:
  - name: gd_jbxx
    key: id
    target: raw
EOT
assert_exit 0 "$BUILD/migrate" check raw.yaml
assert_exit 0 "$BUILD/migrate" run raw.yaml --json
j=$SCRATCH/out
assert_eq 2500 "$(jq .stages.target.out "$j")" "every row landed"
total=$(jq -r .stages.source.total_out "$j")
for st in extract decode transform load target; do
	assert_eq "$total" "$(jq -r .stages.$st.total_out "$j")" "$st carries the source total unchanged"
done
# the bytes in the store are the bytes in MariaDB
want=$(my_query "SELECT HEX(xm) FROM $CG12319_DATABASE.gd_jbxx WHERE id = 7")
got=$(pg_query "SELECT upper(encode(xm, 'hex')) FROM legacy_cg12319.gd_jbxx WHERE _key = '7'::bytea")
assert_eq "$want" "$got" "a GBK name landed byte for byte"
assert_eq "$CG12319_DATABASE.gd_jbxx" "$(pg_query "SELECT DISTINCT _origin FROM legacy_cg12319.gd_jbxx")" "provenance: origin"
zero=$(pg_query "SELECT count(*) FROM legacy_cg12319.gd_jbxx WHERE ldsj = '0000-00-00 00:00:00'::bytea")
assert_eq "$(jq .fixes.zero_date gen/expected.json)" "$zero" "zero dates landed as they were"

# re-run: nothing twice
assert_exit 0 "$BUILD/migrate" run raw.yaml --json
assert_eq 2500 "$(pg_query "SELECT count(*) FROM legacy_cg12319.gd_jbxx")" "re-run lands nothing twice"

# text: decoded, the undecodable rows rejected with their bytes
sed -e 's/target: raw/target: raw\n    raw_as: text\n    encoding: gbk\n    land_as: gd_jbxx_text/' raw.yaml > text.yaml
assert_exit 0 "$BUILD/migrate" run text.yaml --json
assert_eq "$(jq '.rejected["decode.undecodable"]' gen/expected.json)" "$(jq '.rejects["decode.undecodable"]' "$SCRATCH/out")" "undecodable rows rejected"
assert_eq "$(( 2500 - $(jq '.rejected["decode.undecodable"]' gen/expected.json) ))" \
	"$(pg_query "SELECT count(*) FROM legacy_cg12319.gd_jbxx_text")" "the rest landed as text"
name=$(pg_query "SELECT xm FROM legacy_cg12319.gd_jbxx_text WHERE _key = '7'::bytea")
want=$(my_query "SELECT HEX(xm) FROM $CG12319_DATABASE.gd_jbxx WHERE id = 7")
assert_eq "$want" "$(pg_query "SELECT upper(encode(convert_to('$name', 'GB18030'), 'hex'))")" "the landed text is the GBK name decoded"

# kill -9 while landing, then resume: the same totals
fresh_store
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
MIGRATE_TEST_CRASH_AFTER_COMMITS=2 "$BUILD/migrate" run raw.yaml --quiet --batch-rows 100 --commit-rows 400 >/dev/null 2>&1 && die "crash hook did not fire" || true
[ "$(pg_query "SELECT count(*) FROM legacy_cg12319.gd_jbxx")" -eq 800 ] || die "expected two committed chunks of 400"
assert_exit 0 "$BUILD/migrate" run raw.yaml --json
assert_eq true "$(jq .resumed "$SCRATCH/out")" "resumed"
assert_eq "$total" "$(jq -r .stages.target.total_out "$SCRATCH/out")" "same total after the crash"
assert_eq 2500 "$(pg_query "SELECT count(*) FROM legacy_cg12319.gd_jbxx")" "no loss, no duplicate"
