#!/usr/bin/env bash
# Conformance: EVERY registered source driver through the contract of
# extractors/extractor.h (tests/tools/conformance.c checks the rules), each
# on a fixture of 25 rows whose keys are known: open, start, next_batch to
# MG_DONE and MG_DONE again twice, count and first/last key, the same rows
# with one row per batch, resume after the key of several rows (across file,
# member and archive boundaries; after the last key: no rows), start of a
# missing table, file or key column failing with a message and close after
# it, a failing open, close(NULL), recount against the count and content
# total of the rows read, and, where a driver has them, the drill-down range
# operations and the incremental (watermark) window. A registry entry that
# is not compiled in, or a registered driver without a fixture here, fails
# the test. The database drivers hold the same rows, so their content totals
# must also agree with each other. Runs under the build's sanitizers.
set -euo pipefail
source "$TOP/tests/lib.sh"
cd "$SCRATCH"

N=25
missing=() # drivers that could not run here (no servers / ODBC drivers): skip at the end
failed=()

# --- the conformance program, built against the build's library objects ---
build_conformance() {
  local objs=() o san=() syms pkgs="libpq libmariadb odbc libarchive expat yaml-0.1 jansson libcrypto"
  for o in "$BUILD"/obj/migrate/*.o "$BUILD"/obj/extractors/*.o "$BUILD"/obj/transform/*.o "$BUILD"/obj/loaders/*.o; do
    [[ -f $o ]] || continue
    case ${o##*/} in main.o | report.o | cmd_*.o) continue ;; esac
    objs+=("$o")
  done
  ((${#objs[@]})) || die "no library objects in $BUILD/obj: build first"
  syms=$(nm "$BUILD/obj/extractors/registry.o")
  [[ $syms == *__asan* ]] && san+=(-fsanitize=address -fno-omit-frame-pointer)
  [[ $syms == *__ubsan* ]] && san+=(-fsanitize=undefined -fno-sanitize-recover=all)
  # shellcheck disable=SC2046,SC2086
  cc -std=c11 -D_GNU_SOURCE -pthread -g "${san[@]}" -I"$TOP" $(pkg-config --cflags $pkgs) \
    -o conformance "$TOP/tests/tools/conformance.c" "${objs[@]}" $(pkg-config --libs $pkgs) -lm -pthread ||
    die "cannot build tests/tools/conformance.c"
}
build_conformance

# conform NAME DIR [VAR=VALUE...] -- PLAYBOOK ARGS...: run the program in DIR, its report in NAME.log
conform() {
  local name=$1 dir=$2 envs=() rc=0
  shift 2
  while [[ $1 != -- ]]; do
    envs+=("$1")
    shift
  done
  shift
  (cd "$dir" && exec env "${envs[@]}" "$SCRATCH/conformance" "$@") >"$name.log" 2>&1 || rc=$?
  sed "s/^/[$name] /" "$name.log"
  ((rc > 128)) && echo "[$name] not ok: killed by signal $((rc - 128)) in: $(grep '^# ' "$name.log" | tail -n 1)"
  grep -qi 'sanitizer\|runtime error' "$name.log" && rc=1
  ((rc == 0)) || failed+=("$name")
}

# --- every registry entry compiled in, every driver with a fixture below ---
drivers=$(./conformance --list) || die "registry: $(echo "$drivers" | grep 'not ok')"
[[ -n $drivers ]] || die "registry: no drivers"
fixtures=" mysql postgresql odbc csv fixed dbf xlsx archive replay "
for d in $drivers; do
  [[ $fixtures == *" $d "* ]] || die "driver '$d' is registered but t0700 has no conformance fixture for it: add one"
done

# the rows: id, code, txt; row 3 holds GBK bytes (测试), row 5 a comma
row_txt() {
  case $1 in
  3) printf 'row 3 \xb2\xe2\xca\xd4' ;;
  5) printf 'row 5, with a comma' ;;
  *) printf 'row %d' "$1" ;;
  esac
}

pb_file() { # FILE DRIVER SOURCE-EXTRA TABLE-GLOB TABLE-LINES...: a file-driver playbook; tables 2 and 3
  #           name a missing file and a missing directory
  local f=$1 drv=$2 src=$3 glob=$4 l
  shift 4
  {
    printf 'system: {code: t0700_%s, hotline: "12345", name: test, department: test, mode: merge}\n' "$drv"
    printf 'source: {driver: %s, dir: .%s}\n' "$drv" "$src"
    printf 'tables:\n  - name: "%s"\n    encoding: gbk\n    batch_rows: 4\n' "$glob"
    for l in "$@"; do printf '    %s\n' "$l"; done
    printf '    fields: {legacy_id: id}\n'
    printf '  - name: "%s"\n    encoding: gbk\n    fields: {legacy_id: id}\n' "data/nope*" "nope/*"
  } >"$f"
}
# a playbook whose open fails: the source directory names an unset variable
bad_open_file() { # FILE DRIVER [SOURCE-EXTRA]
  # shellcheck disable=SC2016 # ${...} is for the playbook, not the shell
  printf 'system: {code: t0700_bad, hotline: "12345", name: t, department: t, mode: merge}\nsource: {driver: %s, dir: "${T0700_UNSET_VARIABLE}"%s}\ntables:\n  - {name: x, encoding: gbk, fields: {legacy_id: id}}\n' \
    "$2" "${3:-}" >"$1"
}

# --- csv: two files, keys data/a.csv#1..12, data/b.csv#1..13 ---
mkdir -p csv/data
csv_rows() { # FROM TO
  local i
  printf 'id,code,txt\r\n'
  for ((i = $1; i <= $2; i++)); do
    if ((i == 5)); then printf '%d,C%03d,"%s"\r\n' "$i" "$i" "$(row_txt "$i")"; else printf '%d,C%03d,%s\r\n' "$i" "$i" "$(row_txt "$i")"; fi
  done
}
csv_rows 1 12 >csv/data/a.csv
csv_rows 13 25 >csv/data/b.csv
(cd csv && pb_file pb.yaml csv "" "data/*.csv" && bad_open_file bad.yaml csv)
conform csv csv -- pb.yaml --rows $N --first data/a.csv#1 --last data/b.csv#13 --bad-table 1,2 \
  --bad-open bad.yaml --resume 1,11,12,13,24,25

# --- csv with a reject (a ragged line) among the rows: record numbers count it,
#     resuming around it skips it, every batch size sees it once ---
mkdir -p csvrej/data
{ csv_rows 1 5; printf '6,ragged\r\n'; csv_rows 7 10 | tail -n +2; } >csvrej/data/c.csv
(cd csvrej && pb_file pb.yaml csv "" "data/*.csv")
conform csv-with-reject csvrej -- pb.yaml --rows 9 --rejects 1 --first data/c.csv#1 --last data/c.csv#10 \
  --resume 1,4,5,6,8,9

# --- csv as a drop folder (drop_folder: true): the same rows, nothing taken yet;
#     resume in a drop folder goes by the taken files, not by key (t0120) ---
mkdir -p drop/data
cp csv/data/*.csv drop/data/
touch -d '1 hour ago' drop/data/*.csv
(cd drop && pb_file pb.yaml csv "" "data/*.csv" "drop_folder: true" "settle_seconds: 1")
conform csv-drop-folder drop -- pb.yaml --rows $N --first data/a.csv#1 --last data/b.csv#13 --resume none

# --- fixed: widths 4, 6, 20 (bytes), two files ---
mkdir -p fixed/data
fixed_rows() {
  local i
  for ((i = $1; i <= $2; i++)); do printf '%4d%-6s%-20s\n' "$i" "$(printf 'C%03d' "$i")" "$(row_txt "$i")"; done
}
LC_ALL=C fixed_rows 1 12 >fixed/data/a.dat
LC_ALL=C fixed_rows 13 25 >fixed/data/b.dat
(cd fixed && pb_file pb.yaml fixed "" "data/*.dat" "widths: [4, 6, 20]" "columns: [id, code, txt]" "trim: right" &&
  bad_open_file bad.yaml fixed)
conform fixed fixed -- pb.yaml --rows $N --first data/a.dat#1 --last data/b.dat#13 --bad-table 1,2 \
  --bad-open bad.yaml --resume 1,11,12,13,24,25

# --- dbf: dBase III, fields ID N(4), CODE C(6), TXT C(20), two files ---
mkdir -p dbf/data
b() { printf '%b' "\\x$(printf %02x "$1")"; }
le16() { b $(($1 & 255)); b $(($1 >> 8 & 255)); }
le32() { le16 $(($1 & 65535)); le16 $(($1 >> 16 & 65535)); }
dbf_field() { # NAME TYPE LEN
  printf '%s' "$1"
  head -c $((11 - ${#1})) /dev/zero
  printf '%s' "$2"
  head -c 4 /dev/zero
  b "$3"
  head -c 15 /dev/zero
}
dbf_rows() { # FROM TO
  local i
  b 3; b 124; b 1; b 1; le32 $(($2 - $1 + 1)); le16 $((32 + 3 * 32 + 1)); le16 $((1 + 4 + 6 + 20))
  head -c 20 /dev/zero
  dbf_field ID N 4
  dbf_field CODE C 6
  dbf_field TXT C 20
  b 13
  for ((i = $1; i <= $2; i++)); do printf ' %4d%-6s%-20s' "$i" "$(printf 'C%03d' "$i")" "$(row_txt "$i")"; done
  b 26
}
LC_ALL=C dbf_rows 1 12 >dbf/data/a.dbf
LC_ALL=C dbf_rows 13 25 >dbf/data/b.dbf
(cd dbf && pb_file pb.yaml dbf "" "data/*.dbf" && bad_open_file bad.yaml dbf)
conform dbf dbf -- pb.yaml --rows $N --first data/a.dbf#1 --last data/b.dbf#13 --bad-table 1,2 \
  --bad-open bad.yaml --resume 1,11,12,13,24,25

# --- xlsx: two workbooks (shared and inline strings, numbers) ---
if command -v zip >/dev/null; then
  source "$TOP/tests/fixtures/xlsx/lib-xlsx.sh"
  mkdir -p xlsx/data
  xlsx_book() { # OUT FROM TO
    local d=wb-$2 i r
    xlsx_skel "$d"
    xlsx_workbook "$d" 0 Sheet1
    xlsx_styles "$d"
    printf '<si><t>id</t></si><si><t>code</t></si><si><t>txt</t></si>\n' | xlsx_sst "$d"
    {
      printf '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>\n'
      for ((i = $2; i <= $3; i++)); do
        r=$((i - $2 + 2))
        printf '<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d" t="inlineStr"><is><t>C%03d</t></is></c><c r="C%d" t="inlineStr"><is><t>row %d</t></is></c></row>\n' \
          "$r" "$r" "$i" "$r" "$i" "$r" "$i"
      done
    } | xlsx_sheet "$d" 1
    xlsx_zip "$d" "$1"
  }
  (cd xlsx && xlsx_book data/a.xlsx 1 12 && xlsx_book data/b.xlsx 13 25)
  (cd xlsx && pb_file pb.yaml xlsx "" "data/*.xlsx" && bad_open_file bad.yaml xlsx)
  conform xlsx xlsx -- pb.yaml --rows $N --first data/a.xlsx#1 --last data/b.xlsx#13 --bad-table 1,2 \
    --bad-open bad.yaml --resume 1,11,12,13,24,25
else
  missing+=("xlsx (zip not installed)")
fi

# --- archive: csv members; a.zip holds x.csv (1-6) and y.csv (7-12), b.tar.gz z.csv (13-25) ---
if command -v zip >/dev/null; then
  mkdir -p archive/data archive/m
  csv_rows 1 6 >archive/m/x.csv
  csv_rows 7 12 >archive/m/y.csv
  csv_rows 13 25 >archive/m/z.csv
  (cd archive/m && zip -X -q ../data/a.zip x.csv y.csv && tar -czf ../data/b.tar.gz z.csv)
  (cd archive && pb_file pb.yaml archive ", format: csv" "data/*" &&
    printf 'system: {code: t0700_bad, hotline: "12345", name: t, department: t, mode: merge}\nsource: {driver: archive, dir: .}\ntables:\n  - {name: x, encoding: gbk, fields: {legacy_id: id}}\n' >bad.yaml)
  conform archive archive -- pb.yaml --rows $N --first 'data/a.zip!x.csv#1' --last 'data/b.tar.gz!z.csv#13' \
    --bad-table 1,2 --bad-open bad.yaml --resume 1,5,6,7,12,13,24,25
else
  missing+=("archive (zip not installed)")
fi

# --- replay (corrected rejects, docs/rejects.md): JSON Lines, keys 1..25 in file
#     order; row 3's GBK bytes as "hex", row 4's txt NULL, the rest as "text" ---
mkdir -p replay
for ((i = 1; i <= N; i++)); do
  case $i in
  3) txt="{\"name\":\"txt\",\"hex\":\"$(row_txt 3 | od -An -tx1 | tr -d ' \n')\"}" ;;
  4) txt='{"name":"txt","text":null}' ;;
  *) txt="{\"name\":\"txt\",\"text\":\"$(row_txt "$i")\"}" ;;
  esac
  printf '{"system":"t0700_replay","table":"t","key":"%d","columns":[{"name":"id","text":"%d"},{"name":"code","text":"C%03d"},%s]}\n' \
    "$i" "$i" "$i" "$txt"
done >replay/rows.jsonl
printf 'system: {code: t0700_replay, hotline: "12345", name: test, department: test, mode: merge}\nsource: {driver: replay, file: rows.jsonl}\ntables:\n  - name: t\n    encoding: gbk\n    batch_rows: 4\n    fields: {legacy_id: id}\n' >replay/pb.yaml
# shellcheck disable=SC2016 # ${...} is for the playbook, not the shell
printf 'system: {code: t0700_bad, hotline: "12345", name: t, department: t, mode: merge}\nsource: {driver: replay, file: "${T0700_UNSET_VARIABLE}"}\ntables:\n  - {name: t, encoding: gbk, fields: {legacy_id: id}}\n' >replay/bad.yaml
conform replay replay -u MIGRATE_REPLAY_FILE -- pb.yaml --rows $N --first 1 --last $N --bad-open bad.yaml \
  --resume 1,3,4,11,12,24,25

# --- the databases: the same 25 rows in MariaDB, PostgreSQL and SQLite ---
# id 1..25 (numeric keys: 10 sorts after 9), code, txt (NULL in row 4, 中文 in row 3)
db_values() {
  local i sep=
  for ((i = 1; i <= N; i++)); do
    case $i in
    3) printf "%s(%d, 'C%03d', '中文 3')" "$sep" "$i" "$i" ;;
    4) printf "%s(%d, 'C%03d', NULL)" "$sep" "$i" "$i" ;;
    *) printf "%s(%d, 'C%03d', 'row %d')" "$sep" "$i" "$i" "$i" ;;
    esac
    sep=,
  done
}
ddl="CREATE TABLE wo (id integer PRIMARY KEY, code varchar(10) NOT NULL, txt varchar(50))"
dbs=0
pb_db() { # FILE DRIVER SOURCE-MAP [KEY]: table 2 is missing, table 3 has no such key column,
  #         table 4 reads incrementally (watermark: id, overlap 2)
  cat >"$1" <<EOF
system: {code: t0700_$2, hotline: "12345", name: test, department: test, mode: merge}
source: $3
tables:
  - {name: wo, key: ${4:-id}, encoding: utf-8, batch_rows: 4, fields: {legacy_id: ${4:-id}}}
  - {name: t0700_nope, key: id, encoding: utf-8, fields: {legacy_id: id}}
  - {name: wo, key: no_such_column, encoding: utf-8, fields: {legacy_id: id}}
  - {name: wo, key: id, watermark: id, watermark_overlap: 2, encoding: utf-8, batch_rows: 4, fields: {legacy_id: id}}
EOF
}

if [[ -n ${MYSQL_UNIX_PORT:-} ]] && command -v mariadb >/dev/null; then
  my_query "DROP DATABASE IF EXISTS t0700"
  my_query "CREATE DATABASE t0700 CHARACTER SET utf8mb4"
  my_query "USE t0700; $ddl; INSERT INTO wo VALUES $(db_values)"
  # shellcheck disable=SC2016 # ${...} is expanded by the playbook loader
  mysrc='{driver: mysql, socket: "${MYSQL_UNIX_PORT}", database: DB, user: "${MIGRATE_MYSQL_USER}", password_env: MIGRATE_MYSQL_PASSWORD}'
  pb_db my.yaml mysql "${mysrc/DB/t0700}"
  pb_db my-bad.yaml mysql "${mysrc/DB/t0700_no_such_database}"
  conform mysql . -- my.yaml --rows $N --first 1 --last 25 --bad-table 1,2 --bad-open my-bad.yaml \
    --resume 1,2,9,10,12,24,25 --watermark 3=20
  dbs=$((dbs + 1))
else
  missing+=("mysql (no private MariaDB: MYSQL_UNIX_PORT unset)")
fi

if [[ -n ${PGHOST:-} ]] && command -v psql >/dev/null; then
  psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS t0700 WITH (FORCE)" \
    -c "CREATE DATABASE t0700 TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C'" >/dev/null
  psql -X -q -v ON_ERROR_STOP=1 -d t0700 -c "$ddl" -c "INSERT INTO wo VALUES $(db_values)" >/dev/null
  pb_db pg.yaml postgresql "{driver: postgresql, dbname: t0700}"
  pb_db pg-bad.yaml postgresql "{driver: postgresql, dbname: t0700_no_such_database}"
  conform postgresql . -- pg.yaml --rows $N --first 1 --last 25 --bad-table 1,2 --bad-open pg-bad.yaml \
    --resume 1,2,9,10,12,24,25 --watermark 3=20
  dbs=$((dbs + 1))
else
  missing+=("postgresql (no private PostgreSQL: PGHOST unset)")
fi

so() { dpkg -L "$1" 2>/dev/null | grep -m1 "/$2\$" || true; }
SQO=$(so libsqliteodbc libsqlite3odbc.so)
MAO=$(so odbc-mariadb libmaodbc.so)
if [[ -n $SQO ]] && command -v sqlite3 >/dev/null; then
  sqlite3 lite.db "$ddl; INSERT INTO wo VALUES $(db_values);"
  export ODBCSYSINI=$SCRATCH ODBCINI=$SCRATCH/odbc.ini
  printf '[t0700 SQLite3]\nDriver=%s\n[t0700 MariaDB]\nDriver=%s\n' "$SQO" "${MAO:-/nonexistent}" >odbcinst.ini
  printf '[lite]\nDriver=t0700 SQLite3\nDatabase=%s/lite.db\n' "$SCRATCH" >odbc.ini
  pb_db odbc.yaml odbc "{driver: odbc, dsn: lite}"
  pb_db odbc-bad.yaml odbc "{driver: odbc, dsn: t0700_no_such_dsn}"
  # the SQLite ODBC driver leaks 1.6 KB per connection inside itself (see t0390)
  conform odbc . "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" -- odbc.yaml --rows $N --first 1 --last 25 \
    --bad-table 1,2 --bad-open odbc-bad.yaml --resume 1,2,9,10,12,24,25 --watermark 3=20
  dbs=$((dbs + 1))
  # and through MariaDB Connector/ODBC, with leak checking on
  if [[ -n $MAO && -n ${MYSQL_UNIX_PORT:-} ]] && command -v mariadb >/dev/null; then
    printf '[my]\nDriver=t0700 MariaDB\nSocket=%s\nDatabase=t0700\nUser=%s\nCHARSET=binary\n' \
      "$MYSQL_UNIX_PORT" "$MIGRATE_MYSQL_USER" >>odbc.ini
    pb_db odbc-my.yaml odbc "{driver: odbc, dsn: my, password_env: MIGRATE_MYSQL_PASSWORD}"
    conform odbc-mariadb . -- odbc-my.yaml --rows $N --first 1 --last 25 --bad-table 1,2 --resume 1,10,24,25 \
      --watermark 3=20
  fi
else
  missing+=("odbc (libsqliteodbc or sqlite3 missing: run scripts/setup)")
fi

# the same rows give the same content total from every database driver
totals=$(for f in mysql postgresql odbc odbc-mariadb; do
  [[ -f $f.log ]] && sed -n 's/^# [a-z]*: rows=.* total=\([0-9a-f]*\) .*/\1/p' "$f.log"
done | sort -u)
if ((dbs > 1)) && (($(printf '%s\n' "$totals" | wc -l) != 1)); then
  echo "FAIL: the database drivers give different content totals for the same rows: ${totals//$'\n'/ }" >&2
  failed+=("content totals")
fi

my_query "DROP DATABASE IF EXISTS t0700" >/dev/null 2>&1 || true
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS t0700 WITH (FORCE)" >/dev/null 2>&1 || true

((${#failed[@]} == 0)) || die "contract broken by: ${failed[*]} (see the 'not ok' lines above)"
((${#missing[@]} == 0)) || skip "not run here: ${missing[*]}"
exit 0
