#!/usr/bin/env bash
# archive driver end to end: CSV members of a zip (CP936 names) and a tar.gz
# migrated into the store; GBK text decoded; a ragged CSV line becomes a
# reject keyed "<archive>!<member>#<n>" with its bytes; a second run changes
# nothing (idempotent by legacy_id).
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/fixtures/archive/lib.sh"
need_csv
need zip tar gzip jq

mkdir src
name1=$(printf '\xb9\xa4\xb5\xa5\x31.csv')   # 工单1.csv in GBK
printf 'id,title\nA1,\xc4\xe3\xba\xc3\nA2,second\nA3,bad,extra\nA4,fourth\n' >"src/$name1"
printf 'id,title\nB1,b one\nB2,b two\n' >src/b.csv
(cd src && LC_ALL=C zip -q ../x.zip "$name1" && tar -czf ../y.tar.gz b.csv)

cat >pb.yaml <<'YAML'
system: {code: t_archive_run, hotline: "12345", name: archive run, department: test, mode: merge}
source: {driver: archive, dir: ., format: csv}
tables:
  - name: "[xy].*"
    members: "*.csv"
    member_encoding: cp936
    encoding: gbk
    fields: {legacy_id: id, title: title, dialled_number: {value: "12345"}}
YAML
fresh_store
"$MIGRATE" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
assert_exit 0 "$MIGRATE" run pb.yaml --json
cp out run.json
assert_eq 6 "$(jq .stages.extract.in run.json)" "records extracted"
assert_eq 1 "$(jq .stages.extract.rejected run.json)" "the ragged line rejected"
assert_eq 5 "$(jq .stages.load.out run.json)" "rows loaded"
assert_eq true "$(jq .balanced run.json)" "balanced"
assert_eq 5 "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 't_archive_run'")" "rows loaded"
assert_eq "你好" "$(pg_query "SELECT title FROM hotline.work_order WHERE source_system = 't_archive_run' AND legacy_id = 'A1'")" "GBK decoded"
assert_eq "x.zip!工单1.csv#3" "$(pg_query "SELECT convert_from(legacy_key, 'UTF8') FROM migration.reject")" "reject key"
assert_contains "$(pg_query "SELECT convert_from(raw, 'UTF8') FROM migration.reject")" "A3,bad,extra" "reject bytes"

assert_exit 0 "$MIGRATE" run pb.yaml --json
assert_eq 5 "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 't_archive_run'")" "second run: same rows"
echo ok
