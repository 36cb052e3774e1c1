#!/usr/bin/env bash
# archive driver, spooled members (xlsx workbooks, DBF memo files) against
# hostile and broken input: a member over max_member_bytes (announced in
# the header, or found while spooling), a bomb over max_ratio, truncated and
# corrupt members, a memo member missing, in another directory only, spelled
# twice in other letter cases, a memo member over the cap, cut short or a
# bomb, an unusable TMPDIR: each one clear error naming the archive and
# member, and no spool file left behind. Then a run killed (test hook, like
# kill -9) in the middle of the archive and resumed: the same counts as an
# uninterrupted run, nothing twice, no temporary file left by the crash.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/fixtures/dbf/dbf.sh"
source "$TOP/tests/fixtures/archive/lib.sh" # its peek_fails: one line on stderr
source "$TOP/tests/fixtures/xlsx/lib-xlsx.sh"
need zip tar gzip dd head
[[ -f $BUILD/obj/extractors/xlsx.o && -f $BUILD/obj/extractors/dbf.o ]] || skip "xlsx or dbf format not built"
mkdir tmp
export TMPDIR=$PWD/tmp
size() { stat -c %s "$1"; }
no_spool_left() { assert_eq "" "$(ls -A tmp)" "no spool file left in TMPDIR ($1)"; }

# wb NAME ROWS [FIRST]: a workbook of ROWS records (ids FIRST..), inline strings
wb() {
  local d=wb.$1 i first=${3:-1}
  rm -rf "$d"
  xlsx_skel "$d"
  xlsx_workbook "$d" 0 Sheet1
  xlsx_styles "$d"
  xlsx_sst "$d" </dev/null
  {
    echo '<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t>text</t></is></c></row>'
    for ((i = 2; i <= $2 + 1; i++)); do
      printf '<row r="%d"><c r="A%d" t="inlineStr"><is><t>W%d</t></is></c><c r="B%d" t="inlineStr"><is><t>record %d %d</t></is></c></row>\n' \
        "$i" "$i" $((first + i - 2)) "$i" "$i" $((i * 7919 % 10007))
    done
  } | xlsx_sheet "$d" 1
  xlsx_zip "$d" "src/$1"
}
xpb() { # xpb FILE ARCHIVE [EXTRA]: archive playbook over xlsx members
  cat >"$1" <<EOF
system: {code: t_arsp, hotline: "12345", name: spool test, department: test, mode: merge}
source: {driver: archive, dir: ., format: xlsx}
tables:
  - name: "$2"
    encoding: utf-8
${3:-}
    fields: {legacy_id: id, content: text}
EOF
}
dpb() { # dpb FILE ARCHIVE MEMBERS [EXTRA]: archive playbook over dbf members
  cat >"$1" <<EOF
system: {code: t_arsp, hotline: "12345", name: spool test, department: test, mode: merge}
source: {driver: archive, dir: ., format: dbf}
tables:
  - name: "$2"
    members: "$3"
    encoding: gbk
${4:-}
    fields: {legacy_id: ID}
EOF
}

mkdir src
wb ok.xlsx 5
wb big.xlsx 3000
(cd src && zip -q -X ../ok.zip ok.xlsx && zip -q -X ../big.zip big.xlsx && tar -czf ../big.tgz big.xlsx &&
  zip -q -X -0 ../stored.zip ok.xlsx)
xpb ok.yaml ok.zip
peek ok.yaml >out
assert_eq 6 "$(wc -l <out)" "the sane workbook reads"

# --- xlsx members ---
# over max_member_bytes (checked on the size the header announces, and
# while spooling: the same member_read as a streamed member, t0362)
xpb cap.yaml big.zip '    max_member_bytes: 10000'
peek_fails cap.yaml "member 'big.zip!big.xlsx' is larger than max_member_bytes (10000 bytes)"
xpb capt.yaml big.tgz '    max_member_bytes: 10000'
peek_fails capt.yaml "member 'big.tgz!big.xlsx' is larger than max_member_bytes (10000 bytes)"
no_spool_left "member over the cap"
# a bomb: 30 MB of zeros named like a workbook
dd if=/dev/zero bs=1M count=30 status=none >bomb.xlsx
zip -q -X bomb.zip bomb.xlsx
rm bomb.xlsx
xpb bomb.yaml bomb.zip '    max_ratio: 100'
peek_fails bomb.yaml "expands more than max_ratio (100) times"
no_spool_left "bomb"
# truncated: the tar.gz cut inside the workbook; the zip cut inside its data
head -c $(($(size big.tgz) / 2)) big.tgz >cut.tgz
xpb cut.yaml cut.tgz
peek_fails cut.yaml "cannot read archive 'cut.tgz'"
head -c $(($(size big.zip) / 2)) big.zip >cut.zip
xpb cutz.yaml cut.zip
peek_fails cutz.yaml "cannot read archive 'cut.zip'"
# corrupt: a flipped byte in a stored workbook fails its CRC while it is
# spooled, before any row of it is handed over
cp stored.zip crc.zip
printf 'X' | dd of=crc.zip bs=1 seek=$((30 + 7 + 200)) conv=notrunc status=none
xpb crc.yaml crc.zip
peek_fails crc.yaml "cannot read archive 'crc.zip' at member 'ok.xlsx': ZIP bad CRC"
assert_eq "" "$(grep '^crc\.zip!' "$SCRATCH/out" || true)" "no row of the corrupt member handed over"
no_spool_left "truncated and corrupt"
# TMPDIR unusable: the error says which directory and what to do
TMPDIR=$PWD/no-such-dir peek_fails ok.yaml \
  "cannot create a temporary file in '$PWD/no-such-dir' to spool 'ok.zip!ok.xlsx': No such file or directory (set TMPDIR to a writable directory)"

# --- DBF memo members ---
mkdbf fox nomemo bigmemo
mkdir -p m/x m/y
cp "$FX/Fox.dbf" m/x/Fox.dbf
cp "$FX/FOX.Fpt" m/y/FOX.Fpt
cp "$FX/nomemo.dbf" m/nomemo.dbf
cp "$FX/bigmemo.dbf" "$FX/bigmemo.dbt" m/
(cd m && tar -cf ../none.tar nomemo.dbf x/Fox.dbf y/FOX.Fpt)
for f in "$FX"/nomemo.*; do
  [[ $f == *.dbf ]] || die "the nomemo fixture has a memo file: $f"
done
# missing altogether
dpb none.yaml none.tar nomemo.dbf
peek_fails none.yaml "of 'none.tar!nomemo.dbf' not found in the archive (memo field"
# only in another directory
dpb other.yaml none.tar x/Fox.dbf
peek_fails other.yaml "memo file 'none.tar!x/Fox.fpt' of 'none.tar!x/Fox.dbf' not found in the archive (memo field 'NOTE'"
# two spellings, neither in the table's letter case
cp "$FX/FOX.Fpt" m/x/FOX.FPT
cp "$FX/FOX.Fpt" m/x/fox.FPT
(cd m && tar -cf ../two.tar x/FOX.FPT x/Fox.dbf x/fox.FPT)
dpb two.yaml two.tar x/Fox.dbf
peek_fails two.yaml "several members of archive 'two.tar' match 'x/Fox.fpt' (letter case differs); keep one"
# over max_member_bytes (the table itself is small)
(cd m && tar -cf ../bm.tar bigmemo.dbf bigmemo.dbt && tar -cf ../bmlast.tar bigmemo.dbf bigmemo.dbt)
assert_eq 0 "$(($(size "$FX/bigmemo.dbt") < 20000))" "bigmemo.dbt is over 20000 bytes"
dpb bm.yaml bm.tar bigmemo.dbf '    max_member_bytes: 20000'
peek_fails bm.yaml "member 'bm.tar!bigmemo.dbt' is larger than max_member_bytes (20000 bytes)"
dpb bmok.yaml bm.tar bigmemo.dbf '    max_memo_bytes: 65536'
peek bmok.yaml >out
[[ $(wc -l <out) -ge 2 ]] || die "bigmemo.dbf does not read under a larger cap: $(cat out)"
# cut short inside the memo member (the last one of a plain tar)
head -c $(($(size bmlast.tar) - 1024 - 20000)) bmlast.tar >cutmemo.tar
dpb cutm.yaml cutmemo.tar bigmemo.dbf
peek_fails cutm.yaml "cannot read archive 'cutmemo.tar' at member 'bigmemo.dbt'"
# a memo bomb: FOX.Fpt followed by 30 MB of zeros
cp "$FX/FOX.Fpt" m/x/Fox.fpt
dd if=/dev/zero bs=1M count=30 status=none >>m/x/Fox.fpt
(cd m && tar -czf ../mbomb.tgz x/Fox.dbf x/Fox.fpt)
dpb mbomb.yaml mbomb.tgz x/Fox.dbf '    max_ratio: 100'
peek_fails mbomb.yaml "expands more than max_ratio (100) times"
no_spool_left "memo members"

# --- a run killed in the middle of the archive, then resumed ---
[[ -n ${PGHOST:-} ]] || {
  echo "ok (no PostgreSQL: run checks skipped)"
  exit 0
}
rm -rf src && mkdir src
wb w1.xlsx 400 1
wb w2.xlsx 400 401
wb w3.xlsx 400 801
(cd src && tar -czf ../three.tgz w1.xlsx w2.xlsx w3.xlsx)
xpb run.yaml three.tgz '    target: work_order'
fresh_store
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
assert_exit 0 "$BUILD/migrate" run run.yaml --json --commit-rows 100 --batch-rows 50
cp "$SCRATCH/out" ref.json
assert_eq 1200 "$(jq .stages.load.out ref.json)" "the uninterrupted run loads every record"
fresh_store
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
# the 5th commit is inside w2.xlsx: its spool file is open when the process dies
if MIGRATE_TEST_CRASH_AFTER_COMMITS=5 "$BUILD/migrate" run run.yaml --quiet --commit-rows 100 --batch-rows 50 \
  >/dev/null 2>&1; then
  die "crash hook did not fire"
fi
loaded=$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 't_arsp'")
((loaded > 400 && loaded < 1200)) || die "the crash was not in the middle of the archive: $loaded rows loaded"
no_spool_left "after the crash: the spool was unlinked when made"
assert_exit 0 "$BUILD/migrate" run run.yaml --json --commit-rows 100 --batch-rows 50
cp "$SCRATCH/out" final.json
assert_eq true "$(jq .resumed final.json)" "the run resumed the interrupted one"
for stage in extract decode transform load target; do
  for k in in out rejected merged; do
    assert_eq "$(jq ".stages.$stage.$k" ref.json)" "$(jq ".stages.$stage.$k" final.json)" "$stage.$k equals the uninterrupted run"
  done
done
assert_eq 1200 "$(pg_query "SELECT count(DISTINCT legacy_id) FROM hotline.work_order WHERE source_system = 't_arsp'")" \
  "every record once"
assert_eq "three.tgz three.tgz!w1.xlsx three.tgz!w2.xlsx three.tgz!w3.xlsx" "$(pg_query "SELECT string_agg(name, ' '
  ORDER BY name) FROM migration.source_file WHERE source_system = 't_arsp'")" "every member and the archive recorded"
no_spool_left "after the resumed run"
echo ok
