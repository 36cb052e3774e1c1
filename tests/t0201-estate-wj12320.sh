#!/usr/bin/env bash
# Estate: 12320 卫生健康 (a PostgreSQL database created with SQL_ASCII that
# holds GBK bytes, dual mode) end to end against the generator's ground
# truth: GBK (and GB18030 four-byte names) decoded, zero dates as text
# loaded as NULL, impossible dates and undecodable bytes rejected with their
# bytes, duplicates merged, the text byte for byte.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/gen/estate-lib.sh"

[[ -n ${PGHOST:-} ]] || skip "no private PostgreSQL (PGHOST unset)"
export WJ12320_DATABASE=legacy_t0201
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $WJ12320_DATABASE WITH (FORCE)" >/dev/null 2>&1 || true' EXIT

estate_gen wj12320 300
estate_run wj12320
estate_check_counts
estate_check_store wj12320
estate_check_text wj12320 work_order intended.tsv

src() { psql -X -A -t -q -v ON_ERROR_STOP=1 -d "$WJ12320_DATABASE" -c "$1"; }
# the legacy database really is SQL_ASCII with GBK bytes: 已办结 = d2d1 b0ec bde1
assert_eq SQL_ASCII "$(pg_query "SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = '$WJ12320_DATABASE'")" "SQL_ASCII database"
[[ $(src "SELECT count(*) FROM rx_gdxx WHERE encode(convert_to(zt, 'SQL_ASCII'), 'hex') = 'd2d1b0ecbde1'") -gt 0 ]] ||
  die "no GBK status bytes in the legacy table"
# zero dates stored as text, loaded as NULL and counted
assert_eq "$(jq .fixes.zero_date "$EXP")" "$(src "SELECT count(*) FROM rx_gdxx WHERE slsj = '0000-00-00 00:00:00'")" "zero dates in the source"
[[ $(jq .fixes.zero_date "$EXP") -gt 0 ]] || die "no zero date at this scale"
# GB18030 four-byte names arrive as the characters (4 UTF-8 bytes)
assert_eq "$(jq '.checks.gb18030_names // 0' "$EXP")" "$(pg_query "SELECT count(*) FROM hotline.work_order
  WHERE source_system = 'wj12320' AND caller_name ~ '[𠀀-𯿽]'")" "GB18030 four-byte names"
# an undecodable reject keeps the content's bytes exactly as stored
key=$(pg_query "SELECT convert_from(legacy_key, 'UTF8') FROM migration.reject WHERE reason = 'undecodable' ORDER BY 1 LIMIT 1")
[[ -n $key ]] || die "no undecodable reject"
want=$(src "SELECT upper(encode(convert_to(nr, 'SQL_ASCII'), 'hex')) FROM rx_gdxx WHERE xh = $key")
assert_contains "$(pg_query "SELECT upper(encode(raw, 'hex')) FROM migration.reject WHERE reason = 'undecodable'
  AND convert_from(legacy_key, 'UTF8') = '$key'")" "$want" "reject raw bytes hold the stored content"
echo ok
