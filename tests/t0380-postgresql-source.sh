#!/usr/bin/env bash
# The postgresql source driver on the private server: stored bytes come
# through unchanged from a UTF8 and from a SQL_ASCII database holding GBK
# (peek output byte for byte), NULLs, tabs, newlines, backslashes, bytea,
# timestamps in the pinned session format, several FETCH rounds, resume after
# a numeric and after a GBK text key, schema.table names, the SQL recount
# equal to the pipeline's own content total, and one-line errors.
set -euo pipefail
source "$TOP/tests/lib.sh"

[[ -n ${PGHOST:-} ]] || skip "no private PostgreSQL server (PGHOST unset)"
cd "$SCRATCH"

u8=t0380_utf8
sa=t0380_sqlascii
drop_dbs() {
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $u8 WITH (FORCE)" \
    -c "DROP DATABASE IF EXISTS $sa WITH (FORCE)" >/dev/null 2>&1 || true
}
drop_dbs
trap drop_dbs EXIT
psql -X -q -v ON_ERROR_STOP=1 -d postgres \
  -c "CREATE DATABASE $u8 TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C'" \
  -c "CREATE DATABASE $sa TEMPLATE template0 ENCODING 'SQL_ASCII' LOCALE 'C'" >/dev/null

# UTF8 database: 测试 = e6 b5 8b e8 af 95, 中文 = e4 b8 ad e6 96 87
psql -X -q -v ON_ERROR_STOP=1 -d $u8 <<'EOF'
CREATE TABLE wo (id bigint PRIMARY KEY, title text, content text, created timestamptz,
                 amount float8, flag bool, blob bytea, n int, pad char(4));
INSERT INTO wo VALUES
 (1, E'\u6d4b\u8bd5', E'a\tb\nc\\d\re', '2020-01-02 03:04:05+08', 0.1, true, '\x00ff', NULL, 'ab'),
 (2, NULL, '', '2020-06-30 16:00:00+00', 1e100, false, '', 7, NULL),
 (3, E'\u4e2d\u6587 x', E'\\N is not null', '1999-12-31 23:59:59.5+08', -2.5, NULL, NULL, -1, 'abcd'),
 (10, 'ten', 'x', NULL, NULL, NULL, '\x5c09', 0, ''),
 (4, 'four', E'quote'' "q"', '2021-02-03 04:05:06+08', 3, true, NULL, 4, 'x');
EOF
# SQL_ASCII database: any bytes go in; 测试 in GBK = b2 e2 ca d4, 你好 = c4 e3 ba c3
psql -X -q -v ON_ERROR_STOP=1 -d $sa <<'EOF'
CREATE SCHEMA legacy;
CREATE TABLE legacy.gd (code varchar(20) PRIMARY KEY, title text, body text, created timestamp,
                        amount numeric(10,2), flag bool, note text);
INSERT INTO legacy.gd VALUES
 ('A001', E'\xb2\xe2\xca\xd4', E'line1\nline2\tTab\\back', '2019-03-04 05:06:07', 12.50, true, NULL),
 ('A002', E'\xc4\xe3\xba\xc3', '', '2019-12-31 23:59:59.5', -0.01, false, 'x'),
 (E'B\xb2\xe2', 'gbk key', E'\x01\x7f\xff', NULL, NULL, NULL, NULL),
 ('A003', E'\x81\x30\x81\x30 mixed \xe4\xb8\xad', E'\r\n', '2020-02-29 00:00:00', 0, NULL, '');
EOF

playbook() { # playbook FILE DBNAME TABLE KEY [EXTRA SOURCE OPTS] [EXTRA TABLE OPTS]
  cat >"$1" <<EOF
system: {code: t0380_${1%.yaml}, hotline: "12345", name: test, department: test, mode: merge}
source: {driver: postgresql, dbname: $2${5:-}}
tables:
  - name: $3
    key: $4
    encoding: ${ENC:-utf-8}
    batch_rows: 2${6:-}
    fields: {legacy_id: $4, title: title}
EOF
}

# --- UTF8 database: every value as printed by the pinned session ---
playbook u8.yaml $u8 wo id
assert_exit 0 "$BUILD/migrate" check u8.yaml
assert_exit 0 "$BUILD/migrate" peek u8.yaml
printf '%s\n' \
  '#key	id	title	content	created	amount	flag	blob	n	pad' \
  '1	1	\xe6\xb5\x8b\xe8\xaf\x95	a\tb\nc\\d\re	2020-01-02 03:04:05+08	0.1	t	\x00\xff	\N	ab  ' \
  '2	2	\N		2020-07-01 00:00:00+08	1e+100	f		7	\N' \
  '3	3	\xe4\xb8\xad\xe6\x96\x87 x	\\N is not null	1999-12-31 23:59:59.5+08	-2.5	\N	\N	-1	abcd' \
  '4	4	four	quote'"'"' "q"	2021-02-03 04:05:06+08	3	t	\N	4	x   ' \
  '10	10	ten	x	\N	\N	\N	\\\t	0	    ' >want
diff want "$SCRATCH/out" || die "peek of the UTF8 database differs"

# resume after a numeric key (bound as a parameter, compared as a number: 10 > 4)
assert_exit 0 "$BUILD/migrate" peek u8.yaml --after 3
assert_eq "$(sed -n '1p;5,6p' want)" "$(cat "$SCRATCH/out")" "resume after 3"
assert_exit 0 "$BUILD/migrate" peek u8.yaml --after 10
assert_eq "$(head -1 want)" "$(cat "$SCRATCH/out")" "resume after the last key"
assert_exit 0 "$BUILD/migrate" peek u8.yaml --rows 1
assert_eq "$(head -2 want)" "$(cat "$SCRATCH/out")" "--rows 1"

# --- SQL_ASCII database with GBK bytes, schema-qualified table, text key ---
ENC=gbk playbook sa.yaml $sa legacy.gd code
assert_exit 0 "$BUILD/migrate" peek sa.yaml
printf '%s\n' \
  '#key	code	title	body	created	amount	flag	note' \
  'A001	A001	\xb2\xe2\xca\xd4	line1\nline2\tTab\\back	2019-03-04 05:06:07	12.50	t	\N' \
  'A002	A002	\xc4\xe3\xba\xc3		2019-12-31 23:59:59.5	-0.01	f	x' \
  'A003	A003	\x810\x810 mixed \xe4\xb8\xad	\r\n	2020-02-29 00:00:00	0.00	\N	' \
  'B\xb2\xe2	B\xb2\xe2	gbk key	\x01\x7f\xff	\N	\N	\N	\N' >want
diff want "$SCRATCH/out" || die "peek of the SQL_ASCII database (GBK bytes) differs"
assert_exit 0 "$BUILD/migrate" peek sa.yaml --after A002
assert_eq "$(sed -n '1p;4,5p' want)" "$(cat "$SCRATCH/out")" "resume after a text key"
assert_exit 0 "$BUILD/migrate" peek sa.yaml --after A003
assert_eq "$(sed -n '1p;5p' want)" "$(cat "$SCRATCH/out")" "resume after A003"
assert_exit 0 "$BUILD/migrate" peek sa.yaml --after $'B\xb2\xe2'
assert_eq "$(head -1 want)" "$(cat "$SCRATCH/out")" "resume after a GBK key"

# --- connection by service file and by conninfo_env ---
printf '[t0380svc]\nhost=%s\nport=%s\ndbname=%s\n' "$PGHOST" "${PGPORT:-5432}" $sa >services.conf
PGSERVICEFILE=$SCRATCH/services.conf ENC=gbk playbook svc.yaml "''" legacy.gd code ", service: t0380svc"
sed -i 's/dbname: '"''"', //' svc.yaml
PGSERVICEFILE=$SCRATCH/services.conf assert_exit 0 "$BUILD/migrate" peek svc.yaml
diff want "$SCRATCH/out" || die "peek through a pg_service.conf service differs"
T0380_CONNINFO="host=$PGHOST dbname=$sa" ENC=gbk playbook ci.yaml $sa legacy.gd code ", conninfo_env: T0380_CONNINFO"
sed -i 's/dbname: '$sa', //' ci.yaml
T0380_CONNINFO="host=$PGHOST dbname=$sa" assert_exit 0 "$BUILD/migrate" peek ci.yaml
diff want "$SCRATCH/out" || die "peek through conninfo_env differs"

# --- errors: one line, exit 1 ---
one_error() { # one_error PATTERN MSG: stderr is exactly one line holding PATTERN
  assert_eq 1 "$(wc -l <"$SCRATCH/err")" "$2: one line on stderr"
  assert_contains "$(cat "$SCRATCH/err")" "$1" "$2"
}
playbook e1.yaml $u8 nope id
assert_exit 1 "$BUILD/migrate" peek e1.yaml
one_error "error: table 'nope' does not exist in postgresql '$PGHOST' database '$u8'" "missing table"
playbook e2.yaml $u8 nope.wo id
assert_exit 1 "$BUILD/migrate" peek e2.yaml
one_error "error: table 'nope.wo' does not exist" "missing schema"
playbook e3.yaml $u8 wo code
assert_exit 1 "$BUILD/migrate" peek e3.yaml
one_error "key column 'code' is not in postgresql table 'wo'" "missing key column"
playbook e4.yaml t0380_no_such_db wo id
assert_exit 1 "$BUILD/migrate" peek e4.yaml
one_error "cannot connect to postgresql '$PGHOST' database 't0380_no_such_db': connection to server on socket" "bad database"
assert_contains "$(cat "$SCRATCH/err")" 'database "t0380_no_such_db" does not exist' "server's reason kept"
playbook e5.yaml $u8 wo id ", user: t0380_nobody, password_env: T0380_PW"
T0380_PW=secret-t0380 assert_exit 1 "$BUILD/migrate" peek e5.yaml
one_error 'role "t0380_nobody" does not exist' "unknown user"
[[ $(cat "$SCRATCH/err") != *secret-t0380* ]] || die "the password appears in a message"
assert_exit 1 "$BUILD/migrate" peek e5.yaml
one_error "environment variable 'T0380_PW' (password_env) is not set" "password_env unset"
playbook e6.yaml $u8 wo id "" $'\n    max_field_bytes: 6'
assert_exit 1 "$BUILD/migrate" peek e6.yaml
one_error "value too large: column 'content' of row id=1 in 'wo' is 9 bytes, over max_field_bytes (6)" "max_field_bytes"
# a bytea counts by its stored bytes (2), not by its hex print (6)
playbook e7.yaml $u8 wo id "" $'\n    max_field_bytes: 4'
assert_exit 0 "$BUILD/migrate" peek e7.yaml --after 4
playbook e8.yaml $u8 wo id ", bogus: 1"
assert_exit 1 "$BUILD/migrate" check e8.yaml
assert_contains "$(cat "$SCRATCH/err" "$SCRATCH/out")" "bogus" "unknown source option diagnosed"

# --- the SQL recount equals the content total the pipeline computes in C ---
fresh_store
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
for pb in u8 sa; do
  assert_exit 0 "$BUILD/migrate" run $pb.yaml --json
  cp "$SCRATCH/out" run-$pb.json
  assert_eq true "$(jq .balanced run-$pb.json)" "$pb: balanced"
  assert_eq "$(jq .stages.extract.out run-$pb.json)" "$(jq .stages.source.out run-$pb.json)" "$pb: source recount = extracted"
  assert_eq "$(jq .stages.extract.total_out run-$pb.json)" "$(jq .stages.source.total_out run-$pb.json)" \
    "$pb: source content total (sha256 in SQL) = extract total (C)"
  [[ $(jq -r .stages.source.total_out run-$pb.json) != 0 ]] || die "$pb: content total is zero"
done
assert_eq 5 "$(jq .stages.source.out run-u8.json)" "utf8 rows recounted"
assert_eq 4 "$(jq .stages.source.out run-sa.json)" "sql_ascii rows recounted"

# the recount sees a changed value: the totals part, reconcile says unbalanced
psql -X -q -d $u8 -c "UPDATE wo SET content = content || 'x' WHERE id = 2"
assert_exit 3 "$BUILD/migrate" reconcile "$(jq .run run-u8.json)" --json
assert_eq 5 "$(jq .stages.source.out "$SCRATCH/out")" "recount after the change"
[[ $(jq -r .stages.source.total_out "$SCRATCH/out") != "$(jq -r .stages.source.total_out run-u8.json)" ]] ||
  die "a changed value did not change the source content total"
exit 0
