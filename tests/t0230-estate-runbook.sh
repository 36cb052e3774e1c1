#!/usr/bin/env bash
# The whole reference estate through the cutover runbook (what `make demo`
# does, at a small scale): gen-estate writes the 23 systems and gen12319 the
# 24th, `migrate runbook playbooks/runbook.yaml` migrates them several at
# once, and every system's outcome equals its ground truth exactly (records
# loaded in every table, rejects), the city's totals are the sums, the
# records present in two systems are exactly the generator's pairs, and
# city.html says the cutover balanced.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/gen/estate-lib.sh"

[[ -n ${PGHOST:-} ]] || skip "no private PostgreSQL (PGHOST unset)"
[[ -n ${MYSQL_UNIX_PORT:-} ]] || skip "no private MariaDB (MYSQL_UNIX_PORT unset)"
drv() { dpkg -L "$1" 2>/dev/null | grep -m1 "/$2\$" || true; }
SQO=$(drv libsqliteodbc libsqlite3odbc.so) MAO=$(drv odbc-mariadb libmaodbc.so) PGW=$(drv odbc-postgresql psqlodbcw.so)
[[ -n $SQO && -n $MAO && -n $PGW ]] || skip "an ODBC driver is missing (run scripts/setup)"
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 # the SQLite ODBC driver leaks (docs/sources/odbc.md)

scale=${ESTATE_SCALE:-300}
codes=$(sed 's/#.*//' "$TOP/playbooks/runbook.yaml" | grep -o '[a-z]*[0-9]*\.yaml' | sed 's/\.yaml$//')
assert_eq 24 "$(wc -l <<<"$codes")" "the runbook lists the 24 systems"

# every source in this test's own databases and directories
for c in $codes; do
	C=${c^^}
	export "${C}_DATABASE=legacy_t0230_$c" "${C}_DIR=$SCRATCH/gen/$c" "${C}_DSN=t0230_$c"
done
dbs() { for c in $codes; do echo "legacy_t0230_$c"; done; }
cleanup() {
	for d in $(dbs); do
		my_query "DROP DATABASE IF EXISTS \`$d\`" >/dev/null 2>&1 || true
		psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $d" >/dev/null 2>&1 || true
	done
}
trap cleanup EXIT

estate_gen_bin
"$GEN_ESTATE" --system all --scale "$scale" --seed "$ESTATE_SEED" --out "$SCRATCH/gen" --playbook-dir "$TOP/playbooks" \
	>"$SCRATCH/gen.log" || die "gen-estate failed: $(tail -3 "$SCRATCH/gen.log")"
"$BUILD/gen12319" --playbook-dir "$TOP/playbooks/cg12319" --rows "$scale" --seed "$ESTATE_SEED" --out "$SCRATCH/gen/cg12319" \
	--database "$CG12319_DATABASE" >/dev/null

export ODBCSYSINI=$SCRATCH ODBCINI=$SCRATCH/odbc.ini JT12328_ODBC_PASSWORD=$MIGRATE_MYSQL_PASSWORD
printf '[t0230 SQLite3]\nDriver=%s\n[t0230 MariaDB]\nDriver=%s\n[t0230 PostgreSQL]\nDriver=%s\n' "$SQO" "$MAO" "$PGW" \
	>"$SCRATCH/odbcinst.ini"
{
	printf '[t0230_yz12305]\nDriver=t0230 SQLite3\nDatabase=%s\n' "$SCRATCH/gen/yz12305/yz12305.db"
	printf '[t0230_yj12350]\nDriver=t0230 SQLite3\nDatabase=%s\n' "$SCRATCH/gen/yj12350/yj12350.db"
	printf '[t0230_jt12328]\nDriver=t0230 MariaDB\nSocket=%s\nDatabase=%s\nUser=%s\nCHARSET=binary\n' \
		"$MYSQL_UNIX_PORT" "$JT12328_DATABASE" "$MIGRATE_MYSQL_USER"
	printf '[t0230_rh12363]\nDriver=t0230 PostgreSQL\nServername=%s\nPort=%s\nDatabase=%s\nUsername=%s\n' \
		"$PGHOST" "${PGPORT:-5432}" "$RH12363_DATABASE" "${PGUSER:-$(id -un)}"
} >"$SCRATCH/odbc.ini"
my_query "GRANT SELECT ON \`$JT12328_DATABASE\`.* TO '$MIGRATE_MYSQL_USER'@'localhost'" >/dev/null 2>&1 || true

fresh_store
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
assert_exit 0 "$BUILD/migrate" runbook "$TOP/playbooks/runbook.yaml" --json --report-dir "$SCRATCH/rep"
J=$SCRATCH/out
assert_eq true "$(jq .balanced "$J")" "the cutover balanced"
assert_eq 24 "$(jq '[.systems[] | select(.exit == 0)] | length' "$J")" "24 systems balanced"

# each system against its ground truth: every table's records loaded, and its rejects
tl=0
for c in $codes; do
	exp=$SCRATCH/gen/$c/expected.json
	[[ $c == cg12319 ]] && exp=$SCRATCH/gen/cg12319/expected.json
	want_l=$(jq 'if .tables then [.tables[].loaded] | add else .loaded end' "$exp")
	want_r=$(jq 'if .tables then [.tables[].rejected_total] | add else .rejected_total end' "$exp")
	run=$(jq --arg c "$c" '.systems[] | select(.run.system == $c) | .run' "$J")
	assert_eq "$want_l" "$(jq '.stages.load.out' <<<"$run")" "$c: records loaded"
	assert_eq "$want_l" "$(jq '.stages.target.out' <<<"$run")" "$c: the store's recount"
	assert_eq "$want_r" "$(pg_query "SELECT count(*) FROM migration.reject WHERE run_id = $(jq .run <<<"$run")")" "$c: rejects"
	tl=$((tl + want_l))
done
assert_eq "$tl" "$(jq .totals.loaded "$J")" "the city's loaded records"
# every record read is loaded, rejected at some stage or merged, in every system
assert_eq "" "$(jq -r '.systems[] | .run | select((.stages.source.out // .stages.extract.in) !=
	.stages.load.out + .stages.load.merged + ([.stages.extract, .stages.decode, .stages.transform, .stages.load] | map(.rejected) | add))
	| .system' "$J")" "loaded + rejected + merged = source, for every system"
assert_eq "$(jq .totals.source "$J")" "$(jq '.totals.loaded + .totals.rejected + .totals.merged' "$J")" "and for the city"
assert_eq "$tl" "$(jq .totals.loaded "$SCRATCH/rep/city.json")" "city.json"
assert_contains "$(cat "$SCRATCH/rep/city.html")" "data-total=\"loaded\">$tl<" "city.html: the city's loaded records"

# records present in two systems: exactly the generator's pairs, both keys
assert_eq "$(jq -r '[.cross_system[] | "\(.records[0].system) \(.records[0].legacy_id) \(.records[1].system) \(.records[1].legacy_id)"] | sort | join("|")' "$SCRATCH/gen/estate.json")" \
	"$(pg_query "SELECT string_agg(a_system || ' ' || a_legacy_id || ' ' || b_system || ' ' || b_legacy_id, '|' ORDER BY k COLLATE \"C\")
	  FROM (SELECT a_system || ' ' || a_legacy_id || ' ' || b_system || ' ' || b_legacy_id AS k, * FROM migration.cross_duplicate) x")" \
	"cross-system duplicates"
echo ok
