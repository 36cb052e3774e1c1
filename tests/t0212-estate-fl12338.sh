#!/usr/bin/env bash
# Estate: 12338 妇女维权热线 (a hand-kept Excel register, one workbook per
# year: a merged title row, a two-level header with merged group cells,
# blank rows inside the data, full-width digits in phone numbers; merge mode)
# end to end against the generator's ground truth: the header joined into
# 来电人/姓名 ..., blank rows not records, full-width phones folded, dates as
# serials or typed by hand, impossible or missing days rejected, copies
# merged, the text byte for byte.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/gen/estate-lib.sh"

[[ -n ${PGHOST:-} ]] || skip "no private PostgreSQL (PGHOST unset)"
command -v unzip >/dev/null || skip "unzip missing (used to look inside a workbook)"
export FL12338_DIR=$SCRATCH/gen/fl12338

estate_gen fl12338 300
estate_run fl12338
estate_check_counts
estate_check_store fl12338
estate_check_text fl12338 work_order intended.tsv

code=fl12338
wb=$(ls "$FL12338_DIR"/xlsx/*.xlsx | sed -n 1p)
sheet=$(unzip -p "$wb" xl/worksheets/sheet1.xml)
# the workbook really has the merged title and two-level header
assert_contains "$sheet" '<mergeCell ref="A1:Q1"/>' "title merged across the sheet"
assert_contains "$sheet" '<mergeCell ref="D2:G2"/>' "来电人 merged over its sub-columns"
assert_contains "$sheet" '<mergeCell ref="A2:A3"/>' "序号 merged down over both header rows"
# the reader joined the header rows: the raw record keys are group/sub-column
assert_eq 1 "$(pg_query "SELECT count(*) FROM (SELECT 1 FROM hotline.work_order WHERE source_system = '$code'
  AND raw ? '来电人/姓名' AND raw ? '办理情况/满意度' AND raw ? '序号' AND NOT raw ? '来电人' LIMIT 1) x")" \
  "joined header names in the raw record"
# blank rows inside the data: present in the sheets, not records
nblank=$(jq '.checks.blank_rows // 0' "$EXP")
((nblank > 0)) || die "no blank rows at this scale"
assert_eq "$(jq .tables[].rows "$EXP")" "$(jq '[.tables[]?.stages.extract.in // .stages.extract.in] | add' "$RUN")" \
  "records read = data rows, blank rows not counted"
# rows with r= but no cell, or only formatted empty cells, are in the files
empty=0
for f in "$FL12338_DIR"/xlsx/*.xlsx; do
  n=$(unzip -p "$f" xl/worksheets/sheet1.xml | grep -c -E '<row r="[0-9]+"></row>|<row r="[0-9]+">(<c r="[A-Q][0-9]+" s="3"/>){17}</row>' || true)
  empty=$((empty + n))
done
assert_eq "$nblank" "$empty" "blank rows written into the workbooks"
# full-width digits in phones folded: the raw record keeps them, the store the ASCII number
fw=$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = '$code'
  AND (raw->>'来电人/来电号码' ~ '[０-９]' OR raw->>'来电人/联系电话' ~ '[０-９]')")
assert_eq "$(jq '.checks.fullwidth_phones // 0' "$EXP")" "$fw" "loaded records with full-width phone digits"
((fw > 0)) || die "no full-width phones at this scale"
assert_eq 0 "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = '$code'
  AND (caller_phone ~ '[０-９]' OR contact_phone ~ '[０-９]')")" "no full-width digit left in a stored phone"
# impossible and missing days rejected with the cell's text
assert_eq "$(jq '.rejected["transform.invalid_date"]' "$EXP")" \
  "$(pg_query "SELECT count(*) FROM migration.reject WHERE reason = 'invalid_date' AND source_system = '$code'")" \
  "date rejects recorded"
[[ $(pg_query "SELECT count(*) FROM migration.reject WHERE reason = 'invalid_date'
  AND convert_from(raw, 'UTF8') ~ '(不详|忘记登记|同上)'") -gt 0 ]] || die "a missing day typed as a word is not kept in the reject"
# dates typed by hand were parsed
[[ $(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = '$code' AND raw->>'来电时间' LIKE '%年%'") -gt 0 ]] ||
  die "no date typed as 2019年3月5日 at this scale"
echo ok
