/* extractors/registry.c: every source driver, by the name playbooks use.
 *
 * Drivers are referenced weakly: a driver file left out of a build stays
 * listed and answers "support for 'x' is not compiled in". */
#include <stdio.h>
#include <string.h>

#include "extractors/extractor.h"

#define WEAK __attribute__((weak))
extern const struct source_driver source_mysql WEAK;
extern const struct source_driver source_postgresql WEAK;
extern const struct source_driver source_odbc WEAK;
extern const struct source_driver source_csv WEAK;
extern const struct source_driver source_fixed WEAK;
extern const struct source_driver source_dbf WEAK;
extern const struct source_driver source_xlsx WEAK;
extern const struct source_driver source_archive WEAK;
extern const struct source_driver source_replay WEAK;

static const struct {
	const char *name;
	const struct source_driver *drv;
} registry[] = {
	{"mysql", &source_mysql},
	{"postgresql", &source_postgresql},
	{"odbc", &source_odbc},
	{"csv", &source_csv},
	{"fixed", &source_fixed},
	{"dbf", &source_dbf},
	{"xlsx", &source_xlsx},
	{"archive", &source_archive},
	{"replay", &source_replay},
};

#define NREG (sizeof(registry) / sizeof(registry[0]))

const struct source_driver *source_driver_find(const char *name)
{
	for (size_t i = 0; i < NREG; i++)
		if (!strcmp(registry[i].name, name))
			return registry[i].drv;
	return NULL;
}

int source_driver_known(const char *name)
{
	for (size_t i = 0; i < NREG; i++)
		if (!strcmp(registry[i].name, name))
			return 1;
	return 0;
}

const struct source_driver *source_driver_at(size_t i)
{
	return i < NREG ? registry[i].drv : NULL;
}

size_t source_driver_count(void)
{
	return NREG;
}

void source_driver_names(char *out, size_t n)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < NREG && used < n; i++)
		used += (size_t)snprintf(out + used, n - used, "%s%s", i ? ", " : "", registry[i].name);
}
