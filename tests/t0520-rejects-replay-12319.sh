#!/usr/bin/env bash
# Rejects corrected and replayed (docs/rejects.md): the 12319 estate is run,
# its rejects exported (undecodable content as hex, impossible dates as
# text), corrected with jq, and replayed through the same pipeline: the
# corrected records are loaded with the corrected values, the counts add
# up, a record left wrong is rejected again with its reason, and replaying
# the same file twice loads nothing twice.
set -euo pipefail
source "$TOP/tests/lib.sh"

MIGRATE=${MIGRATE_BIN:-$BUILD/migrate}
usage=$("$MIGRATE" rejects 2>&1 || true)
[[ $usage == *"rejects export"* ]] || skip "'migrate rejects' is not wired into this build"

fresh_store
export CG12319_DATABASE=legacy_t0520
PB=$TOP/playbooks/cg12319.yaml
"$BUILD/gen12319" --playbook-dir "$TOP/playbooks/cg12319" --rows 1500 --seed 11 --out gen --database "$CG12319_DATABASE" >/dev/null
"$MIGRATE" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
assert_exit 0 "$MIGRATE" run "$PB" --json
cp "$SCRATCH/out" run.json
exp=gen/expected.json
total=$(jq .rejected_total $exp)
loaded0=$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'cg12319'")
((total >= 3)) || die "the estate has too few rejects ($total) at this seed"

# export: one line per reject, the personal-data warning, text or hex per column
assert_exit 0 "$MIGRATE" rejects export --system cg12319 --playbook "$PB" --out rej.jsonl
assert_contains "$(cat "$SCRATCH/out")" "holds personal data" "export warns about personal data"
assert_eq "$total" "$(wc -l <rej.jsonl)" "one line per reject"
assert_exit 1 "$MIGRATE" rejects export --system cg12319 --out rej.jsonl # never overwrites
assert_eq 600 "$(stat -c %a rej.jsonl)" "export readable by its owner only"
n_undec=$(jq -c 'select(.reason | test("undecodable"))' rej.jsonl | wc -l)
n_date=$(jq -c 'select(.reason | test("invalid_date"))' rej.jsonl | wc -l)
((n_undec > 0 && n_date > 0)) || die "expected both undecodable ($n_undec) and invalid-date ($n_date) rejects"
assert_eq "$n_undec" "$(jq -c 'select(.reason | test("undecodable")) | select([.columns[] | select(.name == "sqnr" and has("hex"))] | length == 1)' rej.jsonl | wc -l)" \
  "undecodable content exported as hex"
assert_eq 0 "$(jq -c 'select([.columns[] | select(has("hex") and .name != "sqnr")] | length > 0)' rej.jsonl | wc -l)" \
  "every other column exported as text"
# the raw bytes of an undecodable record contain the hex of its content
jq -r 'select(.reason | test("undecodable")) | [.raw, (.columns[] | select(.name == "sqnr") | .hex)] | @tsv' rej.jsonl |
  while IFS=$'\t' read -r raw hex; do [[ $raw == *"$hex"* ]] || die "raw does not hold the content bytes"; done

# correct: undecodable content gets a text, impossible days become the 28th;
# the first reject of each kind is left as it was
keep_u=$(jq -r -s 'map(select(.reason | test("undecodable")))[0].key' rej.jsonl)
keep_d=$(jq -r -s 'map(select(.reason | test("invalid_date")))[0].key' rej.jsonl)
jq -c --arg ku "$keep_u" --arg kd "$keep_d" '
  if .key == $ku or .key == $kd then .
  elif (.reason | test("undecodable")) then
    .columns |= map(if .name == "sqnr" then {name, text: ("已更正：" + .name)} else . end)
  elif (.reason | test("invalid_date")) then
    .columns |= map(if .name == "ldsj" then .text |= sub("-(29|30|31) "; "-28 ") else . end)
  else . end' rej.jsonl >fixed.jsonl
assert_eq "$total" "$(wc -l <fixed.jsonl)" "corrected file: every line kept"

# replay
assert_exit 0 "$MIGRATE" rejects replay fixed.jsonl --playbook "$PB" --json
cp "$SCRATCH/out" replay.json
rrun=$(jq .run replay.json)
assert_eq $((total - 2)) "$(jq .stages.load.out replay.json)" "replay: corrected records loaded"
assert_eq "$total" "$(jq .stages.extract.out replay.json)" "replay: every line extracted"
assert_eq true "$(jq .balanced replay.json)" "replay run balanced"
assert_eq $((loaded0 + total - 2)) "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'cg12319'")" \
  "loaded before + replayed = total - still rejected"
assert_eq $((total - 2)) "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'cg12319' AND run_id = $rrun")" \
  "the replayed records belong to the replay run"
# the corrected values are in the store
k=$(jq -r -s --arg ku "$keep_u" 'map(select((.reason | test("undecodable")) and .key != $ku))[0].key' fixed.jsonl)
assert_eq "已更正：sqnr" "$(pg_query "SELECT w.content FROM hotline.work_order w WHERE w.source_system = 'cg12319'
  AND convert_from(w.legacy_key, 'UTF8') = '$k'")" "corrected content loaded"
k=$(jq -r -s --arg kd "$keep_d" 'map(select((.reason | test("invalid_date")) and .key != $kd))[0].key' fixed.jsonl)
want=$(jq -r --arg k "$k" 'select(.key == $k) | .columns[] | select(.name == "ldsj") | .text' fixed.jsonl)
assert_eq "${want:0:16}" "$(pg_query "SELECT to_char(received_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI')
  FROM hotline.work_order WHERE source_system = 'cg12319' AND convert_from(legacy_key, 'UTF8') = '$k'")" "corrected date loaded"
# the two left wrong are rejected again, with their reasons
assert_eq 2 "$(pg_query "SELECT count(*) FROM migration.reject WHERE run_id = $rrun")" "still wrong: rejected again"
assert_eq "$(jq -r --arg k "$keep_u" 'select(.key == $k) | .reason' rej.jsonl)" \
  "$(pg_query "SELECT reason FROM migration.reject WHERE run_id = $rrun AND convert_from(legacy_key, 'UTF8') = '$keep_u'")" \
  "undecodable again"
assert_eq "$(jq -r --arg k "$keep_d" 'select(.key == $k) | .reason' rej.jsonl)" \
  "$(pg_query "SELECT reason FROM migration.reject WHERE run_id = $rrun AND convert_from(legacy_key, 'UTF8') = '$keep_d'")" \
  "invalid date again"
assert_contains "$(pg_query "SELECT message FROM migration.run WHERE id = $rrun")" "rejects replayed from" "the run says it is a replay"

# the same file again: nothing loaded twice
assert_exit 0 "$MIGRATE" rejects replay fixed.jsonl --playbook "$PB" --json
assert_eq $((loaded0 + total - 2)) "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'cg12319'")" \
  "second replay: no duplicates"

# a text the encoding cannot hold is rejected as unencodable, with its line
jq -c --arg ku "$keep_u" 'select(.key == $ku) | .columns |= map(if .name == "sqnr" then {name, text: "emoji 😀 ok"} else . end)' \
  rej.jsonl >emoji.jsonl
assert_exit 0 "$MIGRATE" rejects replay emoji.jsonl --playbook "$PB" --json
erun=$(jq .run "$SCRATCH/out")
got=$(pg_query "SELECT stage || ' ' || reason || ' ' || line FROM migration.reject WHERE run_id = $erun")
# GB18030 holds every character: the emoji is encodable and the record loads
if [[ -z $got ]]; then
  assert_eq "emoji 😀 ok" "$(pg_query "SELECT content FROM hotline.work_order WHERE source_system = 'cg12319'
    AND convert_from(legacy_key, 'UTF8') = '$keep_u'")" "a four-byte character round-trips through GB18030"
else
  assert_contains "$got" "unencodable 1" "unencodable text rejected at extract with its line"
fi

# a line of another system is the user's mistake: a clear error naming the line
jq -c -s '.[0] | .system = "zz999"' rej.jsonl >wrong.jsonl
assert_exit 1 "$MIGRATE" rejects replay wrong.jsonl --playbook "$PB"
assert_contains "$(cat "$SCRATCH/err")" "line 1: system 'zz999'" "wrong system named with its line"
