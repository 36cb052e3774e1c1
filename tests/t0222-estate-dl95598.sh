#!/usr/bin/env bash
# Estate: 95598 供电服务 (PostgreSQL UTF8, sub-center, high call volume) end to
# end against the generator's ground truth: work orders and the call
# centre's call detail records (CDR) in one playbook (targets work_order and
# call_record); switch times as YYYYMMDDHHMMSS text, unanswered calls (all-zero
# answer time) and lost end times loaded as NULL and counted, recording paths
# with backslashes byte for byte, durations as text read into whole seconds
# (unreadable ones NULL and counted), calls linked to their work order (or
# to none), a batch the switch sent twice merged, each order's call in the
# store.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/gen/estate-lib.sh"

[[ -n ${PGHOST:-} ]] || skip "no private PostgreSQL (PGHOST unset)"
export DL95598_DATABASE=legacy_t0222
db=legacy_t0222
src() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -c "$1"; }
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true' EXIT

estate_gen dl95598 300
estate_run dl95598
estate_check_counts
estate_check_store dl95598
estate_check_text dl95598 work_order intended.tsv
assert_eq 2 "$(jq '.tables | length' "$RUN")" "two tables in one run"

# the call records' text, byte for byte: times, phones, paths, the talk
# time in seconds and the work order's legacy id
estate_check_text dl95598 call_record intended_calls.tsv
assert_eq "$(($(jq .tables.kf_hjjl.loaded "$EXP") * 10))" "$(wc -l <"$SCRATCH/got-call_record.tsv")" "call_record: 10 values a call"

cr() { pg_query "SELECT count(*) FROM hotline.call_record WHERE source_system = 'dl95598' AND $1"; }
# unanswered calls: 00000000000000 in the source, NULL answered_at, counted as zero_date
n=$(jq .checks.calls_abandoned "$EXP")
[[ $n -gt 0 ]] || die "no unanswered call at this scale"
assert_eq "$n" "$(cr "answered_at IS NULL")" "unanswered calls loaded with answered_at NULL"
assert_eq "$n" "$(cr "raw->>'ydsj' = '00000000000000' AND agent IS NULL AND recording_ref IS NULL")" "as the switch wrote them"
assert_eq "$(jq .tables.kf_hjjl.fixes.zero_date "$EXP")" \
  "$(src "SELECT count(*) FROM kf_hjjl WHERE ydsj = '00000000000000'")" "zero answer times in the source (copies included)"
# end times the switch lost: '' in the source, NULL, counted as invalid_date_null
assert_eq "$(jq '.checks.calls_lost_end // 0' "$EXP")" "$(cr "ended_at IS NULL")" "lost end times loaded as NULL"
# recording paths on the Windows share, backslashes kept
n=$(jq .checks.recording_backslash "$EXP")
[[ $n -gt 0 ]] || die "no recording path with backslashes at this scale"
assert_eq "$n" "$(cr "recording_ref LIKE E'\\\\\\\\\\\\\\\\10.62.1.20\\\\\\\\luyin\\\\\\\\%' OR recording_ref LIKE E'D:\\\\\\\\Record\\\\\\\\%'")" \
  "recording paths with backslashes"
# durations: every shape read into the same seconds, the raw record keeps the text
assert_eq "$(jq .checks.duration_min_sec "$EXP")" "$(cr "raw->>'thsc' ~ '^([0-9]+时)?[0-9]+分[0-9]+秒\$'")" "durations like 2分5秒 kept"
for shape in '^[0-9]+$' '^[0-9]+分[0-9]+秒$' '^[0-9]{2}:[0-9]{2}:[0-9]{2}$'; do
  [[ $(cr "raw->>'thsc' ~ '$shape' AND duration_seconds IS NOT NULL") -gt 0 ]] || die "no duration of shape $shape at this scale"
done
assert_eq 0 "$(cr "duration_seconds IS NOT NULL AND duration_seconds::bigint <> CASE
  WHEN raw->>'thsc' ~ '^[0-9]+\$' THEN (raw->>'thsc')::bigint
  WHEN raw->>'thsc' ~ '^([0-9]+时)?[0-9]+分[0-9]+秒\$' THEN coalesce(substring(raw->>'thsc' from '^([0-9]+)时')::bigint, 0) * 3600
    + substring(raw->>'thsc' from '([0-9]+)分')::bigint * 60 + substring(raw->>'thsc' from '([0-9]+)秒')::bigint
  WHEN raw->>'thsc' ~ '^[0-9]{2}:[0-9]{2}:[0-9]{2}\$' THEN extract(epoch FROM (raw->>'thsc')::interval)::bigint
  ELSE -1 END")" "duration_seconds = the switch's text, recomputed in SQL"
assert_eq 0 "$(cr "answered_at IS NOT NULL AND ended_at IS NOT NULL AND duration_seconds::bigint <> extract(epoch FROM ended_at - answered_at)")" \
  "talk time = end - answer"
assert_eq "$(jq '.checks.calls_long // 0' "$EXP")" "$(cr "duration_seconds::bigint >= 3600")" "calls of an hour or more"
# talk times the report could not show: NULL, counted, the text kept
n=$(jq .checks.duration_invalid "$EXP")
[[ $n -gt 0 ]] || die "no unreadable duration at this scale"
assert_eq "$(jq .tables.kf_hjjl.fixes.invalid_duration_null "$EXP")" \
  "$(src "SELECT count(*) FROM kf_hjjl WHERE thsc = '--' OR thsc ~ '^[0-9]+''[0-9]{2}\"\$'")" "unreadable durations in the source (copies included)"
assert_eq "$(jq .tables.kf_hjjl.fixes.invalid_duration_null "$EXP")" "$(jq .fixes.invalid_duration_null "$RUN")" \
  "one fix invalid_duration_null each"
assert_eq "$n" "$(cr "duration_seconds IS NULL AND (raw->>'thsc' = '--' OR raw->>'thsc' ~ '^[0-9]+''[0-9]{2}\"\$')")" \
  "unreadable durations loaded NULL, the text in the raw record"
assert_eq "$n" "$(cr "duration_seconds IS NULL")" "no other duration NULL"
# the work order of each call: order_legacy_id = the switch's gdbh
assert_eq "$(jq .checks.calls_without_order "$EXP")" "$(cr "order_legacy_id IS NULL")" "calls without a work order"
assert_eq 0 "$(cr "order_legacy_id IS DISTINCT FROM raw->>'gdbh'")" "order_legacy_id is gdbh"
assert_eq 0 "$(cr "order_legacy_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM hotline.work_order w
  WHERE w.source_system = 'dl95598' AND w.legacy_id = call_record.order_legacy_id)")" "every linked order is in the store"
# every loaded order that came from a call has its call in the store, and the call points back
assert_eq 0 "$(pg_query "SELECT count(*) FROM hotline.work_order w WHERE w.source_system = 'dl95598' AND w.raw->>'hjlsh' IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM hotline.call_record c WHERE c.source_system = 'dl95598' AND c.legacy_id = w.raw->>'hjlsh'
  AND c.order_legacy_id = w.legacy_id)")" "each order's call is in the store and points back"
[[ $(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'dl95598' AND raw->>'hjlsh' IS NULL") -gt 0 ]] ||
  die "no order without a call (app channel) at this scale"
# a batch the switch sent twice: merged into the first, recorded
assert_eq "$(jq .tables.kf_hjjl.merged "$EXP")" "$(pg_query "SELECT count(*) FROM migration.merged WHERE target_table = 'call_record'")" \
  "duplicate call records merged"
assert_eq "$(jq .tables.kf_hjjl.rows "$EXP")" "$(src "SELECT count(*) FROM kf_hjjl")" "calls in the source"

# the auditor's SQL for call records (docs/auditors.md) = the call table's target; a
# recount at the source and in the store balances, until a work-order link changes
awk '/^```sql/ { inb = 1; buf = ""; next }
  /^```/ && inb { if (buf ~ /-- auditor: postgresql-call-record-total\n/) printf "%s", buf; inb = 0; next }
  inb { buf = buf $0 "\n" }' "$TOP/docs/auditors.md" >"$SCRATCH/cr.sql"
[[ -s $SCRATCH/cr.sql ]] || die "docs/auditors.md has no postgresql-call-record-total block"
st=$(jq -c '.tables[] | select(.table == "kf_hjjl") | .stages' "$RUN")
assert_eq "$(jq -r .target.out <<<"$st")	$(jq -r .target.total_out <<<"$st")" "$(psql -XAtq -F $'\t' -f "$SCRATCH/cr.sql")" \
  "call records: SQL from the guide = the target count and total"
run=$(jq .run "$RUN")
assert_exit 0 "$BUILD/migrate" reconcile "$run"
pg_query "UPDATE hotline.call_record SET order_legacy_id = 'x' || order_legacy_id WHERE id = (SELECT min(id) FROM hotline.call_record
  WHERE order_legacy_id IS NOT NULL)" >/dev/null
assert_exit 3 "$BUILD/migrate" reconcile "$run"
echo ok
