#!/usr/bin/env bash
# dbf end to end: two DBF tables through `migrate run` into the store. The
# GBK text arrives decoded, deleted records are loaded too (their _deleted
# column is there to map or filter), extract rejects (bad memo pointers) are
# counted and kept with their bytes, and the run balances.
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/fixtures/dbf/dbf.sh
. "$TOP/tests/fixtures/dbf/dbf.sh"

mkdbf db3 badmemo
fresh_store
assert_exit 0 "$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv"

cat >pb.yaml <<EOT
system: {code: t_dbf, hotline: "12345", name: dbf test, department: test, mode: merge}
source: {driver: dbf, dir: "$FX"}
tables:
  - name: db3.dbf
    encoding: gbk
    fields:
      legacy_id: ID
      caller_name: NAME
      title: TITLE
      content: TITLE
      request_type: _deleted
      received_at: {column: BORN, type: datetime, formats: ["%Y%m%d"], zero: null}
EOT
assert_exit 0 "$BUILD/migrate" check pb.yaml
assert_exit 0 "$BUILD/migrate" run pb.yaml --json
cp "$SCRATCH/out" run.json
assert_eq 5 "$(jq .stages.extract.out run.json)" "extracted"
assert_eq 5 "$(jq .stages.load.out run.json)" "loaded"
assert_eq true "$(jq .balanced run.json)" "balanced"
assert_eq "1|投诉噪音扰民|F
2||T
3|臺北 路灯不亮|F
4|back\slash|F
5|市民来电反映路灯不亮|F" "$(pg_query "SELECT legacy_id, coalesce(title, ''), request_type FROM hotline.work_order
  WHERE source_system = 't_dbf' ORDER BY legacy_id")" "decoded text and _deleted"
assert_eq "2019-03-15" "$(pg_query "SELECT to_char(received_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')
  FROM hotline.work_order WHERE source_system = 't_dbf' AND legacy_id = '1'")" "date"

# bad memo pointers: extract rejects with the record's bytes
cat >pb2.yaml <<EOT
system: {code: t_dbf2, hotline: "12345", name: dbf test, department: test, mode: merge}
source: {driver: dbf, dir: "$FX"}
tables:
  - name: badmemo.dbf
    encoding: gbk
    fields: {legacy_id: ID, content: NOTE}
EOT
assert_exit 0 "$BUILD/migrate" run pb2.yaml --json
cp "$SCRATCH/out" run2.json
assert_eq true "$(jq .balanced run2.json)" "balanced with rejects"
assert_eq 6 "$(jq .stages.extract.in run2.json)" "records met"
assert_eq 2 "$(jq .stages.extract.out run2.json)" "rows"
assert_eq 4 "$(jq .stages.extract.rejected run2.json)" "rejects"
assert_eq 2 "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 't_dbf2'")" "loaded"
assert_eq 4 "$(pg_query "SELECT count(*) FROM migration.reject WHERE reason = 'bad_memo' AND raw IS NOT NULL")" "rejects stored"
