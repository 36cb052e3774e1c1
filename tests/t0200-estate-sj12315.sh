#!/usr/bin/env bash
# Estate: 12315 市场监管 (PostgreSQL UTF8, dual mode) end to end against the
# generator's ground truth: work orders and flow records (two tables), the
# number dialled kept per record (12315, historic 12331/12358/12365), NULL
# received times, empty order numbers rejected, duplicates merged, unmapped
# categories defaulted, full-width ID numbers folded, the text byte for
# byte, the cross-system duplicates shared with 12312, and a re-run that
# changes nothing.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/gen/estate-lib.sh"

[[ -n ${PGHOST:-} ]] || skip "no private PostgreSQL (PGHOST unset)"
export SJ12315_DATABASE=legacy_t0200
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $SJ12315_DATABASE WITH (FORCE)" >/dev/null 2>&1 || true' EXIT

estate_gen sj12315 300
estate_gen sw12312 300 # the other side of the cross-system duplicates (estate.json)
EXP=$SCRATCH/gen/sj12315/expected.json
estate_run sj12315
estate_check_counts
estate_check_store sj12315
estate_check_text sj12315 work_order intended.tsv
estate_check_text sj12315 work_order_event intended_events.tsv
estate_check_cross sj12315

# the historic lines keep their own number and their own order numbers
assert_eq 0 "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'sj12315'
  AND ((dialled_number = '12331') <> (legacy_id LIKE 'SY%') OR (dialled_number = '12358') <> (legacy_id LIKE 'JG%')
   OR (dialled_number = '12365') <> (legacy_id LIKE 'ZJ%'))")" "dialled number agrees with the historic order number"
[[ $(jq '.dialled_numbers | length' "$EXP") -eq 4 ]] || die "expected all four numbers at this scale"
# the empty order numbers are rejects with their bytes
assert_eq "$(jq '.rejected["transform.missing_legacy_id"]' "$EXP")" \
  "$(pg_query "SELECT count(*) FROM migration.reject WHERE reason = 'missing_legacy_id' AND source_table LIKE '%tsjb_gd'")" \
  "empty order numbers rejected"
# flow records point at loaded work orders (or at their merged copies' survivors)
assert_eq 0 "$(pg_query "SELECT count(*) FROM hotline.work_order_event e WHERE e.source_system = 'sj12315'
  AND NOT EXISTS (SELECT 1 FROM hotline.work_order w WHERE w.source_system = 'sj12315' AND w.legacy_id = e.order_legacy_id)")" \
  "every flow record belongs to a loaded work order"

# a re-run changes nothing
assert_exit 0 "$BUILD/migrate" run "$TOP/playbooks/sj12315.yaml" --json
assert_eq "$(jq .loaded "$EXP")" "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'sj12315'")" "re-run: no duplicates"
assert_eq "$(jq '.tables.tsjb_lzjl.loaded' "$EXP")" "$(pg_query "SELECT count(*) FROM hotline.work_order_event")" "re-run: flow records"
assert_eq "$(jq -c '[.tables[].stages.target.total_out]' "$RUN")" "$(jq -c '[.tables[].stages.target.total_out]' "$SCRATCH/out")" "re-run: same content"
echo ok
