#!/usr/bin/env bash
# Incremental extraction by watermark from a PostgreSQL source: a
# timestamptz watermark with an overlap in seconds, and a numeric one.
set -euo pipefail
source "$TOP/tests/lib.sh"

legacy=legacy_t0131
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $legacy WITH (FORCE)" -c "CREATE DATABASE $legacy" >/dev/null
lq() { psql -XAtq -v ON_ERROR_STOP=1 -d "$legacy" -c "$1"; }
lq "CREATE TABLE gd (id serial PRIMARY KEY, gdbh text NOT NULL, nr text,
	updated_at timestamptz NOT NULL DEFAULT '2024-01-01 00:00:00+08');
	INSERT INTO gd (gdbh, nr, updated_at) SELECT 'G' || i, '内容' || i,
	'2024-01-01 00:00:00+08'::timestamptz + make_interval(mins => i) FROM generate_series(1, 300) i"
fresh_store
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
cat > pb.yaml <<EOT
system: {code: ss12366, hotline: "12366", name: 纳税服务热线, department: 税务局, mode: subcenter}
source: {driver: postgresql, dbname: $legacy}
tables:
  - name: gd
    key: id
    encoding: utf-8
    watermark: updated_at
    watermark_overlap: 120
    fields: {legacy_id: gdbh, content: nr}
EOT
assert_exit 0 "$BUILD/migrate" run pb.yaml --json
assert_eq 300 "$(jq .stages.extract.out "$SCRATCH/out")" "first run: everything"
lq "UPDATE gd SET nr = nr || '（已更新）', updated_at = '2024-01-02 00:00:00+08' WHERE id IN (5, 6, 7);
	INSERT INTO gd (gdbh, nr, updated_at) VALUES ('G301', '新', '2024-01-02 00:00:00+08'), ('G302', '新', '2024-01-02 00:01:00+08')"
assert_exit 0 "$BUILD/migrate" run pb.yaml --json
j=$SCRATCH/out
# the window: rows at or after the last watermark (00:00 + 300 min = 05:00) minus 2 minutes: 04:58, 04:59, 05:00 + 5 changed
assert_eq 8 "$(jq .stages.extract.out "$j")" "second run: the changed rows and the overlap"
assert_eq 8 "$(jq .stages.source.out "$j")" "the source recount covers the same window"
assert_eq true "$(jq .balanced "$j")" "balanced"
assert_eq 3 "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE content LIKE '%（已更新）'")" "updated in place"
assert_eq 302 "$(pg_query "SELECT count(*) FROM hotline.work_order")" "nothing doubled"
assert_exit 0 "$BUILD/migrate" reconcile "$(jq .run "$j")"

# a numeric watermark (a growing id), overlap in units
sed -i 's/watermark: updated_at/watermark: id/; s/watermark_overlap: 120/watermark_overlap: 2/; s/code: ss12366/code: jr12378/' pb.yaml
assert_exit 0 "$BUILD/migrate" run pb.yaml --json
assert_eq 302 "$(jq .stages.extract.out "$SCRATCH/out")" "first run of the numeric watermark"
lq "INSERT INTO gd (gdbh, nr) VALUES ('G303', 'x'), ('G304', 'y')"
assert_exit 0 "$BUILD/migrate" run pb.yaml --json
assert_eq 5 "$(jq .stages.extract.out "$SCRATCH/out")" "ids 300..304: the two new ones and an overlap of 2 below the last (302)"
assert_eq true "$(jq .balanced "$SCRATCH/out")" "balanced"
