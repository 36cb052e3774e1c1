#!/usr/bin/env bash
# Estate: 12336 国土资源 (xlsx workbooks, one per year, in a zip whose member
# names are CP936 without the UTF-8 flag; Excel serial dates; merge mode)
# end to end against the generator's ground truth, read inside the zip
# (driver archive, format xlsx: each workbook spooled to a temporary file,
# nothing unpacked; member names decoded, member hashes recorded): serial dates and dates
# typed as text, Excel's invented 1900-02-29 rejected by the reader, typed
# impossible dates rejected, duplicates across workbooks merged, the text
# byte for byte.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/gen/estate-lib.sh"

[[ -n ${PGHOST:-} ]] || skip "no private PostgreSQL (PGHOST unset)"
command -v zip >/dev/null || skip "zip missing"
command -v unzip >/dev/null || skip "unzip missing (used to list the zip)"
export ZR12336_DIR=$SCRATCH/gen/zr12336
mkdir "$SCRATCH/tmp"
export TMPDIR=$SCRATCH/tmp # where the workbooks are spooled

estate_gen zr12336 300
estate_run zr12336
estate_check_counts
estate_check_store zr12336
estate_check_text zr12336 work_order intended.tsv

zipf=$ZR12336_DIR/zr12336-workbooks.zip
# 国土资源热线 = b9fa cdc1 d7ca d4b4 c8c8 cfdf, no UTF-8 flag
assert_eq " 00 00" "$(od -A n -t x1 -j 6 -N 2 "$zipf")" "general purpose flags of the first member"
assert_eq " b9 fa cd c1 d7 ca d4 b4" "$(od -A n -t x1 -j 30 -N 8 "$zipf")" "GBK member name"
# one workbook per year, read inside the zip under their UTF-8 names
assert_eq 9 "$(unzip -Z1 "$zipf" | wc -l)" "nine yearly workbooks"
[[ ! -e $ZR12336_DIR/xlsx ]] || die "gen-estate unpacked the zip"
assert_eq "" "$(ls -A "$TMPDIR")" "no spool file left in TMPDIR"
# each workbook recorded as <zip>!<UTF-8 name> with the SHA-256 of its bytes
first=$(unzip -Z1 "$zipf" | sed -n 1p) # CP936 bytes, as stored (sed reads it all: no SIGPIPE)
assert_eq "$(unzip -p "$zipf" "$first" | sha256sum | cut -d' ' -f1)" "$(pg_query "SELECT sha256 FROM migration.source_file
  WHERE source_system = 'zr12336' AND name = 'zr12336-workbooks.zip!国土资源热线工单2016年.xlsx'")" "first workbook's hash"
assert_eq 9 "$(pg_query "SELECT count(*) FROM migration.source_file WHERE source_system = 'zr12336'
  AND name ~ '^zr12336-workbooks\.zip!国土资源热线工单20[0-9][0-9]年\.xlsx$'")" "every workbook recorded under its UTF-8 name"
assert_eq "$(sha256sum <"$zipf" | cut -d' ' -f1)" "$(pg_query "SELECT sha256 FROM migration.source_file
  WHERE source_system = 'zr12336' AND name = 'zr12336-workbooks.zip'")" "the zip's hash"
# Excel's 1900-02-29 is an extract reject keyed by workbook and record
[[ $(jq '.rejected["extract.invalid_excel_date"]' "$EXP") -gt 0 ]] || die "no serial-60 date at this scale"
assert_contains "$(pg_query "SELECT string_agg(detail, ' ') FROM migration.reject WHERE reason = 'invalid_excel_date'")" \
  "serial 60" "the reader names the bad serial"
assert_contains "$(pg_query "SELECT string_agg(convert_from(legacy_key, 'UTF8'), ' ') FROM migration.reject WHERE reason = 'invalid_excel_date'")" \
  "zr12336-workbooks.zip!国土资源热线工单20" "reject key names the zip and the workbook"
# dates typed as text were parsed: there are rows whose source cell is text
[[ $(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'zr12336' AND raw->>'来电时间' LIKE '%年%'") -gt 0 ]] ||
  die "no date typed as 2019年3月5日 at this scale"
echo ok
