#!/usr/bin/env bash
# Estate: 12350 安全生产举报 (a desk application on SQLite, read through the
# SQLite ODBC driver; merge mode) end to end against the generator's ground
# truth: dates as text in eight formats, all listed in the playbook and
# loaded at the right time (上午/下午 with %p %I, milliseconds with %f
# dropped and counted as subsecond_dropped, epoch seconds); impossible days
# and words rejected; zero dates NULL and counted;
# landlines whose leading 0 the INTEGER column ate kept and counted;
# contents pasted from GBK documents rejected; duplicates merged; the text
# byte for byte.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/gen/estate-lib.sh"

[[ -n ${PGHOST:-} ]] || skip "no private PostgreSQL (PGHOST unset)"
SQO=$(dpkg -L libsqliteodbc 2>/dev/null | grep -m1 '/libsqlite3odbc.so$' || true)
[[ -n $SQO ]] || skip "SQLite ODBC driver missing (package libsqliteodbc; run scripts/setup)"
command -v sqlite3 >/dev/null || skip "sqlite3 missing"

estate_gen yj12350 300
# the ODBC configuration of our own (as tests/t0390-odbc-source.sh)
export ODBCSYSINI=$SCRATCH ODBCINI=$SCRATCH/odbc.ini YJ12350_DSN=t0218_yj12350
printf '[t0218 SQLite3]\nDriver=%s\n' "$SQO" >"$SCRATCH/odbcinst.ini"
printf '[t0218_yj12350]\nDriver=t0218 SQLite3\nDatabase=%s\n' "$SCRATCH/gen/yj12350/yj12350.db" >"$SCRATCH/odbc.ini"
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 # the SQLite ODBC driver leaks (docs/sources/odbc.md)

estate_run yj12350
estate_check_counts
estate_check_store yj12350
estate_check_text yj12350 work_order intended.tsv

db=$SCRATCH/gen/yj12350/yj12350.db
q() { sqlite3 "$db" "$1"; }
# every format is in the source, as often as the ground truth says
n() { q "SELECT count(*) FROM aqjb_gd WHERE jbsj <> '0000-00-00 00:00:00' AND $1"; }
assert_eq "$(jq '.checks.date_iso' "$EXP")" "$(n "jbsj GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'")" "ISO dates"
assert_eq "$(jq '.checks.date_slash' "$EXP")" "$(n "jbsj GLOB '[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9] [0-9][0-9]:[0-9][0-9]'")" "2021/07/01 09:27"
assert_eq "$(jq '.checks.date_dot' "$EXP")" "$(n "jbsj GLOB '[0-9][0-9][0-9][0-9].*.* *:[0-9][0-9]'")" "2021.7.1 9:27"
assert_eq "$(jq '.checks.date_chinese' "$EXP")" "$(n "jbsj LIKE '____年%月%日 %:__'")" "2021年7月1日 9:27"
assert_eq "$(jq '.checks.date_two_digit_year' "$EXP")" "$(n "jbsj GLOB '[0-9][0-9]-*-* *:[0-9][0-9]'")" "21-7-1 9:27"
assert_eq "$(jq '.checks.date_iso_milliseconds' "$EXP")" "$(n "jbsj GLOB '*T*.[0-9][0-9][0-9]'")" "ISO with milliseconds"
assert_eq "$(jq '.checks.date_am_pm' "$EXP")" "$(n "(jbsj LIKE '% 上午 %' OR jbsj LIKE '% 下午 %')")" "上午/下午"
assert_eq "$(jq '.checks.date_epoch' "$EXP")" "$(n "jbsj GLOB '1[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'")" "epoch seconds"
for k in date_iso_milliseconds date_am_pm date_epoch date_two_digit_year; do
  [[ $(jq ".checks.$k // 0" "$EXP") -gt 0 ]] || die "no $k at this scale"
done
# the rare formats are loaded at the right time (a row of each), none is a reject
loaded_at() {
  pg_query "SELECT to_char(received_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS')
    FROM hotline.work_order WHERE source_system = 'yj12350' AND legacy_id = '$1'"
}
first_loaded() { # PATTERN: "id|jbsj" of the first loaded record whose jbsj is like it
  local row
  while IFS= read -r row; do
    [[ -n $(loaded_at "${row%%|*}") ]] && { echo "$row"; return; }
  done < <(q "SELECT jbbh, jbsj FROM aqjb_gd WHERE jbsj LIKE '$1' LIMIT 50")
  die "no loaded record with a date like $1"
}
row=$(first_loaded '%T%.___'); v=${row#*|}
assert_eq "${v:0:10} ${v:11:8}" "$(loaded_at "${row%%|*}")" "${row%%|*}: $v loaded without its milliseconds"
for ap in 上午 下午; do
  row=$(first_loaded "% $ap %"); v=${row#*|}
  h=${v#* $ap }; h=${h%%:*}; m=${v##*:}
  if [[ $ap == 上午 ]]; then h=$((h % 12)); else h=$((h % 12 + 12)); fi
  assert_eq "$(printf '%s %02d:%s:00' "${v:0:10}" "$h" "$m")" "$(loaded_at "${row%%|*}")" "${row%%|*}: $v on the 24-hour clock"
done
row=$(first_loaded '1_________'); v=${row#*|}
assert_eq "$(TZ=Asia/Shanghai date -d "@$v" '+%Y-%m-%d %H:%M:%S')" "$(loaded_at "${row%%|*}")" "${row%%|*}: epoch $v in Asia/Shanghai"
assert_eq 0 "$(pg_query "SELECT count(*) FROM migration.reject WHERE source_system = 'yj12350' AND reason = 'invalid_date'
  AND (detail LIKE '%上午%' OR detail LIKE '%下午%' OR detail ~ 'T[0-9:]+[.][0-9]{3}' OR detail ~ '''[0-9]{10}''')")" \
  "no 12-hour, millisecond or epoch date among the rejects"
[[ $(jq '.fixes.subsecond_dropped // 0' "$EXP") -gt 0 ]] || die "no milliseconds dropped at this scale"
assert_eq "$(jq .fixes.subsecond_dropped "$EXP")" "$(jq .fixes.subsecond_dropped "$RUN")" "milliseconds dropped, counted"
for pat in '____/__/__ __:__' '____.%.% %:__' '____年%' '__-%-% %:__'; do
  got='' row=''
  while IFS= read -r row; do
    id=${row%%|*}
    got=$(pg_query "SELECT to_char(received_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-FMMM-FMDD FMHH24:MI')
      FROM hotline.work_order WHERE source_system = 'yj12350' AND legacy_id = '$id'")
    [[ -n $got ]] && break # else rejected for another reason (its content)
  done < <(q "SELECT jbbh, jbsj FROM aqjb_gd WHERE jbsj LIKE '$pat' LIMIT 50")
  [[ -n $got ]] || die "no loaded record with a date like $pat"
  want=$(sed -E 's#^(..)-#20\1-#; s#[/.年月]#-#g; s#日##; s#-0([1-9])#-\1#g; s# 0([0-9]):# \1:#' <<<"${row#*|}")
  assert_eq "$want" "$got" "$id: ${row#*|} parsed"
done
# zero dates loaded as NULL and counted
assert_eq "$(jq .fixes.zero_date "$EXP")" "$(q "SELECT count(*) FROM aqjb_gd WHERE jbsj = '0000-00-00 00:00:00'")" "zero dates"
# INTEGER affinity: landlines without their 0, kept as stored and counted
lost=$(q "SELECT count(*) FROM aqjb_gd WHERE typeof(ldhm) = 'integer' AND ldhm BETWEEN 9370000000 AND 9379999999")
[[ $lost -gt 0 ]] || die "no landline that lost its 0 at this scale"
[[ $(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'yj12350' AND caller_phone ~ '^937[0-9]{7}$'") -gt 0 ]] ||
  die "landlines without their 0 not kept as stored"
# contents that are not UTF-8 are rejected with their bytes, naming the column
assert_eq "$(jq '.rejected["decode.undecodable"]' "$EXP")" "$(pg_query "SELECT count(*) FROM migration.reject WHERE reason = 'undecodable'
  AND detail LIKE '%column ''jbnr''%'")" "undecodable rejects name the column jbnr"
echo ok
