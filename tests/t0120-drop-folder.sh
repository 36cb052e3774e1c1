#!/usr/bin/env bash
# Drop folder: files that keep arriving are each taken once, in order, late
# files included, only when complete; each file's SHA-256 is recorded with
# the chunk that finishes it; a file rewritten after it was taken is an error.
set -euo pipefail
source "$TOP/tests/lib.sh"

fresh_store
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
mkdir drop
day() { # NAME ROWS [AGE]
	{
		echo "id,ldsj,sqnr"
		for i in $(seq 1 "$2"); do echo "$1-$i,2024-01-0${i:0:1} 08:00:00,内容 $1 第$i条"; done
	} > "drop/$1"
	touch -d "${3:-10 minutes ago}" "drop/$1"
}
cat > drop.yaml <<'EOT'
system: {code: qx12121, hotline: "12121", name: 气象服务热线, department: 嘉峪关市气象局, mode: subcenter}
source: {driver: csv, dir: drop}
tables:
  - name: "*.csv"
    target: raw
    raw_as: text
    encoding: utf-8
    drop_folder: true
    settle_seconds: 60
EOT
assert_exit 0 "$BUILD/migrate" check drop.yaml
taken() { pg_query "SELECT string_agg(name || ':' || records, ' ' ORDER BY name) FROM migration.source_file"; }
rows() { pg_query "SELECT count(*) FROM legacy_qx12121.csv"; }

day 20240102.csv 3
day 20240103.csv 4
day 20240104.csv.part 5          # still being written: not a .csv yet
day 20240105.csv 2 now           # just arrived: not settled
assert_exit 0 "$BUILD/migrate" run drop.yaml --json
assert_eq "20240102.csv:3 20240103.csv:4" "$(taken)" "the complete files, each with its record count"
assert_eq 7 "$(rows)" "their rows landed"
assert_eq "$(sha256sum drop/20240102.csv | cut -d' ' -f1)" \
	"$(pg_query "SELECT sha256 FROM migration.source_file WHERE name = '20240102.csv'")" "SHA-256 of the file recorded"
assert_eq "$(stat -c %s drop/20240103.csv)" \
	"$(pg_query "SELECT bytes FROM migration.source_file WHERE name = '20240103.csv'")" "size recorded"

# a late file (sorting before the ones taken), the finished .part, the settled new one
day 20240101.csv 2
mv drop/20240104.csv.part drop/20240104.csv
touch -d '10 minutes ago' drop/20240104.csv drop/20240105.csv
assert_exit 0 "$BUILD/migrate" run drop.yaml --json
assert_eq 9 "$(jq .stages.extract.out "$SCRATCH/out")" "only the new files were read (2 + 5 + 2)"
assert_eq "20240101.csv:2 20240102.csv:3 20240103.csv:4 20240104.csv:5 20240105.csv:2" "$(taken)" "late file taken"
assert_eq 16 "$(rows)" "every row once"

# nothing new: an empty, balanced run
assert_exit 0 "$BUILD/migrate" run drop.yaml --json
assert_eq true "$(jq .balanced "$SCRATCH/out")" "nothing new is balanced"
assert_eq 16 "$(rows)" "nothing landed twice"

# a taken file rewritten: refused, nothing written
day 20240102.csv 6
assert_exit 1 "$BUILD/migrate" run drop.yaml
assert_contains "$(cat "$SCRATCH/err")" "file '20240102.csv' changed after it was taken" "rewritten file refused"
rm drop/20240102.csv
day 20240102.csv 3

# a crash in the middle of a big file, then resume: the file is taken once
day 20240106.csv 900
MIGRATE_TEST_CRASH_AFTER_COMMITS=2 "$BUILD/migrate" run drop.yaml --quiet --batch-rows 100 --commit-rows 200 >/dev/null 2>&1 &&
	die "crash hook did not fire" || true
assert_eq "" "$(pg_query "SELECT name FROM migration.source_file WHERE name = '20240106.csv'")" "a file half read is not taken"
day 20240100.csv 1   # another late file arrives meanwhile
assert_exit 0 "$BUILD/migrate" run drop.yaml --json --batch-rows 100 --commit-rows 200
assert_eq 901 "$(jq .stages.extract.out "$SCRATCH/out")" "the resumed run read both files in full"
assert_eq 900 "$(pg_query "SELECT records FROM migration.source_file WHERE name = '20240106.csv'")" "the big file taken once, whole"
assert_eq 917 "$(rows)" "no row lost or doubled"
