#!/usr/bin/env bash
# Drill-down with a PostgreSQL source: a text key under an ICU collation
# (the drill orders by the key's bytes, COLLATE "C", whatever the column's
# collation, and splits at the source's median key), with Chinese, upper-
# and lower-case keys; and an integer key with a bytea column (midpoint
# splits). Changes at the source and in the store are each named by key and
# kind; a whole-table listing (large leaves) finds nothing spurious, which
# shows both sides agree on the order.
set -euo pipefail
source "$TOP/tests/lib.sh"

[[ -n ${PGHOST:-} ]] || skip "no private PostgreSQL server (PGHOST unset)"
src=t0643_legacy
drop_src() { psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $src WITH (FORCE)" >/dev/null 2>&1 || true; }
drop_src
trap drop_src EXIT
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $src TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C'" >/dev/null
coll=$(psql -XAt -d $src -c "SELECT collname FROM pg_collation WHERE collname IN ('zh-x-icu', 'und-x-icu') ORDER BY 1 DESC LIMIT 1")
[[ -n $coll ]] || coll=C
psql -X -q -v ON_ERROR_STOP=1 -d $src <<EOF
CREATE TABLE gd (code text COLLATE "$coll" PRIMARY KEY, title text, body text, created timestamptz);
INSERT INTO gd SELECT CASE i % 3 WHEN 0 THEN upper(md5(i::text)) WHEN 1 THEN md5(i::text)
                        ELSE '工单' || md5(i::text) END,
                      'title ' || i, repeat('内容', i % 7), '2021-01-01'::timestamptz + i * interval '1 hour'
  FROM generate_series(1, 3000) i;
CREATE TABLE wo (id int PRIMARY KEY, title text, blob bytea);
INSERT INTO wo SELECT i * 7, 'w' || i, convert_to(md5(i::text), 'UTF8') FROM generate_series(1, 3000) i;
CREATE TABLE bk (k bytea PRIMARY KEY, title text);
INSERT INTO bk SELECT decode(md5(i::text), 'hex'), 'b' || i FROM generate_series(1, 2000) i;
INSERT INTO bk VALUES ('\x', 'empty key'), ('\x00', 'zero'), ('\x0000', 'zero zero'), ('\xff', 'ff');
EOF

fresh_store
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
playbook() { # FILE SYSTEM TABLE KEY [LEGACY_ID]
  cat >"$1" <<EOF
system: {code: $2, hotline: "12345", name: drill test, department: test, mode: merge}
source: {driver: postgresql, dbname: $src}
tables:
  - name: $3
    key: $4
    encoding: utf-8
    fields: {legacy_id: ${5:-$4}, title: title}
EOF
}
playbook text.yaml t0643_text gd code
playbook int.yaml t0643_int wo id
playbook bytea.yaml t0643_bytea bk k title
assert_exit 0 "$BUILD/migrate" run text.yaml --json
run_t=$(jq .run "$SCRATCH/out")
assert_exit 0 "$BUILD/migrate" run int.yaml --json
run_i=$(jq .run "$SCRATCH/out")
assert_eq 3000 "$(jq .stages.load.out "$SCRATCH/out")" "int table: every row loaded"
assert_exit 0 "$BUILD/migrate" run bytea.yaml --json
run_b=$(jq .run "$SCRATCH/out")

findings() { grep -E '^(missing|extra|changed|source-changed) key=' "$SCRATCH/out" | cut -d' ' -f1,2 | sort; }

# --- nothing changed; a whole-table listing finds nothing either ---
for leaf in 1000 100000; do
  assert_exit 0 "$BUILD/migrate" reconcile "$run_t" --drill --leaf-rows $leaf
  assert_eq "" "$(findings)" "text key, nothing changed, leaf rows $leaf"
done
assert_contains "$(cat "$SCRATCH/out")" "keys as bytes" "a text key compares as bytes"
assert_exit 0 "$BUILD/migrate" reconcile "$run_i" --drill
assert_contains "$(cat "$SCRATCH/out")" "keys as integer" "an int key compares as a number"

# --- text key: changes at the source and in the store ---
k() { psql -XAt -d $src -c "SELECT code FROM gd ORDER BY code COLLATE \"C\" OFFSET $1 LIMIT 1"; }
upd=$(k 100) gone=$(k 1500) del=$(k 2500) edit=$(k 2900)
zh=$(psql -XAt -d $src -c "SELECT code FROM gd WHERE code LIKE '工单%' ORDER BY code COLLATE \"C\" OFFSET 10 LIMIT 1")
psql -X -q -v ON_ERROR_STOP=1 -d $src <<EOF
UPDATE gd SET body = body || '!' WHERE code = '$upd';
UPDATE gd SET title = 'changed' WHERE code = '$zh';
DELETE FROM gd WHERE code = '$gone';
INSERT INTO gd VALUES ('Zz-new', 'new', 'new', now()), ('工单新', 'new', NULL, NULL);
EOF
pg_query "DELETE FROM hotline.work_order WHERE run_id = $run_t AND legacy_key = convert_to('$del', 'UTF8')" >/dev/null
pg_query "UPDATE hotline.work_order SET title = title || '.' WHERE run_id = $run_t AND legacy_key = convert_to('$edit', 'UTF8')" >/dev/null
# a key as drill-down prints it: printable ASCII as is, other bytes as \xHH
esc() {
  local s=$1 out= c h n i LC_ALL=C
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    printf -v n '%d' "'$c"
    ((n < 0)) && n=$((n + 256))
    if ((n > 32 && n < 127 && n != 92)); then out+=$c; else printf -v h '\\x%02x' "$n" && out+=$h; fi
  done
  printf '%s' "$out"
}
printf '%s\n' "source-changed key=$(esc "$upd")" "source-changed key=$(esc "$zh")" "extra key=$(esc "$gone")" \
  "missing key=Zz-new" "missing key=$(esc 工单新)" "missing key=$(esc "$del")" "changed key=$(esc "$edit")" | sort >want
for leaf in 100 1000 100000; do
  assert_exit 3 "$BUILD/migrate" reconcile "$run_t" --drill --leaf-rows $leaf
  findings >got
  diff want got || die "text key findings differ (leaf rows $leaf)"
done
assert_exit 3 "$BUILD/migrate" reconcile "$run_t" --drill --leaf-rows 100 --json
((($(jq .drill.max_depth "$SCRATCH/out")) >= 3)) || die "no median splits"
assert_eq bytes "$(jq -r .drill.key_order "$SCRATCH/out")" "key order in JSON"

# --- integer key with a bytea column ---
psql -X -q -v ON_ERROR_STOP=1 -d $src <<EOF
UPDATE wo SET blob = blob || '\x00'::bytea WHERE id = 7 * 1234;
DELETE FROM wo WHERE id = 7 * 2345;
INSERT INTO wo VALUES (7 * 3000 + 1, 'new', NULL);
EOF
pg_query "DELETE FROM hotline.work_order WHERE run_id = $run_i AND legacy_key = convert_to('$((7 * 100))', 'UTF8')" >/dev/null
printf '%s\n' "source-changed key=$((7 * 1234))" "extra key=$((7 * 2345))" "missing key=$((7 * 3000 + 1))" \
  "missing key=$((7 * 100))" | sort >want
for leaf in 50 1000; do
  assert_exit 3 "$BUILD/migrate" reconcile "$run_i" --drill --leaf-rows $leaf
  findings >got
  diff want got || die "integer key findings differ (leaf rows $leaf)"
done

# --- bytea key: bytes order (the empty key, 00 and 00 00 first), bound in binary ---
assert_exit 0 "$BUILD/migrate" reconcile "$run_b" --drill --leaf-rows 100000
assert_eq "" "$(findings)" "bytea key, nothing changed, one whole listing"
assert_exit 0 "$BUILD/migrate" reconcile "$run_b" --drill --leaf-rows 10
assert_eq "" "$(findings)" "bytea key, nothing changed, small leaves"
psql -X -q -v ON_ERROR_STOP=1 -d $src -c "DELETE FROM bk WHERE k IN ('\\x00', decode(md5('77'), 'hex'))" \
  -c "UPDATE bk SET title = 'b1000!' WHERE k = decode(md5('1000'), 'hex')" >/dev/null
hx() { # the md5 of $1 as drill-down prints key bytes
  local h out= i n c
  h=$(printf '%s' "$1" | md5sum | cut -c1-32)
  for ((i = 0; i < 32; i += 2)); do
    n=$((16#${h:i:2}))
    if ((n > 32 && n < 127 && n != 92)); then printf -v c "\\x${h:i:2}" && out+=$c; else out+="\\x${h:i:2}"; fi
  done
  printf '%s' "$out"
}
printf '%s\n' 'extra key=\x00' "extra key=$(hx 77)" "source-changed key=$(hx 1000)" | sort >want
for leaf in 20 1000; do
  assert_exit 3 "$BUILD/migrate" reconcile "$run_b" --drill --leaf-rows $leaf
  findings >got
  diff want got || die "bytea key findings differ (leaf rows $leaf)"
done
