#!/usr/bin/env bash
# Estate: 12369 环保举报 (monthly GB2312 CSV exports in a tar.gz with GB2312
# member names; dual mode, number retired in July 2024) end to end against
# the generator's ground truth: every record keeps the number dialled (12369
# or 12345, from the data), member names decoded, the exports genuinely
# GB2312 (only the undecodable faults are not), impossible days and
# undecodable contents rejected, blank closing times NULL and counted,
# duplicates merged, the text byte for byte.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/gen/estate-lib.sh"

[[ -n ${PGHOST:-} ]] || skip "no private PostgreSQL (PGHOST unset)"
export HB12369_DIR=$SCRATCH/gen/hb12369

estate_gen hb12369 300
estate_run hb12369
estate_check_counts
estate_check_store hb12369
estate_check_text hb12369 work_order intended.tsv

tgz=$HB12369_DIR/hb12369-export.tar.gz
# member names are GB2312 bytes (GNU tar keeps them as they are), one per month
tar --quoting-style=literal -tzf "$tgz" >"$SCRATCH/members"
first=$(head -1 "$SCRATCH/members")
assert_eq "环保举报工单导出/2018年01月.csv" "$(printf '%s' "$first" | iconv -f GB2312 -t UTF-8)" "GB2312 member name"
printf '%s' "$first" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1 && die "member name is UTF-8, expected GB2312 bytes"
assert_eq 90 "$(wc -l <"$SCRATCH/members")" "one export per month, 2018-01 to 2025-06"
# the keys name the decoded member
[[ $(pg_query "SELECT count(*) FROM migration.reject WHERE source_system = 'hb12369'
  AND convert_from(legacy_key, 'UTF8') LIKE 'hb12369-export.tar.gz!环保举报工单导出/20__年__月.csv#%'") -gt 0 ]] ||
  die "reject keys do not name the decoded member"

# genuine GB2312: every line is ASCII or pairs A1-F7 A1-FE (EUC-CN) and
# converts with iconv's GB2312, except the rows of the undecodable fault
# (bytes invalid in GB18030 as well)
euc='^(?:[\x00-\x7f]|[\xa1-\xf7][\xa1-\xfe])*$'
tar -xzOf "$tgz" >"$SCRATCH/all.csv"
assert_eq "$(jq '.rejected["decode.undecodable"]' "$EXP")" "$(LC_ALL=C grep -a -c -v -P "$euc" "$SCRATCH/all.csv")" \
  "lines outside GB2312 are the undecodable rows"
LC_ALL=C grep -a -P "$euc" "$SCRATCH/all.csv" | iconv -f GB2312 -t UTF-8 >/dev/null || die "not GB2312"

# the number dialled, from the data: 12369 alone before 2023, both after,
# 12345 the most after the retirement (2024-07)
assert_eq "$(jq -S -c .dialled_numbers "$EXP")" "$(_agg hb12369 dialled_number)" "dialled numbers"
assert_eq 0 "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'hb12369'
  AND dialled_number <> '12369' AND received_at < '2023-01-01 00:00+08'")" "only 12369 before 2023"
n45=$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'hb12369' AND dialled_number = '12345'")
[[ $n45 -gt 0 ]] || die "no call dialled on 12345"
after="source_system = 'hb12369' AND received_at >= '2024-07-01 00:00+08'"
[[ $(pg_query "SELECT count(*) FROM hotline.work_order WHERE $after AND dialled_number = '12345'") -gt \
  $(pg_query "SELECT count(*) FROM hotline.work_order WHERE $after AND dialled_number = '12369'") ]] ||
  die "after the retirement most calls should come in on 12345"
assert_eq "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'hb12369'
  AND dialled_number = raw->>'受理号码'")" "$(jq .loaded "$EXP")" "dialled_number is the record's own 受理号码"
# blank closing times of the open orders: NULL, counted
assert_eq "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'hb12369'
  AND raw->>'办结时间' = ''")" "$(pg_query "SELECT count(*) FROM hotline.work_order
  WHERE source_system = 'hb12369' AND closed_at IS NULL")" "blank closing times loaded as NULL"
echo ok
