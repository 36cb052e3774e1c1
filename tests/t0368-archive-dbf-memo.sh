#!/usr/bin/env bash
# archive driver + dbf with memo files: a .dbf member whose memo member
# (.fpt/.dbt, in the table's directory, any letter case, before or after the
# table in the archive) is spooled to a private temporary file in $TMPDIR
# gives exactly the rows the dbf driver gives for the same files on disk
# (dBase III .dbt, dBase IV .dbt, FoxPro .fpt, Visual FoxPro), in tar,
# tar.gz, zip and 7z; the memo of the table's own directory is taken, the
# spelling in the table's letter case preferred; resuming after a key; in a
# run the member hashes are the tables' and no temporary file is left.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/fixtures/archive/lib.sh"
source "$TOP/tests/fixtures/dbf/dbf.sh"
need tar gzip zip 7z sha256sum
[[ -f $BUILD/obj/extractors/dbf.o ]] || skip "dbf format not built"

mkdbf fox db3memo db4memo vfp badmemo
mkdir tmp
export TMPDIR=$PWD/tmp
# the tables, each beside its memo file, under sub/ (archives hold sub/...)
mkdir -p d/sub
cp "$FX"/{Fox.dbf,FOX.Fpt,db3memo.dbf,DB3MEMO.DBT,db4memo.dbf,db4memo.dbt,vfp.dbf,vfp.fpt} d/sub/
(
  cd d
  # memo members before their tables in the tar, after them in the tar.gz
  tar -cf ../m.tar sub/FOX.Fpt sub/Fox.dbf sub/DB3MEMO.DBT sub/db3memo.dbf sub/db4memo.dbt sub/db4memo.dbf \
    sub/vfp.fpt sub/vfp.dbf
  tar -czf ../m.tgz sub/Fox.dbf sub/FOX.Fpt sub/db3memo.dbf sub/DB3MEMO.DBT sub/db4memo.dbf sub/db4memo.dbt \
    sub/vfp.dbf sub/vfp.fpt
  zip -q -X ../m.zip sub/vfp.fpt sub/Fox.dbf sub/db3memo.dbf sub/vfp.dbf sub/db4memo.dbf sub/FOX.Fpt \
    sub/DB3MEMO.DBT sub/db4memo.dbt
  7z a -bd ../m.7z sub >/dev/null
)

apb() { # apb FILE ARCHIVE MEMBERS [EXTRA]
  cat >"$1" <<EOF
system: {code: t_ardbf, hotline: "12345", name: archive dbf, department: test, mode: merge}
source: {driver: archive, dir: ., format: dbf}
tables:
  - name: "$2"
    members: "$3"
    encoding: gbk
    batch_rows: 2
${4:-}
    fields: {legacy_id: ID}
EOF
}
ppb() { # ppb FILE TABLE: the dbf driver over d/sub
  cat >"$1" <<EOF
system: {code: t_ardbf, hotline: "12345", name: plain dbf, department: test, mode: merge}
source: {driver: dbf, dir: d}
tables:
  - name: "$2"
    encoding: gbk
    batch_rows: 2
    fields: {legacy_id: ID}
EOF
}

for t in Fox.dbf db3memo.dbf db4memo.dbf vfp.dbf; do
  ppb plain.yaml "sub/$t"
  peek plain.yaml >"ref.$t"
  [[ $(wc -l <"ref.$t") -ge 3 ]] || die "plain $t: $(cat "ref.$t")"
  for a in m.tar m.tgz m.zip m.7z; do
    apb a.yaml "$a" "sub/$t"
    peek a.yaml >out
    ae=${a//./\\.}
    assert_eq "$(cat "ref.$t")" "$(sed -e "s/^$ae!//" -e "s/	$ae!/	/" out)" "$a!sub/$t: the rows of the plain table"
  done
done
# the memo contents are there (not blank): FoxPro's first memo is GBK text
apb a.yaml m.tgz "sub/Fox.dbf"
assert_contains "$(peek a.yaml)" $'m.tgz!sub/Fox.dbf#1\t1\t\\xcd\\xb6\\xcb\\xdf' "memo text read from the spooled FOX.Fpt"
assert_eq "" "$(ls -A tmp)" "no spool file left in TMPDIR"

# several tables of one archive ("t/*.DBF": the memo members do not match),
# each with its own memo member: B.FPT's first memo starts with XY
mkdir -p f/t
cp "$FX/Fox.dbf" f/t/A.DBF
cp "$FX/Fox.dbf" f/t/B.DBF
cp "$FX/FOX.Fpt" f/t/A.FPT
cp "$FX/FOX.Fpt" f/t/B.FPT
printf XY | dd of=f/t/B.FPT bs=1 seek=520 conv=notrunc status=none
(cd f && tar -czf ../ab.tgz t/B.FPT t/A.DBF t/B.DBF t/A.FPT)
apb a.yaml ab.tgz "t/*.DBF"
peek a.yaml >out
assert_eq 6 "$(grep -c '^ab.tgz!t/[AB].DBF#' out)" "both tables read"
assert_contains "$(grep '^ab.tgz!t/A.DBF#1' out)" $'\t1\t\\xcd\\xb6\\xcb\\xdf' "A.DBF: its memo A.FPT"
assert_contains "$(grep '^ab.tgz!t/B.DBF#1' out)" $'\t1\tXY\\xcb\\xdf' "B.DBF: its memo B.FPT"

# the memo of the table's own directory, in the table's letter case first
mkdir -p e/x e/y
cp "$FX/Fox.dbf" e/x/Fox.dbf
cp "$FX/FOX.Fpt" e/x/Fox.fpt        # the right one, in the table's case
cp "$FX/badmemo.fpt" e/x/FOX.FPT    # another spelling: not taken
cp "$FX/badmemo.fpt" e/y/Fox.fpt    # the same name in another directory: not taken
cp "$FX/badmemo.fpt" e/Fox.fpt
(cd e && tar -cf ../case.tar y/Fox.fpt Fox.fpt x/FOX.FPT x/Fox.dbf x/Fox.fpt)
apb a.yaml case.tar "x/Fox.dbf"
peek a.yaml >out
assert_eq "$(cat ref.Fox.dbf)" "$(sed -e 's/^case\.tar!x/sub/' -e 's/	case\.tar!x/	sub/' out)" \
  "the memo beside the table, in its letter case"

# resuming after a key of a memo table: the rest, memos included
apb a.yaml ab.tgz "t/*.DBF"
peek a.yaml >full
for after in 't/A.DBF#1' 't/A.DBF#3' 't/B.DBF#0' 't/B.DBF#2'; do
  n=$(cut -f1 full | grep -nxF "ab.tgz!$after" | cut -d: -f1 || true)
  [[ $after == *#0 ]] && n=$(($(cut -f1 full | grep -nF "ab.tgz!${after%#0}#1" | cut -d: -f1) - 1))
  [[ -n $n ]] || die "no key $after in the full read"
  peek a.yaml --after "ab.tgz!$after" >rest
  assert_eq "$(tail -n +$((n + 1)) full | grep -v '^!reject' | sort)" "$(tail -n +2 rest | grep -v '^!reject' | sort)" \
    "resume after $after"
done

# a run: balanced, the tables recorded with their SHA-256 (the memo bytes
# are covered by the archive's hash), nothing left in TMPDIR
[[ -n ${PGHOST:-} ]] || {
  echo "ok (no PostgreSQL: run checks skipped)"
  exit 0
}
fresh_store
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
cat >run.yaml <<'EOF'
system: {code: t_ardbf, hotline: "12345", name: archive dbf, department: test, mode: merge}
source: {driver: archive, dir: ., format: dbf}
tables:
  - name: m.tgz
    members: "sub/Fox.dbf"
    target: work_order
    encoding: gbk
    fields: {legacy_id: ID, content: NOTE}
EOF
assert_exit 0 "$BUILD/migrate" check run.yaml
assert_exit 0 "$BUILD/migrate" run run.yaml --json
cp "$SCRATCH/out" run.json
assert_eq true "$(jq .balanced run.json)" "balanced"
assert_eq 3 "$(jq .stages.extract.in run.json)" "records read"
assert_eq "$(sha256sum <d/sub/Fox.dbf | cut -d' ' -f1) 3" "$(pg_query "SELECT sha256 || ' ' || records
  FROM migration.source_file WHERE name = 'm.tgz!sub/Fox.dbf'")" "table member hash and records"
assert_eq "$(sha256sum <m.tgz | cut -d' ' -f1)" "$(pg_query "SELECT sha256 FROM migration.source_file
  WHERE name = 'm.tgz'")" "archive hash"
# record 1's binary PIC memo does not decode as GBK (a decode reject, as on disk);
# record 2's NOTE is a 300-byte memo
assert_eq 1 "$(jq .stages.decode.rejected run.json)" "the binary memo of record 1"
assert_eq "$(printf '0123456789%.0s' {1..30})" "$(pg_query "SELECT content FROM hotline.work_order
  WHERE source_system = 't_ardbf' AND legacy_id = '2'")" "the memo in the store"
assert_eq "" "$(ls -A tmp)" "no spool file left in TMPDIR"
echo ok
