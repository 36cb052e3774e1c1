#!/usr/bin/env bash
# Datetime tokens and phone fixes end to end (a UTF-8 CSV through `migrate
# run` into the store): 12-hour times with 上午/下午 and AM/PM (%p %I),
# fractions of a second (%f, dropped and counted as subsecond_dropped, a
# whole second not), and phone numbers whose country code (+86, 0086) was
# dropped or whose full-width digits were folded, each a counted fix
# (phone_country_code, fullwidth_folded) beside the ID number's; the raw
# record keeps the original. Then `migrate check` explains %p without %I.
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SCRATCH"
M=$BUILD/migrate

{
  echo 'id,ldsj,lxdh,ldhm,sfzh'
  echo '1,2021-07-01 下午 3:27,13912345678,,'
  echo '2,2021-07-01 上午 12:05,+86 139 1234 5678,0086 13912345678,'
  echo '3,2021-07-01T15:27:13.123,１３９１２３４５６７８,,１１０１０５１９４９１２３１００２Ｘ'
  echo '4,2021-07-01T15:27:13.000,＋８６１３９１２３４５６７８,0937-6212345,'
  echo '5,07/01/2021 11:59 PM,0937－6212345转８００１,8613912345678,'
  echo '6,2021-07-01 下午 13:27,13912345678,,'
  echo '7,2021-07-01 中午 12:27,13912345678,,'
} >wo.csv

playbook() { # FORMATS
  cat <<EOT
system: {code: t_tok, hotline: "12319", name: test, department: test, mode: merge}
source: {driver: csv, dir: .}
tables:
  - name: wo.csv
    encoding: utf-8
    dates: {invalid: reject}
    fields:
      legacy_id: id
      received_at: {column: ldsj, type: datetime, formats: $1}
      contact_phone: {column: lxdh, type: phone}
      caller_phone: {column: ldhm, type: phone}
      caller_id_no: {column: sfzh, type: idno}
EOT
}
playbook '["%Y-%m-%d %p %I:%M", "%Y-%m-%dT%H:%M:%S.%f", "%m/%d/%Y %I:%M %p"]' >pb.yaml
fresh_store
assert_exit 0 "$M" init --taxonomy "$TOP/playbooks/taxonomy.csv"
assert_exit 0 "$M" check pb.yaml
assert_exit 0 "$M" run pb.yaml --json
cp "$SCRATCH/out" run.json
assert_eq true "$(jq .balanced run.json)" "balanced"
assert_eq 5 "$(jq .stages.load.out run.json)" "loaded"
assert_eq '{"transform.invalid_date":2}' "$(jq -c .rejects run.json)" "hour 13 with 下午 and 中午 rejected"
got=$(pg_query "SELECT string_agg(legacy_id || '=' || to_char(received_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS'), ' '
  ORDER BY legacy_id) FROM hotline.work_order WHERE source_system = 't_tok'")
assert_eq "1=2021-07-01 15:27:00 2=2021-07-01 00:05:00 3=2021-07-01 15:27:13 4=2021-07-01 15:27:13 5=2021-07-01 23:59:00" "$got" \
  "12-hour times on the 24-hour clock, fractions dropped"
assert_eq 1 "$(jq .fixes.subsecond_dropped run.json)" "subsecond_dropped: .123, not .000"
# phones: +86 (2), 0086 (2), ＋８６ (4), 86 before a mobile (5): 4 country codes;
# full-width: 3 (phone and ID number), 4, 5: 4
assert_eq 4 "$(jq .fixes.phone_country_code run.json)" "phone_country_code"
assert_eq 4 "$(jq .fixes.fullwidth_folded run.json)" "fullwidth_folded (phones and the ID number)"
assert_eq 1 "$(jq .fixes.phone_extension run.json)" "phone_extension"
got=$(pg_query "SELECT string_agg(legacy_id || '=' || coalesce(contact_phone, '-') || '/' || coalesce(caller_phone, '-'), ' ' ORDER BY legacy_id)
  FROM hotline.work_order WHERE source_system = 't_tok'")
assert_eq "1=13912345678/ 2=13912345678/13912345678 3=13912345678/ 4=13912345678/0937-6212345 5=0937-6212345;ext=8001/13912345678" \
  "$got" "phones normalised"
assert_eq '＋８６１３９１２３４５６７８' "$(pg_query "SELECT raw->>'lxdh' FROM hotline.work_order WHERE source_system = 't_tok' AND legacy_id = '4'")" \
  "the raw record keeps the original"

# validate counts the same fixes
assert_exit 3 "$M" validate pb.yaml --json
for f in subsecond_dropped phone_country_code fullwidth_folded; do
  assert_eq "$(jq .fixes.$f run.json)" "$(jq .fixes.$f "$SCRATCH/out")" "validate: $f"
done

# check: %p and %I go together; %f and %p are known
playbook '["%Y-%m-%d %p %H:%M"]' >bad.yaml
assert_exit 1 "$M" check bad.yaml
assert_contains "$(cat "$SCRATCH/err")" "bad date format '%Y-%m-%d %p %H:%M'" "check: %p without %I"
assert_contains "$(cat "$SCRATCH/err")" "%I with %p (上午/下午)" "check: the message names the tokens"
playbook '["%Y-%m-%d %I:%M"]' >bad.yaml
assert_exit 1 "$M" check bad.yaml
assert_contains "$(cat "$SCRATCH/err")" "bad date format '%Y-%m-%d %I:%M'" "check: %I without %p"
echo ok
