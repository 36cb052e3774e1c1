#!/usr/bin/env bash
# Estate: 12121 气象服务热线 (sub-center: one UTF-8 CSV per day dropped into
# a folder, taken incrementally by file name) against the generator's ground
# truth over two deliveries: the first run takes the files there; then the
# second delivery arrives (the days after the cut and one file of an earlier
# day that came late) and the second run reads only those, late file
# included; each run's ledger, rejects and fixes equal its own truth, the
# store equals the truth of both; a third run finds nothing new.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/gen/estate-lib.sh"

[[ -n ${PGHOST:-} ]] || skip "no private PostgreSQL (PGHOST unset)"
export QX12121_DIR=$SCRATCH/gen/qx12121
code=qx12121
G=$QX12121_DIR

taken() { pg_query "SELECT coalesce(string_agg(name, ' ' ORDER BY name), '') FROM migration.source_file"; }
taken_records() { pg_query "SELECT coalesce(sum(records), 0) FROM migration.source_file"; }
# the files of a directory, in byte order
files() { (cd "$1" && ls | LC_ALL=C sort | tr '\n' ' ') | sed 's/ $//'; }

# ---- first delivery
estate_gen qx12121 300
late=$(cat "$G/late.txt")
[[ -f $G/later/$late && ! -f $G/drop/$late ]] || die "the late file $late is not in the second delivery"
first=$(ls "$G/drop" | LC_ALL=C sort | tail -1)
[[ $late < $first ]] || die "the late file $late does not sort before the files taken first"
estate_run qx12121
estate_check_counts
estate_check_text qx12121 work_order intended.tsv
want1=$(files "$G/drop")
assert_eq "$want1" "$(taken)" "first run: every file taken once"
assert_eq "$(jq .run.rows "$EXP")" "$(taken_records)" "first run: the files' records"
[[ $(ls "$G/drop" | wc -l) -gt 100 ]] || die "too few day files"

# ---- second delivery: the days after the cut and the late file
mv "$G"/later/*.csv "$G/drop/"
assert_exit 0 "$BUILD/migrate" run "$TOP/playbooks/$code.yaml" --json
cp "$SCRATCH/out" "$SCRATCH/run2.json"
RUN=$SCRATCH/run2.json
E2=$G/expected-2.json
EALL=$G/expected-all.json
t=$(jq -r '.tables | keys[0]' "$E2")
st=$(jq -c .stages "$RUN")
assert_eq true "$(jq .balanced "$RUN")" "second run balanced"
assert_eq "$(jq --arg t "$t" '.tables[$t].rows' "$E2")" "$(jq .extract.in <<<"$st")" "second run: only the new files read"
assert_eq "$(jq --arg t "$t" '.tables[$t].extracted' "$E2")" "$(jq .extract.out <<<"$st")" "second run: extracted"
assert_eq "$(jq --arg t "$t" '.tables[$t].loaded' "$E2")" "$(jq .load.out <<<"$st")" "second run: loaded"
assert_eq "$(jq --arg t "$t" '.tables[$t].merged' "$E2")" "$(jq .load.merged <<<"$st")" "second run: merged"
assert_eq "$(jq --arg t "$t" '.tables[$t].rejected_total' "$E2")" \
  "$(jq '.extract.rejected + .decode.rejected + .transform.rejected' <<<"$st")" "second run: rejected"
assert_eq "$(jq -S -c .run.rejected "$E2")" "$(jq -S -c .rejects "$RUN")" "second run: rejects by reason"
assert_eq "$(jq -S -c '.run.fixes | with_entries(select(.value > 0))' "$E2")" \
  "$(jq -S -c '.fixes | with_entries(select(.value > 0))' "$RUN")" "second run: fixes"
# both runs together
assert_eq "$(jq .run.rejected_total "$EALL")" \
  "$(pg_query "SELECT count(*) FROM migration.reject WHERE source_system = '$code' AND raw IS NOT NULL")" "rejects of both runs kept"
assert_eq "$(jq .run.merged "$EALL")" "$(pg_query "SELECT count(*) FROM migration.merged")" "merged records of both runs"
assert_eq "$(jq .run.loaded "$EALL")" "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = '$code'")" \
  "work orders of both runs"
assert_eq "$(files "$G/drop")" "$(taken)" "every file taken once, the late one included"
assert_eq "$(jq .run.rows "$EALL")" "$(taken_records)" "the records of all files"
assert_contains "$(taken)" "$late" "the late file was taken"
assert_eq "$(jq .run "$RUN")" "$(pg_query "SELECT run_id FROM migration.source_file WHERE name = '$late'")" \
  "the late file was taken by the second run"
assert_eq "$(jq -r '.tables[].rows' "$E2")" "$(pg_query "SELECT sum(records) FROM migration.source_file WHERE run_id = $(jq .run "$RUN")")" \
  "the second run took exactly the second delivery"
EXP=$EALL
estate_check_store qx12121
cat "$G/intended.tsv" "$G/intended-2.tsv" >"$G/intended-both.tsv"
estate_check_text qx12121 work_order intended-both.tsv

# ---- nothing new: an empty, balanced run that reads nothing
assert_exit 0 "$BUILD/migrate" run "$TOP/playbooks/$code.yaml" --json
assert_eq true "$(jq .balanced "$SCRATCH/out")" "nothing new is balanced"
assert_eq 0 "$(jq .stages.extract.in "$SCRATCH/out")" "nothing read again"
assert_eq "$(jq .run.loaded "$EALL")" "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = '$code'")" \
  "nothing loaded twice"
echo ok
