#!/usr/bin/env bash
# xlsx: the fuzz target (tests/fuzz/fuzz_xlsx.c) built as a plain program
# (tests/fuzz/main_standalone.c) against the library objects of this build and run over small workbooks
# (deflated and stored) and hundreds of cut and byte-flipped copies: each
# must end in rows, rejects or a clean error, never a crash, a sanitizer
# report or a hang (make fuzz runs the same target under libFuzzer).
set -euo pipefail
source "$TOP/tests/lib.sh"
source "$TOP/tests/fixtures/xlsx/lib-xlsx.sh"

obj=$BUILD/obj
[[ -f $obj/extractors/xlsx.o ]] || die "no $obj/extractors/xlsx.o: build first"
objs=()
for o in "$obj"/migrate/*.o "$obj"/extractors/*.o "$obj"/transform/*.o "$obj"/loaders/*.o; do
	case ${o##*/} in
	main.o | report.o | cmd_*.o) ;;
	*) objs+=("$o") ;;
	esac
done
san=()
syms=$(nm "$obj/extractors/xlsx.o") # (not nm | grep -q: grep's early exit fails the pipe)
[[ $syms == *__asan_* ]] && san+=(-fsanitize=address)
[[ $syms == *__ubsan_* ]] && san+=(-fsanitize=undefined)
pkgs=(libpq libmariadb odbc libarchive expat yaml-0.1 jansson libcrypto)
read -ra cflags <<<"$(pkg-config --cflags "${pkgs[@]}")"
read -ra libs <<<"$(pkg-config --libs "${pkgs[@]}")"
cc -std=c11 -D_GNU_SOURCE -pthread -g -O1 "${san[@]}" -I"$TOP" "${cflags[@]}" -o fuzz_xlsx \
	"$TOP/tests/fuzz/fuzz_xlsx.c" "$TOP/tests/fuzz/main_standalone.c" "${objs[@]}" "${libs[@]}" -lm ||
	die "cannot build the fuzz target"

s() { printf '<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' "$1" "$2"; }
xlsx_skel wb
xlsx_workbook wb 0 Sheet1 Sheet2
xlsx_styles wb
xlsx_sst wb <<'X'
<si><t>编号</t></si><si><r><t>富</t></r><r><t xml:space="preserve"> 文本</t></r><rPh><t>x</t></rPh></si><si><t>a_x000D_b</t></si>
X
xlsx_sheet wb 1 <<X
<row r="1"><c r="A1" t="s"><v>0</v></c>$(s B1 when)$(s C1 text)</row>
<row r="2"><c r="A2"><v>1</v></c><c r="B2" s="2"><v>44197.5</v></c><c r="C2" t="s"><v>1</v></c></row>
<row r="4"><c r="A4" t="b"><v>1</v></c><c r="B4" s="1"><v>60</v></c><c r="C4" t="s"><v>2</v></c><c r="E4"><v>9</v></c></row>
<row><c><f>A2</f><v>1</v></c><c t="e"><v>#N/A</v></c><c t="s"><v>5</v></c></row>
X
xlsx_sheet wb 2 '<mergeCells><mergeCell ref="A2:B2"/><mergeCell ref="C2:C3"/></mergeCells>' <<X
<row r="1">$(s A1 title)</row>
<row r="2">$(s A2 top)$(s C2 right)</row>
<row r="3">$(s A3 left)$(s B3 mid)</row>
<row r="4"><c r="A4"><v>1</v></c><c r="B4" s="3"><v>0.5</v></c><c r="C4" s="8"><v>0.25</v></c></row>
X
mkdir -p seeds corpus
xlsx_zip wb seeds/deflated.xlsx
(cd wb && zip -q -X -0 -nw -r ../seeds/stored.xlsx .)
xlsx_zip wb seeds/standard.xlsx standard
n=0
for f in seeds/*.xlsx; do
	size=$(stat -c %s "$f")
	b=$(basename "$f" .xlsx)
	for pad in 0 1 2; do # the three playbook variants (size modulo 3)
		{ cat "$f"; head -c "$pad" /dev/zero; } >"corpus/$b-v$pad"
		n=$((n + 1))
	done
	for ((i = 1; i <= 60; i++)); do
		# a cut copy, and a copy with a few bytes overwritten
		head -c $(((size * i) / 61)) "$f" >"corpus/$b-cut$i"
		cp "$f" "corpus/$b-flip$i"
		for ((k = 0; k < 3; k++)); do
			off=$(((i * 7919 + k * 104729) % size))
			printf "\\x$(printf %02x $(((i * 31 + k * 17) % 256)))" |
				dd of="corpus/$b-flip$i" bs=1 seek="$off" conv=notrunc 2>/dev/null
		done
		n=$((n + 2))
	done
done
((n > 300)) || die "only $n corpus files"
ulimit -c 0
assert_exit 0 timeout 300 ./fuzz_xlsx corpus/*
echo "t0347 ok: $n inputs"
