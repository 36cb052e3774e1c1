/* tests/fuzz/fuzz_fixed.c: the fixed-width format over arbitrary bytes.
 *
 * The first input byte picks one of several layouts (bytes, characters of
 * GB18030, Big5 and UTF-8, trimmed, blocks without line ends, a tiny
 * record cap); the rest is the file. Every record must become a row, a
 * reject or a clean error.
 */
#include "tests/fuzz/format_fuzz.h"

static const char *const variants[] = {
	"    encoding: utf-8\n    widths: [2, 3, 1]\n    columns: [a, b, c]\n",
	"    encoding: gb18030\n    widths: [1, 2, 3]\n    columns: [a, b, c]\n    unit: chars\n    trim: right\n",
	"    encoding: big5\n    widths: [3, 1]\n    unit: chars\n    skip_lines: 1\n",
	"    encoding: utf-8\n    widths: [1, 1, 2]\n    unit: chars\n    max_field_bytes: 3\n",
	"    encoding: latin1\n    widths: [2, 2]\n    record_bytes: 4\n",
	"    encoding: gbk\n    widths: [4, 4]\n    unit: chars\n    record_bytes: 9\n    max_record_bytes: 9\n",
};

FORMAT_FUZZ("fixed", "in.txt", "c1")
