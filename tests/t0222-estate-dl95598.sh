#!/usr/bin/env bash
# Estate: 95598 供电服务 (PostgreSQL UTF8, sub-center, high call volume) end to
# end against the generator's ground truth: work orders and the call
# centre's call detail records (CDR) in one playbook (targets work_order and
# call_record); switch times as YYYYMMDDHHMMSS text, unanswered calls (all-zero
# answer time) and lost end times loaded as NULL and counted, recording paths
# with backslashes byte for byte, durations as text kept in the raw record,
# calls without a work order, a batch the switch sent twice merged, each
# order's call in the store.
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

# the call records' text, byte for byte (estate_check_text's way)
pg_query "COPY (SELECT c.legacy_id, f.k, f.v FROM hotline.call_record c, LATERAL (VALUES
  ('call_start', to_char(c.call_start AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS')),
  ('answered_at', to_char(c.answered_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS')),
  ('ended_at', to_char(c.ended_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS')),
  ('caller_phone', c.caller_phone), ('dialled_number', c.dialled_number), ('agent', c.agent),
  ('queue', c.queue), ('recording_ref', c.recording_ref)) AS f(k, v)
  WHERE c.source_system = 'dl95598') TO STDOUT" | LC_ALL=C sort >"$SCRATCH/got-calls.sorted"
LC_ALL=C sort "$SCRATCH/gen/dl95598/intended_calls.tsv" >"$SCRATCH/want-calls.sorted"
assert_eq "$(($(jq .tables.kf_hjjl.loaded "$EXP") * 8))" "$(wc -l <"$SCRATCH/got-calls.sorted")" "call_record: number of values"
cmp -s "$SCRATCH/want-calls.sorted" "$SCRATCH/got-calls.sorted" ||
  die "call_record: text in the store differs: $(diff "$SCRATCH/want-calls.sorted" "$SCRATCH/got-calls.sorted" | head -6)"

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
# durations as text, kept in the raw record as the switch wrote them
assert_eq "$(jq .checks.duration_min_sec "$EXP")" "$(cr "raw->>'thsc' ~ '^[0-9]+分[0-9]+秒\$'")" "durations like 2分5秒 kept"
[[ $(cr "raw->>'thsc' ~ '^[0-9]{2}:[0-9]{2}:[0-9]{2}\$'") -gt 0 && $(cr "raw->>'thsc' ~ '^[0-9]+\$'") -gt 0 ]] ||
  die "not every duration shape at this scale"
# calls that created no work order
assert_eq "$(jq .checks.calls_without_order "$EXP")" "$(cr "raw->>'gdbh' IS NULL")" "calls without a work order"
# every loaded order that came from a call has its call in the store, and the call points back
assert_eq 0 "$(pg_query "SELECT count(*) FROM hotline.work_order w WHERE w.source_system = 'dl95598' AND w.raw->>'hjlsh' IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM hotline.call_record c WHERE c.source_system = 'dl95598' AND c.legacy_id = w.raw->>'hjlsh'
  AND c.raw->>'gdbh' = w.legacy_id)")" "each order's call is in the store"
[[ $(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'dl95598' AND raw->>'hjlsh' IS NULL") -gt 0 ]] ||
  die "no order without a call (app channel) at this scale"
# a batch the switch sent twice: merged into the first, recorded
assert_eq "$(jq .tables.kf_hjjl.merged "$EXP")" "$(pg_query "SELECT count(*) FROM migration.merged WHERE target_table = 'call_record'")" \
  "duplicate call records merged"
assert_eq "$(jq .tables.kf_hjjl.rows "$EXP")" "$(src "SELECT count(*) FROM kf_hjjl")" "calls in the source"
echo ok
