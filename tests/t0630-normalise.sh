#!/usr/bin/env bash
# Normalisation extras end to end (GBK CSV through `migrate run` into the
# store): Excel 1900 serials (serial 60, Lotus's 1900-02-29, rejected with
# its bytes), epoch seconds and milliseconds into Asia/Shanghai, a two-digit
# year pivot, phone extensions in RFC 3966 form, unit aliases, pre-2019
# district names in addresses, and empty_is_null; every change a counted fix
# with its name, the raw record keeping the original. Then `migrate check`
# explains each mistake in the new keys.
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SCRATCH"
M=$BUILD/migrate

cp "$TOP/playbooks/cg12319/units.csv" "$TOP/playbooks/cg12319/districts.csv" "$TOP/playbooks/cg12319/status.csv" .
# id,ldsj,bjsj,lxdh,sfzh,cbdw,dz,blzt (UTF-8 here, GBK on disk)
{
  echo 'id,ldsj,bjsj,lxdh,sfzh,cbdw,dz,blzt'
  echo '1,2021-07-01 09:27:13,1625155199000,0937-6212345转123,,市城管局,嘉峪关市雄关区新华中路12号,01'
  echo '2,2021年7月1日,1625155199500,+86 139 1234 5678,  ,嘉峪关市城市管理局,镜铁区五一路与长城区友谊路交叉口,  '
  echo '3,21-7-1,,6212345-8001,11010519491231002X,某某单位,嘉峪关市雄关街道建设西路,01'
  echo '4,44378.5625,1625100433000,１３９１２３４５６７８,11010519491231002X,嘉峪关市雄关街道办事处,,01'
  echo '5,1625100433,1625100433000,0937-6212345,11010519491231002X,嘉峪关市城市管理局,,01'
  echo '6,60,1625100433000,0937-6212345,11010519491231002X,嘉峪关市城市管理局,,01'
  echo '7,   ,1625100433000,0937-6212345,11010519491231002X,嘉峪关市城市管理局,,01'
  echo '8,35-07-01,1625100433000,0937-6212345,11010519491231002X,嘉峪关市城市管理局,,01'
} | iconv -f UTF-8 -t GBK >wo.csv

playbook() { # CODE EMPTY_IS_NULL
  cat <<EOT
system: {code: $1, hotline: "12319", name: test, department: test, mode: merge}
source: {driver: csv, dir: .}
tables:
  - name: wo.csv
    encoding: gbk
    empty_is_null: $2
    dates: {zero: null, invalid: reject}
    fields:
      legacy_id: id
      received_at:
        column: ldsj
        type: datetime
        formats: ["%Y-%m-%d %H:%M:%S", "%Y年%m月%d日", "%y-%m-%d", excel1900, epoch]
        pivot: 30
      closed_at: {column: bjsj, type: datetime, formats: [epoch_ms]}
      contact_phone: {column: lxdh, type: phone}
      caller_id_no: {column: sfzh, type: idno}
      handling_unit: {column: cbdw, type: unit, table: units.csv}
      address: {column: dz, districts: districts.csv}
      status: {column: blzt, type: code, table: status.csv}
EOT
}
playbook t_norm true >pb.yaml
fresh_store
assert_exit 0 "$M" init --taxonomy "$TOP/playbooks/taxonomy.csv"
assert_exit 0 "$M" check pb.yaml
assert_exit 0 "$M" run pb.yaml --json
cp "$SCRATCH/out" run.json
assert_eq true "$(jq .balanced run.json)" "balanced"
assert_eq 8 "$(jq .stages.extract.out run.json)" "extracted"
assert_eq 7 "$(jq .stages.load.out run.json)" "loaded"
assert_eq 1 "$(jq .stages.transform.rejected run.json)" "serial 60 rejected"
assert_eq '{"district_renamed":2,"fullwidth_folded":1,"phone_country_code":1,"phone_extension":2,"subsecond_dropped":1,"unit_alias":1,"unit_unknown":1}' \
  "$(jq -S -c '.fixes | with_entries(select(.value > 0))' run.json)" "fixes by name"

q="SELECT legacy_id, coalesce(to_char(received_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS'), '-'),
  coalesce(to_char(closed_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS'), '-'), coalesce(contact_phone, '-'),
  coalesce(caller_id_no, '-'), handling_unit, coalesce(address, '-'), coalesce(status, '-')
  FROM hotline.work_order WHERE source_system = 't_norm' ORDER BY legacy_id"
assert_eq "1|2021-07-01 09:27:13|2021-07-01 23:59:59|0937-6212345;ext=123|-|嘉峪关市城市管理局|嘉峪关市雄关街道新华中路12号|受理
2|2021-07-01 00:00:00|2021-07-01 23:59:59|13912345678|-|嘉峪关市城市管理局|钢城街道五一路与雄关街道友谊路交叉口|-
3|2021-07-01 00:00:00|-|0937-6212345;ext=8001|11010519491231002X|某某单位|嘉峪关市雄关街道建设西路|受理
4|2021-07-01 13:30:00|2021-07-01 08:47:13|13912345678|11010519491231002X|嘉峪关市雄关街道办事处||受理
5|2021-07-01 08:47:13|2021-07-01 08:47:13|0937-6212345|11010519491231002X|嘉峪关市城市管理局||受理
7|-|2021-07-01 08:47:13|0937-6212345|11010519491231002X|嘉峪关市城市管理局||受理
8|1935-07-01 00:00:00|2021-07-01 08:47:13|0937-6212345|11010519491231002X|嘉峪关市城市管理局||受理" \
  "$(pg_query "$q")" "normalised values"
# the raw record keeps what the source said
assert_eq "嘉峪关市雄关区新华中路12号|0937-6212345转123|市城管局" \
  "$(pg_query "SELECT raw->>'dz', raw->>'lxdh', raw->>'cbdw' FROM hotline.work_order
     WHERE source_system = 't_norm' AND legacy_id = '1'")" "raw record keeps the originals"
# (the raw column is the canonical raw row: V<length>:<bytes> per column, GBK kept)
assert_eq "invalid_date|column 'ldsj' holds '60'|V1:6V2:60V13:1625100433000" \
  "$(pg_query "SELECT reason, detail, substr(encode(raw, 'escape'), 1, 26) FROM migration.reject
     WHERE source_system = 't_norm'")" "the reject keeps its bytes"

# without empty_is_null: the blank dates are invalid (rows 3 and 7 rejected),
# the blank status is an unmapped code (row 2 rejected), a blank ID number
# counts idno_invalid (row 1)
playbook t_norm0 false >pb0.yaml
assert_exit 0 "$M" run pb0.yaml --json
cp "$SCRATCH/out" run0.json
assert_eq true "$(jq .balanced run0.json)" "balanced without empty_is_null"
assert_eq 4 "$(jq .stages.transform.rejected run0.json)" "blank dates, blank code and serial 60 rejected"
assert_eq 1 "$(jq .fixes.idno_invalid run0.json)" "blank ID number counted (row 1; row 2 rejected)"

# ---- check explains the new keys ----
bad() { # LINE-IN-FIELD MESSAGE-PART
  playbook t_bad true | sed "s|      legacy_id: id|      legacy_id: id\n      $1|" >bad.yaml
  assert_exit 1 "$M" check bad.yaml
  assert_contains "$(cat "$SCRATCH/err")" "$2" "check: $1"
}
bad 'due_at: {column: ldsj, type: datetime, pivot: 101}' "'pivot' must be a whole number from 0 to 100"
bad 'due_at: {column: ldsj, type: datetime, pivot: x}' "'pivot' must be a whole number from 0 to 100"
bad 'title: {column: ldsj, pivot: 30}' "'pivot' is for type datetime"
bad 'due_at: {column: ldsj, type: datetime, formats: [excel1901]}' "bad date format 'excel1901'"
bad 'due_at: {column: ldsj, type: datetime, districts: districts.csv}' "'districts' is for type text"
bad 'co_units: {column: cbdw, type: unit}' "field 'co_units' of type unit needs 'table'"
bad 'title: {column: dz, districts: nothere.csv}' "nothere.csv"
playbook t_bad maybe >bad.yaml
assert_exit 1 "$M" check bad.yaml
assert_contains "$(cat "$SCRATCH/err")" "bad.yaml:6: empty_is_null must be true or false, not 'maybe'" "check: empty_is_null"
