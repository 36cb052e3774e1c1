#!/usr/bin/env bash
# Estate: 12366 纳税服务 (PostgreSQL UTF8 with timestamptz columns; sub-center,
# incremental by the updated_at watermark) end to end against the generator's
# ground truth; the client's time zone does not move a date; then rows
# changed at the source: the second run reads only the window and the store
# shows the new values.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/gen/estate-lib.sh"

[[ -n ${PGHOST:-} ]] || skip "no private PostgreSQL (PGHOST unset)"
export SS12366_DATABASE=legacy_t0221
db=legacy_t0221
src() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" -c "SET TimeZone = 'Asia/Shanghai'" -c "$1"; }
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true' EXIT

estate_gen ss12366 300
# a client in another time zone: the driver pins the session to Asia/Shanghai
export PGTZ=UTC
estate_run ss12366
unset PGTZ
estate_check_counts
estate_check_store ss12366
estate_check_text ss12366 work_order intended.tsv
pb=$TOP/playbooks/ss12366.yaml
# received_at and closed_at are the legacy instants, whatever the client's
# time zone and the offset they were printed with: compared row by row
want=$(src "SELECT DISTINCT gdbh, coalesce(to_char(slsj, 'YYYY-MM-DD HH24:MI:SS'), '-'), coalesce(to_char(bjsj, 'YYYY-MM-DD HH24:MI:SS'), '-')
  FROM nsfw_gd ORDER BY 1" | md5sum)
got=$(pg_query "SELECT legacy_id, coalesce(to_char(received_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS'), '-'),
  coalesce(to_char(closed_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS'), '-')
  FROM hotline.work_order WHERE source_system = 'ss12366' ORDER BY 1" | md5sum)
assert_eq "$want" "$got" "received and closing times equal the source's, instant for instant"
[[ $(src "SELECT count(*) FROM nsfw_gd WHERE extract(hour FROM slsj) < 8") -gt 0 ]] ||
  die "no order received before 08:00 Beijing time (the previous UTC day) at this scale"

# the watermark is the highest updated_at; then 5 open orders closed at the
# source, one reply corrected, 3 orders added
w=$(pg_query "SELECT value FROM migration.watermark WHERE source_system = 'ss12366'")
assert_eq "$(src "SELECT max(updated_at) FROM nsfw_gd")" "$w" "the watermark is the highest updated_at"
bump="'$w'::timestamptz + interval '1 day'"
uniq="gdbh IN (SELECT gdbh FROM nsfw_gd GROUP BY 1 HAVING count(*) = 1)"
src "UPDATE nsfw_gd SET zt = 'CLOSED', bjsj = $bump, dfnr = '已办结（补录）', updated_at = $bump
  WHERE id IN (SELECT id FROM nsfw_gd WHERE zt IN ('ACCEPTED', 'DISPATCHED', 'PROCESSING') AND $uniq ORDER BY id LIMIT 5)"
src "UPDATE nsfw_gd SET dfnr = '更正：' || coalesce(dfnr, ''), updated_at = $bump
  WHERE id = (SELECT min(id) FROM nsfw_gd WHERE zt = 'ARCHIVED' AND $uniq)"
max=$(src "SELECT max(id) FROM nsfw_gd")
src "INSERT INTO nsfw_gd (id, gdbh, slsj, nr, ywlb, ywlbmc, sqlx, zt, updated_at) VALUES
  ($max + 1, '12366-NEW-1', '2025-07-01 10:00:00+08', '新增一', 'SS-FP', '发票', '咨询', 'ACCEPTED', '$w'::timestamptz + interval '2 days'),
  ($max + 2, '12366-NEW-2', '2025-07-01 00:30:00+08', '新增二', 'SS-GS', '个人所得税', '咨询', 'ACCEPTED', '$w'::timestamptz + interval '2 days'),
  ($max + 3, '12366-NEW-3', '2025-07-01 12:00:00+08', '新增三', 'SS-DZ', '电子税务局', '求助', 'ACCEPTED', '$w'::timestamptz + interval '2 days')"
window=$(src "SELECT count(*) FROM nsfw_gd WHERE updated_at >= '$w'::timestamptz - interval '300 seconds'")
[[ $window -ge 9 && $window -lt 60 ]] || die "window of $window rows"
closed=$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'ss12366' AND status = '办结'")
assert_exit 0 "$BUILD/migrate" run "$pb" --json
assert_eq "$window" "$(jq .stages.extract.out "$SCRATCH/out")" "the second run reads the window only"
assert_eq "$window" "$(jq .stages.source.out "$SCRATCH/out")" "the recount covers the same window"
assert_eq true "$(jq .balanced "$SCRATCH/out")" "balanced"
assert_eq 3 "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE legacy_id LIKE '12366-NEW-%'")" "new rows loaded"
assert_eq "2025-07-01 00:30:00" "$(pg_query "SELECT to_char(received_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS')
  FROM hotline.work_order WHERE legacy_id = '12366-NEW-2'")" "a new order received at 00:30 keeps its day"
assert_eq "$((closed + 5))" "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'ss12366' AND status = '办结'")" \
  "status updates reflected"
assert_eq 5 "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'ss12366' AND reply = '已办结（补录）'
  AND closed_at IS NOT NULL")" "the closed orders' replies and closing times"
assert_eq 1 "$(pg_query "SELECT count(*) FROM hotline.work_order WHERE source_system = 'ss12366' AND reply LIKE '更正：%'")" \
  "a corrected reply updated in place"
assert_eq "$(($(jq .loaded "$EXP") + 3))" "$(pg_query "SELECT count(*) FROM hotline.work_order")" "nothing doubled"
assert_eq "$(src "SELECT max(updated_at) FROM nsfw_gd")" \
  "$(pg_query "SELECT value FROM migration.watermark WHERE source_system = 'ss12366'")" "the watermark moved on"
echo ok
