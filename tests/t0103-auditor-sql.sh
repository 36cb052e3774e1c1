#!/usr/bin/env bash
# The SQL in docs/auditors.md, run by hand against both servers, gives the
# tool's totals: the source total in MariaDB and the target total in
# PostgreSQL.
set -euo pipefail
source "$TOP/tests/lib.sh"

export CG12319_DATABASE=legacy_t0103
"$BUILD/gen12319" --playbook-dir "$TOP/playbooks/cg12319" --rows 1500 --seed 5 --out gen --database "$CG12319_DATABASE" >/dev/null
fresh_store
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null
assert_exit 0 "$BUILD/migrate" run "$TOP/playbooks/cg12319.yaml" --json
cp "$SCRATCH/out" run.json

# the ```sql blocks of the guide, by their "-- auditor: NAME" first line
block() {
	awk -v name="$1" '
		/^```sql/ { inb = 1; buf = ""; next }
		/^```/ && inb { if (buf ~ ("-- auditor: " name "\n")) { printf "%s", buf; found = 1 } inb = 0; next }
		inb { buf = buf $0 "\n" }
		END { if (!found) exit 1 }' "$TOP/docs/auditors.md"
}
block mysql-source-total > my.sql || die "docs/auditors.md has no mysql-source-total block"
block postgresql-target-total > pg.sql || die "docs/auditors.md has no postgresql-target-total block"

got=$(mariadb --no-defaults --socket="$MYSQL_UNIX_PORT" -uroot --default-character-set=binary -N -B "$CG12319_DATABASE" < my.sql)
assert_eq "$(jq -r '.stages.source.out' run.json)	$(jq -r '.stages.source.total_out' run.json)" "$got" "MariaDB SQL from the guide = the run's source count and total"
assert_eq "$(jq -r '.stages.extract.total_out' run.json)" "$(cut -f2 <<<"$got")" "... = the extract total computed in C"

got=$(psql -XAtq -F $'\t' -f pg.sql)
assert_eq "$(jq -r '.stages.target.out' run.json)	$(jq -r '.stages.target.total_out' run.json)" "$got" "PostgreSQL SQL from the guide = the run's target count and total"
assert_eq "$(jq -r '.stages.load.total_out' run.json)" "$(cut -f2 <<<"$got")" "... = the load total computed in C"

# one changed byte in one loaded record changes the target total
pg_query "UPDATE hotline.work_order SET content = content || 'x' WHERE id = (SELECT min(id) FROM hotline.work_order)" >/dev/null
got2=$(psql -XAtq -F $'\t' -f pg.sql)
[ "$got" != "$got2" ] || die "the total did not change after a one-byte change"
assert_exit 3 "$BUILD/migrate" reconcile "$(jq .run run.json)"
assert_contains "$(cat "$SCRATCH/out")" "OUT OF BALANCE" "reconcile reports the difference"
