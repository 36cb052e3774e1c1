#!/usr/bin/env bash
# Rendering streams: 10 times more rejects (20,000 -> 200,000) add no more
# than a few MB to the renderer's peak memory, and every reject is written.
set -euo pipefail
source "$TOP/tests/lib.sh"

[[ -x /usr/bin/time ]] || skip "/usr/bin/time is not installed (Debian package time)"
fresh_store
"$BUILD/migrate" init --taxonomy "$TOP/playbooks/taxonomy.csv" >/dev/null

# N rows, every one with an impossible date: N rejects, each with a
# 300-byte content holding a phone number
estate() { # DIR N
  mkdir -p "$1"
  awk -v n="$2" 'BEGIN {
    pad = sprintf("%300s", ""); gsub(/ /, "x", pad)
    print "id,xm,ldhm,ldsj,sqnr"
    for (i = 1; i <= n; i++)
      printf "%d,王%d,139%08d,2021-02-30 10:00:00,请回电139%08d %s\n", i, i % 97, i, i, pad
  }' >"$1/data.csv"
  cat >"$1/pb.yaml" <<EOF
system: {code: $(basename "$1"), hotline: "12345", name: 测试, department: 测试, mode: merge}
source: {driver: csv, dir: .}
tables:
  - name: data.csv
    encoding: utf-8
    commit_rows: 50000
    dates: {invalid: reject}
    fields: {legacy_id: id, caller_name: xm, caller_phone: {column: ldhm, type: phone}, received_at: {column: ldsj, type: datetime}, content: sqnr}
EOF
}
peak_kb() { # RUN OUTDIR: the renderer's peak RSS in kB
  # (a sanitizer build keeps freed memory in quarantine: keep it small)
  ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1 /usr/bin/time -f %M -o rss "$BUILD/migrate" report "$1" --out "$2" >/dev/null || die "report $1 failed"
  cat rss
}

estate small 20000
estate large 200000
assert_exit 0 "$BUILD/migrate" run small/pb.yaml --json
r1=$(jq .run "$SCRATCH/out")
assert_eq 20000 "$(jq .rejects.\"transform.invalid_date\" "$SCRATCH/out")" "small: every row rejected"
assert_exit 0 "$BUILD/migrate" run large/pb.yaml --json
r2=$(jq .run "$SCRATCH/out")
assert_eq 200000 "$(jq .rejects.\"transform.invalid_date\" "$SCRATCH/out")" "large: every row rejected"

k1=$(peak_kb "$r1" rep1)
k2=$(peak_kb "$r2" rep2)
echo "peak RSS: $k1 kB for 20,000 rejects, $k2 kB for 200,000" >&2
assert_eq 200001 "$(wc -l <rep2/rejects-$r2.csv)" "every reject written"
((k2 < k1 + 8192)) || die "memory grows with the rejects: $k1 kB -> $k2 kB"
((k2 < 65536)) || die "peak RSS $k2 kB for a report"
# masked all the way through
assert_eq 200000 "$(grep -c 'ldhm=139\*\*\*\*[0-9]\{4\}; ldsj=2021-02-30 10:00:00; sqnr=请回电139\*\*\*\*[0-9]\{4\} x' rep2/rejects-$r2.csv)" "phones masked in every row"
