#!/usr/bin/env bash
# Estate: 12316 三农服务 (FoxPro 2.x DBF with .FPT memo files, one table per
# year, handed over in a tar.gz; merge mode) end to end against the
# generator's ground truth: the tables are read inside the tar.gz (driver
# archive; each memo member spooled to a temporary file), nothing unpacked,
# every table recorded with its SHA-256; text dates YYYYMMDDHHMMSS (all zeros loaded as NULL,
# impossible days rejected), memo pointers past the end of the .FPT rejected
# at extract with their bytes, undecodable memos rejected, soft-deleted
# records loaded and counted, duplicates (also across yearly tables)
# merged, the text byte for byte.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/gen/estate-lib.sh"

[[ -n ${PGHOST:-} ]] || skip "no private PostgreSQL (PGHOST unset)"
export NY12316_DIR=$SCRATCH/gen/ny12316
mkdir "$SCRATCH/tmp"
export TMPDIR=$SCRATCH/tmp # where the memo members are spooled

estate_gen ny12316 300
estate_run ny12316
estate_check_counts
estate_check_store ny12316
estate_check_text ny12316 work_order intended.tsv

# the handover: a gzip'd ustar holding the yearly tables and their memo
# files, read in place: nothing was unpacked beside it
tgz=$NY12316_DIR/ny12316-dbf.tar.gz
assert_eq " 1f 8b" "$(od -A n -t x1 -N 2 "$tgz")" "gzip"
tar -tzf "$tgz" >"$SCRATCH/members"
grep -q '^12316/NY2016\.FPT$' "$SCRATCH/members" || die "no memo file in the archive"
assert_eq "$(grep -c '\.DBF$' "$SCRATCH/members")" "$(grep -c '\.FPT$' "$SCRATCH/members")" "one memo file per table"
[[ ! -e $NY12316_DIR/dbf ]] || die "gen-estate unpacked the handover"
mkdir "$SCRATCH/x" && tar -xzf "$tgz" -C "$SCRATCH/x"
dbf=$SCRATCH/x/12316/NY2016.DBF
assert_eq " f5" "$(od -A n -t x1 -N 1 "$dbf")" "FoxPro 2.x with memo"
assert_eq " 7a" "$(od -A n -t x1 -j 29 -N 1 "$dbf")" "code page byte 0x7A (CP936)"
# every table read from the archive, recorded with the SHA-256 of its bytes
# and its record count; the archive with the SHA-256 of the file
want=$(grep '\.DBF$' "$SCRATCH/members" | while read -r m; do
  printf 'ny12316-dbf.tar.gz!%s %s\n' "$m" "$(sha256sum <"$SCRATCH/x/$m" | cut -d' ' -f1)"
done | LC_ALL=C sort)
assert_eq "$want" "$(pg_query "SELECT name || ' ' || sha256 FROM migration.source_file
  WHERE source_system = 'ny12316' AND name LIKE '%!%' ORDER BY name COLLATE \"C\"")" "member hashes"
assert_eq "$(sha256sum <"$tgz" | cut -d' ' -f1)" "$(pg_query "SELECT sha256 FROM migration.source_file
  WHERE source_system = 'ny12316' AND name = 'ny12316-dbf.tar.gz'")" "archive hash"
assert_eq "$(jq '.tables["*.tar.gz"].rows' "$EXP")" "$(pg_query "SELECT sum(records) FROM migration.source_file
  WHERE source_system = 'ny12316' AND name LIKE '%!%'")" "records per table add up"
# memos read from the spooled .FPT members: the contents are in the store
# (estate_check_text compared them byte for byte); no temporary file is left
[[ $(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'ny12316' AND content <> ''") -gt 0 ]] ||
  die "no memo content loaded"
assert_eq "" "$(ls -A "$TMPDIR")" "no spool file left in TMPDIR"

# memo pointers past the end of the memo file: extract rejects with their bytes
[[ $(jq '.rejected["extract.bad_memo"] // 0' "$EXP") -gt 0 ]] || die "no bad memo pointer at this scale"
assert_eq "$(jq '.rejected["extract.bad_memo"]' "$EXP")" "$(pg_query "SELECT count(*) FROM migration.reject
  WHERE reason = 'bad_memo' AND convert_from(legacy_key, 'UTF8') LIKE 'ny12316-dbf.tar.gz!12316/NY____.DBF#%' AND length(raw) > 0")" "bad memo rejects"
# soft-deleted records: loaded, counted, and marked in the raw record
[[ $(jq '.checks.deleted // 0' "$EXP") -gt 0 ]] || die "no deleted record at this scale"
assert_eq "$(jq '.checks.deleted' "$EXP")" "$(pg_query "SELECT count(*) FROM hotline.work_order
  WHERE source_system = 'ny12316' AND raw->>'_deleted' = 'T'")" "soft-deleted records loaded with their flag"
# zero times loaded as NULL and counted; every year's table was read
[[ $(jq .fixes.zero_date "$EXP") -gt 0 ]] || die "no zero date at this scale"
assert_eq "$(jq .fixes.zero_date "$EXP")" "$(jq .months.none "$EXP")" "zero times are the NULL received times"
assert_eq "$(grep -c '\.DBF$' "$SCRATCH/members")" "$(pg_query "SELECT count(DISTINCT extract(year FROM received_at
  AT TIME ZONE 'Asia/Shanghai')) FROM hotline.work_order WHERE source_system = 'ny12316'")" "every yearly table read"
echo ok
