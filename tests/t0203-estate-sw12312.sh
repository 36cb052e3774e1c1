#!/usr/bin/env bash
# Estate: 12312 商务 (GBK CSV saved by Excel on Chinese Windows: CRLF, quoted
# fields with line breaks, a Chinese header; yearly exports in a zip whose
# member names are CP936 without the UTF-8 flag; merge mode) end to end
# against the generator's ground truth, and the cross-system duplicates
# shared with 12315.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/gen/estate-lib.sh"

[[ -n ${PGHOST:-} ]] || skip "no private PostgreSQL (PGHOST unset)"
command -v zip >/dev/null || skip "zip missing"
export SJ12315_DATABASE=legacy_t0203 SW12312_DIR=$SCRATCH/gen/sw12312
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $SJ12315_DATABASE WITH (FORCE)" >/dev/null 2>&1 || true' EXIT

estate_gen sj12315 300 # the other side of the cross-system duplicates
estate_gen sw12312 300
estate_run sw12312
estate_check_counts
estate_check_store sw12312
estate_check_text sw12312 work_order intended.tsv
estate_check_cross sw12312

zipf=$SW12312_DIR/sw12312-export.zip
# member names in the code page, no UTF-8 flag (general purpose bit 11):
# 商务举报投诉工单 = c9cc cef1 bed9 b1a8 cdb6 cbdf b9a4 b5a5
assert_eq " 00 00" "$(od -A n -t x1 -j 6 -N 2 "$zipf")" "general purpose flags of the first member"
assert_eq " c9 cc ce f1 be d9 b1 a8" "$(od -A n -t x1 -j 30 -N 8 "$zipf")" "GBK member name"
# Excel's CSV: CRLF records, a quoted field holding a line break
csv=$(unzip -p "$zipf" "$(unzip -Z1 "$zipf" | sed -n 1p)" | od -A n -t x1 | tr -d '\n')
assert_contains "$csv" " 0d 0a" "CRLF"
lines=$(unzip -p "$zipf" | wc -l)
records=$(($(jq .rows "$EXP") + $(unzip -Z1 "$zipf" | wc -l))) # rows + one header per member
((lines > records)) || die "no quoted field with a line break ($lines lines, $records records)"
# rejects keep their archive, member and record
assert_contains "$(pg_query "SELECT string_agg(convert_from(legacy_key, 'UTF8'), ' ') FROM migration.reject")" \
  "sw12312-export.zip!商务举报投诉工单20" "reject keys name the archive and the member"
# Excel's damage is counted, not hidden: 6.20202E+17 ID numbers, landlines without their 0
[[ $(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'sw12312' AND caller_id_no LIKE '%E+17'") -gt 0 ]] ||
  die "no ID number mangled by Excel at this scale"
echo ok
