#!/usr/bin/env bash
# Estate: 12333 人社 (MySQL DEFAULT CHARSET=gbk) end to end against the generator's ground truth.
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/gen/estate-lib.sh"

[[ -n ${PGHOST:-} ]] || skip "no private PostgreSQL (PGHOST unset)"
[[ -n ${MYSQL_UNIX_PORT:-} ]] || skip "no private MariaDB (MYSQL_UNIX_PORT unset)"
export RS12333_DATABASE=legacy_t0207
db=legacy_t0207
trap 'my_query "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true' EXIT

estate_gen rs12333 300
estate_run rs12333
estate_check_counts
estate_check_store rs12333
estate_check_text rs12333 work_order intended.tsv
# GBK bytes in the source: 已办结 = d2d1 b0ec bde1
assert_eq gbk "$(my_query "SELECT DEFAULT_CHARACTER_SET_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '$db'")" "gbk database"
[[ $(my_query "SELECT COUNT(*) FROM $db.rs_rxgd WHERE HEX(zt_mc) = 'D2D1B0ECBDE1'") -gt 0 ]] || die "no GBK status bytes"
echo ok
