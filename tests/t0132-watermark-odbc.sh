#!/usr/bin/env bash
# Incremental extraction by watermark through ODBC (SQLite ODBC, a text
# date-time column, and MariaDB Connector/ODBC, a DATETIME column): the
# lower bound W minus the overlap is computed by the tool and bound as a
# parameter, so no SQL dialect's date arithmetic is needed.
set -euo pipefail
source "$TOP/tests/lib.sh"

so() { dpkg -L "$1" 2>/dev/null | grep -m1 "/$2\$" || true; }
SQO=$(so libsqliteodbc libsqlite3odbc.so)
MAO=$(so odbc-mariadb libmaodbc.so)
[[ -n $SQO && -n $MAO ]] || skip "ODBC drivers missing (libsqliteodbc, odbc-mariadb; run scripts/setup)"
export ODBCSYSINI=$SCRATCH ODBCINI=$SCRATCH/odbc.ini
printf '[t0132 SQLite3]\nDriver=%s\n[t0132 MariaDB]\nDriver=%s\n' "$SQO" "$MAO" > odbcinst.ini
printf '[lite]\nDriver=t0132 SQLite3\nDatabase=%s/lite.db\n[my]\nDriver=t0132 MariaDB\nSocket=%s\nDatabase=t0132\nUser=%s\nCHARSET=binary\n' \
	"$SCRATCH" "$MYSQL_UNIX_PORT" "$MIGRATE_MYSQL_USER" > odbc.ini
NOLEAK=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0")   # the SQLite ODBC driver leaks

sqlite3 lite.db "CREATE TABLE gd (id INTEGER PRIMARY KEY, gdbh TEXT, nr TEXT, gxsj TEXT);
	WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
	INSERT INTO gd SELECT i, 'Y' || i, '知识' || i, datetime('2024-03-01 00:00:00', '+' || i || ' minutes') FROM n;"
fresh_store
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
cat > pb.yaml <<'EOT'
system: {code: yz12305, hotline: "12305", name: 邮政业用户申诉热线, department: 邮政管理局, mode: subcenter}
source: {driver: odbc, dsn: lite}
tables:
  - name: gd
    key: id
    encoding: utf-8
    watermark: gxsj
    watermark_overlap: 180
    fields: {legacy_id: gdbh, content: nr}
EOT
assert_exit 0 "${NOLEAK[@]}" "$BUILD/migrate" run pb.yaml --json
assert_eq 200 "$(jq .stages.extract.out "$SCRATCH/out")" "first run: everything"
assert_eq "2024-03-01 03:20:00" "$(pg_query "SELECT value FROM migration.watermark")" "the highest gxsj"
sqlite3 lite.db "UPDATE gd SET nr = nr || '*', gxsj = '2024-03-02 00:00:00' WHERE id IN (10, 11);
	INSERT INTO gd VALUES (201, 'Y201', '新', '2024-03-02 00:05:00')"
assert_exit 0 "${NOLEAK[@]}" "$BUILD/migrate" run pb.yaml --json
j=$SCRATCH/out
# the window: gxsj >= 03:20:00 - 3 minutes = 03:17:00: ids 197..200, 10, 11, 201
assert_eq 7 "$(jq .stages.extract.out "$j")" "second run: changed rows, the new one and the overlap"
assert_eq 7 "$(jq .stages.source.out "$j")" "the recount covers the same window"
assert_eq true "$(jq .balanced "$j")" "balanced"
assert_eq 2 "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE content LIKE '%*'")" "updated in place"
assert_eq 201 "$(pg_query "SELECT count(*) FROM hotline.work_order")" "nothing doubled"

# MariaDB through ODBC, a DATETIME watermark
my_query "DROP DATABASE IF EXISTS t0132; CREATE DATABASE t0132;
	CREATE TABLE t0132.gd (id INT PRIMARY KEY, gdbh VARCHAR(20), nr TEXT, gxsj DATETIME);
	INSERT INTO t0132.gd VALUES (1, 'M1', 'a', '2024-01-01 10:00:00'), (2, 'M2', 'b', '2024-01-01 11:00:00')"
sed "s/dsn: lite}/dsn: my, user: $MIGRATE_MYSQL_USER, password_env: MIGRATE_MYSQL_PASSWORD}/; s/code: yz12305/code: jt12328/" pb.yaml > my.yaml
assert_exit 0 "$BUILD/migrate" run my.yaml --json
my_query "INSERT INTO t0132.gd VALUES (3, 'M3', 'c', '2024-01-01 12:00:00')"
assert_exit 0 "$BUILD/migrate" run my.yaml --json
assert_eq 2 "$(jq .stages.extract.out "$SCRATCH/out")" "the new row and the one at the last watermark (>=), nothing older"
assert_eq true "$(jq .balanced "$SCRATCH/out")" "balanced"
