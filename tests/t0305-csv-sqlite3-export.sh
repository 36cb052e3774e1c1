#!/usr/bin/env bash
# csv: a file written by another program, sqlite3's CSV mode (quoted commas,
# quotes, line breaks, CRLF inside a value, tabs, UTF-8), reads back to the
# values stored in the database, and as many records as rows.
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SCRATCH"
# shellcheck source=tests/fixtures/csv/lib.sh
. "$TOP/tests/fixtures/csv/lib.sh"
command -v sqlite3 >/dev/null || skip "sqlite3 is not installed"


sqlite3 legacy.db <<'EOF'
CREATE TABLE gd (id INTEGER PRIMARY KEY, title TEXT, body TEXT);
INSERT INTO gd VALUES (1, 'plain', 'a, b');
INSERT INTO gd VALUES (2, 'quote "x"', 'line1' || char(10) || 'line2');
INSERT INTO gd VALUES (3, 'crlf', 'r' || char(13) || char(10) || 'n');
INSERT INTO gd VALUES (4, NULL, '');
INSERT INTO gd VALUES (5, '路灯不亮', 'tab' || char(9) || 'x');
WITH RECURSIVE n(i) AS (SELECT 6 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
INSERT INTO gd SELECT i, 'row ' || i, printf('"%d", %d' || char(10), i, i) FROM n;
EOF
sqlite3 -csv -header legacy.db 'SELECT id, title, body FROM gd ORDER BY id' >export.csv

cat >pb.yaml <<'EOF'
system: {code: t_csv, hotline: "12345", name: test, department: test, mode: merge}
source: {driver: csv, dir: .}
tables:
  - name: export.csv
    encoding: utf-8
    fields: {legacy_id: id, title: title, content: body}
EOF
"$M" peek pb.yaml >got 2>err || die "peek failed: $(cat err)"
{
  row '#key' id title body
  row 'export.csv#1' 1 plain 'a, b'
  row 'export.csv#2' 2 'quote "x"' 'line1\nline2'
  row 'export.csv#3' 3 crlf 'r\r\nn'
  row 'export.csv#4' 4 '' ''
  row 'export.csv#5' 5 '\xe8\xb7\xaf\xe7\x81\xaf\xe4\xb8\x8d\xe4\xba\xae' 'tab\tx'
  row 'export.csv#6' 6 'row 6' '"6", 6\n'
} >exp
diff -u exp <(head -n 7 got) >&2 || die "sqlite3 export: first rows differ"
assert_eq 2000 "$(grep -c '^export\.csv#' got)" "one record per database row"
assert_eq 0 "$(grep -c '^!reject' got || true)" "no rejects"
assert_eq $'export.csv#2000\t2000\trow 2000\t"2000", 2000\\n' "$(tail -n 1 got)" "last row"
# the same rows the database holds: compare with sqlite3's own listing
sqlite3 -separator $'\t' legacy.db "SELECT 'export.csv#' || id, id, title FROM gd WHERE id > 5 ORDER BY id" >db.txt
diff -u db.txt <(tail -n +7 got | cut -f 1-3) >&2 || die "rows 6.. differ from the database"
echo ok
