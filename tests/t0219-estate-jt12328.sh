#!/usr/bin/env bash
# Estate: 12328 交通运输服务监督 (MariaDB reached only through an ODBC DSN,
# MariaDB Connector/ODBC with CHARSET=binary; dual mode) end to end against
# the generator's ground truth: zero dates through ODBC loaded as NULL and
# counted, impossible days rejected with their bytes, duplicates merged, the
# text byte for byte (CJK Ext-B names), the recount through the DSN, the
# password only in the environment, a catch-up run that changes nothing.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/gen/estate-lib.sh"

[[ -n ${PGHOST:-} ]] || skip "no private PostgreSQL (PGHOST unset)"
[[ -n ${MYSQL_UNIX_PORT:-} ]] || skip "no private MariaDB (MYSQL_UNIX_PORT unset)"
MAO=$(dpkg -L odbc-mariadb 2>/dev/null | grep -m1 '/libmaodbc.so$' || true)
[[ -n $MAO ]] || skip "MariaDB Connector/ODBC missing (package odbc-mariadb; run scripts/setup)"
export JT12328_DATABASE=legacy_t0219
db=legacy_t0219
trap 'my_query "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true' EXIT

estate_gen jt12328 300
# the ODBC configuration of our own (as tests/t0390-odbc-source.sh): the
# user in the DSN, the password in the environment, bytes as stored
export ODBCSYSINI=$SCRATCH ODBCINI=$SCRATCH/odbc.ini JT12328_DSN=t0219_jt12328
printf '[t0219 MariaDB]\nDriver=%s\n' "$MAO" >"$SCRATCH/odbcinst.ini"
printf '[t0219_jt12328]\nDriver=t0219 MariaDB\nSocket=%s\nDatabase=%s\nUser=%s\nCHARSET=binary\n' \
  "$MYSQL_UNIX_PORT" "$db" "$MIGRATE_MYSQL_USER" >"$SCRATCH/odbc.ini"
my_query "GRANT SELECT ON \`$db\`.* TO '$MIGRATE_MYSQL_USER'@'localhost'"

# no password in the environment: a clear error naming the variable
unset JT12328_ODBC_PASSWORD
fresh_store
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
assert_exit 1 "$BUILD/migrate" run "$TOP/playbooks/jt12328.yaml" --json
assert_contains "$(cat "$SCRATCH/err")" "JT12328_ODBC_PASSWORD" "the missing password variable is named"
export JT12328_ODBC_PASSWORD=$MIGRATE_MYSQL_PASSWORD

estate_run jt12328
estate_check_counts
estate_check_store jt12328
estate_check_text jt12328 work_order intended.tsv
pb=$TOP/playbooks/jt12328.yaml
# the recount went through the DSN: COUNT(*) and a second read, equal to the pipeline's
assert_eq "$(jq .rows "$EXP")" "$(jq .stages.source.out "$RUN")" "source recount through ODBC"
assert_eq "$(jq .stages.source.total_out "$RUN")" "$(jq .stages.extract.total_out "$RUN")" "source hash = extract hash"
# zero dates came through the ODBC driver as text and were loaded as NULL, counted
assert_eq "$(jq .fixes.zero_date "$EXP")" "$(my_query "SELECT COUNT(*) FROM $db.jtjd_gd WHERE CAST(ldsj AS CHAR) LIKE '0000-00-00%'
  AND gdbh NOT IN (SELECT gdbh FROM $db.jtjd_gd GROUP BY gdbh HAVING COUNT(*) > 1)")" "zero dates in the source"
[[ $(jq .fixes.zero_date "$EXP") -gt 0 ]] || die "no zero date at this scale"
assert_eq "$(jq .months.none "$EXP")" "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'jt12328'
  AND received_at IS NULL")" "zero dates loaded as NULL"
# impossible days: rejected with the column named and the bytes kept
inv=$(jq '.rejected["transform.invalid_date"] // 0' "$EXP")
[[ $inv -gt 0 ]] || die "no impossible day at this scale"
assert_eq "$inv" "$(pg_query "SELECT count(*) FROM migration.reject WHERE reason = 'invalid_date' AND detail LIKE '%ldsj%'")" \
  "invalid dates rejected naming the column"
assert_eq "$inv" "$(my_query "SELECT COUNT(*) FROM $db.jtjd_gd WHERE CAST(ldsj AS CHAR) NOT LIKE '0000-00-00%'
  AND DAYOFMONTH(LAST_DAY(CONCAT(LEFT(CAST(ldsj AS CHAR), 7), '-01'))) < DAY(ldsj)")" "impossible days in the source"
# every record keeps the number that was dialled (dual mode)
assert_eq "$(jq .loaded "$EXP")" "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'jt12328'
  AND dialled_number = '12328'")" "dialled number 12328 on every record"
# CJK Ext-B names in utf8mb4 came through the DSN unchanged
[[ $(jq '.checks.gb18030_names // 0' "$EXP") -gt 0 ]] || die "no rare name at this scale"
assert_eq "$(jq .checks.gb18030_names "$EXP")" "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'jt12328'
  AND caller_name ~ '[\U00020000-\U0002FFFF]'")" "CJK Ext-B names"
# the password is in no output, report or stored run configuration
for f in "$SCRATCH/out" "$SCRATCH/err"; do
  grep -qF -- "$MIGRATE_MYSQL_PASSWORD" "$f" && die "the password appears in $f"
done
[[ $(pg_query "SELECT count(*) FROM migration.run WHERE row_to_json(run)::text LIKE '%$MIGRATE_MYSQL_PASSWORD%'") == 0 ]] ||
  die "the password is stored in migration.run"
# a catch-up run (dual mode, before cutover) with nothing changed: same store
before=$(pg_query "SELECT count(*), sum(u_hash) FROM hotline.work_order WHERE source_system = 'jt12328'")
assert_exit 0 "$BUILD/migrate" run "$pb" --json
assert_eq true "$(jq .balanced "$SCRATCH/out")" "catch-up run balanced"
assert_eq "$before" "$(pg_query "SELECT count(*), sum(u_hash) FROM hotline.work_order WHERE source_system = 'jt12328'")" \
  "a catch-up run without changes changes nothing"
echo ok
