/* tests/fuzz/main_standalone.c: run a fuzz target without libFuzzer.
 *
 *   cc ... tests/fuzz/fuzz_x.c tests/fuzz/main_standalone.c ... -o fuzz_x
 *   fuzz_x FILE|DIR ...     each file (each regular file of a directory) is
 *                           one input; "-" (or no argument) reads stdin
 *
 * Arguments that start with '-' (libFuzzer flags such as -runs=100) are
 * ignored, so a corpus command line works with either build. Each input is
 * copied into a buffer of exactly its size, so a sanitizer sees overreads.
 * Exit 0 when every input ran; a crash or sanitizer report is the failure.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static unsigned long ran;

static int run_stream(FILE *f, const char *name)
{
	size_t n = 0, alloc = 0;
	unsigned char *buf = NULL, *exact;
	char tmp[65536];
	size_t k;

	while ((k = fread(tmp, 1, sizeof(tmp), f)) > 0) {
		if (n + k > alloc) {
			unsigned char *nb;

			alloc = (n + k) * 2;
			nb = realloc(buf, alloc);
			if (!nb) {
				fprintf(stderr, "%s: out of memory\n", name);
				free(buf);
				return -1;
			}
			buf = nb;
		}
		memcpy(buf + n, tmp, k);
		n += k;
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: read error\n", name);
		free(buf);
		return -1;
	}
	exact = malloc(n ? n : 1);
	if (!exact) {
		free(buf);
		return -1;
	}
	if (n)
		memcpy(exact, buf, n);
	free(buf);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	ran++;
	return 0;
}

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	int rc;

	if (!f) {
		perror(path);
		return -1;
	}
	rc = run_stream(f, path);
	fclose(f);
	return rc;
}

static int run_path(const char *path)
{
	struct stat st;
	struct dirent **ents;
	int n, bad = 0;

	if (stat(path, &st)) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	n = scandir(path, &ents, NULL, alphasort);
	if (n < 0) {
		perror(path);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char sub[4096];
		struct stat ss;

		snprintf(sub, sizeof(sub), "%s/%s", path, ents[i]->d_name);
		if (ents[i]->d_name[0] != '.' && !stat(sub, &ss) && S_ISREG(ss.st_mode) && run_file(sub))
			bad = 1;
		free(ents[i]);
	}
	free(ents);
	return bad ? -1 : 0;
}

int main(int argc, char **argv)
{
	int bad = 0, any = 0;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-")) {
			any = 1;
			bad |= run_stream(stdin, "stdin") != 0;
		} else if (argv[i][0] != '-') {
			any = 1;
			bad |= run_path(argv[i]) != 0;
		}
	}
	if (!any)
		bad |= run_stream(stdin, "stdin") != 0;
	fprintf(stderr, "%s: ran %lu input%s\n", argv[0], ran, ran == 1 ? "" : "s");
	return bad ? 1 : 0;
}
