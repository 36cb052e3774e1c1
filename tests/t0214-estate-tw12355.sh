#!/usr/bin/env bash
# Estate: 12355 青少年服务热线 (fixed-width GB18030 export, one file per year,
# widths in characters, GB18030 four-byte sequences for rare name
# characters; merge mode) end to end against the generator's ground truth:
# unit: chars keeps records whole across four-byte characters, trailing
# padding trimmed, zero times loaded NULL, impossible days and invalid bytes
# rejected with their bytes, copies merged, the text byte for byte.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/gen/estate-lib.sh"

[[ -n ${PGHOST:-} ]] || skip "no private PostgreSQL (PGHOST unset)"
export TW12355_DIR=$SCRATCH/gen/tw12355

estate_gen tw12355 300
estate_run tw12355
estate_check_counts
estate_check_store tw12355
estate_check_text tw12355 work_order intended.tsv

code=tw12355
# the exports hold GB18030 four-byte sequences (lead, digit, lead, digit)
nfour=$(cat "$TW12355_DIR"/*.DAT | LC_ALL=C grep -c -a -P '[\x81-\xfe][\x30-\x39][\x81-\xfe][\x30-\x39]' || true)
((nfour > 0)) || die "no four-byte GB18030 sequence in the exports"
# ... and they are CJK Ext-B names in the store, counted exactly
rare=$(jq '.checks.gb18030_names // 0' "$EXP")
((rare > 0)) || die "no rare name at this scale"
assert_eq "$rare" "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = '$code'
  AND caller_name ~ '[\U00020000-\U0002FFFF]'")" "CJK Ext-B names loaded"
# the records are padded by characters: byte lengths differ, character counts do not
lens=$(head -201 "$(ls "$TW12355_DIR"/*.DAT | sed -n 1p)" | tail -n +2 | tr -d '\r' | while IFS= read -r l; do
  u=$(printf '%s' "$l" | iconv -f GB18030 -t UTF-8 2>/dev/null) || continue   # invalid bytes: a reject
  LC_ALL=C.UTF-8 bash -c 'echo ${#1}' _ "$u"
done | sort -u)
assert_eq "$(sed -n 's/^    widths: *\(.*\)/\1/p' "$TOP/playbooks/tw12355.yaml" | jq add)" "$lens" \
  "every record is the layout's width in characters"
blens=$(tail -n +2 "$(ls "$TW12355_DIR"/*.DAT | sed -n 1p)" | LC_ALL=C awk '{ print length($0) }' | sort -u | wc -l)
((blens > 1)) || die "records all have the same byte length: nothing tests unit: chars"
# zero times loaded NULL and counted
assert_eq "$(jq '.fixes.zero_date' "$EXP")" "$(jq '.months.none' "$EXP")" "every zero time is a NULL month"
[[ $(jq '.fixes.zero_date' "$EXP") -gt 0 ]] || die "no zero time at this scale"
assert_eq "$(jq '.fixes.zero_date' "$EXP")" \
  "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = '$code' AND received_at IS NULL AND raw->>'ldsj' = '00000000000000'")" \
  "zero times in the store"
# invalid bytes: rejects keep their original bytes and the record's line
assert_eq "$(jq '.rejected["decode.undecodable"]' "$EXP")" \
  "$(pg_query "SELECT count(*) FROM migration.reject WHERE source_system = '$code' AND reason = 'undecodable' AND line > 1")" \
  "undecodable records kept with their line"
# trailing padding trimmed, nothing else: no stored value ends in a space
assert_eq 0 "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = '$code'
  AND (content LIKE '% ' OR caller_name LIKE '% ' OR address LIKE '% ' OR reply LIKE '% ')")" "padding trimmed"
echo ok
