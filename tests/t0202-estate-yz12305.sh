#!/usr/bin/env bash
# Estate: 12305 邮政业用户申诉 (SQLite through the SQLite ODBC driver,
# sub-center) end to end against the generator's ground truth: work orders
# and knowledge-base articles (two tables), dates as text in four formats
# (several `formats:`), zero, impossible and garbled dates loaded as NULL
# and counted, contents pasted from GBK documents rejected, duplicates
# merged, the text byte for byte.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/gen/estate-lib.sh"

[[ -n ${PGHOST:-} ]] || skip "no private PostgreSQL (PGHOST unset)"
SQO=$(dpkg -L libsqliteodbc 2>/dev/null | grep -m1 '/libsqlite3odbc.so$' || true)
[[ -n $SQO ]] || skip "SQLite ODBC driver missing (package libsqliteodbc; run scripts/setup)"
command -v sqlite3 >/dev/null || skip "sqlite3 missing"

estate_gen yz12305 300
# the ODBC configuration of our own (as tests/t0390-odbc-source.sh)
export ODBCSYSINI=$SCRATCH ODBCINI=$SCRATCH/odbc.ini YZ12305_DSN=t0202_yz12305
printf '[t0202 SQLite3]\nDriver=%s\n' "$SQO" >"$SCRATCH/odbcinst.ini"
printf '[t0202_yz12305]\nDriver=t0202 SQLite3\nDatabase=%s\n' "$SCRATCH/gen/yz12305/yz12305.db" >"$SCRATCH/odbc.ini"
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 # the SQLite ODBC driver leaks (docs/sources/odbc.md)

estate_run yz12305
estate_check_counts
estate_check_store yz12305
estate_check_text yz12305 work_order intended.tsv
estate_check_text yz12305 kb_article intended_kb.tsv

db=$SCRATCH/gen/yz12305/yz12305.db
# every one of the four date formats is in the source, and parsed
for pat in '____-__-__ __:__:__' '____/%/% %:__' '____年%月%日 %时__分' '______________'; do
  n=$(sqlite3 "$db" "SELECT count(*) FROM ss_gd WHERE sssj LIKE '$pat'")
  [[ $n -gt 0 ]] || die "no date like $pat in the source"
done
# zero dates and words where a date should be: loaded as NULL and counted
assert_eq "$(jq .fixes.zero_date "$EXP")" "$(sqlite3 "$db" "SELECT count(*) FROM ss_gd WHERE sssj = '0000-00-00 00:00:00'")" "zero dates"
[[ $(sqlite3 "$db" "SELECT count(*) FROM ss_gd WHERE sssj IN ('不详', '待补录', '见附件')") -gt 0 ]] || die "no garbled date at this scale"
[[ $(jq .fixes.invalid_date_null "$EXP") -gt 0 && $(jq .fixes.zero_date "$EXP") -gt 0 ]] || die "no NULLed dates at this scale"
# contents that are not UTF-8 are rejected with their bytes, naming the column
assert_eq "$(jq '.rejected["decode.undecodable"]' "$EXP")" "$(pg_query "SELECT count(*) FROM migration.reject WHERE reason = 'undecodable'
  AND detail LIKE '%column ''nr''%'")" "undecodable rejects name the column nr"
# sub-orders keep their -01 suffix
[[ $(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'yz12305' AND legacy_id ~ '-0[1-3]$'") -gt 0 ]] ||
  die "no sub-order numbers loaded"
# the knowledge base: merged copies point at their survivor
assert_eq "$(jq '.tables.zsk.merged' "$EXP")" "$(pg_query "SELECT count(*) FROM migration.merged WHERE target_table = 'kb_article'")" "kb copies merged"
echo ok
