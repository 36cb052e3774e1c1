#!/usr/bin/env bash
# Estate: 12349 民政 (FoxPro 2.x DBF, code page byte 0x7A, with an .FPT memo
# file; merge mode) end to end against the generator's ground truth: D
# fields (00000000 loaded as NULL, impossible days rejected), fixed-width
# numeric codes, GBK memos (undecodable ones rejected), soft-deleted records
# loaded and counted with their flag kept, duplicates merged, the text byte
# for byte.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/gen/estate-lib.sh"

[[ -n ${PGHOST:-} ]] || skip "no private PostgreSQL (PGHOST unset)"
export MZ12349_DIR=$SCRATCH/gen/mz12349

estate_gen mz12349 300
estate_run mz12349
estate_check_counts
estate_check_store mz12349
estate_check_text mz12349 work_order intended.tsv

dbf=$MZ12349_DIR/GDXX.DBF
assert_eq " f5" "$(od -A n -t x1 -N 1 "$dbf")" "FoxPro 2.x with memo"
assert_eq " 7a" "$(od -A n -t x1 -j 29 -N 1 "$dbf")" "code page byte 0x7A (CP936)"
# soft-deleted records: loaded, counted, and marked in the raw record
[[ $(jq '.checks.deleted // 0' "$EXP") -gt 0 ]] || die "no deleted record at this scale"
assert_eq "$(jq '.checks.deleted' "$EXP")" "$(pg_query "SELECT count(*) FROM hotline.work_order
  WHERE source_system = 'mz12349' AND raw->>'_deleted' = 'T'")" "soft-deleted records loaded with their flag"
assert_eq "$(jq '.loaded - .checks.deleted' "$EXP")" "$(pg_query "SELECT count(*) FROM hotline.work_order
  WHERE source_system = 'mz12349' AND raw->>'_deleted' = 'F'")" "the others"
# zero dates (00000000) loaded as NULL and counted
[[ $(jq .fixes.zero_date "$EXP") -gt 0 ]] || die "no zero date at this scale"
echo ok
