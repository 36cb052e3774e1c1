#!/usr/bin/env bash
# Every fuzz target replays its seed corpus (and any crash reproducers kept
# in tests/fuzz/corpus/<name>/) without a crash or a sanitizer report.
set -euo pipefail
source "$TOP/tests/lib.sh"

n=0
for bin in "$BUILD"/fuzz/fuzz_*; do
	name=$(basename "$bin")
	seeds=$TOP/tests/fuzz/corpus/${name#fuzz_}
	[ -d "$seeds" ] || continue
	"$bin" "$seeds" > "$name.log" 2>&1 || die "$name crashed on its corpus: $(tail -5 "$name.log")"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || die "no fuzz target with a corpus was built"
echo "$n fuzz targets replayed their corpora" >&2
