#!/usr/bin/env bash
# Repairs with an audit trail: double-encoded UTF-8, GBK read as latin1 and
# CP936's lone 0x80 are repaired only where the playbook asks, each change
# recorded with the original bytes, the rules and the result; genuine text is
# untouched; damage that cannot be undone is a reject.
set -euo pipefail
source "$TOP/tests/lib.sh"

db=legacy_t0170
hex() { printf '%s' "$1" | xxd -p | tr -d '\n'; }
latin1_read() { printf '%s' "$1" | iconv -f latin1 -t utf-8; }   # bytes read as latin1, written as UTF-8
double=$(latin1_read "市民投诉路灯不亮")                          # 市民... -> å¸\u0082æ°\u0091...
triple=$(latin1_read "$(latin1_read "嘉峪关")")
gbk_lat=$(printf '%s' "王小明" | iconv -f utf-8 -t gbk | iconv -f latin1 -t utf-8)
# one mojibake character lost (U+0082 became '?'): 市 can no longer be restored
broken_hex=$(printf '%s' "$double" | xxd -p | tr -d '\n' | sed 's/c282/3f/')
my_query "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db;
	CREATE TABLE $db.gd (id INT PRIMARY KEY, gdbh VARCHAR(20), nr TEXT, xm VARCHAR(40)) DEFAULT CHARSET=utf8mb4;
	CREATE TABLE $db.gd_gbk (id INT PRIMARY KEY, gdbh VARCHAR(20), nr TEXT) DEFAULT CHARSET=latin1"
my_query "INSERT INTO $db.gd VALUES
	(1, 'A1', X'$(hex "$double")', X'$(hex "$gbk_lat")'),
	(2, 'A2', X'$(hex "$triple")', X'$(hex "Café naïve")'),
	(3, 'A3', X'$(hex "正常的中文内容")', X'$(hex "李四")'),
	(4, 'A4', X'$broken_hex', 'x')"
my_query "INSERT INTO $db.gd_gbk VALUES (1, 'B1', X'$(printf '%s' '价格100' | iconv -f utf-8 -t gbk | xxd -p)80')"
cat > pb.yaml <<EOT
system: {code: t0170, hotline: "12345", name: test, department: test, mode: merge}
source:
  driver: mysql
  socket: \${MYSQL_UNIX_PORT}
  database: $db
  user: \${MIGRATE_MYSQL_USER}
  password_env: MIGRATE_MYSQL_PASSWORD
tables:
  - name: gd
    key: id
    encoding: utf-8
    repair: utf8_as_latin1, gbk_as_latin1
    fields: {legacy_id: gdbh, content: nr, caller_name: xm}
  - name: gd_gbk
    key: id
    encoding: gb18030
    repair: euro_0x80
    fields: {legacy_id: gdbh, content: nr}
EOT
fresh_store
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
assert_exit 0 "$BUILD/migrate" check pb.yaml
assert_exit 0 "$BUILD/migrate" run pb.yaml --json
j=$SCRATCH/out
assert_eq 2 "$(jq '.fixes.utf8_as_latin1' "$j")" "two values double-encoded (once, twice)"
assert_eq 1 "$(jq '.fixes.gbk_as_latin1' "$j")" "one GBK name read as latin1"
assert_eq 1 "$(jq '.fixes.euro_0x80' "$j")" "one euro byte"
assert_eq 1 "$(jq '.rejects["decode.unrepairable"]' "$j")" "a half-broken value is rejected, not guessed"
assert_eq "市民投诉路灯不亮" "$(pg_query "SELECT content FROM hotline.work_order WHERE legacy_id = 'A1'")" "double-encoded repaired"
assert_eq "嘉峪关" "$(pg_query "SELECT content FROM hotline.work_order WHERE legacy_id = 'A2'")" "triple-encoded repaired"
assert_eq "王小明" "$(pg_query "SELECT caller_name FROM hotline.work_order WHERE legacy_id = 'A1'")" "GBK-as-latin1 repaired"
assert_eq "Café naïve" "$(pg_query "SELECT caller_name FROM hotline.work_order WHERE legacy_id = 'A2'")" "genuine Latin text untouched"
assert_eq "正常的中文内容" "$(pg_query "SELECT content FROM hotline.work_order WHERE legacy_id = 'A3'")" "genuine Chinese untouched"
assert_eq "价格100€" "$(pg_query "SELECT content FROM hotline.work_order WHERE legacy_id = 'B1'")" "CP936 euro"
# the audit trail: every change with its original bytes, rules and result
assert_eq 4 "$(pg_query "SELECT count(*) FROM migration.repair")" "four repaired values recorded"
assert_eq "$(hex "$double")" "$(pg_query "SELECT encode(original, 'hex') FROM migration.repair WHERE column_name = 'nr' AND legacy_key = '1'::bytea AND source_table = '$db.gd'")" "original bytes kept"
assert_eq "{utf8_as_latin1}|2" "$(pg_query "SELECT rules::text || '|' || passes FROM migration.repair WHERE legacy_key = '2'::bytea AND column_name = 'nr'")" "rule and layers"
assert_eq "{euro_0x80}" "$(pg_query "SELECT rules::text FROM migration.repair WHERE column_name = 'nr' AND source_table = '$db.gd_gbk'")" "the byte rule"
assert_eq true "$(jq .balanced "$j")" "balanced"

# without repair: nothing changed, nothing counted
sed -i '/repair:/d' pb.yaml
fresh_store
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
assert_exit 0 "$BUILD/migrate" run pb.yaml --json
assert_eq null "$(jq '.fixes.utf8_as_latin1' "$SCRATCH/out")" "no repair unless asked"
assert_eq "$double" "$(pg_query "SELECT content FROM hotline.work_order WHERE legacy_id = 'A1'")" "loaded as it was"
assert_eq 1 "$(jq '.rejects["decode.undecodable"]' "$SCRATCH/out")" "the euro byte is undecodable in GB18030 without the rule"
assert_eq 0 "$(pg_query "SELECT count(*) FROM migration.repair")" "no audit rows"

# an unknown rule name is a playbook mistake
sed -i 's/    encoding: utf-8/    encoding: utf-8\n    repair: utf8_as_latin2/' pb.yaml
assert_exit 1 "$BUILD/migrate" check pb.yaml
assert_contains "$(cat "$SCRATCH/err")" "utf8_as_latin2" "names the unknown rule"
