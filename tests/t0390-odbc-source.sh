#!/usr/bin/env bash
# The odbc source driver through three real ODBC drivers: psqlODBC (private
# PostgreSQL), MariaDB Connector/ODBC (private MariaDB) and SQLite ODBC (a
# file). The same rows give the same peek output from all three, byte for
# byte (UTF-8, tabs, newlines, backslashes, NULLs, a 10000-byte text that
# outgrows its first buffer); GBK bytes in a SQL_ASCII database and in a
# latin1 MariaDB column come through unconverted with the DSN settings the
# docs give; resume after numeric and text keys; the recount (COUNT(*) and a
# second read hashed in C) equals the pipeline's total; one-line errors.
set -euo pipefail
source "$TOP/tests/lib.sh"

[[ -n ${PGHOST:-} && -n ${MYSQL_UNIX_PORT:-} ]] || skip "no private servers (PGHOST / MYSQL_UNIX_PORT unset)"
so() { dpkg -L "$1" 2>/dev/null | grep -m1 "/$2\$" || true; }
PGW=$(so odbc-postgresql psqlodbcw.so)
MAO=$(so odbc-mariadb libmaodbc.so)
SQO=$(so libsqliteodbc libsqlite3odbc.so)
[[ -n $PGW && -n $MAO && -n $SQO ]] ||
  skip "ODBC drivers missing (packages odbc-postgresql, odbc-mariadb, libsqliteodbc; run scripts/setup)"
command -v sqlite3 >/dev/null || skip "sqlite3 missing"
cd "$SCRATCH"

u8=t0390_utf8
sa=t0390_sqlascii
my=t0390
cleanup() {
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $u8 WITH (FORCE)" \
    -c "DROP DATABASE IF EXISTS $sa WITH (FORCE)" >/dev/null 2>&1 || true
  my_query "DROP DATABASE IF EXISTS $my" >/dev/null 2>&1 || true
}
cleanup
trap cleanup EXIT

# --- the same rows in all three; 测试 = e6 b5 8b e8 af 95, 中文 = e4 b8 ad e6 96 87 ---
long=$(printf 'long %.0s' {1..2000}) # 10000 bytes: more than the first 4 KiB buffer
ddl="CREATE TABLE wo (id integer PRIMARY KEY, code varchar(20) NOT NULL UNIQUE, title varchar(100),
  content text, created timestamp, n integer)"
psql -X -q -v ON_ERROR_STOP=1 -d postgres \
  -c "CREATE DATABASE $u8 TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C'" \
  -c "CREATE DATABASE $sa TEMPLATE template0 ENCODING 'SQL_ASCII' LOCALE 'C'" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d $u8 -c "$ddl" >/dev/null
cat >pg.sql <<EOF
INSERT INTO wo VALUES
 (1, 'A1', E'\\u6d4b\\u8bd5', E'a\\tb\\nc\\\\d', '2020-01-02 03:04:05', NULL),
 (2, 'B2', NULL, '', '2021-01-01 00:00:00', 7),
 (3, 'C3', 'x', repeat('long ', 2000), NULL, -1),
 (5, E'\\u4e2d\\u6587', E'\\u4e2d\\u6587 y', 'z', '1999-12-31 23:59:59', 0);
EOF
psql -X -q -v ON_ERROR_STOP=1 -d $u8 -f pg.sql >/dev/null
many_ddl="CREATE TABLE many (id integer PRIMARY KEY, v varchar(10))"
psql -X -q -v ON_ERROR_STOP=1 -d $u8 -c "$many_ddl" \
  -c "INSERT INTO many SELECT i, 'v' || i FROM generate_series(1, 1000) i" >/dev/null
my_query "CREATE DATABASE $my CHARACTER SET utf8mb4"
my_query <<EOF
USE $my;
$ddl;
INSERT INTO wo VALUES
 (1, 'A1', X'e6b58be8af95', CONCAT('a', CHAR(9), 'b', CHAR(10), 'c', CHAR(92), 'd'), '2020-01-02 03:04:05', NULL),
 (2, 'B2', NULL, '', '2021-01-01 00:00:00', 7),
 (3, 'C3', 'x', REPEAT('long ', 2000), NULL, -1),
 (5, X'e4b8ade69687', CONCAT(X'e4b8ade69687', ' y'), 'z', '1999-12-31 23:59:59', 0);
CREATE TABLE gb (code varchar(20) CHARACTER SET latin1 PRIMARY KEY, title varchar(50) CHARACTER SET latin1, n int);
INSERT INTO gb VALUES (X'41b2e2', X'b2e2cad4', 1), ('B2', 'x', 2), ('A0', 'y', 0);
$many_ddl;
INSERT INTO many SELECT seq, CONCAT('v', seq) FROM seq_1_to_1000;
EOF
sqlite3 lite.db <<EOF
$ddl;
INSERT INTO wo VALUES
 (1, 'A1', CAST(X'e6b58be8af95' AS TEXT), 'a' || char(9) || 'b' || char(10) || 'c' || char(92) || 'd', '2020-01-02 03:04:05', NULL),
 (2, 'B2', NULL, '', '2021-01-01 00:00:00', 7),
 (3, 'C3', 'x', '$long', NULL, -1),
 (5, CAST(X'e4b8ade69687' AS TEXT), CAST(X'e4b8ade696872079' AS TEXT), 'z', '1999-12-31 23:59:59', 0);
CREATE TABLE narrow (id integer PRIMARY KEY, v varchar(3));
$many_ddl;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 1000) INSERT INTO many SELECT i, 'v' || i FROM c;
INSERT INTO narrow VALUES (1, 'abc'), (2, 'abcdefghijklmnopqrstuvwxyz'), (3, NULL);
EOF
# SQL_ASCII database with GBK bytes: 测试 = b2 e2 ca d4
cat >sa.sql <<'EOF'
INSERT INTO wo VALUES (1, E'A\xb2\xe2', E'\xb2\xe2\xca\xd4', 'g', NULL, 1), (2, 'B2', 'x', NULL, NULL, 2);
EOF
psql -X -q -v ON_ERROR_STOP=1 -d $sa -c "$ddl" -f sa.sql >/dev/null
[[ $(psql -X -A -t -d $sa -c "SELECT encode(convert_to(title, 'SQL_ASCII'), 'hex') FROM wo WHERE id = 1") == b2e2cad4 ]] ||
  die "fixture: GBK bytes not stored in the SQL_ASCII database"

# --- ODBC configuration of our own ---
export ODBCSYSINI=$SCRATCH ODBCINI=$SCRATCH/odbc.ini
cat >odbcinst.ini <<EOF
[t0390 psqlODBC Unicode]
Driver=$PGW
[t0390 MariaDB]
Driver=$MAO
[t0390 SQLite3]
Driver=$SQO
EOF
cat >odbc.ini <<EOF
[pg]
Driver=t0390 psqlODBC Unicode
Servername=$PGHOST
Port=${PGPORT:-5432}
Database=$u8
Username=$PGUSER
[pg_sqlascii]
Driver=t0390 psqlODBC Unicode
Servername=$PGHOST
Port=${PGPORT:-5432}
Database=$sa
Username=$PGUSER
ConnSettings=SET client_encoding = 'SQL_ASCII'
[my]
Driver=t0390 MariaDB
Socket=$MYSQL_UNIX_PORT
Database=$my
User=$MIGRATE_MYSQL_USER
CHARSET=binary
[lite]
Driver=t0390 SQLite3
Database=$SCRATCH/lite.db
EOF

playbook() { # playbook FILE DSN TABLE KEY [EXTRA SOURCE OPTS] [EXTRA TABLE OPTS]
  cat >"$1" <<EOF
system: {code: t0390_${1%.yaml}, hotline: "12345", name: test, department: test, mode: merge}
source: {driver: odbc, dsn: $2${5:-}}
tables:
  - name: $3
    key: $4
    encoding: ${ENC:-utf-8}
    batch_rows: 2${6:-}
    fields: {legacy_id: $4, title: title}
EOF
}
mypw=", password_env: MIGRATE_MYSQL_PASSWORD"
# Under AddressSanitizer: the SQLite ODBC driver leaks 1.6 KB per connection
# inside itself (a bare SQLDriverConnect + SQLDisconnect shows it), psqlODBC
# 10 bytes when the DSN has ConnSettings: leak checking is off for the runs
# that load those, on for the others.
NOLEAK=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0")
pre() { [[ $1 == lite* || $1 == sa* ]] && echo "${NOLEAK[@]}" || true; }

printf '%s\n' \
  '#key	id	code	title	content	created	n' \
  '1	1	A1	\xe6\xb5\x8b\xe8\xaf\x95	a\tb\nc\\d	2020-01-02 03:04:05	\N' \
  '2	2	B2	\N		2021-01-01 00:00:00	7' \
  "3	3	C3	x	$long	\\N	-1" \
  '5	5	\xe4\xb8\xad\xe6\x96\x87	\xe4\xb8\xad\xe6\x96\x87 y	z	1999-12-31 23:59:59	0' >want
for dsn in pg my lite; do
  playbook $dsn.yaml $dsn wo id "$([[ $dsn == my ]] && echo "$mypw")"
  p=($(pre $dsn))
  assert_exit 0 "${p[@]}" "$BUILD/migrate" check $dsn.yaml
  assert_exit 0 "${p[@]}" "$BUILD/migrate" peek $dsn.yaml
  diff want "$SCRATCH/out" >/dev/null || die "$dsn: peek differs: $(diff want "$SCRATCH/out" | cut -c1-200 | head -6)"
  assert_exit 0 "${p[@]}" "$BUILD/migrate" peek $dsn.yaml --after 2
  assert_eq "$(sed -n '1p;4,5p' want)" "$(cat "$SCRATCH/out")" "$dsn: resume after numeric key 2"
  # a text key, bound as a string: ASCII and UTF-8
  playbook ${dsn}_code.yaml $dsn wo code "$([[ $dsn == my ]] && echo "$mypw")"
  assert_exit 0 "${p[@]}" "$BUILD/migrate" peek ${dsn}_code.yaml --after B2
  assert_eq "$(sed -n '1p;4,5p' want | sed 's/^3	/C3	/; s/^5	/\\xe4\\xb8\\xad\\xe6\\x96\\x87	/')" "$(cat "$SCRATCH/out")" \
    "$dsn: resume after text key B2"
  assert_exit 0 "${p[@]}" "$BUILD/migrate" peek ${dsn}_code.yaml --after C3
  assert_eq 2 "$(wc -l <"$SCRATCH/out")" "$dsn: resume after C3 leaves the UTF-8 key"
  assert_exit 0 "${p[@]}" "$BUILD/migrate" peek ${dsn}_code.yaml --after $'\xe4\xb8\xad\xe6\x96\x87'
  assert_eq 1 "$(wc -l <"$SCRATCH/out")" "$dsn: resume after the UTF-8 key leaves nothing"
  # 1000 rows: several rowsets of 256, batches of 300 that do not line up with them
  playbook ${dsn}_many.yaml $dsn many id "$([[ $dsn == my ]] && echo "$mypw")" $'0\n    commit_rows: 300'
  sed -i 's/batch_rows: 20$/batch_rows: 300/' ${dsn}_many.yaml
  assert_exit 0 "${p[@]}" "$BUILD/migrate" peek ${dsn}_many.yaml
  assert_eq "$(printf '#key\tid\tv\n'; for i in $(seq 1 1000); do printf '%s\t%s\tv%s\n' $i $i $i; done)" \
    "$(cat "$SCRATCH/out")" "$dsn: 1000 rows in key order"
  assert_exit 0 "${p[@]}" "$BUILD/migrate" peek ${dsn}_many.yaml --after 700
  assert_eq "701 1000 300" "$(sed 1d "$SCRATCH/out" | awk '{n++} NR==1{f=$1} END{print f, $1, n}')" "$dsn: resume after 700"
done

# --- GBK bytes, unconverted: psqlODBC on SQL_ASCII, MariaDB latin1 with CHARSET=binary ---
ENC=gbk playbook sa.yaml pg_sqlascii wo code
assert_exit 0 "${NOLEAK[@]}" "$BUILD/migrate" peek sa.yaml
printf '%s\n' '#key	id	code	title	content	created	n' \
  'A\xb2\xe2	1	A\xb2\xe2	\xb2\xe2\xca\xd4	g	\N	1' 'B2	2	B2	x	\N	\N	2' >want-sa
diff want-sa "$SCRATCH/out" || die "psqlODBC on SQL_ASCII: GBK bytes differ"
assert_exit 0 "${NOLEAK[@]}" "$BUILD/migrate" peek sa.yaml --after $'A\xb2\xe2'
assert_eq "$(sed -n '1p;3p' want-sa)" "$(cat "$SCRATCH/out")" "psqlODBC: resume after a GBK key"
ENC=gbk playbook gb.yaml my gb code "$mypw"
assert_exit 0 "$BUILD/migrate" peek gb.yaml
printf '%s\n' '#key	code	title	n' 'A0	A0	y	0' 'A\xb2\xe2	A\xb2\xe2	\xb2\xe2\xca\xd4	1' 'B2	B2	x	2' >want-gb
diff want-gb "$SCRATCH/out" || die "MariaDB latin1 column holding GBK: bytes differ"
assert_exit 0 "$BUILD/migrate" peek gb.yaml --after $'A\xb2\xe2'
assert_eq "$(sed -n '1p;4p' want-gb)" "$(cat "$SCRATCH/out")" "MariaDB: resume after a GBK key"

# --- a value longer than its declared size is not cut (SQLite keeps it) ---
playbook narrow.yaml lite narrow id
assert_exit 0 "${NOLEAK[@]}" "$BUILD/migrate" peek narrow.yaml
assert_eq $'#key\tid\tv\n1\t1\tabc\n2\t2\tabcdefghijklmnopqrstuvwxyz\n3\t3\t\\N' "$(cat "$SCRATCH/out")" "narrow column widened"

# --- a full connection string from the environment ---
cat >cs.yaml <<'EOF'
system: {code: t0390_cs, hotline: "12345", name: test, department: test, mode: merge}
source: {driver: odbc, connection_string_env: T0390_CS}
tables:
  - {name: wo, key: id, encoding: utf-8, fields: {legacy_id: id}}
EOF
T0390_CS="Driver=t0390 SQLite3;Database=$SCRATCH/lite.db" assert_exit 0 "${NOLEAK[@]}" "$BUILD/migrate" peek cs.yaml
diff want "$SCRATCH/out" >/dev/null || die "connection_string_env: peek differs"

# --- errors: one line, exit 1 ---
one_error() {
  assert_eq 1 "$(wc -l <"$SCRATCH/err")" "$2: one line on stderr"
  assert_contains "$(cat "$SCRATCH/err")" "$1" "$2"
}
playbook e1.yaml nosuchdsn wo id
assert_exit 1 "$BUILD/migrate" peek e1.yaml
one_error "error: cannot connect to odbc dsn 'nosuchdsn': [unixODBC][Driver Manager]Data source name not found" "bad dsn"
playbook e2.yaml pg nope id
assert_exit 1 "$BUILD/migrate" peek e2.yaml
one_error "error: table 'nope' does not exist in odbc dsn 'pg'" "missing table (psqlODBC)"
playbook e3.yaml my nope id "$mypw"
assert_exit 1 "$BUILD/migrate" peek e3.yaml
one_error "error: table 'nope' does not exist in odbc dsn 'my'" "missing table (MariaDB)"
playbook e4.yaml lite nope id
assert_exit 1 "${NOLEAK[@]}" "$BUILD/migrate" peek e4.yaml
one_error "cannot read the columns of 'nope' on odbc dsn 'lite': [SQLite]no such table: nope" "missing table (SQLite)"
playbook e5.yaml my wo id ", password_env: T0390_WRONG_PW"
T0390_WRONG_PW=wrong-t0390 assert_exit 1 "$BUILD/migrate" peek e5.yaml
one_error "cannot connect to odbc dsn 'my': " "wrong password"
assert_contains "$(cat "$SCRATCH/err")" "Access denied" "server's reason kept"
[[ $(cat "$SCRATCH/err") != *wrong-t0390* ]] || die "the password appears in a message"
playbook e6.yaml lite wo nokey
assert_exit 1 "${NOLEAK[@]}" "$BUILD/migrate" peek e6.yaml
one_error "key column 'nokey' is not in odbc table 'wo'" "missing key column"
playbook e7.yaml lite wo id "" $'\n    max_field_bytes: 5000'
assert_exit 1 "${NOLEAK[@]}" "$BUILD/migrate" peek e7.yaml
one_error "value too large: column 'content' of row id=3 in 'wo' is 10000 bytes, over max_field_bytes (5000)" "max_field_bytes"

# --- recount: COUNT(*) and a second read hashed in C equal the pipeline's totals ---
fresh_store
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
for dsn in pg my lite sa; do
  p=($(pre $dsn))
  assert_exit 0 "${p[@]}" "$BUILD/migrate" run $dsn.yaml --json
  cp "$SCRATCH/out" run-$dsn.json
  assert_eq true "$(jq .balanced run-$dsn.json)" "$dsn: balanced"
  assert_eq "$(jq .stages.extract.out run-$dsn.json)" "$(jq .stages.source.out run-$dsn.json)" "$dsn: source count = extracted"
  assert_eq "$(jq .stages.extract.total_out run-$dsn.json)" "$(jq .stages.source.total_out run-$dsn.json)" \
    "$dsn: source content total = extract total"
done
assert_eq 4 "$(jq .stages.source.out run-pg.json)" "rows recounted"
# the three drivers see the same rows: the same content total
assert_eq "$(jq .stages.source.total_out run-pg.json)" "$(jq .stages.source.total_out run-my.json)" "psqlODBC = MariaDB total"
assert_eq "$(jq .stages.source.total_out run-pg.json)" "$(jq .stages.source.total_out run-lite.json)" "psqlODBC = SQLite total"
# a change at the source shows in a reconcile
sqlite3 lite.db "UPDATE wo SET content = 'changed' WHERE id = 2"
assert_exit 3 "${NOLEAK[@]}" "$BUILD/migrate" reconcile "$(jq .run run-lite.json)" --json
[[ $(jq -r .stages.source.total_out "$SCRATCH/out") != "$(jq -r .stages.source.total_out run-lite.json)" ]] ||
  die "a changed value did not change the recount total"
exit 0
