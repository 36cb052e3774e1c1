#!/usr/bin/env bash
# Call records end to end with the fields of store migration 14: talk times
# of every shape a switch writes read by `type: duration` into
# call_record.duration_seconds (whole seconds), the unreadable ones rejected
# with their bytes (invalid: reject, the default) or loaded NULL and counted
# (invalid: null); order_legacy_id linking a call to its work order. The
# auditor's SQL for call records (docs/auditors.md) gives the run's totals,
# the auditor role reads the masked view only, the store refuses a duration
# that is not a number, and `migrate check` explains the mistakes.
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SCRATCH"
M=$BUILD/migrate
[[ -n ${PGHOST:-} ]] || skip "no private PostgreSQL (PGHOST unset)"

# hjlsh,kssj,thsc,gdbh,zjhm: 10 readable talk times, 5 unreadable, 1 empty (an empty
# CSV field is '', not NULL: empty_is_null decides)
cat >calls.csv <<'EOT'
hjlsh,kssj,thsc,gdbh,zjhm
c01,20210701092713,125,GD01,13912345678
c02,20210701092714,2分5秒,GD01,13912345678
c03,20210701092715,1时2分5秒,GD02,0937-6212345
c04,20210701092716,00:02:05,,6212345
c05,20210701092717,2:05,GD03,13912345678
c06,20210701092718,１２５,GD03,13912345678
c07,20210701092719, 7 ,,anonymous
c08,20210701092720,0,,13912345678
c09,20210701092721,1小时2分钟5秒,GD04,13912345678
c10,20210701092722,2147483647,GD04,13912345678
c11,20210701092723,--,GD05,13912345678
c12,20210701092724,"2'05""",GD05,13912345678
c13,20210701092725,2分65秒,,13912345678
c14,20210701092726,12.5,,13912345678
c15,20210701092727,2147483648,,13912345678
c16,20210701092728,,GD06,13912345678
EOT

playbook() { # CODE INVALID EMPTY_IS_NULL
  cat <<EOT
system: {code: $1, hotline: "95598", name: test, department: test, mode: subcenter}
source: {driver: csv, dir: .}
tables:
  - name: calls.csv
    target: call_record
    encoding: utf-8
    empty_is_null: $3
    fields:
      legacy_id: hjlsh
      call_start: {column: kssj, type: datetime, formats: ["%Y%m%d%H%M%S"]}
      caller_phone: {column: zjhm, type: phone}
      duration_seconds: {column: thsc, type: duration$2}
      order_legacy_id: gdbh
EOT
}
q_durations() {
  pg_query "SELECT string_agg(legacy_id || '=' || coalesce(duration_seconds, 'NULL') || '/' || coalesce(order_legacy_id, '-'),
    ' ' ORDER BY legacy_id) FROM hotline.call_record WHERE source_system = '$1'"
}

fresh_store
assert_exit 0 "$M" init --taxonomy "$TOP/playbooks/taxonomy.csv"
assert_eq 14 "$(pg_query "SELECT max(version) FROM migration.schema_version")" "store schema version 14"

# 1. invalid: reject (the default): 6 rejects, each with its bytes
playbook t_dur_rej "" false >rej.yaml
assert_exit 0 "$M" check rej.yaml
assert_exit 0 "$M" run rej.yaml --json
cp "$SCRATCH/out" rej.json
assert_eq true "$(jq .balanced rej.json)" "balanced"
assert_eq 16 "$(jq .stages.extract.out rej.json)" "16 calls read"
assert_eq 10 "$(jq .stages.load.out rej.json)" "10 loaded"
assert_eq '{"transform.invalid_duration":6}' "$(jq -S -c .rejects rej.json)" "6 rejected as invalid_duration"
assert_eq "c01=125/GD01 c02=125/GD01 c03=3725/GD02 c04=125/ c05=125/GD03 c06=125/GD03 c07=7/ c08=0/ c09=3725/GD04 c10=2147483647/GD04" \
  "$(q_durations t_dur_rej)" "every shape read into whole seconds, each call with its work order"
assert_eq "125|1时2分5秒|１２５| 7 " "$(pg_query "SELECT string_agg(raw->>'thsc', '|' ORDER BY legacy_id) FROM hotline.call_record
  WHERE source_system = 't_dur_rej' AND legacy_id IN ('c01', 'c03', 'c06', 'c07')")" "the raw record keeps the switch's text"
# the rejects: the original bytes (source-domain canonical form), the column and value named
got=$(pg_query "SELECT string_agg(convert_from(raw, 'UTF8'), '|' ORDER BY line) FROM migration.reject
  WHERE source_system = 't_dur_rej' AND reason = 'invalid_duration'")
assert_eq "V3:c11V14:20210701092723V2:--V4:GD05V11:13912345678|V3:c12V14:20210701092724V5:2'05\"V4:GD05V11:13912345678|V3:c13V14:20210701092725V9:2分65秒V0:V11:13912345678|V3:c14V14:20210701092726V4:12.5V0:V11:13912345678|V3:c15V14:20210701092727V10:2147483648V0:V11:13912345678|V3:c16V14:20210701092728V0:V4:GD06V11:13912345678" \
  "$got" "rejects keep the bytes as read"
assert_contains "$(pg_query "SELECT detail FROM migration.reject WHERE source_system = 't_dur_rej' AND convert_from(raw, 'UTF8') LIKE 'V3:c13%'")" \
  "column 'thsc' holds '2分65秒', not a duration" "the detail names the column and the value"

# 2. invalid: null with empty_is_null: NULL and counted (the empty one NULL, not counted)
playbook t_dur_null ", invalid: null" true >null.yaml
assert_exit 0 "$M" run null.yaml --json
cp "$SCRATCH/out" null.json
assert_eq true "$(jq .balanced null.json)" "balanced"
assert_eq 16 "$(jq .stages.load.out null.json)" "every call loaded"
assert_eq 5 "$(jq .fixes.invalid_duration_null null.json)" "5 unreadable talk times counted as invalid_duration_null"
assert_eq "c11=NULL/GD05 c12=NULL/GD05 c13=NULL/ c14=NULL/ c15=NULL/ c16=NULL/GD06" \
  "$(q_durations t_dur_null | tr ' ' '\n' | grep NULL | paste -sd ' ')" "loaded NULL"

# 3. the auditor's SQL for call records (docs/auditors.md) = the run's load and target
block() {
  awk -v name="$1" '
    /^```sql/ { inb = 1; buf = ""; next }
    /^```/ && inb { if (buf ~ ("-- auditor: " name "\n")) { printf "%s", buf; found = 1 } inb = 0; next }
    inb { buf = buf $0 "\n" }
    END { if (!found) exit 1 }' "$TOP/docs/auditors.md"
}
block postgresql-call-record-total >cr.sql || die "docs/auditors.md has no postgresql-call-record-total block"
for code in t_dur_rej t_dur_null; do
  j=${code#t_dur_}.json
  got=$(sed "s/'dl95598'/'$code'/" cr.sql | psql -XAtq -F $'\t' -f -)
  assert_eq "$(jq -r .stages.target.out "$j")	$(jq -r .stages.target.total_out "$j")" "$got" "$code: SQL from the guide = the target"
  assert_eq "$(jq -r .stages.load.total_out "$j")" "$(cut -f2 <<<"$got")" "$code: ... = the load total computed in C"
done
# the total covers the new fields: a changed duration or work-order link changes it
total() { sed "s/'dl95598'/'t_dur_rej'/" cr.sql | psql -XAtq -F $'\t' -f - | cut -f2; }
want=$(jq -r .stages.target.total_out rej.json)
pg_query "UPDATE hotline.call_record SET duration_seconds = '126' WHERE source_system = 't_dur_rej' AND legacy_id = 'c01'" >/dev/null
[[ $(total) != "$want" ]] || die "a changed duration did not change the total"
pg_query "UPDATE hotline.call_record SET duration_seconds = '125', order_legacy_id = 'GD99' WHERE source_system = 't_dur_rej'
  AND legacy_id = 'c01'" >/dev/null
[[ $(total) != "$want" ]] || die "a changed work-order link did not change the total"
pg_query "UPDATE hotline.call_record SET order_legacy_id = 'GD01' WHERE source_system = 't_dur_rej' AND legacy_id = 'c01'" >/dev/null
assert_eq "$want" "$(total)" "restored: the total again"

# 4. the store keeps durations numbers; the auditor reads the masked view only
psql -X -q -d "$PGDATABASE" -c "UPDATE hotline.call_record SET duration_seconds = '2分5秒' WHERE legacy_id = 'c01'" \
  >/dev/null 2>err.txt && die "the store took a duration that is not a number"
assert_contains "$(cat err.txt)" "call_record_duration_seconds_check" "refused by the CHECK"
assert_eq "139****5678|125|GD01" "$(pg_query "SET ROLE hotline_auditor; SELECT caller_phone, duration_seconds, order_legacy_id
  FROM migration.call_record_masked WHERE source_system = 't_dur_rej' AND legacy_id = 'c01'")" "the auditor sees the masked view"
psql -X -q -d "$PGDATABASE" -c "SET ROLE hotline_auditor" -c "SELECT count(*) FROM hotline.call_record" >/dev/null 2>err.txt &&
  die "the auditor read hotline.call_record"
assert_contains "$(cat err.txt)" "permission denied" "hotline.call_record is closed to the auditor"

# 5. migrate check explains the mistakes
bad() { # FIELD-LINE EXPECTED-MESSAGE
  sed "s|      duration_seconds: .*|$1|" rej.yaml >bad.yaml
  assert_exit 1 "$M" check bad.yaml
  assert_contains "$(cat "$SCRATCH/out" "$SCRATCH/err")" "$2" "check: $1"
}
bad "      duration_seconds: thsc" "'duration_seconds' is a number of seconds: give it type: duration"
bad "      duration_seconds: {column: thsc, type: duration, invalid: keep}" "'invalid' must be null or reject, not 'keep'"
bad "      duration_seconds: {column: thsc, type: durations}" "valid: text, datetime, phone, idno, category, code, unit, duration"
bad "      duration_seconds: {value: \"125\"}" "'duration_seconds' is a number of seconds: give it type: duration"
bad "      agent: {column: thsc, type: duration}" "type duration fills a number of seconds (call_record.duration_seconds), not 'agent'"
echo ok
