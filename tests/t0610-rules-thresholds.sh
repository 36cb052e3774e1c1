#!/usr/bin/env bash
# Validation rules, error thresholds, keyword category rules and coverage
# (transform/rules.h, docs/playbooks.md "Validation rules and thresholds"):
# - a rule's reject carries validate.<name> and the original bytes; flag
#   rules load the record and count a fix;
# - keyword rules map unmapped codes in order (first match wins), counted
#   apart from the table's codes; coverage thresholds fail a run (exit 3);
# - reject thresholds by count and by ratio with warm-up, per table, per
#   system and for the run: under warm-up no failure, over it exit 3, the run
#   stopped at a checkpoint and failed, resumable; validate says the same;
# - migrate check names a mistyped key with file:line.
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SCRATCH"
export LC_ALL=C.UTF-8
M=$BUILD/migrate

cp "$TOP/playbooks/taxonomy.csv" .
printf 'legacy_code,legacy_name,unified_code\nA,甲,0101\nB,乙,0101\n' >lb.csv
# 10 records: 1 closed before received, 1 status not in the list, 1 without a phone (flag)
{
  echo 'id,lb,bt,nr,ldsj,bjsj,ldhm,zt'
  echo '1,A,占道经营,门口,2021-07-01 10:00:00,2021-07-02 10:00:00,13912345678,01'
  echo '2,X,噪音扰民,夜里摆摊也有噪音,2021-07-01 10:00:00,2021-06-30 10:00:00,13912345679,01'
  echo '3,X,其他,夜里摆摊,2021-07-01 10:00:00,,,02'
  echo '4,B,无,无关,2021-07-01 10:00:00,,13912345670,zz'
  echo '5,,路灯,路灯不亮,2021-07-01 10:00:00,,13912345671,01'
  echo '6,Y,噪声,楼上噪声,2021-07-01 10:00:00,,13912345672,01'
  for i in 7 8 9; do echo "$i,A,t$i,c$i,2021-07-01 10:00:00,,1391234567$i,01"; done
  echo '10,B,t10,c10,2021-07-01 10:00:00,,13912345610,01'
} >a.csv
pb() { # OUT TABLE-THRESHOLDS COVERAGE [TOP-LEVEL-LINE]
  {
    echo 'system: {code: q1t, hotline: "12345", name: 测试, department: 测试, mode: merge}'
    echo 'source: {driver: csv, dir: .}'
    [[ -n ${4:-} ]] && echo "$4"
    echo 'tables:'
    echo '  - name: a.csv'
    echo '    encoding: utf-8'
    echo '    validate:'
    echo '      - {rule: closed_after_received}'
    echo '      - {field: caller_phone, required: true, action: flag}'
    echo '      - {name: status_known, field: status, in: ["01", "02"]}'
    [[ -n $2 ]] && echo "    thresholds: $2"
    echo '    fields:'
    echo '      legacy_id: id'
    echo '      title: bt'
    echo '      content: nr'
    echo '      received_at: {column: ldsj, type: datetime}'
    echo '      closed_at: {column: bjsj, type: datetime, invalid: null}'
    echo '      caller_phone: {column: ldhm, type: phone}'
    echo '      status: zt'
    echo '      category_code:'
    echo '        {column: lb, type: category, table: lb.csv, text_column: bt, unmapped: default, default: "1299",'
    echo '         keywords: [{match: [噪音, 噪声], in: title, unified: "0102"}, {match: 摆摊, unified: "0103"}]'
    [[ -n $3 ]] && echo "         , coverage: $3"
    echo '        }'
  } >"$1"
}

# ---- rules and keywords, no thresholds: validate, then run
pb p.yaml '' ''
assert_exit 0 "$M" check p.yaml
assert_exit 3 "$M" validate p.yaml --json
cp "$SCRATCH/out" v.json
assert_eq 1 "$(jq '.rejects."transform.validate.closed_after_received"' v.json)" "rule reject counted by name"
assert_eq 1 "$(jq '.rejects."transform.validate.status_known"' v.json)" "named rule"
assert_eq 1 "$(jq '.fixes."validate.caller_phone_required"' v.json)" "flag rule: a fix, the record loaded"
C='.tables[0].coverage[0]'
# 8 loaded: 1,7,8,9 (A), 10 (B) by the table; 3 (摆摊 in content), 6 (噪声 in title) by keyword; 5 defaulted
assert_eq 8 "$(jq "$C.loaded" v.json)" "loaded"
assert_eq 5 "$(jq "$C.mapped_by_table" v.json)" "mapped by the table"
assert_eq 2 "$(jq "$C.mapped_by_keyword" v.json)" "mapped by keyword"
assert_eq 1 "$(jq "$C.defaulted" v.json)" "defaulted"
assert_eq '"0103"' "$(jq -c "[$C.codes[] | select(.legacy == \"X\")][0].unified" v.json)" \
  "record 3: 摆摊 in content, the second rule (the first looks in the title only)"
assert_eq '"0102"' "$(jq -c "[$C.codes[] | select(.legacy == \"Y\")][0].unified" v.json)" "record 6: first rule"
assert_eq '"keyword"' "$(jq -c "[$C.codes[] | select(.legacy == \"Y\")][0].how" v.json)" "how: keyword"
assert_eq '"0101"' "$(jq -c "$C.many_to_one[0].unified" v.json)" "several legacy codes -> 0101"
assert_eq 0 "$(jq '.thresholds_failed' v.json)" "no thresholds: none failed"

fresh_store
"$M" init --taxonomy taxonomy.csv >/dev/null || die "init"
assert_exit 0 "$M" run p.yaml
# raw: the record's canonical form (V<len>:<bytes> per column); lengths dropped here
assert_eq "validate.closed_after_received|transform|2X噪音扰民夜里摆摊也有噪音2021-07-01 10:00:002021-06-30 10:00:001391234567901" \
  "$(pg_query "SELECT reason, stage, convert_from(raw, 'UTF8') FROM migration.reject WHERE legacy_key = 'a.csv#2'" |
    sed 's/V[0-9]*://g')" "the reject: rule name, stage, original bytes"
assert_eq "0103|1299|0102" "$(pg_query "SELECT string_agg(category_code, '|' ORDER BY legacy_id) FROM hotline.work_order
  WHERE legacy_id IN ('3', '6', '5')")" "keyword-mapped and defaulted records loaded"

# ---- reject ratio with warm-up: 2 of 10 = 20%
pb w.yaml '{max_reject_ratio: 0.1, warmup_rows: 11}' ''
assert_exit 3 "$M" validate w.yaml
assert_contains "$(cat "$SCRATCH/out")" "2 would be rejected"
[[ $(cat "$SCRATCH/out") != *THRESHOLD* ]] || die "under warm-up: no threshold"
assert_exit 0 "$M" run w.yaml --fresh
pb r.yaml '{max_reject_ratio: 0.1, warmup_rows: 10}' ''
assert_exit 3 "$M" validate r.yaml
assert_contains "$(cat "$SCRATCH/out")" "THRESHOLD: a run would stop after 10 records of table a.csv: table 'a.csv': 2 of 10 records rejected (20.00%), more than max_reject_ratio 0.1 (r.yaml:10;"
assert_exit 3 "$M" run r.yaml --fresh
assert_contains "$(cat "$SCRATCH/err")" "over an error threshold: table 'a.csv': 2 of 10 records rejected (20.00%), more than max_reject_ratio 0.1 (r.yaml:10"
assert_eq "failed" "$(pg_query "SELECT status FROM migration.run ORDER BY id DESC LIMIT 1")" "run stopped: failed, resumable"
run=$(pg_query "SELECT max(id) FROM migration.run")
assert_eq 2 "$(pg_query "SELECT count(*) FROM migration.reject WHERE run_id = $run")" "rejects up to the checkpoint kept"
assert_eq 1 "$(pg_query "SELECT count(*) FROM migration.checkpoint WHERE run_id = $run")" "a checkpoint was committed"
# resuming trips the threshold again; raised (a changed playbook), a new run finishes
assert_exit 3 "$M" run r.yaml
assert_eq "$run" "$(pg_query "SELECT max(id) FROM migration.run")" "resumed the same run"
pb r2.yaml '{max_reject_ratio: 0.25, warmup_rows: 10}' ''
cp r2.yaml r.yaml
assert_exit 0 "$M" run r.yaml
assert_eq "superseded $((run + 1))|finished" \
  "$(pg_query "SELECT status FROM migration.run WHERE id = $run") $(pg_query "SELECT id, status FROM migration.run ORDER BY id DESC LIMIT 1")" \
  "a changed playbook: a new run supersedes the stopped one"

# ---- by count: max_rejects 1, no warm-up for counts
pb c.yaml '{max_rejects: 1}' ''
assert_exit 3 "$M" run c.yaml --fresh
assert_contains "$(cat "$SCRATCH/err")" "table 'a.csv': 2 records rejected, more than max_rejects 1 (c.yaml:10)"
pb c2.yaml '{max_rejects: 2}' ''
assert_exit 0 "$M" run c2.yaml --fresh

# ---- system (playbook top) and run (--threshold): two tables, each under its own
cp a.csv b.csv
pb s.yaml '{max_rejects: 2}' '' 'thresholds: {max_rejects: 3}'
sed -n '/^  - name: a.csv/,$p' s.yaml | sed 's/a\.csv/b.csv/' >>s.yaml
assert_exit 0 "$M" check s.yaml
assert_exit 3 "$M" run s.yaml --fresh
assert_contains "$(cat "$SCRATCH/err")" "system 'q1t': 4 records rejected, more than max_rejects 3 (s.yaml:3)"
assert_exit 3 "$M" validate s.yaml
assert_contains "$(cat "$SCRATCH/out")" "THRESHOLD: a run would stop after 10 records of table b.csv: system 'q1t': 4 records rejected"
sed -i '/^thresholds:/d' s.yaml
assert_exit 0 "$M" run s.yaml --fresh
assert_exit 3 "$M" run s.yaml --fresh --threshold max_reject_ratio=0.15 --threshold warmup_rows=20
assert_contains "$(cat "$SCRATCH/err")" "the run: 4 of 20 records rejected (20.00%), more than max_reject_ratio 0.15 (the command line"
assert_exit 2 "$M" run s.yaml --threshold max_rejectz=1
assert_contains "$(cat "$SCRATCH/err")" "unknown threshold 'max_rejectz'"

# ---- coverage thresholds: 5 of 8 by the table (62.5%), 1 defaulted (12.5%)
pb k.yaml '' '{min_mapped: 0.6, max_unmapped: 0.125}'
assert_exit 0 "$M" run k.yaml --fresh
pb k2.yaml '' '{min_mapped: 0.7}'
assert_exit 3 "$M" validate k2.yaml
assert_contains "$(cat "$SCRATCH/out")" "category coverage: 5 of 8 loaded records (62.50%) mapped by the table's codes, less than min_mapped 0.7"
assert_exit 3 "$M" run k2.yaml --fresh
assert_contains "$(cat "$SCRATCH/out")" "over a coverage threshold: table 'a.csv': category coverage: 5 of 8 loaded records"
pb k3.yaml '' '{max_unmapped: 0.1}'
assert_exit 3 "$M" run k3.yaml --fresh
assert_contains "$(cat "$SCRATCH/out")" "1 of 8 loaded records (12.50%) mapped by neither the table nor a keyword rule (defaulted), more than max_unmapped 0.1"

# ---- migrate check: mistyped keys and values with file:line
pb bad.yaml '{max_reject_ration: 0.1, warmup_rows: x}' '{min_maped: 0.9}' 'thresholds: {max_rejects: -1}'
sed -i 's/{name: status_known, field: status, in:/{name: status_known, feild: status, in:/; s/in: title, unified/in: titel, unified/' bad.yaml
assert_exit 1 "$M" check bad.yaml
err=$(cat "$SCRATCH/out" "$SCRATCH/err")
assert_contains "$err" "bad.yaml:3: 'max_rejects' must be a whole number from 0, not '-1'"
assert_contains "$err" "bad.yaml:11: unknown key 'max_reject_ration' in a table's thresholds; valid keys: max_rejects, max_reject_ratio, warmup_rows"
assert_contains "$err" "bad.yaml:11: 'warmup_rows' must be a whole number from 0, not 'x'"
assert_contains "$err" "bad.yaml:10: unknown key 'feild' in a validation rule"
assert_contains "$err" "unknown key 'min_maped' in coverage; valid keys: min_mapped, max_unmapped"
assert_contains "$err" "'in' must be title, content or [title, content], not 'titel'"
echo "ok"
