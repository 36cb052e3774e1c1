/* tests/fuzz/fuzz_csv.c: the csv format over arbitrary bytes.
 *
 * The first input byte picks one of several playbooks (comma with header,
 * '|' in GBK so characters are walked, tab without header, no quoting, a
 * tiny record cap, GB18030 with ';' and named columns); the rest is the
 * file. Every record must become a row, a reject or a clean error.
 */
#include "tests/fuzz/format_fuzz.h"

static const char *const variants[] = {
	"    encoding: utf-8\n",
	"    encoding: gbk\n    delimiter: \"|\"\n",
	"    encoding: big5\n    delimiter: tab\n    header: false\n    max_field_bytes: 64\n",
	"    encoding: latin1\n    quote: none\n    skip_lines: 1\n",
	"    encoding: gb18030\n    delimiter: \";\"\n    columns: [a, b, c]\n    max_record_bytes: 100\n",
	"    encoding: gbk\n    delimiter: \"\\\\\"\n    quote: \"|\"\n    header: false\n    columns: [a, b]\n",
};

FORMAT_FUZZ("csv", "in.csv", "a")
