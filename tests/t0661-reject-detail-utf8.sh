#!/usr/bin/env bash
# A reject's detail quotes the value it could not use, cut to 40 bytes but
# never in the middle of a UTF-8 character (the detail is text in the store:
# half a character there would make the run fail instead of rejecting the
# record): long Chinese values in a date, a code and a duration field.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SCRATCH"
[[ -n ${PGHOST:-} ]] || skip "no private PostgreSQL (PGHOST unset)"

long=二零二一年七月一日上午九点二十七分十三秒左右来电反映情况  # 27 characters, 81 bytes
mkdir -p data
{
	echo "id,ldsj,zt,thsc"
	echo "r1,$long,1,125"                  # 40 bytes end inside the 14th character
	echo "r2,2021-07-01 09:27:13,x$long,125"  # the code: 1 + 39 bytes, inside one too
	echo "r3,2021-07-01 09:27:13,1,xx$long"   # the duration: 2 + 38 bytes
	echo "r4,2021-07-01 09:27:13,1,125"
} > data/calls.csv
printf 'legacy,unified\n1,受理\n' > status.csv
cat > t.yaml <<'EOT'
system: {code: t0661, hotline: "12345", name: test, department: test, mode: merge}
source: {driver: csv, dir: data}
tables:
  - name: calls.csv
    encoding: utf-8
    fields:
      legacy_id: id
      received_at: {column: ldsj, type: datetime}
      status: {column: zt, type: code, table: status.csv, unmapped: reject}
      content: thsc
EOT
fresh_store
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
assert_exit 0 "$BUILD/migrate" run t.yaml --json
assert_eq 2 "$(jq .stages.load.out "$SCRATCH/out")" "two records loaded (r3: its content is only text here)"
assert_eq 2 "$(jq '[.rejects[]] | add' "$SCRATCH/out")" "two rejected"
# the date: 'column ldsj holds' + 13 whole characters (39 bytes)
assert_eq "column 'ldsj' holds '${long:0:13}'" \
	"$(pg_query "SELECT detail FROM migration.reject WHERE legacy_key = convert_to('r1', 'UTF8') OR detail LIKE '%ldsj%'")" \
	"the date's detail ends at a character"
assert_eq "column 'zt' code 'x${long:0:13}' is not in its table" \
	"$(pg_query "SELECT detail FROM migration.reject WHERE detail LIKE '%''zt''%'")" \
	"the code's detail ends at a character"

# the duration field of a call record
cat > c.yaml <<'EOT'
system: {code: t0661c, hotline: "95598", name: test, department: test, mode: subcenter}
source: {driver: csv, dir: data}
tables:
  - name: calls.csv
    encoding: utf-8
    target: call_record
    fields:
      legacy_id: id
      duration_seconds: {column: thsc, type: duration}
EOT
assert_exit 0 "$BUILD/migrate" run c.yaml --json
assert_eq "column 'thsc' holds 'xx${long:0:12}', not a duration" \
	"$(pg_query "SELECT detail FROM migration.reject r JOIN migration.run u ON u.id = r.run_id
	  WHERE u.source_system = 't0661c'")" "the duration's detail ends at a character"
echo ok
